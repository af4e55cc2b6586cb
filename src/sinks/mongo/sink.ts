import { type AnyBulkWriteOperation, BSON, type BSONSerializeOptions, type Collection, type Document, type Filter, WriteConcern } from 'mongodb';
import { EtlError } from '../../errors.js';
import { logger } from '../../log.js';
import { redactText } from '../../redact.js';
import type { Reason, RunRecord } from '../../shared/records.js';
import { type CatalogReader, type Doc, type DocUpdate, type EncodedDocs, type EncodedUpdates, type Encoder, LostBatchError, type Rejected, type RunFilter, type RunStore, type Sink, type SinkHealth, type StoredDocuments, type WriteMode, type WriteResult } from '../types.js';
import { typedDocs } from '../encoding.js';
import { type MongoTarget, ensureCollections } from './connect.js';
import { type BulkOutcome, type ErrorKind, MongoBulkWriteError, type OrderedStop, classifyError, hasWriteErrors, orderedStop, orderedStopAt, refusedBeforeRunning, replyWriteErrors, splitBulkError, splitWriteErrors } from './errors.js';
import { type UpdateStatement, asBulkOps, refusedUpdate, updateOps } from './updates.js';
import { EncodedInserts, EncodedStatements, maxDocumentBytes } from './bson-batch.js';
import { type RetryPolicy, StopRetrying, retry } from './retry.js';

export type { RetryPolicy };

const log = logger('sink');

/** How long one checkpoint save of etl_runs is retried (ms): about a tick. */
const checkpointRetryMs = 1500;

/**
 * Records per write of a backfill into MongoDB (all partitions together) when --batch-size is not
 * given. A batch is one command per collection, and every command costs CPU on both ends (the
 * driver's work, a socket write, an answer to read): fewer, larger commands cost less. A batch
 * is held as its encoding (~0.4 KB a record), not as records, so size costs memory, not GC:
 * 1 M records, 2 workers, into the wire peer, 5,000 → 40,000 cost ~25 % less CPU and ~110 MB
 * more peak RSS (see README, Performance); a collection's command stays a few MB.
 */
export const mongoBulkBatchSize = 40_000;

export const defaultRetryPolicy: RetryPolicy = { retries: 1000, minTimeout: 100, maxTimeout: 5_000, maxRetryTime: 120_000 };

/** The narrow slice of the driver this sink calls: a real Db, or a fake in tests. */
export interface MongoLike {
  collection(name: string): Pick<Collection<Doc>, 'insertMany' | 'bulkWrite' | 'replaceOne' | 'find' | 'drop'>;
  /** Runs a command (Db.command): the stream's inserts and updates go as `insert` and `update` commands. */
  command(command: Document): Promise<Document>;
  /** The client's write concern (Db.writeConcern), sent with those commands as insertMany sends it. */
  readonly writeConcern?: WriteConcern;
  /** The client's BSON options (Db.bsonOptions): what the sink encodes itself is encoded with them. */
  readonly bsonOptions?: BSONSerializeOptions;
}

/** The most operations a server takes in one write command (maxWriteBatchSize); a longer batch goes through the driver's bulk API, which splits it. */
const maxWriteBatchSize = 100_000;

/** For a fake database: documents as they are given, no collection set-up. */
const asGiven: StoredDocuments = { eventCollections: [], doubles: {}, collections: [] };

/**
 * Writes to MongoDB: unordered bulk inserts, duplicate keys absorbed, validator refusals
 * returned as rejects, transient errors retried. Only a lost batch throws.
 */
export class MongoSink implements Sink, RunStore, CatalogReader {
  readonly name = 'mongo' as const;
  readonly runs: RunStore = this;
  readonly catalog: CatalogReader = this;
  readonly bulkBatchSize = mongoBulkBatchSize;
  private conn?: MongoTarget;
  private db?: MongoLike;
  private closed = false;
  private readonly state: SinkHealth = { retries: 0, failedMs: 0 };

  constructor(
    private readonly connect: () => Promise<MongoTarget>,
    /** The profile's documents: its collections' set-up and BSON doubles. */
    private readonly stored: StoredDocuments,
    private readonly policy: RetryPolicy = defaultRetryPolicy,
    private readonly setup = true,
  ) {}

