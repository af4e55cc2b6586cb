import type { Document } from 'bson';
import { EJSON } from 'bson';
import { updateOne } from 'mingo';
import { describe, expect, it } from 'vitest';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { buildStoreCatalog } from '../src/catalog/store-catalog.js';
import type { OrderEvent } from '../src/events/schemas.js';
import { updatesOf } from '../src/profiles/profile.js';
import { PartitionPipeline, type PartitionJob } from '../src/run/partition.js';
import { MongoSink, type MongoLike } from '../src/sinks/mongo/sink.js';
import type { Doc } from '../src/sinks/types.js';
import type { Partition } from '../src/config/values.js';
import type { Profile } from '../src/profiles/index.js';
import type { EtlError } from '../src/errors.js';
import { client, peer, usePeerClient } from './helpers/peer-client.js';
import { ours } from './helpers/profiles.js';
import { partitionJob } from './helpers/job.js';

// The living store into MongoDB through the real driver and the wire peer (issue 23). The
// peer stores inserts and answers each update statement from this test's script: matched the
// first time it sees the statement, not matched when the same statement comes again (a replay,
// whose idempotency condition a server would find false). What the stored documents become is
// then computed from what the peer received, in order, with mingo's update operators (a
// reference implementation, outside the peer), and compared with the fold of the change logs.

usePeerClient();

const g = new CatalogGenerator(42);
const products = g.products(0, 200) as unknown as Document[];
const users = g.users(0, 2000) as unknown as Document[];
const catalog = buildStoreCatalog(products as never, users as never);
const from = Date.parse('2026-01-01T00:00:00Z');

function job(over: Partial<PartitionJob> = {}): PartitionJob {
  return partitionJob({
    runId: 'living-peer',
    seed: 5,
    mix: { views: 0, cart: 0, orders: 0, preset: 'realistic' },
    dirtyRate: 0.002,
    lifecycle: true,
    fromMs: from,
    toMs: from + 25 * 86_400_000,
    batchSize: 500,
    inFlight: 3,
    ...over,
  });
}

/** Scripts the peer: an update statement matches the first time it is received, never again. */
function answerFirstTimeOnly(): void {
  const seen = new Set<string>();
  peer.updateAnswers.push((s, collection) => {
    const key = `${collection} ${EJSON.stringify(s.q)} ${EJSON.stringify(s.u)}`;
    if (seen.has(key)) return { matched: false };
    seen.add(key);
    return { matched: true };
  });
}

async function run(over: Partial<PartitionJob> = {}) {
  const sink = MongoSink.over(client.db('shop') as unknown as MongoLike, undefined, ours.stored);
  const p = new PartitionPipeline(catalog, ours, sink, job(over), new AbortController().signal);
  const result = await p.run();
  expect(result.error).toBeUndefined();
  return p.counters.snapshot().collections;
}

/** The stored state: the peer's inserted documents (and the catalog), with every update it applied replayed in order by mingo. */
function storedState(): Map<string, Map<string, Document>> {
  const state = new Map<string, Map<string, Document>>();
  const coll = (name: string) => state.get(name) ?? state.set(name, new Map()).get(name)!;
  for (const d of products) coll('products').set(String(d._id), structuredClone(d));
  for (const d of users) coll('users').set(String(d._id), structuredClone(d));
  for (const name of ['transactions', 'order_events', 'price_changes', 'reviews', 'user_changes']) for (const d of peer.docs(name)) coll(name).set(String(d._id), structuredClone(d));
  for (const a of peer.updatesApplied) {
    const c = coll(a.collection);
    const doc = c.get(String(a.q._id));
    expect(doc, `${a.collection} ${String(a.q._id)}`).toBeDefined();
    const one = [doc!];
    const r = updateOne(one, a.q, a.u as never, { cloneMode: 'deep' });
    // Applied once: the condition held when the server got it.
    expect(r.matchedCount, `${a.collection} ${EJSON.stringify(a.q)}`).toBe(1);
    c.set(String(a.q._id), one[0]);
  }
  return state;
}

const sorted = (m: Map<string, Document>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, d]) => d);

