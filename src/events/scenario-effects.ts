import { categories } from '../catalog/reference.js';
import { type ScenarioName, type ScenarioWindow, activeAt } from '../scenarios/spec.js';
import { mixSeed } from '../shared/rng.js';

/** A flash sale in force: the category (index) on sale and the share taken off. */
export interface FlashSale {
  category: number;
  off: number;
  fromMs: number;
  toMs: number;
}

/**
 * What the shop-behaviour scenarios (issue 25) change, asked by time (record time): traffic
 * (black-friday, flash-sale), conversion and coupons (black-friday), a category on sale
 * (flash-sale), payments (payment-outage). Every question costs a comparison when no scenario
 * is active; draws for a scenario come from the run's generators only inside its window, so a
 * run without scenarios makes exactly the records it made before.
 */
export class ScenarioEffects {
  /** Flash sales with their category resolved (a named one, or one drawn from the seed). */
  readonly sales: FlashSale[];

  constructor(
    readonly windows: readonly ScenarioWindow[],
    seed: number,
  ) {
    this.sales = windows
      .filter((w) => w.name === 'flash-sale')
      .map((w) => {
        const named = categories.findIndex((c) => c.name.toLowerCase() === String(w.params.category).toLowerCase());
        return { category: named >= 0 ? named : mixSeed(seed, w.fromMs / 1000, 0xf5) % categories.length, off: Number(w.params.off), fromMs: w.fromMs, toMs: w.toMs };
      });
  }

  private active(name: ScenarioName, t: number): ScenarioWindow | undefined {
    return this.windows.length === 0 ? undefined : activeAt(this.windows, name, t);
  }

  /** Visits × this at time t. */
  traffic(t: number): number {
    const bf = this.active('black-friday', t);
    const fs = this.active('flash-sale', t);
    return (bf ? Number(bf.params.traffic) : 1) * (fs ? Number(fs.params.spike) : 1);
  }

  /** The realistic funnel's add-to-cart and checkout chances × this at time t. */
  conversion(t: number): number {
    const bf = this.active('black-friday', t);
    return bf ? Number(bf.params.conversion) : 1;
  }

  /** The share of orders with the 15 % coupon at time t (outside black-friday: the usual 10 %). */
  couponShare(t: number): number {
    const bf = this.active('black-friday', t);
    return bf ? Number(bf.params.coupons) : 0.1;
  }

  /** The flash sale in force at t, if any. */
  saleAt(t: number): FlashSale | undefined {
    for (const s of this.sales) if (t >= s.fromMs && t < s.toMs) return s;
    return undefined;
  }

  /** Whether a scenario of this name is in force at t (its records carry its label). */
  on(name: ScenarioName, t: number): boolean {
    return this.active(name, t) !== undefined;
  }

  /** Whether a checkout at t is given up: drawn (the share `abandon`) only during a payment outage. */
  abandonsCheckout(t: number, rng: { chance(p: number): boolean }): boolean {
    const share = this.outage(t);
    return share !== undefined && rng.chance(share);
  }

  /** During a payment outage, the share of checkouts abandoned (undefined: payments work). */
  outage(t: number): number | undefined {
    const po = this.active('payment-outage', t);
    return po ? Number(po.params.abandon) : undefined;
  }
}
