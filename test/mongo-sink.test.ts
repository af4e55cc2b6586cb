import { BSON } from 'bson';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { EtlError } from '../src/errors.js';
import { collectionSpecs } from '../src/sinks/mongo/collections.js';
import { ensureCollections } from '../src/sinks/mongo/connect.js';
import { type ErrorKind, classifyError, refusedBeforeRunning } from '../src/sinks/mongo/errors.js';
import { MongoSink, type MongoLike, type RetryPolicy } from '../src/sinks/mongo/sink.js';
import type { Doc } from '../src/sinks/types.js';
import { abiPopulation } from '../src/profiles/adaptive-bi/catalog-documents.js';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { buildStoreCatalog } from '../src/catalog/store-catalog.js';
import { PartitionPipeline } from '../src/run/partition.js';
import { seedCatalog } from '../src/run/seed.js';
import { violations } from './helpers/bson-json-schema.js';
import { seed000InitMongo } from './helpers/seed-000.js';
import { client, peer, usePeerClient } from './helpers/peer-client.js';
import type { PeerReply } from './helpers/wire-peer.js';
import { abi, ours } from './helpers/profiles.js';

// Every error here is thrown by the real mongodb driver, answering a scripted wire peer:
// these are the shapes the sink meets in production (the driver wraps write-time failures
// in MongoBulkWriteError), not hand-built error objects.

const fast: RetryPolicy = { retries: 1000, minTimeout: 20, maxTimeout: 200, maxRetryTime: 20_000 };
const docs = (n: number, prefix = 'd'): Doc[] => Array.from({ length: n }, (_, i) => ({ _id: `${prefix}${i}`, n: i }));

/** A realistic errInfo of a $jsonSchema refusal (MongoDB 5+). */
const validationErrInfo = {
  failingDocumentId: 'd1',
  details: {
    operatorName: '$jsonSchema',
    schemaRulesNotSatisfied: [
      { operatorName: 'properties', propertiesNotSatisfied: [{ propertyName: 'final_amount', details: [{ operatorName: 'minimum', specifiedAs: { minimum: 0 }, reason: 'comparison failed', consideredValue: -5 }] }] },
      { operatorName: 'required', specifiedAs: { required: ['user_id'] }, missingProperties: ['user_id'] },
    ],
  },
};

usePeerClient();

const sink = (policy = fast) => MongoSink.over(client.db('shop') as unknown as MongoLike, policy);

/** The error the driver throws from insertMany for one scripted answer. */
async function driverError(reply: PeerReply): Promise<unknown> {
  peer.fail('insert', 1, reply);
  return client
    .db('shop')
    .collection<Doc>('c')
    .insertMany(docs(2, `x${Math.random()}`), { ordered: false })
    .then(() => undefined, (e: unknown) => e);
}

/** Scripted answers to a write, and the kind each error the driver throws for it must be classified as. */
const table: Array<[string, PeerReply, ErrorKind]> = [
  ['connection cut (a network error; insertMany wraps it in MongoBulkWriteError)', { cut: true }, 'transient'],
  ['no answer within socketTimeoutMS', { hang: true }, 'transient'],
  ['NotWritablePrimary 10107 (stepdown)', { error: 10107, errmsg: 'not primary' }, 'transient'],
  ['InterruptedDueToReplStateChange 11602', { error: 11602, errmsg: 'operation was interrupted' }, 'transient'],
  ['ShutdownInProgress 91', { error: 91, errmsg: 'The server is in quiesce mode and will shut down' }, 'transient'],
  ['a RetryableWriteError label on any code', { error: 2, errmsg: 'x', labels: ['RetryableWriteError'] }, 'transient'],
  ['write concern timeout 64', { reply: { n: 2, writeConcernError: { code: 64, errmsg: 'waiting for replication timed out' } } }, 'transient'],
  ['AuthenticationFailed 18', { error: 18, errmsg: 'Authentication failed.' }, 'auth'],
  ['Unauthorized 13', { error: 13, errmsg: 'not authorized on shop to execute command { insert: "c" }' }, 'forbidden'],
  ['AtlasError 8000 about credentials', { error: 8000, errmsg: 'bad auth : authentication failed' }, 'auth'],
  ['AtlasError 8000 about something else', { error: 8000, errmsg: 'you are over your space quota' }, 'fatal'],
  ['BadValue 2', { error: 2, errmsg: 'bad value' }, 'fatal'],
  ['BSONObjectTooLarge 10334 (a command over the wire limit)', { error: 10334, errmsg: 'BSONObj size: 16793601 (0x1004001) is invalid. Size must be between 0 and 16793600(16MB)' }, 'fatal'],
];

