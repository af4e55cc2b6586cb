import {
  MongoAPIError,
  MongoBulkWriteError,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
  type WriteError,
} from 'mongodb';

/**
 * The one place where MongoDB driver errors are classified. Everything above the sink
 * sees only these kinds, never driver classes.
 */
export type ErrorKind = 'transient' | 'auth' | 'config' | 'fatal';

/** Server error codes that mean "try again": the node is stepping down, shutting down, unreachable or overloaded. */
const transientCodes = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  64, // WriteConcernFailed (wtimeout)
  89, // NetworkTimeout
  91, // ShutdownInProgress
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
  462, // IngressRequestRateLimitExceeded
]);

const authCodes = new Set([
  13, // Unauthorized
  18, // AuthenticationFailed
  8000, // AtlasError (bad auth)
]);

export const DUPLICATE_KEY = 11000;
export const DOCUMENT_VALIDATION_FAILURE = 121;

/** Classifies any error thrown by a driver call. */
export function classifyError(err: unknown): ErrorKind {
  if (err instanceof MongoParseError || err instanceof MongoAPIError) return 'config';
  if (err instanceof MongoServerSelectionError) {
    // Server selection wraps the real cause; a bad password surfaces here too.
    const reason = String(err.message);
    if (/auth|Authentication failed/i.test(reason)) return 'auth';
    return 'transient';
  }
  if (err instanceof MongoNetworkError || err instanceof MongoNotConnectedError || err instanceof MongoTopologyClosedError) return 'transient';
  if (err instanceof MongoWriteConcernError) return 'transient';
  if (err instanceof MongoError) {
    if (err.hasErrorLabel('RetryableWriteError') || err.hasErrorLabel('ResetPool')) return 'transient';
  }
  if (err instanceof MongoServerError) {
    const code = typeof err.code === 'number' ? err.code : Number(err.code);
    if (authCodes.has(code)) return 'auth';
    if (transientCodes.has(code)) return 'transient';
    return 'fatal';
  }
  return 'fatal';
}

export interface BulkOutcome {
  inserted: number;
  duplicates: number;
  /** Documents the server's validator refused, by batch index, with its explanation. */
  invalid: Array<{ index: number; code: number; message: string; details: unknown }>;
  /** Documents that failed for a transient reason and should be sent again. */
  retryIndexes: number[];
  /** A per-document failure that is neither duplicate, validation nor transient. */
  fatal: Array<{ index: number; code: number; message: string }>;
}

/** Splits a MongoBulkWriteError of an unordered insert into per-document outcomes. */
export function splitBulkError(err: MongoBulkWriteError, batchSize: number, mode: 'insert' | 'upsert'): BulkOutcome {
  const writeErrors: WriteError[] = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : [];
  const out: BulkOutcome = { inserted: 0, duplicates: 0, invalid: [], retryIndexes: [], fatal: [] };
  for (const we of writeErrors) {
    if (we.code === DUPLICATE_KEY) out.duplicates++;
    else if (we.code === DOCUMENT_VALIDATION_FAILURE) out.invalid.push({ index: we.index, code: we.code, message: we.errmsg ?? 'Document failed validation', details: we.errInfo });
    else if (transientCodes.has(we.code)) out.retryIndexes.push(we.index);
    else out.fatal.push({ index: we.index, code: we.code, message: we.errmsg ?? `write error ${we.code}` });
  }
  const ok = mode === 'insert' ? err.insertedCount : err.upsertedCount + err.matchedCount;
  out.inserted = Number.isFinite(ok) ? ok : batchSize - writeErrors.length;
  return out;
}

export { MongoBulkWriteError };
