import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/load.js';
import { planLiveRate } from '../src/events/live-rate.js';
import { abiRecordsPerBatchUnit } from '../src/profiles/adaptive-bi/events.js';
import { abiEngine, abiLiveEngine, abiTestCatalog } from './helpers/engine.js';
import { abiPopulation, abiRegions } from '../src/profiles/adaptive-bi/catalog-documents.js';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { eventSchemas } from '../src/events/schemas.js';
import { buildStoreCatalog } from '../src/catalog/store-catalog.js';
import { PartitionPipeline, type PartitionJob } from '../src/run/partition.js';
import { fromJsonLine, toJsonLine } from '../src/sinks/jsonl-files.js';
import type { Doc, Sink } from '../src/sinks/types.js';
import { abiJob as job, checkStockSummaries } from './helpers/abi.js';
import { seed000File, seed000InitMongo } from './helpers/seed-000.js';
import { abi } from './helpers/profiles.js';

const design = seed000InitMongo();
const specs = abi.stored.collections;
const spec = (name: string) => specs.find((s) => s.name === name)!;

describe('--profile adaptive-bi: its validators and indexes', () => {
  it('are those its init-mongo.js creates, in its database (parsed from the design, not re-typed)', () => {
    expect(design.database).toBe('adaptive_bi');
    expect(Object.keys(design.validators).sort()).toEqual(['inventory_updates', 'products', 'transactions', 'user_activities', 'users']);
    for (const [name, validator] of Object.entries(design.validators)) expect(spec(name).validator, name).toEqual(validator);
    for (const [name, indexes] of Object.entries(design.indexes)) {
      for (const declared of indexes) {
        const ours = spec(name).indexes.find((i) => JSON.stringify(i.key) === JSON.stringify(declared.key));
        expect(ours, `${name} ${JSON.stringify(declared.key)}`).toBeDefined();
        // The server's own name for it: a database that service set up already has it.
        expect(ours!.name).toBe(Object.entries(declared.key).map(([k, v]) => `${k}_${v}`).join('_'));
        expect(ours!.unique === true, `${name}.${ours!.name} unique`).toBe(declared.unique);
      }
    }
  });

  it('include the indexes its streaming_etl.py creates', () => {
    const py = seed000File('data_streaming/streaming_etl.py');
    const block = py.slice(py.indexOf('collections = {'), py.indexOf('for collection_name, config in collections.items()'));
    let checked = 0;
    for (const m of block.matchAll(/'(\w+)': \{\s*'indexes': \[([^\]]*)\]/g)) {
      for (const t of m[2].matchAll(/\('(\w+)', (-?1)\)/g)) {
        expect(spec(m[1]).indexes.map((i) => JSON.stringify(i.key)), `${m[1]}.${t[1]}`).toContain(JSON.stringify({ [t[1]]: Number(t[2]) }));
        checked++;
      }
    }
    expect(checked).toBe(19);
  });
});

describe('--profile adaptive-bi: its users', () => {
  it('a 10,000-user catalog has users in every world region of its vocabulary, each region from its own countries', async () => {
    for (const seed of [42, 7]) {
      const users = (await abi.catalog.shape(seed)).users(0, 10_000);
      const countriesOf = new Map<string, Set<string>>();
      for (const u of users) countriesOf.set(u.region as string, (countriesOf.get(u.region as string) ?? new Set()).add(u.country as string));
      expect(new Set(countriesOf.keys()), `seed ${seed}`).toEqual(new Set(abiRegions));
      expect(countriesOf.get('Middle East')).toEqual(new Set(['UAE', 'Saudi Arabia']));
      expect(countriesOf.get('Africa')).toEqual(new Set(['South Africa', 'Nigeria', 'Egypt', 'Kenya']));
      expect(countriesOf.get('North America')).toEqual(new Set(['USA', 'Canada']));
    }
  }, 30_000);
});

