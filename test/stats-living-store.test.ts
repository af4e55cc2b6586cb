import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregate } from 'mingo';
import { afterAll, describe, expect, it } from 'vitest';
import { nearestRank } from '../src/reporting/living-store.js';
import { computeStats, type Pipeline, type StatsSource } from '../src/reporting/stats.js';
import { runCli } from './helpers/cli.js';
import { generate } from './helpers/engine.js';
import { allFigures, orders, schemas, store, writeStore } from './helpers/living-store.js';
import { abi, ours } from './helpers/profiles.js';

// Issue 23: what `etl stats` shows of the living store, from its events alone, over the
// hand-written store of helpers/living-store.ts.

const root = mkdtempSync(join(tmpdir(), 'etl-stats-living-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const living = writeStore(join(root, 'living'), store);
const { order_events: _none, ...withoutOrders } = store;
const noLifecycle = writeStore(join(root, 'no-order-events'), withoutOrders);

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
      'orders placed 10   cancelled 2 (20.0%)   returned 1 of 6 delivered (16.7%)',
      'by status now: placed 1 · shipped 1 · delivered 4 · cancelled 2',
      'return_requested 1 · refunded 1',
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

  it('the living store collections are listed where any has documents, and left out where none has (the report of a store without them is as before)', async () => {
    const names = (r: { collections: Array<{ name: string; count: number }> }) => r.collections.map((c) => `${c.name} ${c.count}`);
    const lifecycle = ['order_events 44', 'price_changes 5', 'reviews 5', 'user_changes 5'];
    expect(names((await computeStats(new MemorySource(store), 'all', ours)))).toEqual(expect.arrayContaining(lifecycle));
    const noOrders = (await json(['--from', noLifecycle])) as unknown as Parameters<typeof names>[0];
    expect(names(noOrders)).toEqual(expect.arrayContaining(['order_events 0', 'price_changes 5']));
    const data: Record<string, unknown[]> = {};
    for (const r of generate(3000)) (data[r.collection] ??= []).push(r.doc);
    const before = await computeStats(new MemorySource(data), 'all', ours);
    expect(before.collections.map((c) => c.name)).toEqual(['products', 'users', 'product_views', 'cart_events', 'transactions', 'user_activities', 'inventory_updates', 'dead_letters', 'etl_runs']);
    expect(before.livingStore).toBeNull();
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
