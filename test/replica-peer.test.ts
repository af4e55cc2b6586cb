import { MongoClient, MongoDriverError, MongoNetworkError, MongoServerClosedError, MongoServerError, MongoServerSelectionError, type TopologyDescription } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReplicaSetPeer, type WirePeer } from './helpers/wire-peer.js';

// The replica-set mode of the wire peer, proved through the real driver: what the driver's
// SDAM, sessions and retryable writes do against it is what they do against a real set.
// Every error asserted here is one the driver threw.

let rs: ReplicaSetPeer;
let client: MongoClient;
let topology: TopologyDescription | undefined;

beforeEach(async () => {
  rs = new ReplicaSetPeer(3);
  await rs.start();
});

afterEach(async () => {
  await client?.close();
  await rs.stop();
});

async function connect(options = ''): Promise<MongoClient> {
  client = new MongoClient(rs.uri(options));
  client.on('topologyDescriptionChanged', (e) => (topology = e.newDescription));
  await client.connect();
  return client;
}

async function until(what: string, ready: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

type Row = { _id: string } & Record<string, unknown>;
const docs = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ _id: `${prefix}${String(i).padStart(3, '0')}`, n: i, cat: i % 3 }));
const inserts = () => rs.store.received.filter((c) => c.name === 'insert');
const nameOf = (m: WirePeer) => `m${rs.members.indexOf(m)}`;
const insertsAt = () => inserts().map((c) => `${nameOf(rs.members.find((m) => m.port === c.port)!)}#${c.txnNumber}`);

describe('a replica set the driver discovers', () => {
  it('finds every member from the seed list, one primary and two secondaries, and uses sessions', async () => {
    await connect();
    await until('all members known', () => [...(topology?.servers.values() ?? [])].filter((s) => s.type !== 'Unknown').length === 3);
    expect(topology!.type).toBe('ReplicaSetWithPrimary');
    expect(topology!.setName).toBe('rs0');
    const types = Object.fromEntries([...topology!.servers.values()].map((s) => [s.address, s.type]));
    expect(types).toEqual({ [rs.members[0].host]: 'RSPrimary', [rs.members[1].host]: 'RSSecondary', [rs.members[2].host]: 'RSSecondary' });
    expect(topology!.logicalSessionTimeoutMinutes).toBe(30);
  });

  it('sends writes to the primary with lsid and a new txnNumber each (retryable writes), reads with readPreference where asked', async () => {
    const coll = (await connect()).db('shop').collection<Row>('c');
    await coll.insertMany(docs(3, 'a'));
    await coll.insertOne({ _id: 'b' });
    const sent = rs.store.bodies.filter((b) => b.insert === 'c');
    expect(sent).toHaveLength(2);
    for (const b of sent) expect(b.lsid).toBeDefined();
    expect(sent.map((b) => Number(b.txnNumber))).toEqual([1, 2]);
    expect(inserts().every((c) => c.port === rs.members[0].port)).toBe(true);
    expect(rs.ids('c')).toEqual(['a000', 'a001', 'a002', 'b']);

    await coll.find({}, { readPreference: 'secondary' }).toArray();
    const find = rs.store.received.filter((c) => c.name === 'find');
    expect(find).toHaveLength(1);
    expect(find[0].port).not.toBe(rs.members[0].port);
  });

  it('a period without a primary: writes wait for one, and fail with MongoServerSelectionError when none comes in time', async () => {
    const coll = (await connect('serverSelectionTimeoutMS=1000')).db('shop').collection<Row>('c');
    await coll.insertOne({ _id: 'x' });
    rs.stepDown();
    await until('the driver to see no primary', () => topology?.type === 'ReplicaSetNoPrimary');
    await expect(coll.insertOne({ _id: 'y' })).rejects.toBeInstanceOf(MongoServerSelectionError);
    const waiting = coll.insertOne({ _id: 'z' });
    rs.elect(rs.members[2]);
    await waiting;
    expect(rs.ids('c')).toEqual(['x', 'z']);
    expect(inserts().at(-1)!.port).toBe(rs.members[2].port);
  });
});