describe('--profile adaptive-bi: the engine underneath', () => {
  const catalog = (() => {
    const g = new CatalogGenerator(42, abiPopulation);
    return buildStoreCatalog(g.products(0, 300), g.users(0, 3000));
  })();

  async function run(over: Partial<PartitionJob> = {}) {
    const docs: Array<{ collection: string; doc: Record<string, unknown> }> = [];
    const sink: Sink = {
      name: 'null',
      target: 'memory',
      open: async () => undefined,
      reset: async () => undefined,
      close: async () => undefined,
      write: async (collection, batch: Doc[]) => {
        for (const doc of batch) docs.push({ collection, doc });
        return { written: batch.length, duplicates: 0, rejected: [], retries: 0 };
      },
    };
    const p = new PartitionPipeline(catalog, abi, sink, { ...job('adaptive-bi', 60_000), mix: { views: 0.6, cart: 0.3, orders: 0.1 }, ...over }, new AbortController().signal);
    await p.run();
    return { docs, counters: p.counters };
  }

  it('an order of several products is one transaction per line, sharing order_id, adding up to the order', async () => {
    const { docs } = await run();
    const lines = docs.filter((d) => d.collection === 'transactions').map((d) => d.doc);
    const orders = new Map<string, Array<Record<string, unknown>>>();
    for (const l of lines) orders.set(l.order_id as string, [...(orders.get(l.order_id as string) ?? []), l]);
    const multi = [...orders.values()].filter((ls) => ls.length > 1);
    expect(multi.length).toBeGreaterThan(50);
    const cents = (x: unknown) => Math.round(Number(x) * 100);
    for (const ls of multi) {
      expect(new Set(ls.map((l) => l.transaction_id)).size).toBe(ls.length);
      expect(new Set(ls.map((l) => l.user_id)).size).toBe(1);
      expect(new Set(ls.map((l) => (l.timestamp as Date).getTime())).size).toBe(1);
      for (const l of ls) expect(cents(l.final_amount)).toBe(cents(l.total_amount) - cents(l.discount) + cents(l.tax_amount) + cents(l.shipping_cost));
    }
    // The first line keeps the order's id; transaction ids are UUIDs.
    for (const [orderId, ls] of orders) expect(ls[0]._id).toBe(orderId);
    for (const l of lines) expect(l.transaction_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }, 60_000);

  it('labels fraud (is_fraud with its anomaly_type) and returns, and sales match inventory', async () => {
    const { docs } = await run({ fraudRate: 0.1 });
    const tx = docs.filter((d) => d.collection === 'transactions').map((d) => d.doc);
    const orders = new Map(tx.map((t) => [t.order_id as string, t]));
    const fraud = [...orders.values()].filter((t) => t.is_fraud);
    expect(fraud.length / orders.size).toBeGreaterThan(0.05);
    expect(new Set(fraud.map((t) => t.anomaly_type)).size).toBe(5);
    expect([...orders.values()].some((t) => t.is_returned)).toBe(true);
    // Every order line's sale is in one inventory update naming its order, which sums the lines it names.
    const inv = docs.filter((d) => d.collection === 'inventory_updates').map((d) => d.doc);
    const stock = checkStockSummaries(tx, inv);
    expect(stock.covered).toBeGreaterThan(0.9 * tx.length);
    expect(stock.moves).toBeGreaterThan(4 * inv.length);
  }, 60_000);

  it('the same seed gives the same documents; the sequence has no gap where a record had no counterpart', async () => {
    const a = await run({ dirtyRate: 0.02 });
    const b = await run({ dirtyRate: 0.02 });
    // Dead letters carry the wall time they were made at; everything else repeats.
    const text = (docs: typeof a.docs) => docs.map((d) => JSON.stringify({ ...d.doc, created_at: undefined })).join('\n');
    expect(text(a.docs) === text(b.docs)).toBe(true);
    const seqs = a.docs.filter((d) => d.collection !== 'dead_letters').map((d) => parseInt(String(d.doc._id).split('-').pop()!, 36));
    expect(new Set(seqs).size).toBe(seqs.length);
    // Every sequence number below the limit is a record (or its dead letter): none is lost between them.
    const all = a.docs.map((d) => parseInt(String(d.doc._id).replace(/^dl-/, '').split('-').pop()!, 36)).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 60_000 }, (_, i) => i));
    expect(a.counters.injectedDirty).toBeGreaterThan(0);
    expect(a.counters.unexpectedRejects).toBe(0);
  }, 60_000);

  it('every record passes its zod schema and the views and cart events are its user activities', async () => {
    const { docs } = await run();
    const schemas = abi.events.schemas;
    const types = new Set<string>();
    let checked = 0;
    for (const { collection, doc: written } of docs) {
      // As written the amounts are typed doubles; as read back they are numbers again.
      const doc = fromJsonLine(toJsonLine(written));
      if (!schemas[collection as 'transactions']!.safeParse(doc).success || eventSchemas[collection as 'transactions'].safeParse(doc).success) throw new Error(`${collection} ${JSON.stringify(doc)}`);
      checked++;
      if (collection === 'user_activities') types.add(doc.activity_type as string);
    }
    expect(checked).toBe(60_000);
    expect([...types].sort()).toEqual(['add_to_cart', 'login', 'logout', 'page_view', 'remove_from_cart', 'review_submit', 'search', 'wishlist_add']);
  }, 60_000);
});