describe('classifyError, on what the driver throws from Db.command (the insert and update commands a stream sends)', () => {
  for (const [name, reply, kind] of table) {
    it(`${name} → ${kind}`, async () => {
      peer.fail('insert', 1, reply);
      const err = await client
        .db('shop')
        .command({ insert: 'c', documents: docs(2, `y${Math.random()}`), ordered: false })
        .then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(classifyError(err)).toBe(kind);
    });
  }
});

describe('refusedBeforeRunning: a write command goes again through the bulk API only when none of it ran', () => {
  const command = (documents: Doc[]) => client.db('shop').command({ insert: 'c', documents, ordered: false }).then(() => undefined, (e: unknown) => e);
  it('the server refusing the message for its size (10334), or bson refusing to encode it: yes', async () => {
    peer.fail('insert', 1, { error: 10334, codeName: 'BSONObjectTooLarge', errmsg: 'BSONObj size: 16793601 (0x1004001) is invalid. Size must be between 0 and 16793600(16MB)' });
    expect(refusedBeforeRunning(await command(docs(2, `t${Math.random()}`)))).toBe(true);
    const overBuffer = await command([{ _id: 'big', payload: 'x'.repeat(17.5 * 1024 * 1024) }]);
    expect(overBuffer).toBeInstanceOf(Error);
    expect(refusedBeforeRunning(overBuffer)).toBe(true);
  });
  it('an error of running it (BadValue), a write concern error after the writes, an outage: no', async () => {
    peer.fail('insert', 1, { error: 2, errmsg: 'bad value' });
    expect(refusedBeforeRunning(await command(docs(2, `u${Math.random()}`)))).toBe(false);
    peer.fail('insert', 1, { reply: { n: 2, writeConcernError: { code: 100, codeName: 'UnsatisfiableWriteConcern', errmsg: 'Not enough data-bearing nodes' } } });
    const wc = await command(docs(2, `v${Math.random()}`));
    expect((wc as Error).name).toBe('MongoWriteConcernError');
    expect(refusedBeforeRunning(wc)).toBe(false);
    peer.fail('insert', 1, { cut: true });
    expect(refusedBeforeRunning(await command(docs(2, `w${Math.random()}`)))).toBe(false);
  });
});

