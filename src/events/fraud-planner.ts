import type { StoreCatalog } from '../catalog/store-catalog.js';
import type { Rng } from '../shared/rng.js';
import { type AnomalyType, anomalyTypes } from './schemas.js';

/** What a fraudulent visit is going to do. */
export interface FraudPlan {
  type: AnomalyType;
  /** Orders the visit still places (a burst or card testing places several). */
  ordersLeft: number;
}

/**
 * Decides which new visits are labelled fraud scenarios, so that the share of fraudulent
 * orders tracks `fraudRate` (counting orders already planned but not yet placed).
 */
export class FraudPlanner {
  private orders = 0;
  private fraudOrders = 0;
  private pending = 0;

  constructor(private readonly fraudRate: number) {}

  /** A plan for a visit that starts now, or null for an honest shopper. */
  plan(rng: Rng): FraudPlan | null {
    if (this.fraudRate <= 0 || this.fraudOrders + this.pending >= this.fraudRate * (this.orders + 1)) return null;
    const type = anomalyTypes[rng.int(anomalyTypes.length)];
    const ordersLeft = type === 'order_burst' ? rng.between(3, 6) : type === 'card_testing' ? rng.between(5, 10) : 1;
    this.pending += ordersLeft;
    return { type, ordersLeft };
  }

  /** Counts a placed order (fraudulent or not). */
  ordered(anomaly: AnomalyType | null): void {
    this.orders++;
    if (anomaly) this.fraudOrders++;
  }

  /** A fraud plan placed one of its orders. */
  placed(plan: FraudPlan): void {
    plan.ordersLeft--;
    this.pending--;
  }

  /** A visit ended: orders it planned but did not place are no longer pending. */
  ended(plan: FraudPlan | null): void {
    if (plan) this.pending -= plan.ordersLeft;
  }

  /** Share of placed orders that were fraudulent. */
  get share(): number {
    return this.orders === 0 ? 0 : this.fraudOrders / this.orders;
  }
}

/** What a fraudulent visit puts in its cart first, as [product, quantity] in the order added. */
export function fraudCart(plan: FraudPlan, r: Rng, c: StoreCatalog, popular: () => number): Array<[number, number]> {
  if (plan.type === 'high_value') {
    const n = r.between(2, 4);
    const lines: Array<[number, number]> = [];
    for (let k = 0; k < n; k++) lines.push([c.priciest[r.int(c.priciest.length)], r.between(1, 2)]);
    return lines;
  }
  if (plan.type === 'high_quantity') return [[popular(), r.between(20, 50)]];
  if (plan.type === 'card_testing') return [[c.cheapest[r.int(c.cheapest.length)], 1]];
  return [[popular(), r.between(1, 2)]];
}