describe('--profile adaptive-bi: its pace', () => {
  const count = (records: Array<{ collection: string }>) => {
    const n: Record<string, number> = { transactions: 0, user_activities: 0, inventory_updates: 0 };
    for (const r of records) n[r.collection]++;
    return n;
  };

  it('writes 3 activities and 1/5 inventory update per transaction: whole visits sampled evenly, stock moves summed up', () => {
    const e = abiEngine({ seed: 3 }, abiTestCatalog(100, 1000));
    const records = e.take(100_000);
    const n = count(records);
    expect(n.user_activities / n.transactions).toBeCloseTo(3, 1);
    expect(n.transactions / n.inventory_updates).toBeCloseTo(5, 1);
    // A visit in the sample is there whole: its login, its steps, its logout.
    const acts = records.filter((r) => r.collection === 'user_activities').map((r) => r.doc as Record<string, unknown>);
    const bySession = new Map<string, string[]>();
    for (const a of acts) bySession.set(a.session_id as string, [...(bySession.get(a.session_id as string) ?? []), a.activity_type as string]);
    let ended = 0;
    for (const types of bySession.values()) {
      expect(types[0]).toBe('login');
      if (types.includes('logout')) {
        expect(types[types.length - 1]).toBe('logout');
        ended++;
      }
    }
    expect(ended).toBeGreaterThan(0.9 * bySession.size);
    // Sampled whoever shops: about as many of the buying visits as of all visits are in it.
    const buying = new Set(records.filter((r) => r.collection === 'transactions').map((r) => (r.doc as Record<string, unknown>).session_id as string));
    const buyingSampled = [...buying].filter((s) => bySession.has(s)).length / buying.size;
    expect(buyingSampled).toBeGreaterThan(0.1);
    expect(Math.abs(buyingSampled - bySession.size / e.visits)).toBeLessThan(0.03);
    expect(new Set(acts.map((a) => a.activity_type)).size).toBe(8);
    const docsOf = (c: string) => records.filter((r) => r.collection === c).map((r) => r.doc as Record<string, unknown>);
    expect(checkStockSummaries(docsOf('transactions'), docsOf('inventory_updates')).moves).toBeGreaterThan(4 * n.inventory_updates);
  }, 30_000);

  it('live, planned at 21 records a second (its .env: 2 s, 10): each minute 300 transactions, 900 activities, 60 inventory updates (on average within 5 %, every minute within 15 %)', () => {
    const catalog = abiTestCatalog(100, 1000);
    const origin = Date.UTC(2026, 5, 1, 12);
    const options = { seed: 5, partition: { index: 0, count: 1 }, mix: { views: 0.6, cart: 0.3, orders: 0.1 }, fraudRate: 0.02, dirtyRate: 0, events: abi.events };
    const plan = planLiveRate(catalog, { ...options, from: new Date(origin) }, (10 * abiRecordsPerBatchUnit) / 2);
    const e = abiLiveEngine(origin, plan.visitsPerSecond, { seed: 5 }, catalog);
    const minutes = 20;
    const windows = Array.from({ length: minutes }, () => ({ transactions: 0, user_activities: 0, inventory_updates: 0 }) as Record<string, number>);
    for (let done = false; !done; ) {
      for (const r of e.take(5000)) {
        const w = Math.floor(((r.doc.timestamp as Date).getTime() - origin) / 60_000);
        if (w >= minutes) done = true;
        else windows[w][r.collection]++;
      }
    }
    const want: Record<string, number> = { transactions: 300, user_activities: 900, inventory_updates: 60 };
    for (const [c, target] of Object.entries(want)) {
      const per = windows.map((w) => w[c]);
      const mean = per.reduce((a, b) => a + b, 0) / minutes;
      expect(Math.abs(mean - target) / target, `${c} mean ${mean}`).toBeLessThan(0.05);
      for (const x of per) expect(Math.abs(x - target) / target, `${c}: ${per.join(' ')}`).toBeLessThan(0.15);
    }
  }, 30_000);

  it("defaults to its config.py's 2 s and 10 under the profile; ours keeps 1 s and 500", () => {
    const load = (env: Record<string, string>) => loadSettings({ command: 'stream', flags: {}, env, cwd: tmpdir() }).settings;
    expect(load({ ETL_PROFILE: 'adaptive-bi' })).toMatchObject({ interval: 2, batchSize: 10 });
    expect(load({ ETL_PROFILE: 'ecom-etl' })).toMatchObject({ interval: 1, batchSize: 500 });
    expect(load({ ETL_PROFILE: 'adaptive-bi', STREAMING_INTERVAL: '5', BATCH_SIZE: '50' })).toMatchObject({ interval: 5, batchSize: 50 });
    expect(abi.recordsPerBatchUnit).toBe(abiRecordsPerBatchUnit);
  });
});