describe('classifyError, on what the driver throws from insertMany', () => {
  for (const [name, reply, kind] of table) {
    it(`${name} → ${kind}`, async () => {
      const err = await driverError(reply);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('MongoBulkWriteError');
      expect(classifyError(err)).toBe(kind);
    });
  }

  it('operations waiting while the pool is cleared (PoolRequestedRetry, no ResetPool) → transient', async () => {
    peer.fail('insert', 1, { cut: true });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((i) => client.db('shop').collection<Doc>('c').insertMany(docs(1, `p${i}`), { ordered: false })));
    const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    // The driver labels only the first cut connection ResetPool; the others are pool-cleared errors.
    expect(errors.some((e) => /pool .* was cleared/i.test(e.message))).toBe(true);
    for (const e of errors) expect(classifyError(e)).toBe('transient');
  });

  it('server unreachable (connection refused, server selection times out) → transient', async () => {
    await peer.refuseFor(3000);
    // The first attempt may meet a pooled connection that died in the cut; the next ones find no server.
    const seen: string[] = [];
    for (let i = 0; i < 3 && !seen.some((m) => /ECONNREFUSED|Server selection/.test(m)); i++) {
      const err = await client.db('shop').collection<Doc>('c').insertMany(docs(1, `r${i}`), { ordered: false }).catch((e: unknown) => e);
      expect(classifyError(err)).toBe('transient');
      seen.push(String((err as Error).message));
    }
    expect(seen.some((m) => /ECONNREFUSED|Server selection/.test(m)), seen.join(' | ')).toBe(true);
  });

  it('a write in flight when this process closes its client → closed (not config, not retried)', async () => {
    const other = new MongoClient(peer.uri());
    await other.connect();
    peer.fail('insert', 1, { hang: true });
    const pending = other.db('shop').collection<Doc>('c').insertMany(docs(1, 'z'), { ordered: false }).catch((e: unknown) => e);
    while (!peer.received.some((c) => c.name === 'insert')) await new Promise((r) => setTimeout(r, 5));
    await other.close();
    const err = await pending;
    expect(err).toBeInstanceOf(Error);
    expect(classifyError(err)).toBe('closed');
  });
});

