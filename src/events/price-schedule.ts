import { mixSeed } from '../shared/rng.js';
import type { PriceChange } from './schemas.js';

const dayMs = 86_400_000;
const weekMs = 7 * dayMs;
/** A product is repriced every 14-55 days (its own period), to 0.9-1.1 × its base price. */
const minPeriodDays = 14;
const periodSpreadDays = 42;
/** In a given week, a product is on promotion with this probability: 1-4 days, starting in the week's first 3 days. */
const promotionChance = 0.06;
const promotionDiscounts = [0.1, 0.15, 0.2, 0.25, 0.3];

const u = (h: number) => h / 4294967296;

/** One change of a product's price: when, from what to what, and why. */
export interface ScheduledChange {
  at: number;
  oldCents: number;
  newCents: number;
  reason: PriceChange['reason'];
}

/**
 * The living catalog's prices: a product's price at any moment is a pure function of the seed,
 * the product and the time (ms since the epoch), so every partition, every worker and every
 * resumed run sees the same price at the same time, and the changes can be listed for any span
 * without history. Repricing moves a product to 0.9-1.1 × its base price at the start of each of
 * its periods; a promotion takes 10-30 % off for 1-4 days.
 */
export class PriceSchedule {
  constructor(
    private readonly seed: number,
    private readonly basePriceCents: ArrayLike<number>,
    /** Each product's number (PRD_000042 → 42): the schedule follows the product, whatever order a catalog was read in. */
    private readonly productNumber: ArrayLike<number>,
  ) {}

  /** The product's repricing period (ms) and where it starts (phase, ms). */
  private period(p: number): { len: number; phase: number } {
    const len = (minPeriodDays + (mixSeed(this.seed, this.productNumber[p], 0x9e71) % periodSpreadDays)) * dayMs;
    return { len, phase: Math.floor(u(mixSeed(this.seed, this.productNumber[p], 0x9e72)) * len) };
  }

  /** The promotion of the product in week `w` (whole weeks since the epoch), if any: [start, end) and its discount. */
  private promotion(p: number, w: number): { start: number; end: number; off: number } | undefined {
    const h = mixSeed(this.seed, this.productNumber[p], w, 0x9e73);
    if (u(h) >= promotionChance) return undefined;
    const h2 = mixSeed(this.seed, this.productNumber[p], w, 0x9e74);
    const start = w * weekMs + Math.floor(u(h2) * 3 * dayMs);
    return { start, end: start + (1 + (h2 % 4)) * dayMs, off: promotionDiscounts[mixSeed(this.seed, this.productNumber[p], w, 0x9e75) % promotionDiscounts.length] };
  }

  /** The product's price in cents at time `t` (ms). */
  priceCents(p: number, t: number): number {
    const { len, phase } = this.period(p);
    const k = Math.floor((t + phase) / len);
    const factor = 0.9 + 0.2 * u(mixSeed(this.seed, this.productNumber[p], k, 0x9e76));
    const promo = this.promotion(p, Math.floor(t / weekMs));
    const off = promo && t >= promo.start && t < promo.end ? promo.off : 0;
    return Math.max(1, Math.round(this.basePriceCents[p] * factor * (1 - off)));
  }

  /** The product's price changes in [from, to), in time order. */
  changes(p: number, from: number, to: number): ScheduledChange[] {
    const candidates: Array<{ at: number; reason: PriceChange['reason'] }> = [];
    const { len, phase } = this.period(p);
    for (let k = Math.ceil((from + phase) / len); k * len - phase < to; k++) candidates.push({ at: k * len - phase, reason: 'repricing' });
    for (let w = Math.floor(from / weekMs); w * weekMs < to; w++) {
      const promo = this.promotion(p, w);
      if (!promo) continue;
      if (promo.start >= from && promo.start < to) candidates.push({ at: promo.start, reason: 'promotion_start' });
      if (promo.end >= from && promo.end < to) candidates.push({ at: promo.end, reason: 'promotion_end' });
    }
    candidates.sort((a, b) => a.at - b.at);
    const out: ScheduledChange[] = [];
    for (const c of candidates) {
      const oldCents = this.priceCents(p, c.at - 1);
      const newCents = this.priceCents(p, c.at);
      if (oldCents !== newCents && out.at(-1)?.at !== c.at) out.push({ at: c.at, oldCents, newCents, reason: c.reason });
    }
    return out;
  }
}
