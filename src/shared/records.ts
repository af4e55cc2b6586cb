import { z } from 'zod';

/** Shapes of the tool's own bookkeeping documents: dead letters and run records. */

export const reasonSchema = z.strictObject({
  path: z.string(),
  code: z.string().min(1),
  message: z.string().min(1),
});
export type Reason = z.infer<typeof reasonSchema>;

export const deadLetterSchema = z.strictObject({
  _id: z.string().min(1),
  run_id: z.string().min(1),
  collection: z.string().min(1),
  stage: z.enum(['validation', 'write']),
  reasons: z.array(reasonSchema).min(1),
  /** How the record was deliberately corrupted (--dirty-rate), null when it was not. */
  injected: z.string().nullable(),
  record: z.record(z.string(), z.unknown()),
  created_at: z.date(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

export const collectionCountsSchema = z.strictObject({
  generated: z.number().int().nonnegative(),
  written: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  dead_lettered: z.number().int().nonnegative(),
});
export type CollectionCounts = z.infer<typeof collectionCountsSchema>;

export const runRecordSchema = z.strictObject({
  _id: z.string().min(1),
  command: z.enum(['seed', 'stream', 'schedule']),
  /** Effective options, connection strings redacted. */
  options: z.record(z.string(), z.unknown()),
  seed: z.number().int().nonnegative(),
  partitions: z.array(z.string()),
  started_at: z.date(),
  ended_at: z.date().nullable(),
  status: z.enum(['running', 'completed', 'interrupted', 'failed']),
  counts: z.record(z.string(), collectionCountsSchema),
  rate: z.number().nonnegative(),
  /** Per partition ("I.N"): highest sequence number whose records are all acknowledged. */
  checkpoint: z.record(z.string(), z.number().int()),
  resumed_from: z.string().nullable(),
  /** Seconds spent reading the catalog before the first record (null: a run of `etl seed`). */
  catalog_load_seconds: z.number().nonnegative().nullable(),
  /** Live time: where the stream's simulated time started (a resumed run regenerates from it); null in a backfill. */
  clock_origin: z.date().nullable().optional(),
  /** Live time: ms from a record's timestamp to the acknowledgement of the write that stored it. */
  latency_ms: z.strictObject({ p50: z.number().nonnegative(), p99: z.number().nonnegative(), max: z.number().nonnegative(), count: z.number().int().nonnegative() }).nullable().optional(),
  /** The run's scenarios (issue 25): each one's window in record time and parameters. */
  scenarios: z
    .array(z.strictObject({ name: z.string().min(1), from: z.date(), to: z.date().nullable(), params: z.record(z.string(), z.union([z.number(), z.string()])), text: z.string().min(1) }))
    .optional(),
  error: z.string().nullable(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