describe('MongoSink through the real driver', () => {
  it('sends a batch as one insert command, its documents a document sequence of their BSON as encoded; more than a command takes (100,000) go through insertMany, which splits them', async () => {
    peer.received.length = 0;
    peer.bodies.length = 0;
    const given = docs(3, 'one');
    expect(await sink().write('c', given)).toMatchObject({ written: 3, duplicates: 0, rejected: [] });
    const first = peer.received.filter((c) => c.name === 'insert');
    expect(first).toHaveLength(1);
    expect(first[0].sequences).toEqual(['documents']);
    expect(peer.bodies.filter((b) => 'insert' in b)[0].documents).toEqual(given);
    peer.received.length = 0;
    peer.bodies.length = 0;
    const r = await sink().write('c', docs(100_001, 'many'));
    expect(r).toMatchObject({ written: 100_001, duplicates: 0, rejected: [] });
    const sent = peer.bodies.filter((b) => 'insert' in b).map((b) => (b.documents as Doc[]).length);
    expect(peer.received.filter((c) => c.name === 'insert').every((c) => c.sequences?.includes('documents'))).toBe(true);
    expect(sent.reduce((a, n) => a + n, 0)).toBe(100_001);
    expect(sent.length).toBeGreaterThan(1);
    expect(Math.max(...sent)).toBeLessThanOrEqual(100_000);
  }, 60_000);

  it('a command refused whole before it ran (10334) goes again through insertMany, with the documents as they were encoded', async () => {
    peer.received.length = 0;
    peer.bodies.length = 0;
    peer.fail('insert', 1, { error: 10334, codeName: 'BSONObjectTooLarge', errmsg: 'BSONObj size: 16793601 (0x1004001) is invalid. Size must be between 0 and 16793600(16MB)' });
    const given = docs(3, 'refused-whole');
    expect(await sink().write('c', given)).toMatchObject({ written: 3, duplicates: 0, rejected: [], retries: 0 });
    expect(peer.received.filter((c) => c.name === 'insert')).toHaveLength(2);
    expect(peer.bodies.filter((b) => 'insert' in b).at(-1)!.documents).toEqual(given);
  });

  it('a write concern error no retry fixes (100) loses the batch, as insertMany did: the command ran, it is not sent again another way', async () => {
    peer.received.length = 0;
    peer.fail('insert', 1, { reply: { n: 3, writeConcernError: { code: 100, codeName: 'UnsatisfiableWriteConcern', errmsg: 'Not enough data-bearing nodes' } } });
    const err = await sink()
      .write('wc', docs(3, 'wc'))
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(EtlError);
    expect((err as EtlError).message).toMatch(/Lost a batch of 3 wc records \(not retryable\): Not enough data-bearing nodes/);
    expect(peer.received.filter((c) => c.name === 'insert')).toHaveLength(1);
  });

  it('with w: 0 in the connection string (no answers), writes take the bulk API, which splits a batch before sending it', async () => {
    const unacknowledged = new MongoClient(peer.uri('w=0'));
    await unacknowledged.connect();
    try {
      peer.received.length = 0;
      const target = MongoSink.over(unacknowledged.db('shop') as unknown as MongoLike, fast);
      await target.write('w0', docs(3, 'w0'));
      // Nothing answers an unacknowledged write: wait for the peer to have read it.
      for (let i = 0; i < 100 && !peer.received.some((c) => c.name === 'insert'); i++) await new Promise((r) => setTimeout(r, 10));
      const inserts = peer.received.filter((c) => c.name === 'insert');
      expect(inserts).toHaveLength(1);
      expect(inserts[0].sequences).toEqual(['documents']);
      expect(peer.bodies.filter((b) => 'insert' in b).map((b) => b.writeConcern)).toEqual([{ w: 0 }]);
    } finally {
      await unacknowledged.close();
    }
  });

  it('absorbs and counts duplicate keys from a replayed batch', async () => {
    expect(await sink().write('transactions', docs(6))).toMatchObject({ written: 6, duplicates: 0 });
    const r = await sink().write('transactions', docs(10));
    expect(r).toMatchObject({ written: 4, duplicates: 6, rejected: [], retries: 0 });
    expect(peer.ids('transactions')).toHaveLength(10);
  });

  it('returns validator refusals (121) as rejects with the server’s reasons, and stores the rest', async () => {
    peer.documentFaults.push((doc) => (doc._id === 'd1' ? { code: 121, errmsg: 'Document failed validation', errInfo: validationErrInfo } : undefined));
    const r = await sink().write('transactions', docs(10));
    expect(r.written).toBe(9);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0].doc._id).toBe('d1');
    expect(r.rejected[0].reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'final_amount', code: 'server_minimum', message: 'comparison failed' }),
        expect.objectContaining({ path: 'user_id', code: 'server_required' }),
      ]),
    );
  });

  it('re-sends only the documents that failed transiently (10107 per document), with backoff, until stored', async () => {
    let refusals = 3;
    peer.documentFaults.push((doc) => (doc._id === 'd3' && refusals-- > 0 ? { code: 10107, errmsg: 'not primary' } : undefined));
    const started = Date.now();
    const r = await sink().write('product_views', docs(5));
    expect(r).toMatchObject({ written: 5, duplicates: 0, retries: 3 });
    // Three backoffs of at least minTimeout each (jitter only lengthens them).
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * fast.minTimeout);
    const inserts = peer.received.filter((c) => c.name === 'insert');
    expect(inserts).toHaveLength(4);
    expect(peer.ids('product_views').sort()).toEqual(docs(5).map((d) => d._id).sort());
  });

  it('gives up on per-document transient failures when the retry budget is spent (a lost batch, not an endless loop)', async () => {
    peer.documentFaults.push((doc) => (doc._id === 'd0' ? { code: 10107, errmsg: 'not primary' } : undefined));
    const err = (await sink({ ...fast, maxRetryTime: 600 }).write('product_views', docs(3)).catch((e: unknown) => e)) as EtlError;
    expect(err).toBeInstanceOf(EtlError);
    expect(err.code).toBe('SINK_FAILED');
    expect(err.message).toMatch(/Lost a batch of 1 product_views/);
  });

  it('retries a cut connection with the whole batch: what the server applied comes back as duplicates', async () => {
    // The server applies the insert, then the connection dies before the answer.
    let once = true;
    peer.use((cmd, p) => {
      if (cmd.name !== 'insert' || !once) return undefined;
      once = false;
      p.defaultReply(cmd);
      return { cut: true };
    });
    const r = await sink().write('cart_events', docs(5));
    expect(r.written + r.duplicates).toBe(5);
    expect(r.duplicates).toBe(5);
    expect(r.retries).toBeGreaterThanOrEqual(1);
    expect(peer.ids('cart_events')).toHaveLength(5);
  });

  it('rides out an outage longer than serverSelectionTimeoutMS, within the retry budget', async () => {
    await peer.refuseFor(2500);
    const r = await sink().write('orders', docs(3));
    expect(r.written).toBe(3);
    // serverSelectionTimeoutMS is 1 s in peer.uri(): at least two selection timeouts were retried.
    expect(r.retries).toBeGreaterThanOrEqual(2);
  });

  it('stops at once on AuthenticationFailed (exit 2, check credentials), no retries', async () => {
    peer.fail('insert', 1, { error: 18, errmsg: 'Authentication failed.' });
    const err = (await sink().write('products', docs(2)).catch((e: unknown) => e)) as EtlError;
    expect(err).toMatchObject({ code: 'AUTH_FAILED', exitCode: 2 });
    expect(err.message).toMatch(/user and password/);
    expect(peer.received.filter((c) => c.name === 'insert')).toHaveLength(1);
  });

  it('Unauthorized (13) says the user lacks a privilege, not that the password is wrong', async () => {
    peer.fail('insert', 1, { error: 13, errmsg: 'not authorized on shop to execute command' });
    const err = (await sink().write('products', docs(2)).catch((e: unknown) => e)) as EtlError;
    expect(err).toMatchObject({ code: 'AUTH_FAILED', exitCode: 2 });
    expect(err.message).toMatch(/lacks the privilege/);
    expect(err.message).not.toMatch(/password/);
  });

  it('a lost batch after the retry time (exit 1) never shows the password', async () => {
    const secretClient = new MongoClient(peer.uri('socketTimeoutMS=300').replace('mongodb://', 'mongodb://root:topsecret@') + '&authMechanism=PLAIN&authSource=%24external');
    await secretClient.connect();
    try {
      await peer.refuseFor(5000);
      const s = MongoSink.over(secretClient.db('shop') as unknown as MongoLike, { ...fast, maxRetryTime: 1200 });
      const err = (await s.write('orders', docs(2)).catch((e: unknown) => e)) as EtlError;
      expect(err.code).toBe('SINK_FAILED');
      expect(err.exitCode).toBe(1);
      expect(err.message).not.toContain('topsecret');
    } finally {
      await secretClient.close();
    }
  });
});

