import type { Rng } from '../shared/rng.js';

const reorderPoint = 10;
const dayMs = 86_400_000;
/** How long a sale counts towards a product's current demand (an exponential average). */
const demandWindowMs = 3_600_000;
/** Units of demand a restock on its way may miss at most (the largest regular restock): a product that sells faster is restocked sooner. */
const maxShortfall = 400;
/** Units of demand a hurried restock misses. */
const hurriedShortfall = 50;
/** A restock covers this long of current demand, at least. */
const coverMs = 2 * dayMs;

/**
 * When a warehouse reorders and how much arrives. Below the reorder point a restock arrives
 * after a lead time of 1-3 days with 100-400 units; a product selling so fast that more than
 * 400 units would go in that time (a busy live stream over a small catalog) is restocked
 * within the time 50 units take to sell, with at least two days of its current demand, as a store selling that much
 * would, instead of staying sold out for days. Demand is the units sold, averaged over the
 * last hour of simulated time.
 */
export class Replenishment {
  /** Products with a restock on its way: 1, or 2 when it was hurried because the product sells fast. */
  private readonly pending: Uint8Array;
  /** Units sold, decayed by demandWindowMs. */
  private readonly recent: Float64Array;
  private readonly lastSaleAt: Float64Array;

  constructor(productCount: number) {
    this.pending = new Uint8Array(productCount);
    this.recent = new Float64Array(productCount);
    this.lastSaleAt = new Float64Array(productCount);
  }

  /** Units a millisecond the product sells now. */
  private perMs(product: number, t: number): number {
    return (this.recent[product] * Math.exp(-(t - this.lastSaleAt[product]) / demandWindowMs)) / demandWindowMs;
  }

  /** A sale of `qty` at `t` leaving `level` on hand: the delay after which a restock arrives, or undefined. */
  sold(product: number, qty: number, level: number, t: number, r: Rng): number | undefined {
    this.recent[product] = this.recent[product] * Math.exp(-(t - this.lastSaleAt[product]) / demandWindowMs) + qty;
    this.lastSaleAt[product] = t;
    if (level >= reorderPoint || this.pending[product]) return undefined;
    const lead = dayMs + r.int(2 * dayMs);
    const missed = this.perMs(product, t) * lead;
    this.pending[product] = missed > maxShortfall ? 2 : 1;
    // Hurried: on its way no longer than 50 units of demand take.
    return missed > maxShortfall ? Math.max(1, Math.round((lead * hurriedShortfall) / missed)) : lead;
  }

  /** A restock arrives at `t`: the units. */
  arrives(product: number, t: number, r: Rng): number {
    const hurried = this.pending[product] === 2;
    this.pending[product] = 0;
    const units = r.between(100, 400);
    return hurried ? Math.max(units, Math.round(this.perMs(product, t) * coverMs)) : units;
  }
}