describe('elections and the driver’s own retry', () => {
  it('a write refused by a primary that stepped down (10107, RetryableWriteError) is retried by the driver on the new primary, once', async () => {
    const coll = (await connect()).db('shop').collection<Row>('c');
    await coll.insertOne({ _id: 'warm' });
    const [old, next] = rs.members;
    let refused: Record<string, unknown> | undefined;
    rs.use((cmd, m) => {
      if (cmd.name !== 'insert' || m !== old || refused) return undefined;
      // The primary steps down with this write arriving: it answers as a secondary does.
      rs.stepDown();
      refused = m.defaultReply(cmd);
      setTimeout(() => rs.elect(next), 300);
      return { reply: refused };
    });
    const r = await coll.insertMany(docs(5, 'e'), { ordered: false });
    expect(r.insertedCount).toBe(5);
    // The server's answer carries the label itself: the driver adds it only to network errors.
    expect(refused).toMatchObject({ ok: 0, code: 10107, codeName: 'NotWritablePrimary', errorLabels: ['RetryableWriteError'] });
    expect(insertsAt()).toEqual(['m0#1', 'm0#2', 'm1#2']);
    const [first, retry] = rs.store.bodies.filter((b) => b.insert === 'c' && Number(b.txnNumber) === 2);
    expect(retry.lsid).toEqual(first.lsid);
    expect(rs.ids('c').sort()).toEqual(['e000', 'e001', 'e002', 'e003', 'e004', 'warm']);
    expect(rs.primary).toBe(next);
  });

  it('a write the old primary applied but never answered is answered from the session on the new primary, not applied twice', async () => {
    const coll = (await connect()).db('shop').collection<Row>('c');
    await coll.insertOne({ _id: 'warm' });
    const [old, , next] = rs.members;
    let done = false;
    rs.use((cmd, m) => {
      if (cmd.name !== 'insert' || m !== old || done) return undefined;
      done = true;
      m.defaultReply(cmd); // stored; then the primary steps down and the answer is lost
      rs.stepDown();
      setTimeout(() => rs.elect(next), 300);
      return { cut: 'connection' };
    });
    const r = await coll.insertMany(docs(4, 'f'), { ordered: false });
    expect(r.insertedCount).toBe(4);
    expect(insertsAt()).toEqual(['m0#1', 'm0#2', 'm2#2']);
    expect(rs.store.deduplicated).toMatchObject([{ name: 'insert', collection: 'c', txnNumber: 2, statements: 4 }]);
    expect(rs.ids('c')).toHaveLength(5);
  });

  it('an unordered insert cut after storing 3 of 7: the retried statement applies only the other 4', async () => {
    const coll = (await connect()).db('shop').collection<Row>('c');
    rs.use((cmd) => (cmd.name === 'insert' && cmd.txnNumber === 1 && rs.store.deduplicated.length === 0 && inserts().length === 1 ? { cut: 'connection', applied: 3 } : undefined));
    const r = await coll.insertMany(docs(7, 'p'), { ordered: false });
    expect(r.insertedCount).toBe(7);
    expect(insertsAt()).toEqual(['m0#1', 'm0#1']);
    expect(rs.store.deduplicated).toMatchObject([{ txnNumber: 1, statements: 3 }]);
    expect(rs.ids('c')).toEqual(['p000', 'p001', 'p002', 'p003', 'p004', 'p005', 'p006']);
  });

  it('a new txnNumber is a new statement: the same _id again is a duplicate key (11000), not de-duplicated', async () => {
    const coll = (await connect()).db('shop').collection<Row>('c');
    await coll.insertOne({ _id: 'same' });
    const err = await coll.insertOne({ _id: 'same' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(11000);
    expect(rs.store.deduplicated).toEqual([]);
  });
});

describe('a member removed by reconfig', () => {
  // MongoServerClosedError is thrown only by Server.command (sdam/server.ts) for a Server the
  // topology already closed. SDAM closes the Server of a member the primary no longer lists
  // (updateServers → closeServer) — but it does so before it resolves waiting selections, and
  // an operation goes from selection to Server.command within a few microtasks, fewer than a
  // monitor's next reply takes; so an operation caught by the removal is one waiting for a
  // pooled connection, and what it gets is the pool's MongoPoolClosedError.
  it('an operation waiting for a connection to the dropped member fails with MongoPoolClosedError, not retried by the driver', async () => {
    const c = await connect('maxPoolSize=1');
    let checkouts = 0;
    const [old, next, other] = rs.members;
    c.on('connectionCheckOutStarted', (e) => (checkouts += e.address === old.host ? 1 : 0));
    const coll = c.db('shop').collection<Row>('c');
    await coll.insertOne({ _id: 'warm' });
    let held = 0;
    rs.use((cmd, m) => (cmd.name === 'insert' && m === old && held++ === 0 ? { hang: true } : undefined));
    const first = coll.insertOne({ _id: 'A' });
    await until('the first write to be held', () => held === 1);
    const waitingFrom = checkouts;
    const second = coll.insertOne({ _id: 'B' }).catch((e: unknown) => e);
    await until('the second write to wait for the pool’s one connection', () => checkouts > waitingFrom);
    rs.stepDown();
    await until('the driver to see no primary', () => topology?.type === 'ReplicaSetNoPrimary');
    rs.elect(next);
    await until('the driver to see the new primary', () => topology?.servers.get(next.host)?.type === 'RSPrimary');
    rs.reconfig([next, other]);
    const err = await second;
    expect(err).toBeInstanceOf(MongoDriverError);
    expect(err).not.toBeInstanceOf(MongoServerClosedError);
    expect((err as MongoDriverError).name).toBe('MongoPoolClosedError');
    expect((err as MongoDriverError).errorLabels).toEqual([]);
    expect(topology!.servers.has(old.host)).toBe(false);
    // The removed member drops its connections: the held write fails on the network and the driver retries it on the new primary.
    old.cutAll();
    await first;
    expect(insertsAt()).toEqual(['m0#1', 'm0#2', 'm1#2']);
    expect(rs.ids('c')).toEqual(['warm', 'A']);
    expect(rs.stateOf(old)).toBe('removed');
  });

  it('the removed member answers hello as a removed member does, and refuses reads and writes', async () => {
    await connect();
    const [old, next, other] = rs.members;
    rs.elect(next);
    rs.reconfig([next, other]);
    await until('the driver to drop the member', () => topology?.servers.has(old.host) === false && topology.type === 'ReplicaSetWithPrimary');
    expect([...topology!.servers.keys()].sort()).toEqual([next.host, other.host].sort());
    const direct = new MongoClient(`mongodb://${old.host}/?directConnection=true&serverSelectionTimeoutMS=1000`);
    try {
      const hello = await direct.db('admin').command({ hello: 1 });
      expect(hello).toMatchObject({ isWritablePrimary: false, secondary: false, isreplicaset: true });
      expect(hello.setName).toBeUndefined();
      const err = await direct.db('shop').collection<Row>('c').find({}, { readPreference: 'secondaryPreferred' }).toArray().catch((e: unknown) => e);
      expect((err as MongoServerError).code).toBe(13436);
    } finally {
      await direct.close();
    }
  });
});

describe('find with a filter, sort, projection and batches', () => {
  it('answers the query in batches of batchSize through getMore, and killCursors closes an unfinished cursor', async () => {
    const coll = (await connect()).db('shop').collection<Row>('c');
    const all = docs(30, 'q');
    await coll.insertMany(all);
    const got = await coll
      .find({ n: { $gte: 5, $lt: 25 }, cat: { $in: [0, 2] } }, { projection: { n: 1 }, sort: { n: -1 }, batchSize: 4 })
      .toArray();
    const want = all
      .filter((d) => d.n >= 5 && d.n < 25 && [0, 2].includes(d.cat))
      .sort((a, b) => b.n - a.n)
      .map((d) => ({ _id: d._id, n: d.n }));
    expect(got).toEqual(want);
    expect(want.length).toBe(14);
    expect(rs.store.received.filter((c) => c.name === 'getMore')).toHaveLength(3);

    const cursor = coll.find({ cat: 1 }, { batchSize: 2, projection: { _id: 0, n: 1 } });
    expect(await cursor.next()).toEqual({ n: 1 });
    expect(rs.members[0].openCursors).toBe(1);
    await cursor.close();
    expect(rs.store.received.filter((c) => c.name === 'killCursors')).toHaveLength(1);
    expect(rs.members[0].openCursors).toBe(0);

    expect(await coll.find({ _id: 'q007' }).toArray()).toEqual([all[7]]);
    expect(await coll.find({ n: { $gt: 27 } }, { sort: { _id: 1 }, limit: 1 }).toArray()).toEqual([all[28]]);
  });

  it('refuses an operator it does not know (BadValue), instead of answering wrongly', async () => {
    const coll = (await connect()).db('shop').collection<Row>('c');
    await coll.insertMany(docs(3, 's'));
    const err = await coll.find({ n: { $regex: '^1' } }).toArray().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(2);
  });

  it('a connection cut after the first batch ends the cursor with a MongoNetworkError (a getMore is not retried)', async () => {
    const coll = (await connect()).db('shop').collection<Row>('c');
    await coll.insertMany(docs(10, 'r'));
    rs.members[0].fail('getMore', 1, { cut: 'connection' });
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const d of coll.find({}, { batchSize: 3, sort: { _id: 1 } })) seen.push(d);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoNetworkError);
    expect(seen).toHaveLength(3);
  });
});

