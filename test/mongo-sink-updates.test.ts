import { BSON, type Document } from 'bson';
import { describe, expect, it } from 'vitest';
import { MongoSink, type MongoLike, type RetryPolicy } from '../src/sinks/mongo/sink.js';
import { type DocUpdate, LostBatchError } from '../src/sinks/types.js';
import { client, peer, usePeerClient } from './helpers/peer-client.js';
import { abi } from './helpers/profiles.js';

// Sink.update (issue 23, the living store) through the real driver answering a scripted wire
// peer. The peer cannot evaluate a filter: each test's script says which statements matched,
// as the idempotency condition (`when`) would decide on a server.

const fast: RetryPolicy = { retries: 1000, minTimeout: 20, maxTimeout: 200, maxRetryTime: 10_000 };

usePeerClient();

const sink = (policy = fast) => MongoSink.over(client.db('shop') as unknown as MongoLike, policy);

/** Order transitions: order o<i> moves to version i + 2 while it is below. */
const updates = (n: number): DocUpdate[] =>
  Array.from({ length: n }, (_, i) => ({
    source: `ev${i}`,
    target: `o${i}`,
    when: { version: { $lt: i + 2 } },
    update: { $set: { status: 'paid', version: i + 2 }, $push: { status_history: { status: 'paid', at: new Date(Date.UTC(2026, 0, 1, 0, i)) } } },
  }));

/** The update statements of every `update` command the peer received, per command. */
const updateCommands = () => peer.bodies.filter((b) => b.update !== undefined).map((b) => ({ ordered: b.ordered as boolean, statements: b.updates as Document[] }));

/** Answers statements whose target is in `ids` with `answer`. */
const answerFor = (ids: string[], answer: { matched: boolean } | { code: number; errmsg: string; errInfo?: Document }) =>
  peer.updateAnswers.push((s) => (ids.includes(String(s.q._id)) ? answer : undefined));

const validationErrInfo = {
  failingDocumentId: 'o2',
  details: { operatorName: '$jsonSchema', schemaRulesNotSatisfied: [{ operatorName: 'properties', propertiesNotSatisfied: [{ propertyName: 'status', details: [{ operatorName: 'enum', specifiedAs: { enum: ['placed'] }, reason: 'value was not found in enum', consideredValue: 'paid' }] }] }] },
};

