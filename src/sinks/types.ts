import { EtlError, type ErrorCode } from '../errors.js';
import type { Reason, RunRecord } from '../shared/records.js';
import type { SinkName } from '../config/values.js';
import type { CatalogBuilder, CatalogReading, StoreCatalog } from '../catalog/store-catalog.js';
import type { CollectionSpec } from './mongo/collection-spec.js';

/**
 * Every record has a string _id (business key or derived event id). A target stores it as an
 * ObjectId where the profile says so (`StoredDocuments.objectIds`, applied by `typedDocs` as
 * it encodes): a document it hands back (a refused one) may carry that ObjectId.
 */
export type Doc = { _id: string; [field: string]: unknown };

/** A record the target refused (server-side validation): it goes to dead letters. */
export interface Rejected {
  doc: Doc;
  reasons: Reason[];
}

/** Per-record outcome of one write. Only a lost batch throws. */
export interface WriteResult {
  written: number;
  /** Records already stored (same _id): absorbed, not written again. */
  duplicates: number;
  rejected: Rejected[];
  /** Transient failures that were retried before the batch went through. */
  retries: number;
}

export type WriteMode = 'insert' | 'upsert';

/**
 * An update of a stored document that a record of a change log implies (the living store: an
 * order_events record moves its order, a price change its product). Idempotent: it applies
 * only while `when` holds (e.g. the document's version is below the record's), so a replayed
 * or resumed update changes nothing.
 */
export interface DocUpdate {
  /** The _id of the record it comes from (a refused update is dead-lettered under it). */
  source: string;
  /** The _id of the document to update, as records name it (a target with ObjectId _ids maps it). */
  target: string;
  /** What must hold of the document for the update to apply, besides its _id (a query). */
  when: Record<string, unknown>;
  /** Update operators (`$set`, `$push`, ...) or an aggregation pipeline. */
  update: Record<string, unknown> | Array<Record<string, unknown>>;
}

/**
 * A batch the target gave up on. What of it was settled before (stored, absorbed as
 * duplicates, refused) is in `settled`, so the caller counts it and dead-letters the refusals.
 */
export class LostBatchError extends EtlError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly settled: WriteResult,
    details: Record<string, unknown>,
  ) {
    super(code, message, { details });
  }
}

/** Which stored runs `lastRun` looks for. */
export interface RunFilter {
  command: RunRecord['command'];
  /** Any of these commands instead of `command`. */
  commands?: Array<RunRecord['command']>;
  seed?: number;
  partitions?: string[];
  /** Runs that share at least one of these partitions. */
  anyPartition?: string[];
}

/** A target that keeps `etl_runs`: run records, checkpoints and what `--resume` continues. */
export interface RunStore {
  /**
   * Stores (inserts or replaces) the run record with this _id. A `checkpoint` save is one of
   * many: it gives up after a short while instead of retrying as long as a batch would.
   */
  recordRun(run: RunRecord, kind?: 'checkpoint' | 'final'): Promise<void>;
  /** The newest run record matching the filter. */
  lastRun(filter: RunFilter): Promise<RunRecord | null>;
  /**
   * Before a resumed run writes: records of these partitions already stored beyond their
   * checkpoint (written before a kill, never checkpointed) will count as duplicates.
   * Targets that detect duplicates themselves (MongoDB's unique _id) do not need it. A stop
   * (`signal`) ends it early: the run then stops before writing.
   */
  prepareResume?(seed: number, checkpoint: Record<string, number>, signal?: AbortSignal): Promise<number>;
}

/** A target the catalog can be read back from (`etl stream` sells the stored catalog). */
export interface CatalogReader {
  /**
   * Calls `each` with every stored document of a catalog collection, in `_id` order, with at
   * least `fields` (a projection: nothing else needs to be read). Dates may come as Date or as
   * relaxed Extended JSON (`{"$date": ...}`). Nothing stored: no call.
   */
  eachDocument(collection: 'products' | 'users', fields: readonly string[], each: (doc: Record<string, unknown>) => void): Promise<void>;
  /**
   * Where the target can read its users faster than one document at a time (on every core):
   * into the builder, returning the documents read; undefined when `eachDocument` is as good.
   */
  buildUsers?(builder: CatalogBuilder): Promise<number | undefined>;
  /**
   * The engine's catalog as saved by `saveColumns` beside the stored documents, when those are
   * still exactly what it was built from; undefined when there is none or it is stale (the
   * documents are then read).
   */
  columns?(reading: CatalogReading): Promise<SavedColumns | undefined>;
  /** Saves the engine's catalog, built from the documents stored now, for `columns` to give back. */
  saveColumns?(reading: CatalogReading, saved: SavedColumns): Promise<void>;
}

/** An engine catalog saved beside the documents it was read from, and how many documents those were. */
export interface SavedColumns {
  catalog: StoreCatalog;
  read: { products: number; users: number };
}

/** What a target that retries knows of itself right now, before the batches settle. */
export interface SinkHealth {
  /** Since when (ms since epoch) writes have been failing and being retried; unset while they succeed. */
  failingSince?: number;
  /** Attempts retried since writes started failing. */
  retries: number;
  /** Time writes spent failing in all, ended spells only (ms). */
  failedMs: number;
}