describe('the living store into MongoDB (real driver, wire peer)', () => {
  it('keeps each order equal to the fold of its stored events; a kill + --resume gives the same stored state as one run', async () => {
    answerFirstTimeOnly();
    const counts = await run();
    for (const [name, c] of Object.entries(counts)) expect(c.generated, name).toBe(c.written + c.duplicates + c.dead_lettered);
    expect(counts[updatesOf('transactions')].written).toBeGreaterThan(500);
    expect(counts[updatesOf('transactions')].duplicates).toBe(0);
    const once = storedState();

    // Every stored order equals the fold of its stored order_events.
    const byOrder = new Map<string, OrderEvent[]>();
    for (const e of once.get('order_events')!.values() as Iterable<OrderEvent>) (byOrder.get(e.order_id) ?? byOrder.set(e.order_id, []).get(e.order_id)!).push(e);
    let moved = 0;
    for (const o of once.get('transactions')!.values()) {
      const events = (byOrder.get(String(o._id)) ?? []).sort((a, b) => a.version - b.version);
      const fold: Document = { status: 'placed', version: 1, updated_at: o.timestamp, status_history: [{ status: 'placed', at: o.timestamp }] };
      for (const e of events.filter((x) => x.version > 1)) {
        Object.assign(fold, { status: e.to_status, version: e.version, updated_at: e.timestamp, ...e.changes });
        (fold.status_history as Document[]).push({ status: e.to_status, at: e.timestamp });
      }
      if (events.length > 1) moved++;
      expect(o).toMatchObject(fold);
    }
    expect(moved).toBeGreaterThan(100);

    // The same stream again, into an empty target: cut after 5,000 records, resumed from a checkpoint 1,200 behind.
    peer.store.collections.clear();
    peer.updatesApplied.length = 0;
    peer.updateAnswers.length = 0;
    answerFirstTimeOnly();
    await run({ endSeq: 5000 });
    const resumed = await run({ startSeq: 3800 });
    expect(resumed.order_events.duplicates).toBeGreaterThan(0);
    expect(resumed[updatesOf('transactions')].duplicates).toBeGreaterThan(0);
    for (const [name, c] of Object.entries(resumed)) expect(c.generated, name).toBe(c.written + c.duplicates + c.dead_lettered);
    const twice = storedState();
    for (const name of ['transactions', 'order_events', 'products', 'users', 'price_changes', 'reviews', 'user_changes']) expect(sorted(twice.get(name)!), name).toEqual(sorted(once.get(name)!));
  }, 120_000);

  it('a change-log record the server refuses moves nothing: its update is not sent, and <collection>:updates still reconciles', async () => {
    answerFirstTimeOnly();
    const refused = new Set<string>();
    // Every transition of some of the orders (by the last character of the order's id) is refused by validation.
    peer.documentFaults.push((doc, collection) => {
      if (collection !== 'order_events' || Number(doc.version) === 1 || !/[02468ace]$/.test(String(doc.order_id))) return undefined;
      refused.add(String(doc._id));
      return { code: 121, errmsg: 'Document failed validation' };
    });
    const counts = await run({ toMs: from + 5 * 86_400_000, batchSize: 2000, dirtyRate: 0 });
    expect(refused.size).toBeGreaterThan(20);
    expect(counts.order_events.dead_lettered).toBe(refused.size);
    for (const [name, c] of Object.entries(counts)) expect(c.generated, name).toBe(c.written + c.duplicates + c.dead_lettered);
    // No statement names a refused event's order transition; the other events' updates went.
    const sent = peer.updatesApplied.filter((a) => a.collection === 'transactions').map((a) => String(a.q._id));
    expect(sent.length).toBeGreaterThan(50);
    expect(sent.filter((id) => /[02468ace]$/.test(id))).toEqual([]);
    expect(counts[updatesOf('transactions')].generated).toBe(sent.length);
  }, 60_000);

  it('an update the target cannot encode (a fold that made one without operators: a bug) fails the run as a lost batch does: the batches in flight settle, counts reconcile, the checkpoint stays before it', async () => {
    answerFirstTimeOnly();
    let folded = 0;
    const orders = ours.folds!.order_events;
    // The 200th update a fold makes replaces the document instead of moving it.
    const broken = { ...ours, folds: { ...ours.folds, order_events: { into: orders.into, update: (doc: Doc, seq: number, partition: Partition) => (orders.update(doc, seq, partition) && ++folded === 200 ? { source: doc._id, target: String(doc.order_id), when: {}, update: { status: 'paid' } } : orders.update(doc, seq, partition)) } } } as Profile;
    const sink = MongoSink.over(client.db('shop') as unknown as MongoLike, undefined, ours.stored);
    const p = new PartitionPipeline(catalog, broken, sink, job({ batchSize: 2000 }), new AbortController().signal);
    const result = await p.run();
    expect(result.reason).toBe('failed');
    expect((result.error as EtlError).code).toBe('INTERNAL');
    expect(String((result.error as Error).message)).toMatch(/has no update operators/);
    expect(result.watermark).toBeGreaterThan(0);
    const counts = p.counters.snapshot().collections;
    for (const [name, c] of Object.entries(counts)) expect(c.generated, name).toBe(c.written + c.duplicates + c.dead_lettered);
    // Every record before the checkpoint was written; none after it was counted.
    const records = Object.entries(counts).filter(([name]) => !name.includes(':'));
    expect(records.reduce((n, [, c]) => n + c.generated, 0)).toBe(result.watermark);
  }, 60_000);
});
