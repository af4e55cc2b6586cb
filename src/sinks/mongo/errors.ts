import {
  BSON,
  MongoAPIError,
  MongoBulkWriteError,
  MongoClientClosedError,
  MongoError,
  MongoExpiredSessionError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoParseError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
  type WriteError,
} from 'mongodb';

/**
 * The one place where MongoDB driver errors are classified. Everything above the sink
 * sees only these kinds, never driver classes.
 * - transient: try again (network, outage, failover, overload)
 * - auth: the server refused the credentials
 * - forbidden: the credentials are fine but the user lacks a privilege
 * - config: the connection string or an option is wrong
 * - closed: this process closed its own client (retrying on it cannot succeed)
 * - fatal: anything else
 */
export type ErrorKind = 'transient' | 'auth' | 'forbidden' | 'config' | 'closed' | 'fatal';

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
  462, // IngressRequestRateLimitExceeded
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Labels the driver or server put on an error that a retry can fix. */
const transientLabels = ['RetryableWriteError', 'ResetPool', 'PoolRequestedRetry', 'SystemOverloadedError'];

const UNAUTHORIZED = 13;
const AUTHENTICATION_FAILED = 18;
/** Atlas answers many things with 8000 (AtlasError); only some of them are about credentials. */
const ATLAS_ERROR = 8000;

export const DUPLICATE_KEY = 11000;
export const DOCUMENT_VALIDATION_FAILURE = 121;

/**
 * The error a MongoBulkWriteError stands for. Once connected, the driver wraps every failure
 * of insertMany/bulkWrite (network, server selection, pool cleared, a top-level server
 * error) in a MongoBulkWriteError with no write errors; the original is its errorResponse
 * (or cause). Errors with per-document write errors are returned as they are.
 */
export function unwrapBulkError(err: unknown): unknown {
  if (!(err instanceof MongoBulkWriteError) || hasWriteErrors(err)) return err;
  const inner = err.errorResponse instanceof Error ? err.errorResponse : err.cause instanceof Error ? err.cause : undefined;
  return inner && inner !== err ? inner : err;
}

/** True when a bulk error carries per-document write errors (the batch reached the server). */
export function hasWriteErrors(err: MongoBulkWriteError): boolean {
  return Array.isArray(err.writeErrors) ? err.writeErrors.length > 0 : Boolean(err.writeErrors);
}

function codeOf(err: MongoError): number {
  const code = typeof err.code === 'number' ? err.code : Number(err.code);
  return Number.isFinite(code) ? code : 0;
}

/** Classifies any error thrown by a driver call. */
export function classifyError(error: unknown): ErrorKind {
  const wrapper = error instanceof MongoError ? error : undefined;
  const err = unwrapBulkError(error);
  if (!(err instanceof MongoError)) return isSocketError(err) ? 'transient' : 'fatal';
  // A server or driver label that asks for a retry wins over everything but credentials.
  const labelled = transientLabels.some((l) => err.hasErrorLabel(l) || wrapper?.hasErrorLabel(l));
  if (err instanceof MongoParseError) return 'config';
  // Our own client was closed (shutdown): not an outage, and not the user's configuration.
  if (err instanceof MongoTopologyClosedError || err instanceof MongoClientClosedError || err instanceof MongoNotConnectedError || err instanceof MongoExpiredSessionError)
    return 'closed';
  // The driver dropped a server an operation had already selected: a replica-set member removed
  // by reconfig, an Atlas node replaced during maintenance. Another member takes the retry.
  if (err instanceof MongoServerClosedError) return 'transient';
  // Operations waiting for a connection to a member SDAM just dropped (removed by reconfig) get
  // the driver's PoolClosedError, which it neither exports nor retries. Our own client closing
  // does the same; the sink knows when it closed itself and does not retry then.
  if (err.name === 'MongoPoolClosedError') return 'transient';
  if (err instanceof MongoServerSelectionError) return selectionKind(err);
  if (err instanceof MongoNetworkError || err instanceof MongoOperationTimeoutError) return 'transient';
  if (err instanceof MongoAPIError) return 'config';
  const code = codeOf(err);
  if (code === AUTHENTICATION_FAILED) return 'auth';
  if (code === ATLAS_ERROR) return /auth|credential|password/i.test(err.message) ? 'auth' : 'fatal';
  if (code === UNAUTHORIZED) return 'forbidden';
  if (labelled) return 'transient';
  if (err instanceof MongoWriteConcernError || err instanceof MongoServerError || err instanceof MongoBulkWriteError) {
    return transientCodes.has(code) ? 'transient' : 'fatal';
  }
  return 'fatal';
}

/**
 * A selection that timed out: credentials only when a server's own answer was an auth error
 * (the handshake's code 18, or the cause the driver attached), never from words in a host name.
 */
function selectionKind(err: MongoServerSelectionError): ErrorKind {
  const causes: unknown[] = [err.cause];
  for (const server of err.reason?.servers.values() ?? []) causes.push(server.error);
  for (const cause of causes) {
    if (cause instanceof MongoError && codeOf(cause) === AUTHENTICATION_FAILED) return 'auth';
    if (cause instanceof MongoError && codeOf(cause) === UNAUTHORIZED) return 'forbidden';
  }
  return 'transient';
}

/**
 * Node socket errors the driver sometimes passes on unwrapped: a write to a connection the
 * server closed surfaces as a plain Error "This socket has been ended by the other party"
 * (EPIPE), seen when every connection is cut with several batches in flight.
 */
const socketErrorCodes = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

function isSocketError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && socketErrorCodes.has(code);
}

/** The server's code for a command document over the wire's limit (16 MB + 16 KB): the whole message refused. */
export const BSON_OBJECT_TOO_LARGE = 10334;