describe('MongoSink.update through the real driver', () => {
  it('sends one ordered update command (filter {_id, ...when}, the update as given, no upsert), its statements as a document sequence of their BSON; matched → written, not matched → duplicates', async () => {
    answerFor(['o1', 'o3'], { matched: false });
    const given = updates(5);
    const r = await sink().update('transactions', given);
    expect(r).toEqual({ written: 3, duplicates: 2, rejected: [], retries: 0 });
    const commands = updateCommands();
    expect(commands).toHaveLength(1);
    expect(commands[0].ordered).toBe(true);
    expect(peer.received.filter((c) => c.name === 'update').map((c) => c.sequences)).toEqual([['updates']]);
    expect(commands[0].statements).toEqual(given.map((u) => ({ q: { _id: u.target, ...u.when }, u: u.update, upsert: false })));
    expect(peer.updatesApplied.map((a) => a.q._id)).toEqual(['o0', 'o2', 'o4']);
  });

  it('statements of more than one command takes (over 32 MB in all) go through the driver\'s bulkWrite, which splits them: every update applied once', async () => {
    // Five updates of 7 MB each: 35 MB in all; two fit in one of the bulk API's commands.
    const big = (i: number): DocUpdate => ({ source: `big${i}`, target: `o${i}`, when: {}, update: { $set: { note: 'x'.repeat(7 * 1024 * 1024) } } });
    peer.received.length = 0;
    const r = await sink().update('transactions', [0, 1, 2, 3, 4].map(big));
    expect(r).toEqual({ written: 5, duplicates: 0, rejected: [], retries: 0 });
    const commands = peer.received.filter((c) => c.name === 'update');
    expect(commands.length).toBeGreaterThan(1);
    expect(commands.every((c) => c.sequences?.includes('updates'))).toBe(true);
    expect(peer.updatesApplied.map((a) => a.q._id)).toEqual(['o0', 'o1', 'o2', 'o3', 'o4']);
  }, 30_000);

  it('statements of 16 to 32 MB in all go as one command, a document sequence', async () => {
    const big = (i: number): DocUpdate => ({ source: `big${i}`, target: `o${i}`, when: {}, update: { $set: { note: 'x'.repeat(Math.round(8.3 * 1024 * 1024)) } } });
    peer.received.length = 0;
    const r = await sink().update('transactions', [big(0), big(1)]);
    expect(r).toEqual({ written: 2, duplicates: 0, rejected: [], retries: 0 });
    expect(peer.received.filter((c) => c.name === 'update').map((c) => c.sequences)).toEqual([['updates']]);
    expect(peer.updatesApplied.map((a) => a.q._id)).toEqual(['o0', 'o1']);
  }, 30_000);

  it('a command refused whole before it ran (10334) goes again through bulkWrite, with the statements as they were encoded', async () => {
    peer.received.length = 0;
    peer.fail('update', 1, { error: 10334, codeName: 'BSONObjectTooLarge', errmsg: 'BSONObj size: 16793601 (0x1004001) is invalid. Size must be between 0 and 16793600(16MB)' });
    const given = updates(3);
    const r = await sink().update('transactions', given);
    expect(r).toEqual({ written: 3, duplicates: 0, rejected: [], retries: 0 });
    expect(peer.received.filter((c) => c.name === 'update')).toHaveLength(2);
    expect(peer.updatesApplied.map((a) => a.q)).toEqual(given.map((u) => ({ _id: u.target, ...u.when })));
  });

  it('an update document without operators (it would replace the document) is refused before anything is sent', async () => {
    peer.received.length = 0;
    const replacing: DocUpdate = { source: 'ev9', target: 'o9', when: {}, update: { status: 'paid' } as unknown as DocUpdate['update'] };
    await expect(sink().update('transactions', [updates(1)[0], replacing])).rejects.toThrow(/has no update operators: status/);
    expect(peer.received.filter((c) => c.name === 'update')).toEqual([]);
  });

  it('two updates of one document apply in the order given', async () => {
    const first: DocUpdate = { source: 'ev1', target: 'o1', when: { version: 1 }, update: { $set: { status: 'paid', version: 2 } } };
    const second: DocUpdate = { source: 'ev2', target: 'o1', when: { version: 2 }, update: { $set: { status: 'packed', version: 3 } } };
    const r = await sink().update('transactions', [first, second]);
    expect(r.written).toBe(2);
    expect(peer.updatesApplied.map((a) => a.q.version)).toEqual([1, 2]);
  });

  it('a validator refusal (121) in the middle: refused with the server’s reasons under the record it came from, the updates after it still applied', async () => {
    answerFor(['o2'], { code: 121, errmsg: 'Document failed validation', errInfo: validationErrInfo });
    answerFor(['o0'], { matched: false });
    const given = updates(5);
    const r = await sink().update('transactions', given);
    expect(r).toMatchObject({ written: 3, duplicates: 1, retries: 0 });
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0].doc).toEqual({ _id: 'ev2', target: 'o2', when: given[2].when, update: given[2].update });
    expect(r.rejected[0].reasons).toEqual([expect.objectContaining({ path: 'status', code: 'server_enum', message: 'value was not found in enum' })]);
    // The server stopped at the refusal (ordered); the sink sent what followed it, and only that.
    expect(updateCommands().map((c) => c.statements.map((s) => s.q._id))).toEqual([
      ['o0', 'o1', 'o2', 'o3', 'o4'],
      ['o3', 'o4'],
    ]);
    expect(updateCommands().every((c) => c.ordered)).toBe(true);
    expect(peer.updatesApplied.map((a) => a.q._id)).toEqual(['o1', 'o3', 'o4']);
  });

  it('another per-update error (a unique index, 11000) is a refusal too, not a replay', async () => {
    answerFor(['o1'], { code: 11000, errmsg: 'E11000 duplicate key error collection: shop.users index: email_1' });
    const r = await sink().update('users', updates(3));
    expect(r).toMatchObject({ written: 2, duplicates: 0 });
    expect(r.rejected.map((x) => [x.doc._id, x.reasons[0].code])).toEqual([['ev1', 'server_11000']]);
  });

  it('an update refused transiently (10107 in a stepdown) is sent again with what follows it, after a backoff, until applied', async () => {
    let refusals = 2;
    peer.updateAnswers.push((s) => (s.q._id === 'o2' && refusals-- > 0 ? { code: 10107, errmsg: 'not primary' } : undefined));
    const started = Date.now();
    const r = await sink().update('transactions', updates(4));
    expect(r).toEqual({ written: 4, duplicates: 0, rejected: [], retries: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * fast.minTimeout);
    expect(updateCommands().map((c) => c.statements.map((s) => s.q._id))).toEqual([
      ['o0', 'o1', 'o2', 'o3'],
      ['o2', 'o3'],
      ['o2', 'o3'],
    ]);
    expect(peer.updatesApplied.map((a) => a.q._id)).toEqual(['o0', 'o1', 'o2', 'o3']);
  });

  it('a whole command refused transiently (11602) is retried whole', async () => {
    peer.fail('update', 1, { error: 11602, errmsg: 'operation was interrupted' });
    const r = await sink().update('transactions', updates(3));
    expect(r).toMatchObject({ written: 3, duplicates: 0, retries: 1 });
    expect(updateCommands()).toHaveLength(2);
  });

  it('a connection cut after 2 of 5 were applied: all five sent again; the two applied ones no longer match and count as duplicates', async () => {
    peer.fail('update', 1, { cut: true, applied: 2 });
    // The condition of an applied update no longer holds (its version moved on): it matches nothing again.
    peer.updateAnswers.push((s) => (peer.updatesApplied.some((a) => a.q._id === s.q._id) ? { matched: false } : undefined));
    const r = await sink().update('transactions', updates(5));
    expect(r.written + r.duplicates).toBe(5);
    expect(r).toMatchObject({ written: 3, duplicates: 2, rejected: [] });
    expect(r.retries).toBeGreaterThanOrEqual(1);
    expect(peer.cuts).toBe(1);
    expect(updateCommands().at(-1)!.statements.map((s) => s.q._id)).toEqual(['o0', 'o1', 'o2', 'o3', 'o4']);
    // Each applied once.
    expect(peer.updatesApplied.map((a) => a.q._id).sort()).toEqual(['o0', 'o1', 'o2', 'o3', 'o4']);
  });

  it('a batch given up on throws LostBatchError with what was settled before (applied, refused)', async () => {
    answerFor(['o1'], { code: 121, errmsg: 'Document failed validation' });
    answerFor(['o3'], { code: 10107, errmsg: 'not primary' });
    const err = (await sink({ ...fast, maxRetryTime: 500 }).update('transactions', updates(5)).catch((e: unknown) => e)) as LostBatchError;
    expect(err).toBeInstanceOf(LostBatchError);
    expect(err.code).toBe('SINK_FAILED');
    expect(err.message).toMatch(/Lost a batch of 2 transactions/);
    expect(err.settled).toMatchObject({ written: 2, duplicates: 0 });
    expect(err.settled.rejected.map((x) => x.doc._id)).toEqual(['ev1']);
    expect(err.settled.retries).toBeGreaterThan(0);
  });

  it('a pipeline update is sent as an array of stages', async () => {
    const pipeline = [{ $set: { rating: { $divide: [{ $add: [{ $multiply: ['$rating', '$review_count'] }, 4] }, { $add: ['$review_count', 1] }] } } }, { $set: { review_count: { $add: ['$review_count', 1] } } }];
    const r = await sink().update('products', [{ source: 'rv1', target: 'PRD_000001', when: { last_review: { $lt: 'rv1' } }, update: pipeline }]);
    expect(r.written).toBe(1);
    const [statement] = updateCommands()[0].statements;
    expect(Array.isArray(statement.u)).toBe(true);
    expect(statement.u).toEqual(pipeline);
  });
});

