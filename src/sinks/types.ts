import type { Reason, RunRecord } from '../shared/records.js';
import type { SinkName } from '../config/values.js';

/** Every stored record has a string _id (business key or derived event id). */
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
 * Where records go. `open()` before use; `close()` is safe to call twice.
 * Catalog collections are written with mode 'upsert' (by business key = _id).
 */
export interface Sink {
  readonly name: SinkName;
  /** Human description of the target (connection strings redacted). */
  readonly target: string;
  open(): Promise<void>;
  /** Empties these collections (drop and recreate, or truncate files). */
  reset(collections: readonly string[]): Promise<void>;
  write(collection: string, docs: Doc[], mode?: WriteMode): Promise<WriteResult>;
  /** Stores (inserts or replaces) the run record with this _id. */
  recordRun(run: RunRecord): Promise<void>;
  /** The newest run record matching the filter, if the target keeps them. */
  lastRun(filter: { command: RunRecord['command']; seed?: number; partitions?: string[] }): Promise<RunRecord | null>;
  /** Reads a stored collection back (catalog for `stream`); undefined if the target keeps nothing. */
  read?(collection: string): AsyncIterable<Doc> | undefined;
  close(): Promise<void>;
}

export function emptyResult(): WriteResult {
  return { written: 0, duplicates: 0, rejected: [], retries: 0 };
}
