import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregate } from 'mingo';
import { afterAll, describe, expect, it } from 'vitest';
import { type OrderEvent, type OrderStatus, orderEventSchema, priceChangeSchema, reviewSchema, userChangeSchema } from '../src/events/schemas.js';
import { nearestRank } from '../src/reporting/living-store.js';
import { computeStats, type Pipeline, type StatsSource } from '../src/reporting/stats.js';
import { toJsonLine } from '../src/sinks/jsonl-files.js';
import { runCli } from './helpers/cli.js';
import { abi, ours } from './helpers/profiles.js';

// Issue 23: what `etl stats` shows of the living store, from its events alone. The store below
// is written by hand; every figure asserted was worked out from it on paper.

const root = mkdtempSync(join(tmpdir(), 'etl-stats-living-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

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
const orders = {
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

const store = {
  // Not in time nor version order: a's transitions newest first, the others interleaved.
  order_events: [...[...orders.a].reverse(), ...Object.values(orders).slice(1).flat().sort((x, y) => x._id.localeCompare(y._id))],
  price_changes: [priceChange(1, 'repricing', 5), priceChange(2, 'promotion_start', 6), priceChange(2, 'promotion_end', 100), priceChange(3, 'repricing', 120), priceChange(4, 'repricing', -15 * 24)],
  reviews: [review(1, 5, 100), review(2, 4, 130), review(3, 5, 140), review(8, 3, 190), review(10, 1, -15 * 24)],
  // The newest event of the store: day 8.
  user_changes: [userChange(1, 'segment_upgrade', 10), userChange(2, 'segment_upgrade', 20), userChange(3, 'churned', 30), userChange(4, 'reactivated', 8 * 24), userChange(5, 'churned', -15 * 24)],
};
const schemas = { order_events: orderEventSchema, price_changes: priceChangeSchema, reviews: reviewSchema, user_changes: userChangeSchema };

/** Writes collections as `etl stream --sink jsonl` does: one relaxed Extended JSON line per document. */
function writeStore(name: string, collections: Partial<Record<string, unknown[]>>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [c, docs] of Object.entries(collections)) writeFileSync(join(dir, `${c}.jsonl`), docs!.map(toJsonLine).join(''));
  return dir;
}
const living = writeStore('living', store);
const { order_events: _none, ...withoutOrders } = store;
const noLifecycle = writeStore('no-order-events', withoutOrders);

class MemorySource implements StatsSource {
  readonly description = 'memory';
  constructor(private readonly data: Record<string, unknown[]>) {}
  async aggregate(collection: string, pipeline: Pipeline) {
    return aggregate((this.data[collection] ?? []) as Array<Record<string, unknown>>, pipeline) as Array<Record<string, unknown>>;
  }
  async close() {}
}

const json = async (args: string[]) => {
  const r = await runCli(['stats', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown> & { livingStore: unknown };
};

/** Every figure over all the data: the ten orders, and every price change, review and user change. */
const allFigures = {
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

describe('etl stats: the living store (issue 23)', () => {
  it('the fixtures are documents the engine may write: each passes its zod schema', () => {
    for (const [c, docs] of Object.entries(store)) for (const d of docs) expect(schemas[c as keyof typeof schemas].safeParse(d).error, `${c} ${d._id}`).toBeUndefined();
  });

  it('over all the data: orders by current status, delivery time, cancellations and returns, price changes, reviews, user changes', async () => {
    expect((await json(['--from', living])).livingStore).toEqual(allFigures);
  });

  it('a window counts the orders placed in it and the other changes made in it', async () => {
    const report = await json(['--from', living, '--since', '10d']);
    expect(report.livingStore).toEqual({
      // Order z was placed before the window: neither counted nor delivered in it.
      orders: { ...allFigures.orders, placed: 9, byStatus: { ...allFigures.orders.byStatus, delivered: 3 }, cancellationRate: 2 / 9, delivered: 5, returnRate: 1 / 5 },
      // 1, 2.25, 3.5, 4, 4.75 days: the 3rd and the 5th of five.
      delivery: { medianDays: 3.5, p90Days: 4.75, late: 2, lateShare: 2 / 5 },
      priceChanges: { count: 4, products: 3, byReason: { repricing: 2, promotion_start: 1, promotion_end: 1 } },
      reviews: { count: 4, averageRating: 4.25, byRating: { 1: 0, 2: 0, 3: 1, 4: 1, 5: 2 } },
      userChanges: { count: 4, byChange: { segment_upgrade: 2, churned: 1, reactivated: 1 } },
    });
  });

  it('the current status is the highest version, whatever order the events are stored in', async () => {
    const a = store.order_events.filter((e) => e.order_id === orders.a[0].order_id);
    expect(a.map((e) => e.version)).toEqual([5, 4, 3, 2, 1]);
    for (const events of [a, [...a].reverse(), [a[2], a[0], a[4], a[1], a[3]]]) {
      const report = await computeStats(new MemorySource({ order_events: events }), 'all', ours);
      expect(report.livingStore!.orders.byStatus.delivered, JSON.stringify(events.map((e) => e.version))).toBe(1);
      expect(report.livingStore!.orders.placed).toBe(1);
      expect(report.livingStore!.delivery.medianDays).toBe(2.25);
    }
  });

  it('the text report: a compact Living store section after Behaviour', async () => {
    const r = await runCli(['stats', '--from', living]);
    expect(r.code, r.stderr).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf('\nLiving store\n'), r.stdout.indexOf('\nRisk and quality\n'));
    expect(section.trim().split('\n')).toEqual([
      'Living store',
      'orders placed 10   cancelled 2 (20.0%)   delivered 6, returned 1 (16.7%)',
      'now: placed 1 · shipped 1 · delivered 4 · cancelled 2 · return_requested 1',
      'refunded 1',
      'placed → delivered: median 3.5 d, p90 22.0 d, late 33.3%',
      'cancel reasons: payment_failed 1 · customer_request 1',
      'price changes 5 on 4 products: repricing 3 · promotion_start 1 · promotion_end 1',
      'reviews 5   average rating 3.60   by rating 1 … 5: 1 / 0 / 1 / 1 / 2',
      'user changes 5: segment_upgrade 2 · churned 2 · reactivated 1',
    ]);
    expect(r.stdout.indexOf('\nBehaviour\n')).toBeLessThan(r.stdout.indexOf('\nLiving store\n'));
    const narrow = await runCli(['stats', '--from', living], { env: { COLUMNS: '50' } });
    const lines = narrow.stdout.slice(narrow.stdout.indexOf('\nLiving store\n'), narrow.stdout.indexOf('\nRisk and quality\n')).split('\n');
    expect(lines.filter((l) => [...l].length > 50)).toEqual([]);
  });

  it('without order_events there is no Living store section, and livingStore is null', async () => {
    const r = await runCli(['stats', '--from', noLifecycle]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('\nBehaviour\n');
    expect(r.stdout).not.toContain('Living store');
    expect((await json(['--from', noLifecycle])).livingStore).toBeNull();
  });

  it('--profile adaptive-bi (which writes none of these collections) shows nothing of it', async () => {
    const r = await runCli(['stats', '--profile', 'adaptive-bi', '--from', living]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('Living store');
    expect((await json(['--profile', 'adaptive-bi', '--from', living])).livingStore).toBeNull();
    expect((await computeStats(new MemorySource(store), 'all', abi)).livingStore).toBeNull();
  });
});

describe('nearestRank', () => {
  it.each([
    [[], 0.5, null],
    [[7], 0.5, 7],
    [[7], 0.9, 7],
    [[1, 2], 0.5, 1],
    [[1, 2, 3, 4], 0.5, 2],
    [[1, 2, 3, 4, 5], 0.5, 3],
    [[1, 2, 3, 4, 5], 0.9, 5],
    [[...Array(10).keys()].map((i) => i + 1), 0.9, 9],
    [[...Array(11).keys()].map((i) => i + 1), 0.9, 10],
    [[1, 2, 3], 1, 3],
  ])('%j at %d is %j', (sorted, q, expected) => {
    expect(nearestRank(sorted, q)).toBe(expected);
  });
});
