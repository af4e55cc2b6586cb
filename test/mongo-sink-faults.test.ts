import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { EtlError } from '../src/errors.js';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { buildStoreCatalog } from '../src/catalog/store-catalog.js';
import { PartitionPipeline } from '../src/run/partition.js';
import { runStream } from '../src/run/stream.js';
import { abiJob } from './helpers/abi.js';
import { connectMongo } from '../src/sinks/mongo/connect.js';
import { classifyError } from '../src/sinks/mongo/errors.js';
import { MongoSink, type MongoLike, type RetryPolicy } from '../src/sinks/mongo/sink.js';
import { type Doc, LostBatchError } from '../src/sinks/types.js';
import { client, peer, usePeerClient } from './helpers/peer-client.js';
import { ours } from './helpers/profiles.js';

// The MongoDB path's second pass (issue 28), through the real driver answering a scripted
// wire peer: what the driver really throws, and what the sink and the pipeline make of it.

const fast: RetryPolicy = { retries: 1000, minTimeout: 20, maxTimeout: 200, maxRetryTime: 10_000 };
const docs = (n: number, prefix = 'd'): Doc[] => Array.from({ length: n }, (_, i) => ({ _id: `${prefix}${i}`, n: i }));

usePeerClient();

const sink = (policy = fast) => MongoSink.over(client.db('shop') as unknown as MongoLike, policy);
/** A sink that connects as the tool does (its own client, set-up on open). */
const connectedSink = () => new MongoSink(() => connectMongo({ uri: peer.uri(), db: 'shop', dataDir: 'unused' }), ours.stored, fast, true);

describe('classifying what the driver throws, not words in its message', () => {
  it('a server that cannot be found under a host name containing "auth" is an outage, not a credentials problem', async () => {
    const other = new MongoClient('mongodb://mongo-auth.invalid:27017/?serverSelectionTimeoutMS=300&connectTimeoutMS=300');
    const err = await other.connect().then(() => undefined, (e: unknown) => e);
    await other.close();
    expect((err as Error).name).toBe('MongoServerSelectionError');
    expect(String((err as Error).message)).toMatch(/auth/);
    expect(classifyError(err)).toBe('transient');
    const connectErr = (await connectMongo({ uri: 'mongodb://u:secret@mongo-auth.invalid:27017/?serverSelectionTimeoutMS=300', db: 'shop', dataDir: 'unused' }).catch((e: unknown) => e)) as EtlError;
    expect(connectErr).toMatchObject({ code: 'CONNECTION_FAILED', exitCode: 2 });
    expect(connectErr.message).not.toMatch(/user and password/);
    expect(connectErr.message).not.toMatch(/secret/);
  });
});

describe('a document over 16 MB', () => {
  // The sink encodes each document before sending it: one of MongoDB's limit or more is refused
  // there, whatever its size (beyond bson's 17 MB buffer, bson stops writing at its end).
  for (const mb of [16.001, 16.5, 17.5]) {
    it(`(${mb} MB) goes to dead letters alone (reason too_large, a summary instead of the document); the rest of its batch is stored`, async () => {
      const batch = docs(4);
      batch[2] = { _id: 'huge', payload: 'x'.repeat(Math.round(mb * 1024 * 1024)), n: 2 };
      const r = await sink().write('product_views', batch);
      expect(r.written).toBe(3);
      expect(peer.ids('product_views').sort()).toEqual(['d0', 'd1', 'd3']);
      expect(r.rejected).toHaveLength(1);
      expect(r.rejected[0].reasons[0]).toMatchObject({ code: 'too_large' });
      const summary = r.rejected[0].doc;
      expect(summary).toMatchObject({ _id: 'huge', too_large: true });
      expect(summary.bytes).toBeGreaterThan(16 * 1024 * 1024);
      // The dead letter must itself fit: it names the field that grew instead of carrying it.
      expect(JSON.stringify(summary).length).toBeLessThan(1000);
      expect((summary.fields as Record<string, number>).payload).toBeGreaterThan(16 * 1024 * 1024);
    });
  }
});

