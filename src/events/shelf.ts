import type { StoreCatalog } from '../catalog/store-catalog.js';
import type { Rng } from '../shared/rng.js';
import { dynamicPriceCents } from './checkout.js';
import type { PriceSchedule } from './price-schedule.js';

/** Prices move every this many visits of a partition. */
const priceEpochSessions = 500;

/** Which product a shopper picks, and what it costs at the moment. */
export class Shelf {
  constructor(
    private readonly catalog: StoreCatalog,
    private readonly seed: number,
    private readonly r: Rng,
    /** The living catalog's prices; without it, prices move every few hundred visits of a partition. */
    private readonly schedule?: PriceSchedule,
  ) {}

  /** A product by popularity (review count and rating). */
  popular(): number {
    return this.r.weighted(this.catalog.productPopularity);
  }

  /** What a user browses to: often their preferred category, otherwise a popular product. */
  browse(user: number): number {
    const c = this.catalog;
    if (this.r.chance(0.45)) {
      const list = c.byCategory[c.userPreferred[user]];
      if (list.length > 0) return list[this.r.int(list.length)];
    }
    return this.popular();
  }

  /** The product's price at time `at` (living catalog), or after `sessions` visits of this partition. */
  priceCents(product: number, sessions: number, at: number): number {
    if (this.schedule) return this.schedule.priceCents(product, at);
    return dynamicPriceCents(this.seed, this.catalog.basePriceCents[product], product, Math.floor(sessions / priceEpochSessions));
  }
}