  /** For tests: a sink over a fake database, no connection. */
  static over(db: MongoLike, policy: RetryPolicy = defaultRetryPolicy, stored: StoredDocuments = asGiven): MongoSink {
    const sink = new MongoSink(
      async () => {
        throw new Error('not used');
      },
      stored,
      policy,
      false,
    );
    sink.db = db;
    return sink;
  }

  get target(): string {
    return this.conn?.description ?? 'MongoDB';
  }

  async open(): Promise<void> {
    if (this.db) return;
    this.conn = await this.connect();
    this.db = this.conn.db as unknown as MongoLike;
    if (this.setup) {
      const conn = this.conn;
      const report = await this.retrying('set up the collections', () => ensureCollections(conn.db, this.stored.collections));
      log('setup: %o', report);
    }
  }

  private coll(name: string) {
    if (!this.db) throw new EtlError('INTERNAL', 'MongoSink used before open()');
    return this.db.collection(name);
  }

  async reset(collections: readonly string[]): Promise<void> {
    for (const name of collections) await this.retrying(`drop ${name}`, () => this.coll(name).drop().catch((e: unknown) => (classifyError(e) === 'fatal' ? false : Promise.reject(e))));
    const conn = this.conn;
    if (conn && this.setup) await this.retrying('set up the collections', () => ensureCollections(conn.db, this.stored.collections));
  }

  /** Encodes inserts and updates as they will be sent (BSON), for `write` and `update` to send as they are. */
  readonly encoder: Encoder = {
    docs: (collection, docs, into) => {
      const batch = into instanceof EncodedInserts ? into : new EncodedInserts();
      const options = this.serializeOptions();
      for (const doc of typedDocs(this.stored, collection, docs as Doc[])) if (!batch.bson.add(doc, options)) batch.refused.push(oversized(doc));
      return batch;
    },
    updates: (collection, updates, into) => {
      const batch = into instanceof EncodedStatements ? into : new EncodedStatements();
      const { statements, sent, unsendable } = updateOps(this.stored, collection, updates);
      const options = this.serializeOptions();
      for (const u of updates) batch.sources.push(u.source);
      for (const u of unsendable) batch.unsendable.push({ ...u, source: String(u.doc._id) });
      statements.forEach((statement, i) => {
        // A statement over the size limit cannot be sent: refused as its update is (never, in practice: statements are small).
        if (!batch.bson.add(statement, options)) {
          batch.unsendable.push({ ...oversized(refusedUpdate(sent[i])), source: sent[i].source });
          return;
        }
        batch.statementSources.push(sent[i].source);
        batch.statementTargets.push(sent[i].target);
      });
      return batch;
    },
  };

