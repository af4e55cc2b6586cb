/**
 * Typed errors with a stable `code` and the exit code the CLI maps them to.
 * Only `cli/entry.ts` turns these into a process exit; everything else throws them.
 */

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'ENV_FILE_UNREADABLE'
  | 'OUT_DIR_UNWRITABLE'
  | 'CONNECTION_FAILED'
  | 'AUTH_FAILED'
  | 'SERVER_CONFIG'
  | 'NO_MONGOD_BINARY'
  | 'CATALOG_INVALID'
  | 'RESUME_NOTHING'
  | 'SEED_IN_USE'
  | 'WORK_LOST'
  | 'NO_ANSWER_KEY'
  | 'ANSWERS_DIFFER'
  | 'SINK_FAILED'
  | 'INTERNAL';

/** Exit codes of docs/DESIGN.md ("Commands"): 1 = run finished but lost/rejected work, 2 = usage/config/connection. */
const exitCodes: Record<ErrorCode, 1 | 2> = {
  CONFIG_INVALID: 2,
  ENV_FILE_UNREADABLE: 2,
  OUT_DIR_UNWRITABLE: 2,
  CONNECTION_FAILED: 2,
  AUTH_FAILED: 2,
  SERVER_CONFIG: 2,
  NO_MONGOD_BINARY: 2,
  CATALOG_INVALID: 2,
  RESUME_NOTHING: 2,
  SEED_IN_USE: 2,
  WORK_LOST: 1,
  NO_ANSWER_KEY: 2,
  ANSWERS_DIFFER: 1,
  SINK_FAILED: 1,
  INTERNAL: 1,
};

export class EtlError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: 1 | 2;
  /** Context for logs and tests (never contains secrets: callers redact first). */
  readonly details: Record<string, unknown>;
  /** Extra lines telling the user what to do (printed after the message). */
  readonly hints: string[];

  constructor(code: ErrorCode, message: string, opts: { details?: Record<string, unknown>; hints?: string[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'EtlError';
    this.code = code;
    this.exitCode = exitCodes[code];
    this.details = opts.details ?? {};
    this.hints = opts.hints ?? [];
  }
}

export function isEtlError(err: unknown): err is EtlError {
  return err instanceof EtlError;
}

/** An error as plain data, to cross the worker-thread boundary with its code, hints and details. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  hints: string[];
  details: Record<string, unknown>;
}

/** Any error as plain data; errors that are not EtlErrors become SINK_FAILED (a lost batch). */
export function serializeError(err: unknown): SerializedError {
  if (isEtlError(err)) return { code: err.code, message: err.message, hints: err.hints, details: err.details };
  return { code: 'SINK_FAILED', message: err instanceof Error ? err.message : String(err), hints: [], details: {} };
}

/** The EtlError a worker thread reported, with the same code, exit code, hints and details. */
export function errorFromWorker(e: SerializedError): EtlError {
  return new EtlError(e.code, e.message, { hints: e.hints, details: e.details });
}
