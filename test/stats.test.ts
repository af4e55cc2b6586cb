import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregate } from 'mingo';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CartEvent, InventoryUpdate, Transaction } from '../src/events/schemas.js';
import { computeStats, lowStockThreshold, type Pipeline, type StatsReport, type StatsSource } from '../src/reporting/stats.js';
import { runBin, runCli } from './helpers/cli.js';
import { generate } from './helpers/engine.js';
import { abi, ours } from './helpers/profiles.js';

/** Documents in memory, aggregated by mingo: what `--from DIR` does, without files. */
class MemorySource implements StatsSource {
  readonly description = 'memory';
  constructor(private readonly data: Record<string, Array<Record<string, unknown>>>) {}
  async aggregate(collection: string, pipeline: Pipeline) {
    return aggregate(this.data[collection] ?? [], pipeline) as Array<Record<string, unknown>>;
  }
  async close() {}
}

const cents = (x: number) => Math.round(x * 100);
const tmp = () => mkdtempSync(join(tmpdir(), 'etl-stats-'));

describe('stats pipelines over generated data (mingo), checked against independent sums', async () => {
  const recs = generate(120_000, { from: new Date('2026-04-01T00:00:00Z') });
  const data: Record<string, Array<Record<string, unknown>>> = {};
  for (const r of recs) (data[r.collection] ??= []).push(r.doc as unknown as Record<string, unknown>);
  const txns = data.transactions as unknown as Transaction[];
  const newest = Math.max(...recs.map((r) => (r.doc.timestamp as Date).getTime()));
  const oldest = Math.min(...recs.map((r) => (r.doc.timestamp as Date).getTime()));
  const since = 2 * 3_600_000;
  const from = newest + 1 - since;
  const inWindow = <T extends { timestamp: Date }>(xs: T[]) => xs.filter((x) => x.timestamp.getTime() >= from);
  const report = await computeStats(new MemorySource(data), since, ours);
  const wTx = inWindow(txns);

  it('window ends at the newest event', () => {
    expect(report.window!.to.getTime()).toBe(newest + 1);
    expect(report.window!.from.getTime()).toBe(from);
    expect(report.window).toMatchObject({ since, hidesOlder: true, data: { from: new Date(oldest), to: new Date(newest) } });
  });

  it('a window under an hour has as many sparkline bars as whole minutes in it, the newest events in the last bar', async () => {
    const short = await computeStats(new MemorySource(data), 30 * 60_000, ours);
    const views = short.collections.find((c) => c.name === 'product_views')!;
    expect(short.window!.bucketMinutes).toBe(1);
    expect(views.series).toHaveLength(30);
    const lastMinute = (data.product_views as Array<{ timestamp: Date }>).filter((d) => d.timestamp.getTime() >= newest + 1 - 60_000).length;
    expect(views.series!.at(-1)).toBe(lastMinute);
    expect(short.sales.revenueSeries).toHaveLength(30);
  });

  describe("since 'all' (etl stats without --since)", () => {
    let all: StatsReport;
    beforeAll(async () => {
      all = await computeStats(new MemorySource(data), 'all', ours);
    });

    it('the window runs from the oldest event to the newest, and counts everything', () => {
      expect(all.window).toMatchObject({ from: new Date(oldest), to: new Date(newest + 1), since: 'all', hidesOlder: false, data: { from: new Date(oldest), to: new Date(newest) } });
      expect(all.sales.orders).toBe(txns.length);
      for (const c of all.collections.filter((x) => x.series)) expect(c.series!.reduce((a, b) => a + b, 0), c.name).toBe(data[c.name].length);
      expect(all.sales.revenueSeries.reduce((a, b) => a + b, 0)).toBeCloseTo(txns.reduce((a, t) => a + cents(t.final_amount), 0) / 100, 0);
    });

    it('trending compares the newer half of the data with the older half', () => {
      const mid = oldest + Math.floor((newest + 1 - oldest) / 2);
      expect(all.behaviour.trendingFrom!.getTime()).toBe(mid);
      expect(report.behaviour.trendingFrom!.getTime()).toBe(from);
      const views = data.product_views as unknown as Array<{ timestamp: Date; product_id: string }>;
      const count = (id: string, lo: number, hi: number) => views.filter((v) => v.product_id === id && v.timestamp.getTime() >= lo && v.timestamp.getTime() < hi).length;
      expect(all.behaviour.trending).toHaveLength(10);
      for (const t of all.behaviour.trending) {
        expect(t.views, t.product_id).toBe(count(t.product_id, mid, newest + 1));
        expect(t.viewsBefore, t.product_id).toBe(count(t.product_id, 2 * mid - (newest + 1), mid));
        expect(t.viewsBefore).toBeGreaterThan(0);
      }
    });
  });

  it('counts and series per collection', () => {
    for (const c of report.collections.filter((x) => data[x.name])) {
      expect(c.count).toBe(data[c.name].length);
      const windowed = inWindow(data[c.name] as unknown as Array<{ timestamp: Date }>).length;
      expect(c.series!.reduce((a, b) => a + b, 0)).toBe(windowed);
      const times = (data[c.name] as unknown as Array<{ timestamp: Date }>).map((d) => d.timestamp.getTime());
      expect(c.oldest!.getTime(), c.name).toBe(Math.min(...times));
      expect(c.newest!.getTime(), c.name).toBe(Math.max(...times));
    }
  });

  it('orders, revenue and average order value', () => {
    const revenue = wTx.reduce((a, t) => a + cents(t.final_amount), 0) / 100;
    expect(report.sales.orders).toBe(wTx.length);
    expect(report.sales.revenue).toBeCloseTo(revenue, 2);
    expect(report.sales.averageOrderValue).toBeCloseTo(Math.round((revenue / wTx.length) * 100) / 100, 2);
    expect(report.sales.revenueSeries.reduce((a, b) => a + b, 0)).toBeCloseTo(revenue, 0);
  });

  it('revenue by category and by country, top products', () => {
    const byCat = new Map<string, number>();
    const byCountry = new Map<string, number>();
    const byProduct = new Map<string, number>();
    for (const t of wTx) {
      byCountry.set(t.user_snapshot.country, (byCountry.get(t.user_snapshot.country) ?? 0) + cents(t.final_amount));
      for (const i of t.items) {
        byCat.set(i.category, (byCat.get(i.category) ?? 0) + cents(i.line_total));
        byProduct.set(i.product_id, (byProduct.get(i.product_id) ?? 0) + cents(i.line_total));
      }
    }
    for (const c of report.sales.byCategory) expect(cents(c.revenue)).toBe(byCat.get(c.category));
    expect(report.sales.byCategory).toHaveLength(byCat.size);
    for (const c of report.sales.byCountry) expect(cents(c.revenue)).toBe(byCountry.get(c.country));
    const best = [...byProduct.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    expect(report.sales.topByRevenue[0].product_id).toBe(best[0]);
    // Ten at most: the products sold in the window, when fewer.
    expect(report.sales.topByRevenue).toHaveLength(Math.min(10, byProduct.size));
  });

  it('cart abandonment = abandoned carts / (abandoned + checked out), and the funnel narrows', () => {
    const carts = inWindow(data.cart_events as unknown as CartEvent[]);
    const abandoned = carts.filter((e) => e.event_type === 'abandon').length;
    const checkouts = carts.filter((e) => e.event_type === 'checkout').length;
    expect(report.behaviour.carts).toEqual({ checkouts, abandoned, abandonmentRate: abandoned / (abandoned + checkouts) });
    const f = report.behaviour.funnel;
    expect(f.checkedOut).toBe(new Set(carts.filter((e) => e.event_type === 'checkout').map((e) => e.session_id)).size);
    expect(f.sessions).toBeGreaterThanOrEqual(f.viewed);
    expect(f.viewed).toBeGreaterThan(f.checkedOut);
  });

  it('session conversion and orders per buying user', () => {
    const visits = new Set(inWindow(data.user_activities as unknown as Array<{ timestamp: Date; activity_type: string; session_id: string }>).filter((a) => a.activity_type === 'login').map((a) => a.session_id));
    const checkedOut = new Set(inWindow(data.cart_events as unknown as CartEvent[]).filter((e) => e.event_type === 'checkout').map((e) => e.session_id));
    expect(report.behaviour.conversion).toBeCloseTo(checkedOut.size / visits.size, 9);
    const buyers = new Set(wTx.map((t) => t.user_id));
    expect(report.behaviour.ordersPerBuyer).toBe(Math.round((wTx.length / buyers.size) * 100) / 100);
    expect(report.behaviour.ordersPerBuyer).toBeGreaterThanOrEqual(1);
  });

  it('fraud by anomaly type and low stock per warehouse', () => {
    const fraud = new Map<string, number>();
    for (const t of wTx) if (t.is_fraud) fraud.set(t.anomaly_type!, (fraud.get(t.anomaly_type!) ?? 0) + 1);
    expect(new Map(report.risk.fraud.map((f) => [f.anomaly_type, f.orders]))).toEqual(fraud);
    const latest = new Map<string, number>();
    for (const u of data.inventory_updates as unknown as InventoryUpdate[]) latest.set(`${u.product_id}|${u.warehouse_id}`, u.new_stock);
    const low = [...latest.entries()].filter(([, s]) => s < lowStockThreshold).length;
    expect(report.risk.lowStock.length).toBe(Math.min(10, low));
    for (const l of report.risk.lowStock) expect(latest.get(`${l.product_id}|${l.warehouse_id}`)).toBe(l.stock);
  });
});

describe('etl stats --from DIR', () => {
  it('prints the full report of a jsonl run, and --json holds the same numbers', async () => {
    const out = tmp();
    expect((await runCli(['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-04-01', '--limit', '30000', '--dirty-rate', '0.01', '--seed', '2', '--quiet'])).code).toBe(0);
    const text = await runCli(['stats', '--from', out]);
    expect(text.code).toBe(0);
    for (const heading of ['Collections', 'Sales', 'Behaviour', 'Risk and quality', 'Last runs']) expect(text.stdout).toContain(heading);
    expect(text.stdout).toMatch(/abandonment rate \d+\.\d%/);
    const json = await runCli(['stats', '--from', out, '--json']);
    const report = JSON.parse(json.stdout);
    expect(report.type).toBe('stats');
    expect(text.stdout).toContain(`orders ${report.sales.orders.toLocaleString('en-US')}`);
    expect(report.risk.deadLetters.reduce((a: number, d: { count: number }) => a + d.count, 0)).toBeGreaterThan(0);
    expect(report.runs[0]).toMatchObject({ command: 'stream', status: 'completed', reconciled: true, generated: 30000 });
  });

  it('an empty directory gives a clear message; a missing one exit 2', async () => {
    const empty = await runCli(['stats', '--from', tmp()]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/No data yet/);
    const missing = await runCli(['stats', '--from', '/nonexistent/etl']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Invalid --from: "\/nonexistent\/etl" does not exist/);
  });

  it('an unreachable server fails within seconds with exit 2', () => {
    const started = Date.now();
    const r = runBin(['stats', '--uri', 'mongodb://etl:pw-secret@127.0.0.1:9/?serverSelectionTimeoutMS=1000']);
    expect(r.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.stderr).toMatch(/Cannot reach MongoDB at mongodb:\/\/etl:\*\*\*\*@127.0.0.1:9/);
    expect(r.stderr).not.toContain('pw-secret');
  });
});

describe('stats under --profile adaptive-bi over what the original service stored', () => {
  it('a transaction without order_id (written by data_generator.py) is an order of one line; fraud without a label is counted', async () => {
    const at = new Date('2026-03-02T12:00:00Z');
    const line = (i: number, extra: Record<string, unknown>) => ({
      transaction_id: `t-${i}`,
      user_id: `USR_00000${i % 3}`,
      product_id: 'PRD_0001',
      product_name: 'P',
      category: 'Books',
      quantity: 1,
      unit_price: 10,
      total_amount: 10,
      final_amount: 12.5,
      timestamp: at,
      user_info: { country: 'USA' },
      is_fraud: i === 0,
      is_returned: false,
      ...extra,
    });
    // Three of its own (no order_id, no anomaly_type) and one of ours: an order of two lines.
    const transactions = [line(0, {}), line(1, {}), line(2, {}), line(3, { order_id: 'o-1', anomaly_type: null }), line(4, { order_id: 'o-1', anomaly_type: null })];
    const report = await computeStats(new MemorySource({ transactions }), 3_600_000, abi);
    expect(report.sales.orders).toBe(4);
    expect(report.sales.revenue).toBe(62.5);
    expect(report.sales.byCountry).toEqual([{ country: 'USA', revenue: 62.5, orders: 4 }]);
    expect(report.risk.fraud).toEqual([{ anomaly_type: 'unlabelled', orders: 1, amount: 12.5 }]);
  });
});
