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

/** Narrows `span` (around t) to one side of [start, end) or into it; whether t is inside it. */
function clip(span: { from: number; to: number }, t: number, start: number, end: number): boolean {
  if (t < start) {
    span.to = Math.min(span.to, start);
    return false;
  }
  if (t < end) {
    span.from = Math.max(span.from, start);
    span.to = Math.min(span.to, end);
    return true;
  }
  span.from = Math.max(span.from, end);
  return false;
}

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
 * its periods; a promotion takes 10-30 % off for 1-4 days (it ends within its week).
 *
 * A price holds from one candidate change (a period's start, a promotion's start or end, a
 * week's start) to the next, so the price of each product is cached with the span it holds for:
 * the engine's clock moves forward, and most lookups are a comparison.
 */
export class PriceSchedule {
  private readonly from: Float64Array;
  private readonly to: Float64Array;
  private readonly cents: Float64Array;

  constructor(
    private readonly seed: number,
    private readonly basePriceCents: ArrayLike<number>,
    /** Each product's number (PRD_000042 → 42): the schedule follows the product, whatever order a catalog was read in. */
    private readonly productNumber: ArrayLike<number>,
    /** Flash sales (issue 25): a category at a discount for a window; their bounds are price changes too. */
    private readonly sales: ReadonlyArray<{ category: number; off: number; fromMs: number; toMs: number }> = [],
    private readonly productCategory?: ArrayLike<number>,
  ) {
    const n = basePriceCents.length;
    this.from = new Float64Array(n).fill(Infinity);
    this.to = new Float64Array(n).fill(-Infinity);
    this.cents = new Float64Array(n);
  }

  /** The product's repricing period (ms) and where it starts (phase, ms). */
  private period(p: number): { len: number; phase: number } {
    const key = this.productNumber[p];
    const len = (minPeriodDays + (mixSeed(this.seed, key, 0x9e71) % periodSpreadDays)) * dayMs;
    return { len, phase: Math.floor(u(mixSeed(this.seed, key, 0x9e72)) * len) };
  }

  /** The promotion of the product in week `w` (whole weeks since the epoch), if any: [start, end) and its discount. */
  private promotion(p: number, w: number): { start: number; end: number; off: number } | undefined {
    const key = this.productNumber[p];
    const h = mixSeed(this.seed, key, w, 0x9e73);
    if (u(h) >= promotionChance) return undefined;
    const h2 = mixSeed(this.seed, key, w, 0x9e74);
    const start = w * weekMs + Math.floor(u(h2) * 3 * dayMs);
    return { start, end: start + (1 + (h2 % 4)) * dayMs, off: promotionDiscounts[mixSeed(this.seed, key, w, 0x9e75) % promotionDiscounts.length] };
  }

  /** The product's price in cents at time `t` (ms). */
  priceCents(p: number, t: number): number {
    if (t >= this.from[p] && t < this.to[p]) return this.cents[p];
    const { len, phase } = this.period(p);
    const k = Math.floor((t + phase) / len);
    const factor = 0.9 + 0.2 * u(mixSeed(this.seed, this.productNumber[p], k, 0x9e76));
    const w = Math.floor(t / weekMs);
    const promo = this.promotion(p, w);
    // The span this price holds for: within the period and the week, and on one side of the promotion's bounds.
    const span = { from: Math.max(k * len - phase, w * weekMs), to: Math.min((k + 1) * len - phase, (w + 1) * weekMs) };
    const off = promo && clip(span, t, promo.start, promo.end) ? promo.off : 0;
    let sale = 0;
    for (const s of this.sales) if (s.category === this.productCategory?.[p] && clip(span, t, s.fromMs, s.toMs)) sale = s.off;
    const cents = Math.max(1, Math.round(this.basePriceCents[p] * factor * (1 - off) * (1 - sale)));
    this.from[p] = span.from;
    this.to[p] = span.to;
    this.cents[p] = cents;
    return cents;
  }

  /**
   * The product's first price change at or after `after` (ms) and before `before`, or
   * undefined: candidates are its period starts and its promotions' starts and ends.
   */
  nextChange(p: number, after: number, before: number): ScheduledChange | undefined {
    const { len, phase } = this.period(p);
    let t = after;
    while (t < before) {
      // The next period start at or after t, and the promotion bounds before it.
      const repricing = Math.ceil((t + phase) / len) * len - phase;
      let next = Math.min(repricing, before);
      let reason: PriceChange['reason'] = 'repricing';
      // A promotion's (or a flash sale's) start or end before it comes first.
      const bounds = (start: number, end: number) => {
        if (start >= t && start < next) [next, reason] = [start, 'promotion_start'];
        else if (end >= t && end < next) [next, reason] = [end, 'promotion_end'];
      };
      for (let w = Math.floor(t / weekMs); w * weekMs < next; w++) {
        const promo = this.promotion(p, w);
        if (promo) bounds(promo.start, promo.end);
      }
      for (const s of this.sales) if (s.category === this.productCategory?.[p]) bounds(s.fromMs, s.toMs);
      if (next >= before) return undefined;
      const oldCents = this.priceCents(p, next - 1);
      const newCents = this.priceCents(p, next);
      if (oldCents !== newCents) return { at: next, oldCents, newCents, reason };
      t = next + 1;
    }
    return undefined;
  }

  /** The product's price changes in [from, to), in time order. */
  changes(p: number, from: number, to: number): ScheduledChange[] {
    const out: ScheduledChange[] = [];
    for (let c = this.nextChange(p, from, to); c; c = this.nextChange(p, c.at + 1, to)) out.push(c);
    return out;
  }
}