describe('a lost batch says what of it was settled', () => {
  it('refusals and writes of an earlier attempt are kept when a later attempt fails for good', async () => {
    let notPrimary = 1;
    peer.documentFaults.push((doc) => (doc._id === 'd1' ? { code: 121, errmsg: 'Document failed validation' } : undefined));
    peer.documentFaults.push((doc) => (doc._id === 'd2' && notPrimary-- > 0 ? { code: 10107, errmsg: 'not primary' } : undefined));
    // The retry of d2 meets an error no retry can fix.
    peer.use((cmd) => (cmd.name === 'insert' && (cmd.body.documents as Doc[]).length === 1 ? { error: 2, errmsg: 'BadValue' } : undefined));
    const err = await sink().write('transactions', docs(10)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LostBatchError);
    const lost = err as LostBatchError;
    expect(lost.code).toBe('SINK_FAILED');
    expect(lost.message).toMatch(/Lost a batch of 1 transactions/);
    expect(lost.settled.written).toBe(8);
    expect(lost.settled.rejected.map((r) => r.doc._id)).toEqual(['d1']);
    expect(peer.ids('transactions')).toHaveLength(8);
  });

  it('a reply with write errors and a writeConcernError (64, wtimeout: MongoWriteConcernError) is sent again: the refusal dead-lettered once, the stored documents absorbed as duplicates', async () => {
    peer.documentFaults.push((doc) => (doc._id === 'd1' ? { code: 121, errmsg: 'Document failed validation' } : undefined));
    let first = true;
    peer.use((cmd) => {
      if (cmd.name !== 'insert' || !first) return undefined;
      first = false;
      return { applied: true, adding: { writeConcernError: { code: 64, codeName: 'WriteConcernFailed', errmsg: 'waiting for replication timed out', errInfo: { wtimeout: true } } } };
    });
    const r = await sink().write('transactions', docs(10));
    // Applied but not as durable as asked: sent again, what was stored comes back as duplicates.
    expect(r).toMatchObject({ written: 0, duplicates: 9 });
    expect(r.retries).toBeGreaterThanOrEqual(1);
    expect(r.rejected.map((x) => x.doc._id)).toEqual(['d1']);
    expect(peer.ids('transactions')).toHaveLength(9);
    expect(peer.received.filter((c) => c.name === 'insert')).toHaveLength(2);
  });

  it('a writeConcernError no retry can satisfy (100 UnsatisfiableWriteConcern) loses the batch: nothing counted that the server was not sure to keep', async () => {
    peer.use((cmd) => (cmd.name === 'insert' ? { applied: true, adding: { writeConcernError: { code: 100, codeName: 'UnsatisfiableWriteConcern', errmsg: 'Not enough data-bearing nodes' } } } : undefined));
    const err = await sink().write('transactions', docs(5)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LostBatchError);
    const lost = err as LostBatchError;
    expect(lost.message).toMatch(/Not enough data-bearing nodes/);
    expect(lost.settled.written).toBe(0);
    expect(peer.received.filter((c) => c.name === 'insert')).toHaveLength(1);
  });

  it('the pipeline counts, per collection, what the target acknowledged of a batch one of whose collections was lost', async () => {
    const g = new CatalogGenerator(7);
    const catalog = buildStoreCatalog(g.products(0, 50), g.users(0, 300));
    peer.use((cmd) => (cmd.name === 'insert' && cmd.collection === 'transactions' ? { error: 2, errmsg: 'BadValue: refused' } : undefined));
    // Order-heavy, in batches of 2,000: the first batches already hold transactions.
    const job = { ...abiJob('ecom-etl', 100_000), batchSize: 2000 };
    const pipeline = new PartitionPipeline(catalog, ours, sink(), job, new AbortController().signal);
    const r = await pipeline.run();
    expect(r.reason).toBe('failed');
    expect((r.error as EtlError).code).toBe('SINK_FAILED');
    // No batch was whole: the checkpoint stays where it started.
    expect(r.watermark).toBe(0);
    const counts = pipeline.counters.snapshot().collections;
    expect(counts.product_views.written).toBeGreaterThan(0);
    for (const name of ['product_views', 'cart_events', 'user_activities', 'inventory_updates', 'transactions']) {
      expect(counts[name]?.written ?? 0, name).toBe(peer.ids(name).length);
    }
    // It stopped at the first lost batch (in flight at most two), instead of generating all 100,000.
    expect(pipeline.counters.totals().generated).toBeLessThanOrEqual(2 * 2000);
  });
});