describe('MongoSink.update under the adaptive-bi profile (ObjectId _ids)', () => {
  const abiSink = () => MongoSink.over(client.db('adaptive_bi') as unknown as MongoLike, fast, abi.stored);

  it('names a catalog document by the ObjectId its insert stored, and sends numbers its validator types as doubles as doubles', async () => {
    const target = abiSink();
    await target.write('products', [{ _id: 'PRD_0042', product_id: 'PRD_0042', base_price: 19.5 }], 'upsert');
    const stored = peer.bodies.find((b) => b.update === 'products')!.updates[0] as Document;
    expect(stored.q._id).toBeInstanceOf(BSON.ObjectId);
    peer.rawDocuments.length = 0;
    const r = await target.update('products', [{ source: 'pc1', target: 'PRD_0042', when: { base_price: 19.5 }, update: { $set: { base_price: 20 } } }]);
    expect(r).toMatchObject({ written: 1, rejected: [] });
    const sent = BSON.deserialize(peer.rawDocuments.at(-1)!.bytes, { promoteValues: false });
    expect((sent.q._id as BSON.ObjectId).toHexString()).toBe((stored.q._id as BSON.ObjectId).toHexString());
    expect(sent.q.base_price).toBeInstanceOf(BSON.Double);
    // A whole price: a double still, as the validator requires (not the int32 the driver sends for 20).
    expect(sent.u.$set.base_price).toBeInstanceOf(BSON.Double);
    expect(sent.u.$set.base_price.valueOf()).toBe(20);
  });

  it('a record’s ObjectId needs its timestamp, which an update lacks: refused (unmapped_target), never sent as a string that would match nothing', async () => {
    const r = await abiSink().update('transactions', [
      { source: 'oe1', target: '1-0.1-5', when: { version: 1 }, update: { $set: { version: 2 } } },
    ]);
    expect(r).toMatchObject({ written: 0, duplicates: 0 });
    expect(r.rejected.map((x) => [x.doc._id, x.reasons[0].code])).toEqual([['oe1', 'unmapped_target']]);
    expect(updateCommands()).toEqual([]);
  });
});