  async write(collection: string, docs: Doc[] | EncodedDocs, mode: WriteMode = 'insert'): Promise<WriteResult> {
    if (mode === 'upsert') {
      if (!Array.isArray(docs)) throw new EtlError('INTERNAL', `upserts of ${collection} came encoded: they are written as documents`);
      return this.upsert(collection, docs);
    }
    const batch = docs instanceof EncodedInserts ? docs : (this.encoder.docs(collection, docs as Doc[]) as EncodedInserts);
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [...batch.refused], retries: 0 };
    const bson = batch.bson;
    // What is not yet settled (indexes into the batch; all of it at first). A whole-batch failure
    // (network, outage, failover) sends it all again, which is safe: records already stored come
    // back as duplicates and are absorbed. Per-document transient failures send just those
    // documents again, with the same backoff and within the same time budget.
    let pending: number[] = Array.from({ length: bson.length }, (_, i) => i);
    // One `insert` command, its documents as encoded; a batch one command cannot take, or a
    // command refused whole before it ran, goes through insertMany, which splits it.
    let viaBulk = this.unacknowledged() || this.tooLargeForOne(collection, 'inserts', bson.length, bson.byteLength);
    const attempt = async (): Promise<void> => {
      for (;;) {
        if (this.closed) throw closedAbort();
        const sent = pending;
        if (sent.length === 0) return;
        let split: BulkOutcome | undefined;
        try {
          if (!viaBulk) {
            const reply = await this.command({ insert: collection, documents: bson.sequence('documents', sent), ordered: false });
            const writeErrors = replyWriteErrors(reply);
            if (writeErrors.length > 0) split = splitWriteErrors(writeErrors, countOf(reply.n), sent.length);
            else result.written += countOf(reply.n) ?? sent.length;
          } else {
            const r = await this.coll(collection).insertMany(
              sent.map((i) => bson.doc(i, true) as Doc),
              { ordered: false },
            );
            result.written += r.insertedCount;
          }
        } catch (err) {
          if (!(err instanceof MongoBulkWriteError && hasWriteErrors(err))) {
            if (!viaBulk && refusedBeforeRunning(err)) {
              log('insert command into %s refused whole (%s): again through insertMany', collection, firstLine(err));
              viaBulk = true;
              continue;
            }
            throw this.asRetryable(err);
          }
          split = splitBulkError(err, sent.length, 'insert');
        }
        pending = this.unsettled(split, sent, result, (i) => bson.doc(sent[i]) as Doc);
        if (pending.length === 0) return;
        throw transientlyFailed(pending.length, sent.length, split?.retryMessage);
      }
    };
    try {
      return await this.settle(collection, 'inserts', attempt, result, () => pending.length);
    } finally {
      bson.release();
    }
  }

  /**
   * Catalog documents (and the answer key) replace what is stored under their _id, through the
   * driver's bulkWrite, with the same retries, duplicates and refusals as inserts.
   */
  private async upsert(collection: string, docs: Doc[]): Promise<WriteResult> {
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [], retries: 0 };
    let pending = typedDocs(this.stored, collection, docs);
    const attempt = async (): Promise<void> => {
      for (;;) {
        if (this.closed) throw closedAbort();
        const batch = pending;
        if (batch.length === 0) return;
        let split: BulkOutcome | undefined;
        try {
          await this.coll(collection).bulkWrite(upserts(batch), { ordered: false });
          result.written += batch.length;
        } catch (err) {
          if (!(err instanceof MongoBulkWriteError && hasWriteErrors(err))) {
            // The driver refuses a whole batch before sending it when one document is over the
            // BSON size limit (MongoInvalidArgumentError up to 17 MB, bson's RangeError beyond):
            // that document goes to dead letters, the others are sent at once.
            const kind = classifyError(err);
            const fitting = kind === 'config' || kind === 'fatal' ? withoutOversized(batch, result) : batch;
            if (fitting.length < batch.length) {
              pending = fitting;
              continue;
            }
            throw this.asRetryable(err);
          }
          split = splitBulkError(err, batch.length, 'upsert');
        }
        pending = this.unsettled(split, batch, result, (i) => batch[i]);
        if (pending.length === 0) return;
        throw transientlyFailed(pending.length, batch.length, split?.retryMessage);
      }
    };
    return this.settle(collection, 'upserts', attempt, result, () => pending.length);
  }

  /**
   * What of an attempt is left to send again (none: it all settled). A write with per-document
   * errors (`split`) counts what they settled, its refusals (`doc(i)`: the i-th document sent)
   * returned to be dead-lettered; the documents refused transiently are left.
   */
  private unsettled<T>(split: BulkOutcome | undefined, sent: readonly T[], result: WriteResult, doc: (i: number) => Doc): T[] {
    if (!split) {
      this.answered();
      return [];
    }
    // Every document refused transiently (10107 in a stepdown) is no answer yet: still failing.
    if (split.retryIndexes.length < sent.length) this.answered();
    result.written += split.inserted;
    result.duplicates += split.duplicates;
    for (const inv of split.invalid) result.rejected.push({ doc: doc(inv.index), reasons: serverReasons(inv.code, inv.message, inv.details) });
    for (const f of split.fatal) result.rejected.push(rejectedByServer(doc(f.index), f.code, f.message));
    return split.retryIndexes.map((i) => sent[i]);
  }

  /** The client's BSON options for what this sink encodes itself, as the driver would apply them (undefined: null). */
  private serializeOptions(): BSONSerializeOptions {
    return { ignoreUndefined: this.db?.bsonOptions?.ignoreUndefined ?? false, checkKeys: false, serializeFunctions: this.db?.bsonOptions?.serializeFunctions ?? false };
  }

  /**
   * Runs a write's attempts under the retry policy, counting retries in `result`; a write given
   * up on is a lost batch carrying what was settled, and how many of it (`unsettled`) were not.
   */
  private async settle(collection: string, what: string, attempt: () => Promise<void>, result: WriteResult, unsettled: () => number): Promise<WriteResult> {
    try {
      await retry(attempt, this.policy, (e, n) => {
        result.retries++;
        this.failing();
        log('retry %s %s attempt %d: %s', collection, what, n, e.message);
      });
    } catch (err) {
      throw this.lost(collection, unsettled(), err, result);
    }
    return result;
  }

  /**
   * One ordered `update` command of single-document statements (filter `{_id: target, ...when}`,
   * no upsert), so updates of one document apply in the order given. The server stops an ordered
   * write at its first refusal; what follows the refused update is sent again at once, so nothing
   * after a refusal is lost. Counts come from the server's answer: `written` = updates that
   * matched, and `duplicates` = the others that were not refused (their condition did not hold:
   * a replay). A transient failure sends again what is not settled, with the backoff and budget
   * of inserts; that is safe because every update is idempotent, but an update applied by an
   * attempt whose answer was lost (a cut connection) matches nothing when sent again, and is
   * then counted as a duplicate, not as written. A command refused whole (too large) goes again
   * through the driver's bulkWrite, which splits it.
   * @throws LostBatchError when the batch is given up on, with what of it was settled.
   */
  async update(collection: string, updates: DocUpdate[] | EncodedUpdates, skip?: ReadonlySet<string>): Promise<WriteResult> {
    const batch = updates instanceof EncodedStatements ? updates : (this.encoder.updates(collection, updates as DocUpdate[]) as EncodedStatements);
    const bson = batch.bson;
    const sending = (source: string) => skip === undefined || !skip.has(source);
    const result: WriteResult = { written: 0, duplicates: 0, rejected: batch.unsendable.filter((u) => sending(u.source)).map(({ doc, reasons }) => ({ doc, reasons })), retries: 0 };
    // The statements to send (indexes into the batch), and the first of them not yet settled:
    // everything before it was matched, absorbed or refused.
    const order = skip === undefined ? Array.from({ length: bson.length }, (_, i) => i) : batch.statementSources.flatMap((source, i) => (sending(source) ? [i] : []));
    let from = 0;
    let viaBulk = this.unacknowledged() || this.tooLargeForOne(collection, 'updates', order.length, bson.byteLength);
    const attempt = async (): Promise<void> => {
      while (from < order.length) {
        if (this.closed) throw closedAbort();
        const sent = from === 0 ? order : order.slice(from);
        let stop: OrderedStop | undefined;
        let matched = 0;
        try {
          if (!viaBulk) {
            const reply = await this.command({ update: collection, updates: bson.sequence('updates', sent), ordered: true });
            // No upserts: n is the statements that matched (before the stop, when there is one).
            matched = countOf(reply.n) ?? 0;
            const writeErrors = replyWriteErrors(reply);
            if (writeErrors.length > 0) stop = orderedStopAt(writeErrors, matched);
          } else {
            const ops = asBulkOps(sent.map((i) => bson.doc(i, true) as UpdateStatement));
            matched = (await this.coll(collection).bulkWrite(ops, { ordered: true })).matchedCount;
          }
        } catch (err) {
          if (!(err instanceof MongoBulkWriteError && hasWriteErrors(err))) {
            if (!viaBulk && refusedBeforeRunning(err)) {
              log('update command of %s refused whole (%s): again through bulkWrite', collection, firstLine(err));
              viaBulk = true;
              continue;
            }
            throw this.asRetryable(err);
          }
          stop = orderedStop(err);
        }
        if (!stop) {
          result.written += matched;
          result.duplicates += sent.length - matched;
          from = order.length;
          this.answered();
          return;
        }
        result.written += stop.matched;
        result.duplicates += stop.index - stop.matched;
        const at = from + stop.index;
        from = at;
        if (stop.kind === 'transient') {
          // Refused for now (10107 in a stepdown): it and what follows are sent again after a backoff.
          const e = new Error(`update ${at + 1} of ${order.length} failed transiently: ${redactText(stop.message)}`);
          e.name = 'TransientMongoError';
          throw e;
        }
        this.answered();
        const doc = refusedUpdate(batch.update(order[at]));
        result.rejected.push(stop.kind === 'invalid' ? { doc, reasons: serverReasons(stop.code, stop.message, stop.details) } : rejectedByServer(doc, stop.code, stop.message));
        from = at + 1;
      }
    };
    try {
      return await this.settle(collection, 'updates', attempt, result, () => order.length - from);
    } finally {
      bson.release();
    }
  }

  /**
   * Sends an `insert` or `update` command (Db.command) with the client's write concern, its
   * documents or statements a document sequence of the bytes the encoder made (encoded with the
   * client's BSON options: `serializeOptions`); insertMany and bulkWrite would wrap each in an
   * operation, serialize each alone to measure it, copy the bytes together and map the ids back
   * (see README, Performance). The answer carries the per-document write errors; an error
   * answer, a cut connection or a write concern error is thrown by the driver as for any command.
   */
  private command(command: Document): Promise<Document> {
    if (!this.db) throw new EtlError('INTERNAL', 'MongoSink used before open()');
    const wc = this.db.writeConcern;
    return this.db.command(wc ? WriteConcern.apply(command, wc) : command);
  }

  /** Whether a write is more than one command takes (it then goes through the bulk API, which splits it). */
  private tooLargeForOne(collection: string, what: string, count: number, bytes: number): boolean {
    if (count <= maxWriteBatchSize && bytes <= maxCommandDocumentBytes) return false;
    log('%d %s of %s (%d bytes) are more than one command takes: through the bulk API, which splits them', count, what, collection, bytes);
    return true;
  }

  /**
   * Writes with w: 0 in the connection string get no answer: a command refused for its size would
   * go unnoticed, so they take the bulk API, which splits its batches before sending them.
   */
  private unacknowledged(): boolean {
    return this.db?.writeConcern?.w === 0;
  }

  /**
   * A start-up or bookkeeping step (set-up, the catalog read, etl_runs): transient errors are
   * retried as writes are, a missing privilege is one line naming the role.
   * @throws EtlError AUTH_FAILED, or the step's own error when it is neither transient nor about privileges.
   */
  private async retrying<T>(what: string, step: () => Promise<T>, policy: RetryPolicy = this.policy): Promise<T> {
    let failing = '';
    try {
      return await retry(
        async () => {
          if (this.closed) throw closedAbort();
          try {
            const value = await step();
            this.answered();
            return value;
          } catch (err) {
            if (err instanceof EtlError) throw new StopRetrying(err);
            throw this.asRetryable(err);
          }
        },
        policy,
        (e, n) => {
          failing = e.message;
          this.failing();
          log('retry %s attempt %d: %s', what, n, e.message);
        },
      );
    } catch (err) {
      if (err instanceof EtlError) throw err;
      const e = err as Error & { kind?: ErrorKind };
      const message = firstLine(err);
      const db = this.conn?.db.databaseName ?? 'the target database';
      if (e.kind === 'auth') throw new EtlError('AUTH_FAILED', `MongoDB refused the credentials (${what}): ${message}. Check the user and password in MONGODB_URI (or --uri).`);
      if (e.kind === 'forbidden') throw new EtlError('AUTH_FAILED', `The MongoDB user may not ${what} in database ${db}: ${message}. Ask for the readWrite role on ${db}.`);
      if (e.name === 'TransientMongoError') {
        throw new EtlError('CONNECTION_FAILED', `MongoDB stopped answering (${what}), still failing after retrying for ${Math.round(policy.maxRetryTime / 1000)} s: ${failing ? redactText(failing) : message}.`);
      }
      throw Object.assign(new Error(`${what}: ${message}`), { cause: err });
    }
  }

  health(): SinkHealth {
    return { ...this.state };
  }

  /** A transient failure about to be retried: writes are failing from now (if not already). */
  private failing(): void {
    this.state.failingSince ??= Date.now();
    this.state.retries++;
  }

  /** The server answered (even with per-document errors): a failing spell is over. */
  private answered(): void {
    if (this.state.failingSince === undefined) return;
    this.state.failedMs += Date.now() - this.state.failingSince;
    this.state.failingSince = undefined;
    this.state.retries = 0;
  }

  /** Non-transient errors must not be retried: wrap them so the retry loop stops at once. */
  private asRetryable(err: unknown): Error {
    const kind = classifyError(err);
    const message = redactText(err instanceof Error ? err.message : String(err));
    if (kind === 'transient' && !this.closed) {
      const e = new Error(message);
      e.name = 'TransientMongoError';
      return e;
    }
    return new StopRetrying(Object.assign(new Error(message), { kind }));
  }

  /** The error for a batch given up on; what of it was settled before is in `settled`, to be counted. */
  private lost(collection: string, count: number, err: unknown, settled: WriteResult): EtlError {
    if (err instanceof EtlError) return err;
    const e = err as Error & { kind?: ErrorKind };
    const message = firstLine(err);
    const details = { collection, count };
    if (e.kind === 'auth') return new LostBatchError('AUTH_FAILED', `MongoDB refused the credentials while writing ${collection}: ${message}. Check the user and password in MONGODB_URI (or --uri).`, settled, details);
    if (e.kind === 'forbidden') {
      return new LostBatchError('AUTH_FAILED', `The MongoDB user lacks the privilege to write ${collection}: ${message}. Ask for the readWrite role on this database.`, settled, details);
    }
    if (e.kind === 'config') return new LostBatchError('SERVER_CONFIG', `MongoDB rejected the write to ${collection}: ${message}.`, settled, details);
    const why = e.name === 'TransientMongoError' ? `still failing after retrying for ${Math.round(this.policy.maxRetryTime / 1000)} s` : e.kind === 'closed' ? 'the client was closed' : 'not retryable';
    return new LostBatchError('SINK_FAILED', `Lost a batch of ${count} ${collection} records (${why}): ${message}`, settled, details);
  }

  async recordRun(run: RunRecord, kind: 'checkpoint' | 'final' = 'final'): Promise<void> {
    // A checkpoint save is retried for about a tick: the next one carries newer figures anyway.
    const budget = kind === 'checkpoint' ? { ...this.policy, maxRetryTime: checkpointRetryMs } : this.policy;
    await this.retrying('write etl_runs', () => this.coll('etl_runs').replaceOne({ _id: run._id }, run as unknown as Doc, { upsert: true }), budget);
  }

  async lastRun(filter: RunFilter): Promise<RunRecord | null> {
    const q: Record<string, unknown> = { command: filter.commands ? { $in: filter.commands } : filter.command };
    if (filter.seed !== undefined) q.seed = filter.seed;
    if (filter.partitions) q.partitions = filter.partitions;
    if (filter.anyPartition) q.partitions = { $in: filter.anyPartition };
    const docs = await this.retrying('read etl_runs', () => this.coll('etl_runs').find(q).sort({ started_at: -1 }).limit(1).toArray());
    return (docs[0] as unknown as RunRecord | undefined) ?? null;
  }

  /**
   * The catalog with a projection of the fields the engine uses, in large batches, by _id.
   * A read cut midway continues after the last _id received (nothing is read twice).
   */
  async eachDocument(collection: 'products' | 'users', fields: readonly string[], each: (doc: Record<string, unknown>) => void): Promise<void> {
    const projection = Object.fromEntries(fields.map((f) => [f, 1]));
    let after: unknown;
    await this.retrying(`read ${collection}`, async () => {
      // _id may be an ObjectId (a catalog the Adaptive-BI generator stored), not our string type.
      const filter = (after === undefined ? {} : { _id: { $gt: after } }) as Filter<Doc>;
      const cursor = this.coll(collection).find(filter, { projection, batchSize: 10_000 }).sort({ _id: 1 }) as unknown as AsyncIterable<Record<string, unknown>>;
      for await (const doc of cursor) {
        each(doc);
        after = doc._id;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn?.close();
  }
}

/** Stops a retry loop at once: this process closed its own client (a retry on it cannot succeed). */
function closedAbort(): StopRetrying {
  return new StopRetrying(Object.assign(new Error('the MongoDB client was closed'), { kind: 'closed' }));
}

/** A count in a server's answer (a number, or an Int32 or Long from a raw answer); undefined when absent. */
function countOf(n: unknown): number | undefined {
  const v = typeof n === 'number' ? n : n !== null && typeof n === 'object' ? Number(n.valueOf()) : NaN;
  return Number.isFinite(v) ? v : undefined;
}

/** The first line of an error's message, password removed, without a trailing period. */
function firstLine(err: unknown): string {
  return redactText((err as { message?: string } | null)?.message ?? String(err)).split('\n')[0].replace(/\.+$/, '');
}

/**
 * The most bytes of documents one command is sent with, as a document sequence (a server takes
 * messages up to maxMessageSizeBytes, 48,000,000 bytes); a larger batch goes through the bulk
 * API, which splits it by the server's own limits.
 */
const maxCommandDocumentBytes = 32 * 1024 * 1024;

/** The error that sends again the documents of a write that failed transiently. */
function transientlyFailed(pending: number, sent: number, message: string | undefined): Error {
  const e = new Error(`${pending} of ${sent} documents failed transiently: ${redactText(message ?? '')}`);
  e.name = 'TransientMongoError';
  return e;
}

/**
 * The documents of a batch within the size limit; the others are returned in `result.rejected`
 * as a summary (the document itself could not be stored as a dead letter either): its _id,
 * its size, and the size of each top-level field, to show what grew.
 */
function withoutOversized(batch: Doc[], result: WriteResult): Doc[] {
  const fitting: Doc[] = [];
  for (const doc of batch) {
    if (BSON.calculateObjectSize(doc) < maxDocumentBytes) fitting.push(doc);
    else result.rejected.push(oversized(doc));
  }
  return fitting;
}

/** A document over MongoDB's size limit, refused as a summary: its _id, its size, and the size of each top-level field, to show what grew. */
function oversized(doc: Doc): Rejected {
  const bytes = BSON.calculateObjectSize(doc);
  const fields = Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, BSON.calculateObjectSize({ v })]));
  return {
    doc: { _id: doc._id, too_large: true, bytes, fields },
    reasons: [{ path: '', code: 'too_large', message: `the document is ${bytes} bytes of BSON, over MongoDB's limit of ${maxDocumentBytes}` }],
  };
}