describe('a target that never comes back', () => {
  it('ends the run soon after its batch is lost: checkpoint saves are skipped while one is going, not queued behind it', async () => {
    const g = new CatalogGenerator(7);
    const catalog = { catalog: buildStoreCatalog(g.products(0, 50), g.users(0, 300)), source: 'memory' as const, read: { products: 50, users: 300 }, loadMs: 0 };
    const target = MongoSink.over(client.db('shop') as unknown as MongoLike, { ...fast, maxRetryTime: 3000 });
    // Everything but the first run record fails for good, as a server that went away does.
    let first = true;
    peer.use((cmd) => {
      if (cmd.name === 'update' && first) {
        first = false;
        return undefined;
      }
      return cmd.name === 'insert' || cmd.name === 'update' ? { error: 10107, errmsg: 'not primary' } : undefined;
    });
    const settings = { ...abiJob('ecom-etl', 0), rate: undefined, interval: 1, intervalGiven: false, batchSize: 500, duration: undefined, limit: 5000, workers: 1, partition: undefined, from: new Date('2026-02-01T00:00:00Z'), to: undefined, speed: undefined, sessionsPerDay: undefined, inFlight: 2 };
    const started = Date.now();
    const summary = await runStream({ command: 'stream', profile: ours, settings, seed: 4, sink: target, sinkOptions: { sink: 'null', stored: ours.stored, out: '', db: 'x', dataDir: '' }, catalog, signal: new AbortController().signal, options: {}, tickMs: 50 });
    const elapsed = Date.now() - started;
    expect(summary.status).toBe('failed');
    // The batch budget (3 s), the final record's own (3 s), and at most one checkpoint save (1.5 s) in flight.
    expect(elapsed).toBeLessThan(12_000);
    // Ticks came every 50 ms meanwhile: queued, their saves alone would have taken minutes.
    expect(peer.received.filter((c) => c.name === 'update').length).toBeGreaterThan(3);
  });
});

describe('start-up and bookkeeping retry as writes do', () => {
  it('set-up cut three times (listCollections; the driver retries a read only once) is retried', async () => {
    peer.fail('listCollections', 3, { cut: true });
    const s = connectedSink();
    await s.open();
    await s.close();
    expect(peer.collection('transactions')?.options.validator).toBeDefined();
  });

  it('a collection another process created a moment before (48 NamespaceExists) is taken as it is', async () => {
    peer.fail('create', 1, { error: 48, errmsg: 'Collection shop.products already exists.', codeName: 'NamespaceExists' });
    const s = connectedSink();
    await s.open();
    await s.close();
    expect(peer.received.filter((c) => c.name === 'create').length).toBeGreaterThan(1);
  });

  it('an etl_runs write cut seven times is retried, as a batch would be', async () => {
    peer.fail('update', 7, { cut: true });
    await sink().recordRun(runRecord());
    expect(peer.ids('etl_runs')).toEqual(['run-1']);
  });

  it('a read-only user gets one line naming the readWrite role, exit 2 (not "unexpected failure")', async () => {
    peer.fail('update', 1, { error: 13, errmsg: 'not authorized on shop to execute command { update: "etl_runs" }' });
    const err = (await sink().recordRun(runRecord()).catch((e: unknown) => e)) as EtlError;
    expect(err).toBeInstanceOf(EtlError);
    expect(err).toMatchObject({ code: 'AUTH_FAILED', exitCode: 2 });
    expect(err.message).toMatch(/readWrite role/);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  it('a read of etl_runs refused for lack of privilege names the role too', async () => {
    peer.fail('find', 1, { error: 13, errmsg: 'not authorized on shop to execute command { find: "etl_runs" }' });
    const err = (await sink().lastRun({ command: 'stream', seed: 1 }).catch((e: unknown) => e)) as EtlError;
    expect(err).toMatchObject({ code: 'AUTH_FAILED', exitCode: 2 });
    expect(err.message).toMatch(/readWrite role/);
  });
});

describe('the write concern', () => {
  it('is majority and journaled unless the connection string chooses one', async () => {
    const s = connectedSink();
    await s.open();
    await s.write('product_views', docs(2));
    await s.close();
    const insert = peer.bodies.find((b) => 'insert' in b);
    expect(insert?.writeConcern).toEqual({ w: 'majority', j: true });

    peer.bodies.length = 0;
    const chosen = new MongoSink(() => connectMongo({ uri: peer.uri('w=1'), db: 'shop', dataDir: 'unused' }), ours.stored, fast, false);
    await chosen.open();
    await chosen.write('product_views', docs(2, 'e'));
    await chosen.close();
    expect(peer.bodies.find((b) => 'insert' in b)?.writeConcern).toEqual({ w: 1 });
  });
});

function runRecord() {
  return {
    _id: 'run-1',
    command: 'stream' as const,
    options: {},
    seed: 1,
    partitions: ['0.1'],
    started_at: new Date(),
    ended_at: null,
    status: 'running' as const,
    counts: {},
    rate: 0,
    checkpoint: { '0.1': 0 },
    resumed_from: null,
    catalog_load_seconds: 0,
    error: null,
  };
}
