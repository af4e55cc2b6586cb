/**
 * The living store's figures (issue 23), computed from its event collections alone —
 * order_events, price_changes, reviews, user_changes — so that MongoDB (where the orders are
 * also kept current) and a jsonl directory (which holds only the events) give the same
 * numbers from the same pipelines.
 */

import type { Pipeline, StatsSource } from '../shared/stats-source.js';
import { cancelReasons, orderStatuses, priceChangeReasons, userChangeTypes, type OrderStatus } from '../events/schemas.js';
import { inWindow } from './window.js';

const dayMs = 86_400_000;

/** When an order's event of `status` happened (null when it has none). */
const reached = (status: OrderStatus) => ({ $max: { $cond: [{ $eq: ['$to_status', status] }, '$timestamp', null] } });
const has = (field: string) => ({ $ne: [`$${field}`, null] });
const countIf = (cond: unknown) => ({ $sum: { $cond: [cond, 1, 0] } });

/**
 * One document per order placed in the window, folded from its events. The window ends just
 * after the newest event, so every later event of such an order lies in it too; an order
 * placed before the window is left out (its placement is not among the events counted).
 */
function ordersPlaced(from: Date, to: Date): Pipeline {
  return [
    inWindow(from, to),
    // By version, not by arrival: $last is then the highest version, the order's current status.
    { $sort: { version: 1 } },
    {
      $group: {
        _id: '$order_id',
        status: { $last: '$to_status' },
        placedAt: reached('placed'),
        deliveredAt: reached('delivered'),
        cancelledAt: reached('cancelled'),
        returnedAt: reached('returned'),
        cancelReason: { $max: '$changes.cancel_reason' },
        late: { $max: '$changes.delivered_late' },
      },
    },
    { $match: { placedAt: { $ne: null } } },
  ];
}

export const livingStorePipelines = {
  /** Orders placed in the window by current status and cancel reason, with how many were delivered (late), cancelled, returned. */
  orders(from: Date, to: Date): Pipeline {
    return [
      ...ordersPlaced(from, to),
      {
        $group: {
          _id: { status: '$status', cancel_reason: '$cancelReason' },
          orders: { $sum: 1 },
          cancelled: countIf(has('cancelledAt')),
          delivered: countIf(has('deliveredAt')),
          late: countIf({ $and: [has('deliveredAt'), { $eq: ['$late', true] }] }),
          returned: countIf(has('returnedAt')),
        },
      },
      { $sort: { '_id.status': 1, '_id.cancel_reason': 1 } },
    ];
  },
  /** Placed → delivered in milliseconds, one row per delivered order placed in the window, shortest first. */
  deliveryTimes(from: Date, to: Date): Pipeline {
    return [...ordersPlaced(from, to), { $match: { deliveredAt: { $ne: null } } }, { $project: { _id: 0, ms: { $subtract: ['$deliveredAt', '$placedAt'] } } }, { $sort: { ms: 1 } }];
  },
  /** Price changes of the window by reason, and the products whose price changed: one row. */
  priceChanges(from: Date, to: Date): Pipeline {
    const byReason = (sum: (r: string) => unknown) => Object.fromEntries(priceChangeReasons.map((r) => [r, { $sum: sum(r) }]));
    return [
      inWindow(from, to),
      { $group: { _id: '$product_id', ...byReason((r) => ({ $cond: [{ $eq: ['$reason', r] }, 1, 0] })) } },
      { $group: { _id: null, products: { $sum: 1 }, ...byReason((r) => `$${r}`) } },
    ];
  },
  /** Reviews of the window per rating. */
  reviews(from: Date, to: Date): Pipeline {
    return [inWindow(from, to), { $group: { _id: '$rating', n: { $sum: 1 } } }, { $sort: { _id: 1 } }];
  },
  /** User changes of the window per kind of change. */
  userChanges(from: Date, to: Date): Pipeline {
    return [inWindow(from, to), { $group: { _id: '$change', n: { $sum: 1 } } }, { $sort: { _id: 1 } }];
  },
};

export type LivingStoreFigures = typeof livingStorePipelines;