describe('reading the catalog back through the real driver', () => {
  it('asks for the engine’s fields only (projection) in large batches, by _id, and builds the same columns', async () => {
    const { CatalogGenerator } = await import('../src/catalog/generate.js');
    const { buildStoreCatalog, productFields, userFields } = await import('../src/catalog/store-catalog.js');
    const { loadCatalog } = await import('../src/run/catalog-source.js');
    const g = new CatalogGenerator(4);
    const products = g.products(0, 50);
    const users = g.users(0, 300);
    const s = sink();
    expect((await s.write('products', products as unknown as Doc[], 'upsert')).written).toBe(50);
    expect((await s.write('users', users as unknown as Doc[], 'upsert')).written).toBe(300);
    const loaded = await loadCatalog(s, ours);
    expect(loaded.source).toBe('stored');
    const finds = peer.bodies.filter((b) => b.find === 'users');
    expect(finds).toHaveLength(1);
    expect(Object.keys(finds[0].projection as object).sort()).toEqual([...userFields].sort());
    expect(finds[0].batchSize).toBe(10_000);
    expect(finds[0].sort).toEqual({ _id: 1 });
    expect(Object.keys(peer.bodies.find((b) => b.find === 'products')!.projection as object).sort()).toEqual([...productFields].sort());
    const expected = buildStoreCatalog(products, users);
    expect(Array.from(loaded.catalog.userNumber)).toEqual(Array.from(expected.userNumber));
    expect(Array.from(loaded.catalog.userSignupMs)).toEqual(Array.from(expected.userSignupMs));
    expect(Array.from(loaded.catalog.basePriceCents)).toEqual(Array.from(expected.basePriceCents));
  });
});

