import type { StoreCatalog } from '../catalog/store-catalog.js';
import type { Rng } from '../shared/rng.js';
import { dynamicPriceCents } from './checkout.js';
import type { PriceSchedule } from './price-schedule.js';
import type { ScenarioEffects } from './scenario-effects.js';

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
    /** A flash sale draws shoppers to its category (and, without the living catalog, discounts it here). */
    private readonly scenarios?: ScenarioEffects,
  ) {}

  /** A product by popularity (review count and rating). */
  popular(): number {
    return this.r.weighted(this.catalog.productPopularity);
  }

  /** What a user browses to at time `at`: often their preferred category (or a flash sale's), otherwise a popular product. */
  browse(user: number, at: number): number {
    const c = this.catalog;
    const sale = this.scenarios?.saleAt(at);
    if (sale && this.r.chance(0.5)) {
      const list = c.byCategory[sale.category];
      if (list.length > 0) return list[this.r.int(list.length)];
    }
    if (this.r.chance(0.45)) {
      const list = c.byCategory[c.userPreferred[user]];
      if (list.length > 0) return list[this.r.int(list.length)];
    }
    return this.popular();
  }

  /** The product's price at time `at` (living catalog), or after `sessions` visits of this partition. */
  priceCents(product: number, sessions: number, at: number): number {
    if (this.schedule) return this.schedule.priceCents(product, at);
    const sale = this.scenarios?.saleAt(at);
    if (sale && sale.category === this.catalog.productCategory[product]) return Math.max(1, Math.round(this.dynamic(product, sessions) * (1 - sale.off)));
    return this.dynamic(product, sessions);
  }

  private dynamic(product: number, sessions: number): number {
    return dynamicPriceCents(this.seed, this.catalog.basePriceCents[product], product, Math.floor(sessions / priceEpochSessions));
  }
}