describe('createIndexes', () => {
  it('refuses an index whose key exists under another name (85) or whose name exists with another key or options (86)', async () => {
    const coll = (await connect()).db('shop').collection<Row>('c');
    expect(await coll.createIndex({ a: 1 }, { name: 'a_1' })).toBe('a_1');
    expect(await coll.createIndex({ a: 1 }, { name: 'a_1' })).toBe('a_1'); // the same again: nothing to do
    const codeOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (e instanceof MongoServerError ? [e.code, e.codeName] : e));
    expect(await codeOf(coll.createIndex({ a: 1 }, { name: 'other' }))).toEqual([85, 'IndexOptionsConflict']);
    expect(await codeOf(coll.createIndex({ a: 1 }, { name: 'other', unique: true }))).toEqual([85, 'IndexOptionsConflict']);
    expect(await codeOf(coll.createIndex({ a: 1 }, { name: 'a_1', unique: true }))).toEqual([86, 'IndexKeySpecsConflict']);
    expect(await codeOf(coll.createIndex({ b: 1 }, { name: 'a_1' }))).toEqual([86, 'IndexKeySpecsConflict']);
    // A refused request changes nothing, even for the indexes in it that did not conflict.
    expect(await codeOf(coll.createIndexes([{ key: { c: 1 }, name: 'c_1' }, { key: { a: 1 }, name: 'x' }]))).toEqual([85, 'IndexOptionsConflict']);
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'a_1']);
  });
});
