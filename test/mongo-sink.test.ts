import { MongoBulkWriteError, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { EtlError } from '../src/errors.js';
import { classifyError } from '../src/sinks/mongo/errors.js';
import { type MongoLike, MongoSink } from '../src/sinks/mongo/sink.js';
import type { Doc } from '../src/sinks/types.js';

const fast = { retries: 20, minTimeout: 1, maxTimeout: 5, maxRetryTime: 2_000 };
const docs = (n: number): Doc[] => Array.from({ length: n }, (_, i) => ({ _id: `d${i}`, n: i }));

/** A thin fake collection: each call of insertMany takes the next scripted behaviour. */
function fakeDb(script: Array<(batch: Doc[]) => unknown>) {
  const calls: Doc[][] = [];
  const coll = {
    async insertMany(batch: Doc[]) {
      calls.push(batch);
      const step = script.shift();
      const out = step ? step(batch) : { insertedCount: batch.length };
      return out;
    },
  };
  const db = { collection: () => coll } as unknown as MongoLike;
  return { db, calls };
}

/**
 * The driver builds its WriteError (not exported at run time) by wrapping the server's raw
 * write error; this stand-in wraps it the same way, with the same getters.
 */
class WriteError {
  constructor(private readonly err: { index: number; code: number; errmsg?: string; errInfo?: unknown }) {}
  get code() {
    return this.err.code;
  }
  get index() {
    return this.err.index;
  }
  get errmsg() {
    return this.err.errmsg;
  }
  get errInfo() {
    return this.err.errInfo;
  }
}

function bulkError(inserted: number, errors: Array<{ index: number; code: number; errmsg?: string; errInfo?: unknown }>) {
  return new MongoBulkWriteError(
    { message: 'bulk failed', code: errors[0].code, writeErrors: errors.map((e) => new WriteError({ ...e, errmsg: e.errmsg ?? `E${e.code}` })) as never },
    { insertedCount: inserted, matchedCount: 0, modifiedCount: 0, deletedCount: 0, upsertedCount: 0, upsertedIds: {}, insertedIds: {} } as never,
  );
}

describe('MongoSink decisions over the driver’s real error classes', () => {
  it('absorbs and counts duplicate keys from a replayed batch', async () => {
    const { db } = fakeDb([
      () => {
        throw bulkError(8, [
          { index: 2, code: 11000 },
          { index: 5, code: 11000 },
        ]);
      },
    ]);
    const r = await MongoSink.over(db, fast).write('transactions', docs(10));
    expect(r).toMatchObject({ written: 8, duplicates: 2, rejected: [], retries: 0 });
  });

  it('returns server validation failures as rejects with the server’s reason', async () => {
    const errInfo = {
      failingDocumentId: 'd1',
      details: { operatorName: '$jsonSchema', schemaRulesNotSatisfied: [{ operatorName: 'properties', propertiesNotSatisfied: [{ propertyName: 'final_amount', details: [{ operatorName: 'minimum', reason: 'comparison failed' }] }] }] },
    };
    const { db } = fakeDb([
      () => {
        throw bulkError(9, [{ index: 1, code: 121, errmsg: 'Document failed validation', errInfo }]);
      },
    ]);
    const r = await MongoSink.over(db, fast).write('transactions', docs(10));
    expect(r.written).toBe(9);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0].doc._id).toBe('d1');
    expect(r.rejected[0].reasons[0]).toMatchObject({ path: 'final_amount', code: 'server_minimum', message: 'comparison failed' });
  });

  it('retries a network error mid-batch, with the whole batch, until it goes through', async () => {
    const { db, calls } = fakeDb([
      () => {
        throw new MongoNetworkError('connection reset');
      },
      () => {
        throw new MongoNetworkError('connection reset');
      },
    ]);
    const r = await MongoSink.over(db, fast).write('cart_events', docs(5));
    expect(r).toMatchObject({ written: 5, retries: 2 });
    expect(calls).toHaveLength(3);
    expect(calls[2]).toHaveLength(5);
  });

  it('counts documents that went in before a network error as duplicates on the retry', async () => {
    const { db } = fakeDb([
      () => {
        throw new MongoNetworkError('socket closed');
      },
      () => {
        throw bulkError(3, [
          { index: 0, code: 11000 },
          { index: 1, code: 11000 },
        ]);
      },
    ]);
    const r = await MongoSink.over(db, fast).write('cart_events', docs(5));
    expect(r.written + r.duplicates).toBe(5);
    expect(r.duplicates).toBe(2);
  });

  it('retries a server selection timeout', async () => {
    const { db } = fakeDb([
      () => {
        throw new MongoServerSelectionError('Server selection timed out after 30000 ms', {} as never);
      },
    ]);
    expect(await MongoSink.over(db, fast).write('product_views', docs(3))).toMatchObject({ written: 3, retries: 1 });
  });

  it('sends again only the documents that failed for a transient reason', async () => {
    const { db, calls } = fakeDb([
      () => {
        throw bulkError(3, [{ index: 3, code: 91, errmsg: 'ShutdownInProgress' }]);
      },
    ]);
    const r = await MongoSink.over(db, fast).write('product_views', docs(4));
    expect(r.written).toBe(4);
    expect(calls[1].map((d) => d._id)).toEqual(['d3']);
  });

  it('stops at once on an authentication error (exit code 2), no retries', async () => {
    const { db, calls } = fakeDb([
      () => {
        throw new MongoServerError({ message: 'Authentication failed.', code: 18 });
      },
    ]);
    const err = await MongoSink.over(db, fast).write('products', docs(2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EtlError);
    expect((err as EtlError).code).toBe('AUTH_FAILED');
    expect((err as EtlError).exitCode).toBe(2);
    expect(calls).toHaveLength(1);
  });

  it('throws a lost batch (exit 1) after the retry time runs out, with the password redacted', async () => {
    const always = () => {
      throw new MongoNetworkError('connect ECONNREFUSED for mongodb://root:topsecret@db:27017');
    };
    const { db } = fakeDb(Array.from({ length: 100 }, () => always));
    const err = (await MongoSink.over(db, { retries: 3, minTimeout: 1, maxTimeout: 2, maxRetryTime: 1000 })
      .write('orders', docs(2))
      .catch((e: unknown) => e)) as EtlError;
    expect(err.code).toBe('SINK_FAILED');
    expect(err.exitCode).toBe(1);
    expect(err.message).not.toContain('topsecret');
    expect(err.message).toContain('root:****@');
  });
});

describe('classifyError', () => {
  const _ = (name: string, err: unknown, kind: string) => it(`${name} → ${kind}`, () => expect(classifyError(err)).toBe(kind));
  _('network', new MongoNetworkError('x'), 'transient');
  _('server selection', new MongoServerSelectionError('x', {} as never), 'transient');
  _('not primary', new MongoServerError({ message: 'not primary', code: 10107 }), 'transient');
  _('write concern timeout', new MongoServerError({ message: 'waiting for replication timed out', code: 64 }), 'transient');
  _('auth', new MongoServerError({ message: 'Authentication failed.', code: 18 }), 'auth');
  _('unauthorized', new MongoServerError({ message: 'not authorized', code: 13 }), 'auth');
  _('other server error', new MongoServerError({ message: 'bad', code: 2 }), 'fatal');
  _('plain error', new Error('x'), 'fatal');
});
