import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OrderEvent, type OrderStatus, orderEventSchema, priceChangeSchema, reviewSchema, userChangeSchema } from '../../src/events/schemas.js';
import { toJsonLine } from '../../src/sinks/jsonl-files.js';

// A living store written by hand (issue 23): every figure below was worked out from it on paper.

const T0 = Date.parse('2026-05-01T00:00:00Z');
const hour = 3_600_000;
const at = (hours: number) => new Date(T0 + hours * hour);

let seq = 0;
const id = () => `t1-0.1-${(++seq).toString(36)}`;

type Changes = OrderEvent['changes'];
/** An order's events: placed at `placedAt` (hours from T0), then each step `[status, hours after placement, changes]`. */
function order(n: number, placedAt: number, steps: Array<[OrderStatus, number, Changes?]>): OrderEvent[] {
  const orderId = `t1-0.1-o${n}`;
  const user_id = `USR_${String(n).padStart(7, '0')}`;
  const events: OrderEvent[] = [{ _id: id(), order_id: orderId, user_id, from_status: null, to_status: 'placed', version: 1, changes: {}, timestamp: at(placedAt) }];
  for (const [status, after, changes] of steps) {
    const last = events[events.length - 1];
    events.push({ _id: id(), order_id: orderId, user_id, from_status: last.to_status, to_status: status, version: last.version + 1, changes: changes ?? {}, timestamp: at(placedAt + after) });
  }
  return events;
}

/** Placed → paid → packed → shipped → delivered after `deliveredAfter` hours. */
const delivered = (deliveredAfter: number, late: boolean): Array<[OrderStatus, number, Changes?]> => [
  ['paid', 1],
  ['packed', 5, { warehouse_id: 'WH-0.1' }],
  ['shipped', 10, { carrier: 'UPS', tracking_number: '1Z999AA10123456784' }],
  ['delivered', deliveredAfter, { delivered_late: late }],
];

// Days -20 and -15 lie outside `--since 10d` (the newest event is on day 8); everything else inside.
export const orders = {
  // Delivered after 2.25 days; its events are stored newest first (below).
  a: order(1, 0, delivered(54, false)),
  b: order(2, 10, delivered(84, true)),
  // Delivered after a day, then returned and refunded.
  c: order(3, 20, [...delivered(24, false), ['return_requested', 48, { return_reason: 'damaged' }], ['returned', 72, { is_returned: true }], ['refunded', 80, { refund_amount: 25.5 }]]),
  d: order(4, 30, [['cancelled', 2, { cancel_reason: 'payment_failed' }]]),
  e: order(5, 40, [['paid', 1], ['cancelled', 3, { cancel_reason: 'customer_request' }]]),
  f: order(6, 50, delivered(0, false).slice(0, 3)),
  g: order(7, 60, []),
  h: order(8, 70, delivered(114, true)),
  i: order(9, 80, [...delivered(96, false), ['return_requested', 30, { return_reason: 'wrong_size' }]]),
  // Placed on day -20, delivered on day 2 (22 days): in all the data, not in a 10-day window.
  z: order(10, -20 * 24, delivered(22 * 24, false)),
};

const priceChange = (product: number, reason: 'repricing' | 'promotion_start' | 'promotion_end', hours: number) => ({
  _id: id(),
  product_id: `PRD_${String(product).padStart(6, '0')}`,
  category: 'Electronics',
  old_price: 100,
  new_price: reason === 'promotion_start' ? 80 : 90,
  reason,
  timestamp: at(hours),
});
const review = (n: number, rating: number, hours: number) => ({ _id: id(), order_id: `t1-0.1-o${n}`, user_id: `USR_${String(n).padStart(7, '0')}`, product_id: 'PRD_000001', category: 'Electronics', rating, delivered_late: false, timestamp: at(hours) });
const userChange = (n: number, change: 'segment_upgrade' | 'churned' | 'reactivated', hours: number) => ({
  _id: id(),
  user_id: `USR_${String(n).padStart(7, '0')}`,
  change,
  customer_segment: change === 'segment_upgrade' ? 'premium' : 'regular',
  is_active: change !== 'churned',
  timestamp: at(hours),
});

export const store = {
  // Not in time nor version order: a's transitions newest first, the others interleaved.
  order_events: [...[...orders.a].reverse(), ...Object.values(orders).slice(1).flat().sort((x, y) => x._id.localeCompare(y._id))],
  price_changes: [priceChange(1, 'repricing', 5), priceChange(2, 'promotion_start', 6), priceChange(2, 'promotion_end', 100), priceChange(3, 'repricing', 120), priceChange(4, 'repricing', -15 * 24)],
  reviews: [review(1, 5, 100), review(2, 4, 130), review(3, 5, 140), review(8, 3, 190), review(10, 1, -15 * 24)],
  // The newest event of the store: day 8.
  user_changes: [userChange(1, 'segment_upgrade', 10), userChange(2, 'segment_upgrade', 20), userChange(3, 'churned', 30), userChange(4, 'reactivated', 8 * 24), userChange(5, 'churned', -15 * 24)],
};
export const schemas = { order_events: orderEventSchema, price_changes: priceChangeSchema, reviews: reviewSchema, user_changes: userChangeSchema };

/** Every figure over all the data: the ten orders, and every price change, review and user change. */
export const allFigures = {
  orders: {
    placed: 10,
    byStatus: { placed: 1, paid: 0, packed: 0, shipped: 1, delivered: 4, cancelled: 2, return_requested: 1, returned: 0, refunded: 1 },
    cancelled: 2,
    cancellationRate: 2 / 10,
    cancelReasons: { payment_failed: 1, customer_request: 1, fraud_review: 0 },
    delivered: 6,
    returned: 1,
    returnRate: 1 / 6,
  },
  // Deliveries of 1, 2.25, 3.5, 4, 4.75 and 22 days: the 3rd and the 6th of six by nearest rank.
  delivery: { medianDays: 3.5, p90Days: 22, late: 2, lateShare: 2 / 6 },
  priceChanges: { count: 5, products: 4, byReason: { repricing: 3, promotion_start: 1, promotion_end: 1 } },
  reviews: { count: 5, averageRating: 3.6, byRating: { 1: 1, 2: 0, 3: 1, 4: 1, 5: 2 } },
  userChanges: { count: 5, byChange: { segment_upgrade: 2, churned: 2, reactivated: 1 } },
};

/** Writes collections as `etl stream --sink jsonl` does: one relaxed Extended JSON line per document. */
export function writeStore(dir: string, collections: Partial<Record<string, unknown[]>>): string {
  mkdirSync(dir);
  for (const [c, docs] of Object.entries(collections)) writeFileSync(join(dir, `${c}.jsonl`), docs!.map(toJsonLine).join(''));
  return dir;
}