describe('ensureCollections through the real driver', () => {
  const specs = collectionSpecs();
  const changes = () => peer.received.filter((c) => ['create', 'collMod', 'createIndexes', 'dropIndexes'].includes(c.name)).map((c) => `${c.name} ${c.collection}`);

  it('creates every collection strict, with additionalProperties: false, and its indexes; a second run changes nothing', async () => {
    const db = client.db('shop');
    const first = await ensureCollections(db, specs);
    expect(first.created).toEqual(specs.map((s) => s.name));
    const tx = peer.collection('transactions')!;
    expect(tx.options).toMatchObject({ validationLevel: 'strict', validationAction: 'error' });
    expect((tx.options.validator as { $jsonSchema: { additionalProperties: unknown } }).$jsonSchema.additionalProperties).toBe(false);
    expect(tx.indexes.map((i) => i.name)).toEqual(['_id_', ...specs.find((s) => s.name === 'transactions')!.indexes.map((i) => i.name)]);
    const before = changes().length;
    const second = await ensureCollections(db, specs);
    expect(second).toEqual({ created: [], validatorsUpdated: [], indexesCreated: [], indexesRebuilt: [] });
    expect(changes()).toHaveLength(before);
  });

  it('restores a changed validationLevel / validationAction and rebuilds an index whose key changed under its name', async () => {
    const db = client.db('shop');
    await ensureCollections(db, specs);
    const spec = specs.find((s) => s.name === 'product_views')!;
    const drifted = spec.indexes.map((i) => (i.name === 'user_time' ? { v: 2, name: 'user_time', key: { user_id: 1 } } : { v: 2, name: i.name, key: i.key }));
    peer.setCollection('product_views', { validator: spec.validator, validationLevel: 'moderate', validationAction: 'warn' }, drifted);
    peer.received.length = 0;
    const report = await ensureCollections(db, specs);
    expect(report.validatorsUpdated).toEqual(['product_views']);
    expect(report.indexesRebuilt).toEqual(['product_views.user_time']);
    expect(changes()).toEqual(['collMod product_views', 'dropIndexes product_views', 'createIndexes product_views']);
    expect(peer.collection('product_views')!.options).toMatchObject({ validationLevel: 'strict', validationAction: 'error' });
    expect(peer.collection('product_views')!.indexes.find((i) => i.name === 'user_time')!.key).toEqual({ user_id: 1, timestamp: -1 });
  });

  it('a user without collMod: one line saying what to ask for when the validator must change; nothing asked when it is right', async () => {
    const db = client.db('shop');
    await ensureCollections(db, specs);
    peer.use((cmd) => (cmd.name === 'collMod' ? { error: 13, errmsg: 'not authorized on shop to execute command { collMod: ... }', codeName: 'Unauthorized' } : undefined));
    // Everything matches: no collMod is sent, so the missing privilege does not matter.
    await expect(ensureCollections(db, specs)).resolves.toMatchObject({ validatorsUpdated: [] });
    const spec = specs.find((s) => s.name === 'users')!;
    peer.setCollection('users', { validator: { $jsonSchema: { bsonType: 'object' } }, validationLevel: 'strict', validationAction: 'error' }, spec.indexes.map((i) => ({ v: 2, name: i.name, key: i.key, ...(i.unique ? { unique: true } : {}) })));
    const err = (await ensureCollections(db, specs).catch((e: unknown) => e)) as EtlError;
    expect(err).toBeInstanceOf(EtlError);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/may not change the validator \(collMod\) on shop\.users: ask for the dbAdmin role/);
    expect(err.message.split('\n')).toHaveLength(1);
  });
});