/** A per-document refusal that is neither a duplicate nor a validator's: its code, and a summary when it was too large. */
function rejectedByServer(doc: Doc, code: number, message: string): Rejected {
  // A document over the limit in a command that is not (the server answers 2, "object to insert
  // too large", for an insert): a summary, since the document could not be a dead letter either.
  if (BSON.calculateObjectSize(doc) >= maxDocumentBytes) return oversized(doc);
  return { doc, reasons: [{ path: '', code: `server_${code}`, message }] };
}

function upserts(docs: Doc[]): AnyBulkWriteOperation<Doc>[] {
  return docs.map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } }));
}

/** The server's explanation of a validator refusal (errInfo.details), flattened into reasons. */
export function serverReasons(code: number, message: string, details: unknown): Reason[] {
  const reasons: Reason[] = [];
  const walk = (node: unknown, path: string) => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (Array.isArray(n.propertiesNotSatisfied)) {
      for (const p of n.propertiesNotSatisfied as Array<Record<string, unknown>>) walk(p, path ? `${path}.${String(p.propertyName)}` : String(p.propertyName));
    }
    if (Array.isArray(n.missingProperties)) {
      for (const m of n.missingProperties) reasons.push({ path: path ? `${path}.${String(m)}` : String(m), code: 'server_required', message: 'required property missing' });
    }
    if (Array.isArray(n.details)) for (const d of n.details) walk(d, path);
    else if (n.details && typeof n.details === 'object') walk(n.details, path);
    if (typeof n.operatorName === 'string' && !Array.isArray(n.propertiesNotSatisfied) && !Array.isArray(n.missingProperties) && Array.isArray(n.specifiedAs) === false) {
      const reason = typeof n.reason === 'string' ? n.reason : `failed ${n.operatorName}`;
      if (path) reasons.push({ path, code: `server_${n.operatorName}`, message: reason });
    }
    if (Array.isArray(n.schemaRulesNotSatisfied)) for (const r of n.schemaRulesNotSatisfied) walk(r, path);
  };
  walk(details, '');
  if (reasons.length === 0) reasons.push({ path: '', code: `server_${code}`, message });
  return reasons;
}
