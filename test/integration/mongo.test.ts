import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedCatalog } from '../../src/run/seed.js';
import { collectionSpecs } from '../../src/sinks/mongo/collections.js';
import { connectMongo, ensureCollections } from '../../src/sinks/mongo/connect.js';
import { MongoSink } from '../../src/sinks/mongo/sink.js';
import { runCli } from '../helpers/cli.js';
import { ours } from '../helpers/profiles.js';

const uri = inject('mongoUri');
const reason = inject('mongoSkipReason');

// Runs against a real MongoDB (MONGODB_TEST_URI or a local mongodb-memory-server binary);
// reported as skipped, with the reason in its name, where none exists.
describe.skipIf(!uri)(`MongoDB integration${uri ? '' : ` (skipped: ${reason})`}`, () => {
  const dbName = `etl_it_${process.pid}_${Date.now()}`;
  let client: MongoClient;

  beforeAll(async () => {
    client = await MongoClient.connect(uri);
  });
  afterAll(async () => {
    await client?.db(dbName).dropDatabase();
    await client?.close();
  });

  it('creates every collection with its validator and indexes, and re-running changes nothing', async () => {
    const db = client.db(dbName);
    const first = await ensureCollections(db, collectionSpecs());
    expect(first.created.sort()).toEqual(collectionSpecs().map((s) => s.name).sort());
    const again = await ensureCollections(db, collectionSpecs());
    expect(again).toEqual({ created: [], validatorsUpdated: [], indexesCreated: [], indexesRebuilt: [] });
    for (const spec of collectionSpecs()) {
      const [info] = await db.listCollections({ name: spec.name }).toArray();
      expect((info as unknown as { options: { validator: unknown } }).options.validator).toEqual(spec.validator);
      const names = (await db.collection(spec.name).listIndexes().toArray()).map((i) => i.name);
      for (const idx of spec.indexes) expect(names).toContain(idx.name);
    }
  });

  it('seeding twice leaves one copy of each document', async () => {
    const sink = new MongoSink(() => connectMongo({ uri, db: dbName, dataDir: '.etl/unused' }), ours.stored);
    await sink.open();
    try {
      for (let i = 0; i < 2; i++) await seedCatalog({ profile: ours, seed: 3, products: 300, users: 700, reset: false, chunkSize: 128, sink });
      expect(await client.db(dbName).collection('products').countDocuments()).toBe(300);
      expect(await client.db(dbName).collection('users').countDocuments()).toBe(700);
    } finally {
      await sink.close();
    }
  });

  it('the server refuses a field the zod schema does not know (additionalProperties: false)', async () => {
    const sink = new MongoSink(() => connectMongo({ uri, db: dbName, dataDir: '.etl/unused' }), ours.stored);
    await sink.open();
    try {
      const { CatalogGenerator } = await import('../../src/catalog/generate.js');
      const [product] = new CatalogGenerator(9).products(0, 1);
      const r = await sink.write('products', [{ ...product, _id: 'PRD_888888', product_id: 'PRD_888888', surprise: 1 } as never]);
      expect(r.written).toBe(0);
      expect(r.rejected).toHaveLength(1);
    } finally {
      await sink.close();
    }
  });

  it('the server validators accept every generated document and refuse the dirty kinds a schema can express, with reasons', async () => {
    const { generate } = await import('../helpers/engine.js');
    const db = `${dbName}_validators`;
    const sink = new MongoSink(() => connectMongo({ uri, db, dataDir: '.etl/unused' }), ours.stored);
    await sink.open();
    try {
      const records = generate(30_000, { dirtyRate: 0.02 });
      const byCollection = new Map<string, typeof records>();
      for (const r of records) byCollection.set(r.collection, [...(byCollection.get(r.collection) ?? []), r]);
      const refusedByKind = new Map<string, number>();
      const dirtyByKind = new Map<string, number>();
      for (const [collection, recs] of byCollection) {
        const result = await sink.write(collection, recs.map((r) => r.doc as never));
        const refused = new Set(result.rejected.map((x) => x.doc._id));
        for (const r of recs) {
          if (!r.dirty) expect(refused.has(r.doc._id), `${collection} ${r.doc._id}`).toBe(false);
          else {
            dirtyByKind.set(r.dirty, (dirtyByKind.get(r.dirty) ?? 0) + 1);
            if (refused.has(r.doc._id)) refusedByKind.set(r.dirty, (refusedByKind.get(r.dirty) ?? 0) + 1);
          }
        }
        for (const x of result.rejected) expect(x.reasons.length).toBeGreaterThan(0);
      }
      // Arithmetic across fields (final_amount = subtotal − discount + tax + shipping) is checked by zod only.
      for (const kind of ['missing_field', 'wrong_type', 'negative_amount']) {
        expect(dirtyByKind.get(kind), kind).toBeGreaterThan(0);
        expect(refusedByKind.get(kind), kind).toBe(dirtyByKind.get(kind));
      }
    } finally {
      await sink.close();
      await client.db(db).dropDatabase();
    }
  });

  it('kill + --resume into MongoDB equals one uninterrupted run', async () => {
    const { spawn } = await import('node:child_process');
    const { bin, root } = await import('../helpers/cli.js');
    const whole = `${dbName}_whole`;
    const killed = `${dbName}_killed`;
    const args = ['stream', '--uri', uri, '--from', '2026-02-01', '--limit', '150000', '--seed', '21', '--batch-size', '500', '--quiet'];
    expect((await runCli([...args, '--db', whole])).code).toBe(0);
    expect((await runCli(['seed', '--uri', uri, '--db', killed, '--quiet'])).code).toBe(0);
    const child = spawn(process.execPath, [bin, ...args, '--db', killed], { cwd: root, stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await client.db(killed).collection('product_views').estimatedDocumentCount()) < 5000) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect((await runCli([...args, '--db', killed, '--resume'])).code).toBe(0);
    for (const c of ['product_views', 'cart_events', 'transactions', 'user_activities', 'inventory_updates']) {
      const ids = async (db: string) => (await client.db(db).collection(c).find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray()).map((d) => d._id);
      expect(await ids(killed), c).toEqual(await ids(whole));
    }
    await client.db(whole).dropDatabase();
    await client.db(killed).dropDatabase();
  }, 180_000);

  it('the server rejects a document that violates a validator, and the sink reports why', async () => {
    const sink = new MongoSink(() => connectMongo({ uri, db: dbName, dataDir: '.etl/unused' }), ours.stored);
    await sink.open();
    try {
      const bad = { _id: 'PRD_999999', product_id: 'PRD_999999', name: 'x', category: 'Nope', brand: 'b', base_price: -1 };
      const r = await sink.write('products', [bad as never]);
      expect(r.written).toBe(0);
      expect(r.rejected).toHaveLength(1);
      expect(r.rejected[0].reasons.length).toBeGreaterThan(0);
    } finally {
      await sink.close();
    }
  });

  it('etl stream stores what it counts, absorbs a replay as duplicates, and dead-letters dirty records', async () => {
    const db = `${dbName}_stream`;
    const args = ['stream', '--uri', uri, '--db', db, '--from', '2026-02-01', '--limit', '20000', '--seed', '5', '--dirty-rate', '0.01', '--json'];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout.trim().split('\n').pop()!);
    for (const [name, n] of Object.entries(summary.counts.collections) as Array<[string, { written: number; dead_lettered: number }]>) {
      expect(await client.db(db).collection(name).countDocuments()).toBe(n.written);
    }
    const dead = await client.db(db).collection('dead_letters').countDocuments();
    expect(dead).toBe(summary.counts.injectedDirty);
    // The same seed again: every record is already there, nothing is written twice.
    const replay = await runCli(args);
    expect(replay.code).toBe(0);
    const again = JSON.parse(replay.stdout.trim().split('\n').pop()!);
    for (const [name, n] of Object.entries(again.counts.collections) as Array<[string, { written: number; duplicates: number }]>) {
      expect(n.written).toBe(0);
      expect(await client.db(db).collection(name).countDocuments()).toBe(summary.counts.collections[name].written);
    }
    expect(await client.db(db).collection('dead_letters').countDocuments()).toBe(dead);
    const runs = await client.db(db).collection('etl_runs').find().toArray();
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed']);
    await client.db(db).dropDatabase();
  });

  it('etl stats gives the same figures from MongoDB as --from DIR on the same data, and the window stages use indexes', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'etl-it-stats-'));
    const db = `${dbName}_stats`;
    const common = ['--from', '2026-03-01', '--limit', '20000', '--seed', '6', '--quiet'];
    expect((await runCli(['seed', '--uri', uri, '--db', db, '--quiet'])).code).toBe(0);
    expect((await runCli(['seed', '--sink', 'jsonl', '--out', dir, '--quiet'])).code).toBe(0);
    expect((await runCli(['stream', '--uri', uri, '--db', db, ...common])).code).toBe(0);
    expect((await runCli(['stream', '--sink', 'jsonl', '--out', dir, ...common])).code).toBe(0);
    const fromDb = JSON.parse((await runCli(['stats', '--uri', uri, '--db', db, '--json'])).stdout);
    const fromDir = JSON.parse((await runCli(['stats', '--from', dir, '--json'])).stdout);
    // Every figure but the source's name and the run records (their ids and options differ).
    expect({ ...fromDb, source: '', runs: [] }).toEqual({ ...fromDir, source: '', runs: [] });
    const { pipelines } = await import('../../src/reporting/stats.js');
    const w = fromDb.window;
    const plan = await client
      .db(db)
      .collection('transactions')
      .aggregate(pipelines.sales(new Date(w.from), new Date(w.to)))
      .explain();
    expect(JSON.stringify(plan)).toContain('IXSCAN');
    // Oldest/newest walk one end of the time index; low stock reads its index in order: no in-memory sort.
    const indexed: Array<[string, ReturnType<typeof pipelines.lowStock>]> = [
      ['product_views', pipelines.edge('product_views', 1)],
      ['product_views', pipelines.edge('product_views', -1)],
      ['inventory_updates', pipelines.lowStock()],
    ];
    for (const [coll, p] of indexed) {
      const text = JSON.stringify(await client.db(db).collection(coll).aggregate(p).explain());
      expect(text).toContain('IXSCAN');
      expect(text).not.toMatch(/"stage":"SORT"/);
    }
    await client.db(db).dropDatabase();
  });
  it('--profile adaptive-bi: the server applies its own validators and accepts every document; stats agree with --from DIR', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'etl-it-abi-'));
    const db = `${dbName}_abi`;
    const common = ['--profile', 'adaptive-bi', '--from', '2026-03-01', '--limit', '30000', '--seed', '6', '--quiet', '--json'];
    expect((await runCli(['seed', '--profile', 'adaptive-bi', '--uri', uri, '--db', db, '--quiet'])).code).toBe(0);
    expect((await runCli(['seed', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', dir, '--quiet'])).code).toBe(0);
    const streamed = await runCli(['stream', '--uri', uri, '--db', db, ...common]);
    expect(streamed.code, streamed.stderr).toBe(0);
    expect((await runCli(['stream', '--sink', 'jsonl', '--out', dir, ...common])).code).toBe(0);
    const summary = JSON.parse(streamed.stdout.trim().split('\n').pop()!);
    // Nothing refused by the server's validators (they are the design's: bsonType double and int).
    for (const c of Object.values(summary.counts.collections) as Array<{ dead_lettered: number }>) expect(c.dead_lettered).toBe(0);
    const { seed000InitMongo } = await import('../helpers/seed-000.js');
    for (const [name, validator] of Object.entries(seed000InitMongo().validators)) {
      const [info] = await client.db(db).listCollections({ name }).toArray();
      expect((info as unknown as { options: { validator: unknown } }).options.validator).toEqual(validator);
      // The stored documents satisfy it as the server evaluates it.
      expect(await client.db(db).collection(name).countDocuments({ $nor: [validator] })).toBe(0);
      expect(await client.db(db).collection(name).countDocuments()).toBeGreaterThan(0);
    }
    const fromDb = JSON.parse((await runCli(['stats', '--profile', 'adaptive-bi', '--uri', uri, '--db', db, '--json'])).stdout);
    const fromDir = JSON.parse((await runCli(['stats', '--profile', 'adaptive-bi', '--from', dir, '--json'])).stdout);
    expect({ ...fromDb, source: '', runs: [] }).toEqual({ ...fromDir, source: '', runs: [] });
    await client.db(db).dropDatabase();
  });
});