/** What `etl stats` shows of the living store (`livingStore` in --json). */
export interface LivingStore {
  /** Orders placed in the window: where they are now (the `to_status` of their highest version) and what became of them. */
  orders: {
    placed: number;
    byStatus: Record<string, number>;
    /** Orders with a cancelled event, its share of those placed, and by `cancel_reason`. */
    cancelled: number;
    cancellationRate: number;
    cancelReasons: Record<string, number>;
    /** Orders with a delivered event; of those, orders with a returned event, and its share. */
    delivered: number;
    returned: number;
    returnRate: number;
  };
  /** Placed → delivered of the delivered orders (nearest rank: a delivery time that occurred), in days; null without deliveries. */
  delivery: { medianDays: number | null; p90Days: number | null; late: number; lateShare: number };
  /** Price changes in the window, by reason, and how many products they changed. */
  priceChanges: { count: number; products: number; byReason: Record<string, number> };
  /** Reviews in the window: count, average rating (2 decimals), count per rating 1 … 5. */
  reviews: { count: number; averageRating: number; byRating: Record<string, number> };
  /** User changes in the window by kind. */
  userChanges: { count: number; byChange: Record<string, number> };
}

/** The q-quantile (0 < q ≤ 1) of ascending values by nearest rank: the value at rank ⌈q·n⌉; null when there are none. */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
}

const num = (x: unknown) => (typeof x === 'number' ? x : 0);
const round2 = (x: number) => Math.round(x * 100) / 100;
const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
/** Every value of a vocabulary at 0, in its order (stable keys for --json), then the rows' counts. */
function tally(vocabulary: readonly string[], rows: Array<Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(vocabulary.map((k) => [k, 0]));
  for (const r of rows) if (r._id !== null && r._id !== undefined) out[String(r._id)] = (out[String(r._id)] ?? 0) + num(r.n);
  return out;
}
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** The living store's figures over the window [from, to), from its four event collections. */
export async function computeLivingStore(src: StatsSource, f: LivingStoreFigures, from: Date, to: Date): Promise<LivingStore> {
  const groups = await src.aggregate('order_events', f.orders(from, to));
  const sum = (field: string) => groups.reduce((a, g) => a + num(g[field]), 0);
  const key = (g: Record<string, unknown>) => g._id as { status: string; cancel_reason?: string | null };
  const byStatus = tally(orderStatuses, groups.map((g) => ({ _id: key(g).status, n: g.orders })));
  const cancelled = groups.filter((g) => key(g).cancel_reason != null);
  const orders = {
    placed: sum('orders'),
    byStatus,
    cancelled: sum('cancelled'),
    cancellationRate: ratio(sum('cancelled'), sum('orders')),
    cancelReasons: tally(cancelReasons, cancelled.map((g) => ({ _id: key(g).cancel_reason, n: g.cancelled }))),
    delivered: sum('delivered'),
    returned: sum('returned'),
    returnRate: ratio(sum('returned'), sum('delivered')),
  };
  const times = (await src.aggregate('order_events', f.deliveryTimes(from, to))).map((r) => num(r.ms));
  const days = (q: number) => {
    const ms = nearestRank(times, q);
    return ms === null ? null : ms / dayMs;
  };
  const late = sum('late');
  const [prices] = await src.aggregate('price_changes', f.priceChanges(from, to));
  const byReason = Object.fromEntries(priceChangeReasons.map((r) => [r, num(prices?.[r])]));
  const ratings = await src.aggregate('reviews', f.reviews(from, to));
  const byRating = tally(['1', '2', '3', '4', '5'], ratings);
  const reviewCount = total(byRating);
  const byChange = tally(userChangeTypes, await src.aggregate('user_changes', f.userChanges(from, to)));
  return {
    orders,
    delivery: { medianDays: days(0.5), p90Days: days(0.9), late, lateShare: ratio(late, orders.delivered) },
    priceChanges: { count: total(byReason), products: num(prices?.products), byReason },
    reviews: { count: reviewCount, averageRating: round2(ratio(ratings.reduce((a, r) => a + num(r._id) * num(r.n), 0), reviewCount)), byRating },
    userChanges: { count: total(byChange), byChange },
  };
}