/**
 * Where records go: `open()`, `write()` per collection, `close()` (safe to call twice), and
 * `reset()` to empty collections. Per-record failures come back in the result; only a lost
 * batch throws. What only some targets can do is an optional capability the caller checks
 * for (`runs`, `catalog`), never a check of the sink's class or name.
 */
export interface Sink {
  readonly name: SinkName;
  /** Human description of the target (connection strings redacted). */
  readonly target: string;
  open(): Promise<void>;
  /**
   * Catalog collections are written with mode 'upsert' (by business key = _id). Inserts may
   * come as the target's own encoding of them (`encoder`).
   */
  write(collection: string, docs: Doc[] | EncodedDocs, mode?: WriteMode): Promise<WriteResult>;
  /**
   * Present when the target keeps documents current (MongoDB): applies updates to documents of
   * `collection`, in order. Per update: `written` when it applied, `duplicates` when its
   * document was not there in the state it requires (already applied: a replay), `rejected`
   * when the server refused it (validation), with a document naming the update. Only a lost
   * batch throws. Targets without it store the change log only (files, stdout). The updates
   * whose `source` is in `skip` are not sent (their record was refused).
   */
  update?(collection: string, updates: DocUpdate[] | EncodedUpdates, skip?: ReadonlySet<string>): Promise<WriteResult>;
  /**
   * Present when the target encodes what it sends (MongoDB: BSON): a batch's inserts and
   * updates are encoded as the records are made, a part at a time, and only the encoding waits
   * for the write, not the records (see README, Performance).
   */
  readonly encoder?: Encoder;
  /** Empties these collections (drop and recreate, or truncate files). */
  reset(collections: readonly string[]): Promise<void>;
  close(): Promise<void>;
  /** Present when the target keeps run records (mongo, jsonl). */
  readonly runs?: RunStore;
  /** Present when the catalog can be read back (mongo, jsonl). */
  readonly catalog?: CatalogReader;
  /** True when a catalog is rewritten whole on every seed (files), instead of upserted. */
  readonly rewritesCatalog?: boolean;
  /** Present when the target takes batches encoded on other threads (already validated). */
  readonly preEncoded?: PreEncodedWrites;
  /**
   * Records per write a bulk load should use where the user did not choose (an unpaced
   * backfill): a target with a fixed cost per write (MongoDB: the driver's work per command)
   * spreads it over more records. Absent: --batch-size's default.
   */
  readonly bulkBatchSize?: number;
  /** Present when the target retries failed writes: is it failing now, and for how long. */
  health?(): SinkHealth;
}

/** A target's encoding of documents to insert into one collection, built up by `Encoder.docs`; `write` takes it. */
export interface EncodedDocs {
  /** Documents given so far (those that could not be encoded included: the write refuses them). */
  readonly count: number;
}

/** A target's encoding of updates of one collection, built up by `Encoder.updates`; `update` takes it. */
export interface EncodedUpdates {
  /** The `source` of each update given, in order. */
  readonly sources: readonly string[];
}

/** Encodes what a target will send, on the thread that makes the records, synchronously. */
export interface Encoder {
  /** Encodes `docs` of `collection` after those already in `into` (a new batch without it). */
  docs(collection: string, docs: readonly Doc[], into?: EncodedDocs): EncodedDocs;
  /** Encodes `updates` of `collection` after those already in `into` (a new batch without it). */
  updates(collection: string, updates: readonly DocUpdate[], into?: EncodedUpdates): EncodedUpdates;
}

/**
 * What a target knows of the documents' profile: plain data (worker threads open their sink
 * from it). The target encodes what it writes by it: no caller types or serializes documents.
 */
export interface StoredDocuments {
  /** The event collections the profile writes (a resume scans them). */
  eventCollections: readonly string[];
  /** Fields its validators type as BSON doubles (stored as doubles even when whole), by collection. */
  doubles: Readonly<Record<string, readonly string[]>>;
  /** Its collections' validators and indexes, as MongoDB sets them up. */
  collections: readonly CollectionSpec[];
  /** Collections whose `_id` is stored as an ObjectId made from the document (sinks/object-ids.ts); the others keep theirs. */
  objectIds?: Readonly<Record<string, StoredId>>;
}

/** How a collection's ObjectId `_id` is made. */
export type StoredId =
  /** From a derived record id: the second of the date field `time`, then the record's sequence and partition. */
  | { from: 'record'; time: string }
  /** From a catalog key (`PRD_0042`): the fixed second `at` (s since the epoch), then the key's number. */
  | { from: 'key'; at: number };

/** An encoding of whole batches that can run on any thread (`encodeBatch` in sinks/encoding.ts). */
export type BatchEncoding = 'jsonl';

/**
 * A target that takes batches encoded elsewhere (a large seed encodes on every core): it
 * appends what `encodeBatch(encoding, …)` made, in call order.
 */
export interface PreEncodedWrites {
  readonly encoding: BatchEncoding;
  append(collection: string, bytes: Uint8Array): Promise<void>;
}