/**
 * Whether a write command was refused whole before any of it ran, for what it is rather than
 * for what it holds: bson would not encode it (over its buffer), the driver would not send it
 * (an invalid argument), or the server refused the message for its size (10334). Nothing else:
 * an error raised after the server ran it (a write concern error, an answer that could not be
 * read) must not send the batch again another way.
 */
export function refusedBeforeRunning(err: unknown): boolean {
  const e = unwrapBulkError(err);
  if (e instanceof MongoServerError) return codeOf(e) === BSON_OBJECT_TOO_LARGE;
  return e instanceof MongoAPIError || e instanceof RangeError || BSON.BSONError.isBSONError(e);
}

export interface BulkOutcome {
  inserted: number;
  duplicates: number;
  /** Documents the server's validator refused, by batch index, with its explanation. */
  invalid: Array<{ index: number; code: number; message: string; details: unknown }>;
  /** Documents that failed for a transient reason and should be sent again. */
  retryIndexes: number[];
  /** The server's message for the first of them. */
  retryMessage?: string;
  /** A per-document failure that is neither duplicate, validation nor transient. */
  fatal: Array<{ index: number; code: number; message: string }>;
}

/**
 * What one per-document write error means: already stored (a duplicate key), refused by the
 * validator, worth sending again, or refused for another reason.
 */
export type WriteErrorKind = 'duplicate' | 'invalid' | 'transient' | 'refused';

/** The kind of a per-document write error, by its code. */
export function writeErrorKind(code: number): WriteErrorKind {
  if (code === DUPLICATE_KEY) return 'duplicate';
  if (code === DOCUMENT_VALIDATION_FAILURE) return 'invalid';
  return transientCodes.has(code) ? 'transient' : 'refused';
}

/** A per-document write error as the server answers it (the driver's WriteError has the same fields). */
export interface WriteErrorLike {
  index: number;
  code: number;
  errmsg?: string;
  errInfo?: unknown;
}

/** The write errors a MongoBulkWriteError carries. */
export function bulkWriteErrors(err: MongoBulkWriteError): WriteErrorLike[] {
  const we = err.writeErrors as WriteError | readonly WriteError[] | undefined;
  return Array.isArray(we) ? [...(we as readonly WriteError[])] : we ? [we as WriteError] : [];
}

/** The write errors in an `insert` or `update` command's answer (none when it has none). */
export function replyWriteErrors(reply: Record<string, unknown>): WriteErrorLike[] {
  const we = reply.writeErrors;
  if (!Array.isArray(we)) return [];
  return (we as Array<Record<string, unknown>>).map((e) => ({ index: Number(e.index), code: Number(e.code), errmsg: typeof e.errmsg === 'string' ? e.errmsg : undefined, errInfo: e.errInfo }));
}

/**
 * Splits the outcome of an unordered insert into per-document outcomes: its write errors, and
 * `ok`, how many documents the server stored (the answer's `n`, or the driver's total);
 * without a count, every document without an error counts as stored.
 */
export function splitWriteErrors(writeErrors: readonly WriteErrorLike[], ok: number | undefined, batchSize: number): BulkOutcome {
  const out: BulkOutcome = { inserted: 0, duplicates: 0, invalid: [], retryIndexes: [], fatal: [] };
  for (const we of writeErrors) {
    const kind = writeErrorKind(we.code);
    if (kind === 'duplicate') out.duplicates++;
    else if (kind === 'invalid') out.invalid.push({ index: we.index, code: we.code, message: we.errmsg ?? 'Document failed validation', details: we.errInfo });
    else if (kind === 'transient') {
      out.retryIndexes.push(we.index);
      out.retryMessage ??= we.errmsg ?? `write error ${we.code}`;
    } else out.fatal.push({ index: we.index, code: we.code, message: we.errmsg ?? `write error ${we.code}` });
  }
  out.inserted = ok !== undefined && Number.isFinite(ok) ? ok : batchSize - writeErrors.length;
  return out;
}

/** Splits a MongoBulkWriteError of an unordered insert (or upsert) into per-document outcomes. */
export function splitBulkError(err: MongoBulkWriteError, batchSize: number, mode: 'insert' | 'upsert'): BulkOutcome {
  return splitWriteErrors(bulkWriteErrors(err), mode === 'insert' ? err.insertedCount : err.upsertedCount + err.matchedCount, batchSize);
}

/** Where an ordered bulk write stopped: the first (for an ordered write, the only) per-document error. */
export interface OrderedStop {
  /** The index of the operation the server refused; those before it were done. */
  index: number;
  kind: WriteErrorKind;
  code: number;
  message: string;
  details: unknown;
  /** Operations before `index` that matched a document (the driver's totals of what was done). */
  matched: number;
}

/**
 * Where an ordered write of updates stopped: its write errors (the first by index is where the
 * server stopped) and `matched`, how many operations before it matched a document.
 */
export function orderedStopAt(writeErrors: readonly WriteErrorLike[], matched: number): OrderedStop {
  const first = writeErrors.reduce<WriteErrorLike | undefined>((a, we) => (a === undefined || we.index < a.index ? we : a), undefined);
  if (!first) throw new TypeError('orderedStop: an answer without write errors');
  return { index: first.index, kind: writeErrorKind(first.code), code: first.code, message: first.errmsg ?? `write error ${first.code}`, details: first.errInfo, matched: Number.isFinite(matched) ? matched : 0 };
}

/** Where a MongoBulkWriteError of an ordered bulk of updates stopped, and what was matched before. */
export function orderedStop(err: MongoBulkWriteError): OrderedStop {
  return orderedStopAt(bulkWriteErrors(err), err.matchedCount);
}

export { MongoBulkWriteError };
