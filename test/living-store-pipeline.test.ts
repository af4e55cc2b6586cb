import { updateOne } from 'mingo';
import { describe, expect, it } from 'vitest';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { buildStoreCatalog } from '../src/catalog/store-catalog.js';
import { updatesOf } from '../src/profiles/profile.js';
import { PartitionPipeline, type PartitionJob } from '../src/run/partition.js';
import type { OrderEvent, PriceChange, Review } from '../src/events/schemas.js';
import type { Doc, DocUpdate, Sink, WriteResult } from '../src/sinks/types.js';
import { ours } from './helpers/profiles.js';
import { partitionJob } from './helpers/job.js';

/**
 * A target that keeps documents, in memory: inserts absorb a known _id as a duplicate, and
 * updates are applied by mingo (a reference implementation of MongoDB's query and update
 * operators, not the server). Writes take a random few milliseconds, so batches in flight
 * finish out of order as they would against a server.
 */
class DocStore implements Sink {
  readonly name = 'null' as const;
  readonly target = 'in-memory document store';
  readonly docs = new Map<string, Map<string, Doc>>();
  private tick = 1;
  constructor(catalog: { products: Doc[]; users: Doc[] }) {
    this.docs.set('products', new Map(catalog.products.map((d) => [d._id, structuredClone(d)])));
    this.docs.set('users', new Map(catalog.users.map((d) => [d._id, structuredClone(d)])));
  }
  private coll(name: string): Map<string, Doc> {
    let c = this.docs.get(name);
    if (!c) this.docs.set(name, (c = new Map()));
    return c;
  }
  private async pause(): Promise<void> {
    this.tick = (this.tick * 48271) % 2147483647;
    await new Promise((r) => setTimeout(r, this.tick % 4));
  }
  async open() {}
  async reset() {}
  async close() {}
  async write(collection: string, docs: Doc[]): Promise<WriteResult> {
    await this.pause();
    const c = this.coll(collection);
    let written = 0;
    for (const d of docs) {
      if (c.has(d._id)) continue;
      c.set(d._id, structuredClone(d));
      written++;
    }
    return { written, duplicates: docs.length - written, rejected: [], retries: 0 };
  }
  async update(collection: string, updates: DocUpdate[]): Promise<WriteResult> {
    await this.pause();
    const c = this.coll(collection);
    let written = 0;
    for (const u of updates) {
      const doc = c.get(u.target);
      if (!doc) continue;
      // A pipeline update may replace the document in the array rather than change it.
      const one = [doc];
      const r = updateOne(one, { _id: u.target, ...u.when }, u.update as never, { cloneMode: 'deep' });
      c.set(u.target, one[0]);
      written += r.matchedCount;
    }
    return { written, duplicates: updates.length - written, rejected: [], retries: 0 };
  }
  /** A collection's documents in _id order. */
  all(name: string): Doc[] {
    return [...this.coll(name).values()].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
  }
}

const g = new CatalogGenerator(42);
const products = g.products(0, 300) as unknown as Doc[];
const users = g.users(0, 3000) as unknown as Doc[];
const catalog = buildStoreCatalog(products as never, users as never);
const from = Date.parse('2026-01-01T00:00:00Z');
const dayMs = 86_400_000;

function job(over: Partial<PartitionJob> = {}): PartitionJob {
  return partitionJob({ runId: 'living', seed: 3, mix: { views: 0, cart: 0, orders: 0, preset: 'realistic' }, lifecycle: true, fromMs: from, toMs: from + 40 * dayMs, batchSize: 400, inFlight: 3, ...over });
}

async function run(store: DocStore, over: Partial<PartitionJob> = {}) {
  const p = new PartitionPipeline(catalog, ours, store, job(over), new AbortController().signal);
  const result = await p.run();
  return { result, counts: p.counters.snapshot().collections };
}

describe('the living store through the pipeline (a target that keeps documents)', () => {
  it('keeps every order, product and user document equal to the fold of its stored change log, and counts updates as records', async () => {
    const store = new DocStore({ products, users });
    const { result, counts } = await run(store);
    expect(result.error).toBeUndefined();
    expect(result.reason).toBe("to");
    for (const [name, c] of Object.entries(counts)) expect(c.generated, name).toBe(c.written + c.duplicates + c.dead_lettered);
    expect(counts[updatesOf('transactions')].written).toBeGreaterThan(1000);
    expect(counts[updatesOf('transactions')].duplicates).toBe(0);
    expect(counts[updatesOf('products')].written).toBeGreaterThan(50);

    // Orders: the fold of their events, in version order.
    const events = store.all('order_events') as unknown as OrderEvent[];
    const byOrder = new Map<string, OrderEvent[]>();
    for (const e of events) (byOrder.get(e.order_id) ?? byOrder.set(e.order_id, []).get(e.order_id)!).push(e);
    const orders = store.all('transactions');
    expect(orders.length).toBeGreaterThan(300);
    for (const o of orders) {
      const list = byOrder.get(o._id)!.sort((a, b) => a.version - b.version);
      const fold: Record<string, unknown> = { status: 'placed', version: 1, updated_at: o.timestamp, status_history: [] };
      for (const e of list) {
        Object.assign(fold, { status: e.to_status, version: e.version, updated_at: e.timestamp, ...e.changes });
        (fold.status_history as unknown[]).push({ status: e.to_status, at: e.timestamp });
      }
      expect(o).toMatchObject(fold);
    }
    expect(orders.some((o) => o.status === 'refunded' && o.is_returned === true)).toBe(true);

    // Products: the latest price change's price, the reviews counted into rating and review_count.
    const changes = store.all('price_changes') as unknown as PriceChange[];
    const reviews = store.all('reviews') as unknown as Review[];
    for (const p of store.all('products')) {
      const seeded = products.find((d) => d._id === p._id)!;
      const mine = changes.filter((c) => c.product_id === p._id).sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
      if (mine.length > 0) expect(p.price).toBe(mine.at(-1)!.new_price);
      const rs = reviews.filter((r) => r.product_id === p._id);
      expect(p.review_count).toBe((seeded.review_count as number) + rs.length);
      if (rs.length > 0) {
        const stars = rs.reduce((a, r) => a + r.rating, 0);
        const mean = ((seeded.rating as number) * (seeded.review_count as number) + stars) / (p.review_count as number);
        // Rounded to two decimals by $round (mingo's $round truncates some values: 1.80527 → 1.8).
        expect(Math.abs((p.rating as number) - mean)).toBeLessThan(0.01);
      }
    }
  });

  it('gives after a kill and --resume the same stored state as one run; replayed updates count as duplicates', async () => {
    const once = new DocStore({ products, users });
    await run(once);
    const twice = new DocStore({ products, users });
    // The first run is cut at 6,000 records; its checkpoint lags 1,500 behind what it wrote.
    await run(twice, { endSeq: 6000 });
    const { counts } = await run(twice, { startSeq: 4500 });
    for (const name of ['transactions', 'order_events', 'products', 'users', 'price_changes', 'reviews', 'user_changes', 'inventory_updates']) {
      expect(twice.all(name), name).toEqual(once.all(name));
    }
    expect(counts.order_events.duplicates).toBeGreaterThan(0);
    expect(counts[updatesOf('transactions')].duplicates).toBeGreaterThan(0);
    for (const [name, c] of Object.entries(counts)) expect(c.generated, name).toBe(c.written + c.duplicates + c.dead_lettered);
  });
});