describe('the adaptive-bi profile through the real driver', () => {
  const abiSpecs = abi.stored.collections;
  const design = seed000InitMongo();

  it('sets up its validators and indexes; a database its own init-mongo.js set up is left as it is', async () => {
    const db = client.db('adaptive_bi');
    const report = await ensureCollections(db, abiSpecs);
    expect(report.created).toEqual(['products', 'users', 'transactions', 'user_activities', 'inventory_updates', 'dead_letters', 'etl_runs']);
    for (const [name, validator] of Object.entries(design.validators)) expect(peer.collection(name)!.options.validator, name).toEqual(validator);
    expect(peer.collection('transactions')!.indexes.map((i) => i.name)).toEqual(['_id_', 'timestamp_-1', 'user_id_1', 'product_id_1', 'category_1', 'is_fraud_1', 'order_id_1', 'session_id_1']);

    // As its init-mongo.js leaves them: validator only (server defaults strict/error), its index names.
    const other = client.db('theirs');
    for (const [name, validator] of Object.entries(design.validators)) {
      const keys = design.indexes[name] ?? [];
      peer.setCollection(name, { validator }, keys.map((i) => ({ v: 2, name: Object.entries(i.key).map(([k, v]) => `${k}_${v}`).join('_'), key: i.key, ...(i.unique ? { unique: true } : {}) })));
    }
    peer.received.length = 0;
    const again = await ensureCollections(other, abiSpecs);
    expect(again.validatorsUpdated).toEqual([]);
    expect(again.indexesRebuilt).toEqual([]);
    expect(peer.received.filter((c) => c.name === 'collMod')).toEqual([]);
  });

  it('what the driver sends passes its validators: whole amounts go out as doubles, counts as int32', async () => {
    const db = client.db('adaptive_bi');
    await ensureCollections(db, abiSpecs);
    const target = MongoSink.over(db as unknown as MongoLike, fast, abi.stored);
    await seedCatalog({ profile: abi, seed: 3, products: 300, users: 2000, reset: false, chunkSize: 1000, sink: target });
    const catalog = buildStoreCatalog(new CatalogGenerator(3, abiPopulation).products(0, 300), new CatalogGenerator(3, abiPopulation).users(0, 2000));
    const job = { runId: 'peer', profile: 'adaptive-bi' as const, seed: 1, partition: { index: 0, count: 1 }, mix: { views: 0.3, cart: 0.3, orders: 0.4 }, fraudRate: 0.05, dirtyRate: 0, fromMs: Date.parse('2026-03-02T00:00:00Z'), startSeq: 0, endSeq: 25_000, pacing: { mode: 'none' as const }, batchSize: 1000, inFlight: 2 };
    const r = await new PartitionPipeline(catalog, abi, target, job, new AbortController().signal).run();
    expect(r.reason).toBe('limit');
    const seen: Record<string, number> = {};
    let wholeDoubles = 0;
    for (const { collection, bytes } of peer.rawDocuments) {
      const validator = design.validators[collection];
      if (!validator) continue;
      const sent = BSON.deserialize(bytes, { promoteValues: false });
      // Catalog documents are upserted: the document is the update's replacement.
      const doc = (collection === 'products' || collection === 'users' ? sent.u : sent) as Record<string, unknown>;
      const wrong = violations(validator.$jsonSchema, doc);
      if (wrong.length > 0) throw new Error(`${collection}: ${wrong.join('; ')}`);
      seen[collection] = (seen[collection] ?? 0) + 1;
      if (collection === 'products' && Number.isInteger(Number((doc.rating as { valueOf(): number }).valueOf()))) wholeDoubles++;
    }
    expect(seen.products).toBe(300);
    expect(seen.users).toBe(2000);
    for (const c of ['transactions', 'user_activities', 'inventory_updates']) expect(seen[c], c).toBeGreaterThan(1000);
    // The case the issue found: whole ratings (4.0), sent as doubles.
    expect(wholeDoubles).toBeGreaterThan(0);
  }, 60_000);

  it('its _ids are ObjectIds made from the records: stamped with their second, in time order, read back and replayed as the same', async () => {
    const db = client.db('adaptive_bi');
    await ensureCollections(db, abiSpecs);
    const target = MongoSink.over(db as unknown as MongoLike, fast, abi.stored);
    await seedCatalog({ profile: abi, seed: 3, products: 300, users: 2000, reset: false, chunkSize: 1000, sink: target });
    // The stream reads the stored catalog back through the driver ({_id: {$gt: last}}, sorted): in the order it was generated.
    const { loadCatalog } = await import('../src/run/catalog-source.js');
    const loaded = await loadCatalog(target, abi);
    expect(loaded.source).toBe('stored');
    const generated = new CatalogGenerator(3, abiPopulation);
    const catalog = buildStoreCatalog(generated.products(0, 300), generated.users(0, 2000));
    expect([...loaded.catalog.productNumber]).toEqual([...catalog.productNumber]);
    expect([...loaded.catalog.userNumber]).toEqual([...catalog.userNumber]);
    const job = { runId: 'peer', profile: 'adaptive-bi' as const, seed: 1, partition: { index: 0, count: 1 }, mix: { views: 0.3, cart: 0.3, orders: 0.4 }, fraudRate: 0.05, dirtyRate: 0, fromMs: Date.parse('2026-03-02T00:00:00Z'), startSeq: 0, endSeq: 25_000, pacing: { mode: 'none' as const }, batchSize: 1000, inFlight: 2 };
    expect((await new PartitionPipeline(loaded.catalog, abi, target, job, new AbortController().signal).run()).reason).toBe('limit');

    const stored: Record<string, Array<{ id: BSON.ObjectId; at: number; key: string }>> = {};
    for (const { collection, bytes } of peer.rawDocuments) {
      if (!design.validators[collection]) continue;
      const sent = BSON.deserialize(bytes);
      const doc = (collection === 'products' || collection === 'users' ? sent.u : sent) as Record<string, unknown>;
      expect(doc._id, collection).toBeInstanceOf(BSON.ObjectId);
      const time = collection === 'products' ? doc.created_at : collection === 'users' ? doc.signup_date : doc.timestamp;
      (stored[collection] ??= []).push({ id: doc._id as BSON.ObjectId, at: (time as Date).getTime(), key: String(doc.product_id ?? doc.user_id ?? '') });
    }
    for (const c of ['transactions', 'user_activities', 'inventory_updates']) {
      const docs = stored[c];
      expect(docs.length, c).toBeGreaterThan(1000);
      for (const d of docs) expect(d.id.getTimestamp().getTime(), c).toBe(Math.floor(d.at / 1000) * 1000);
      // sort({_id: -1}) is the time order, newest first.
      const newestFirst = [...docs].sort((a, b) => b.id.toHexString().localeCompare(a.id.toHexString())).map((d) => d.at);
      expect(newestFirst, c).toEqual([...newestFirst].sort((a, b) => b - a));
      expect(new Set(docs.map((d) => d.id.toHexString())).size, c).toBe(docs.length);
    }
    // The catalog's: one fixed second (the end of the catalog's window), in product_id / user_id order.
    for (const c of ['products', 'users']) {
      const docs = stored[c];
      expect(new Set(docs.map((d) => d.id.getTimestamp().toISOString())), c).toEqual(new Set(['2025-12-31T23:59:59.000Z']));
      expect([...docs].sort((a, b) => a.id.toHexString().localeCompare(b.id.toHexString())).map((d) => d.key), c).toEqual(docs.map((d) => d.key).sort());
    }

    // A replay of the same records (a resumed backfill) is absorbed: every one a duplicate of its ObjectId.
    const again = new PartitionPipeline(loaded.catalog, abi, target, { ...job, runId: 'peer-again', endSeq: 3000 }, new AbortController().signal);
    expect((await again.run()).reason).toBe('limit');
    const counts = Object.values(again.counters.snapshot().collections);
    expect(counts.reduce((n, x) => n + x.duplicates, 0)).toBe(3000);
    expect(counts.reduce((n, x) => n + x.written, 0)).toBe(0);
  }, 60_000);
});
