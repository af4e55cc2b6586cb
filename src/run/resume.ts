import { EtlError } from '../errors.js';
import type { RunRecord } from '../shared/records.js';
import type { Sink } from '../sinks/types.js';

/** Options that change which records a seed produces: a resumed run must use the same. */
export const contentOptions = ['profile', 'mix', 'fraudRate', 'dirtyRate', 'from', 'sessionsPerDay', 'lifecycle', 'scenario'] as const;
/** What a run recorded before an option existed used. */
const before: Partial<Record<(typeof contentOptions)[number], unknown>> = { profile: 'ecom-etl', lifecycle: 'off' };

export interface ResumePoint {
  /** The run continued; null when none was recorded yet (it then starts at the beginning). */
  previous: RunRecord | null;
  seed: number;
  startSeqs: Record<string, number>;
}

/**
 * Finds the run `--resume` continues: the newest `etl stream` run with these partitions
 * (and this seed, when one is given) in the target, and its last checkpoint. With a seed
 * and no recorded run yet, the stream starts at the beginning.
 * @throws EtlError RESUME_NOTHING or CONFIG_INVALID (options that would change the records).
 */
export async function findResumePoint(sink: Sink, q: { seed?: number; partitions: string[]; options: Record<string, unknown> }): Promise<ResumePoint> {
  if (!sink.runs) {
    throw new EtlError('RESUME_NOTHING', `--resume needs a target that keeps run records: use --sink mongo or --sink jsonl (got --sink ${sink.name}).`);
  }
  const previous = await sink.runs.lastRun({ command: 'stream', commands: streamCommands, seed: q.seed, partitions: q.partitions });
  if (!previous) {
    // With a seed, "no checkpoint yet" is checkpoint 0 (a run killed before its first record):
    // start at the beginning. Without one there is nothing to say which stream to continue.
    if (q.seed !== undefined) {
      // The seed ran here with other partitions (another --workers or --partition): starting
      // over would collide with its records, and was not what was meant.
      const other = await sink.runs.lastRun({ command: 'stream', commands: streamCommands, seed: q.seed });
      if (other) {
        throw new EtlError(
          'CONFIG_INVALID',
          `--resume: run ${other._id} of seed ${q.seed} has partitions ${other.partitions.map(partitionLabel).join(', ')}, this one ${q.partitions.map(partitionLabel).join(', ')}. Resume with its --workers/--partition (${describeLayout(other)}).`,
        );
      }
      return { previous: null, seed: q.seed, startSeqs: {} };
    }
    throw new EtlError('RESUME_NOTHING', `--resume: no earlier \`etl stream\` run for partitions ${q.partitions.join(',')} in ${sink.target}. Start one without --resume, or give its --seed.`);
  }
  const [changed] = changedContent(previous, q.options);
  if (changed) {
    throw new EtlError('CONFIG_INVALID', `--resume: this run has ${changed.now} but the run being resumed (${previous._id}) used ${changed.then}: give ${changed.then.startsWith('no ') ? `no --${kebab(changed.key)}` : changed.then} (a resumed run must make the same records).`);
  }
  return { previous, seed: previous.seed, startSeqs: { ...previous.checkpoint } };
}

/** Both commands write a seed's records: a scheduled job's run continues as a stream's does. */
const streamCommands: Array<RunRecord['command']> = ['stream', 'schedule'];

/** The content options whose value differs from what a recorded run used. */
function changedContent(previous: RunRecord, options: Record<string, unknown>): Array<{ key: string; then: string; now: string }> {
  const changed: Array<{ key: string; then: string; now: string }> = contentOptions.flatMap((key) => {
    const then = previous.options[key] ?? before[key] ?? null;
    // Absent now means what it meant then (a stream without the living store is insert-only).
    const now = options[key] ?? before[key] ?? null;
    return JSON.stringify(then) === JSON.stringify(now) ? [] : [{ key, then: asFlag(key, then), now: asFlag(key, now) }];
  });
  // Live, the pace sets how often visits arrive: it decides the records too.
  const [then, now] = [livePace(previous.options), livePace(options)];
  if (then && now && then.perSecond !== now.perSecond) changed.push({ key: 'rate', then: then.flags, now: now.flags });
  return changed;
}

/** A live run's records a second and the flags that gave them (undefined for a backfill or an older record). */
function livePace(o: Record<string, unknown>): { perSecond: number | string; flags: string } | undefined {
  if (o.from !== undefined && o.from !== null) return undefined;
  if (o.rate !== undefined && o.rate !== null) return { perSecond: o.rate as number | string, flags: `--rate ${String(o.rate)}` };
  if (typeof o.batchSize !== 'number' || typeof o.interval !== 'number') return undefined;
  return { perSecond: o.batchSize / o.interval, flags: `--interval ${o.interval} --batch-size ${o.batchSize}` };
}

/** A content option's value as the user types it (`--mix realistic`, `--fraud-rate 0.05`), or "none". */
function asFlag(key: (typeof contentOptions)[number], value: unknown): string {
  if (value === null || value === undefined) return `no --${kebab(key)}`;
  if (key === 'mix' && typeof value === 'object') {
    const m = value as { views: number; cart: number; orders: number; preset?: string };
    return `--mix ${m.preset ?? `views=${Math.round(m.views * 100)},cart=${Math.round(m.cart * 100)},orders=${Math.round(m.orders * 100)}`}`;
  }
  return `--${kebab(key)} ${String(value)}`;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * A new run (not --resume) must not write the ids a recorded run of the same seed already
 * wrote: ids come from (seed, partition, sequence), so it would collide with them (in MongoDB
 * every record a "duplicate", in files the same _id twice with other content).
 * @throws EtlError SEED_IN_USE naming --resume and a new seed, and the options that differ.
 */
export async function refuseSeedInUse(sink: Sink, q: { seed: number; partitions: string[]; options: Record<string, unknown> }): Promise<void> {
  if (!sink.runs) return;
  const previous = await sink.runs.lastRun({ command: 'stream', commands: streamCommands, seed: q.seed, anyPartition: q.partitions });
  if (!previous) return;
  const generated = Object.values(previous.counts).reduce((a, c) => a + c.generated, 0);
  const checkpointed = q.partitions.reduce((a, p) => a + (previous.checkpoint[p] ?? 0), 0);
  // A run that ended having generated nothing left nothing to collide with; one still marked
  // running may have written beyond its last checkpoint.
  if (generated === 0 && checkpointed === 0 && previous.status !== 'running') return;
  const changed = changedContent(previous, q.options).map((c) => `${c.then} then, ${c.now} now`);
  const held = Object.values(previous.checkpoint).reduce((a, n) => a + n, 0);
  throw new EtlError(
    'SEED_IN_USE',
    `Seed ${q.seed} already has records in ${sink.target} (run ${previous._id}, ${previous.command}, ${previous.status}, ${Math.max(held, generated).toLocaleString('en-US')} records, partition${previous.partitions.length > 1 ? 's' : ''} ${previous.partitions.map(partitionLabel).join(', ')}${changed.length ? `; ${changed.join('; ')}` : ''}): continue it with --resume, or use a new seed (another --seed, or none for a random one).`,
  );
}

/**
 * The bounds a resumed run keeps from the run it continues unless new ones are given: its
 * --limit (a total over both runs: the records before the checkpoint count) and its --to.
 * A --duration is this invocation's own wall-clock budget and is not carried over.
 * @throws EtlError CONFIG_INVALID when a --limit given now is below what the run already holds.
 */
export function resumedBounds(previous: RunRecord, given: { limit?: number; to?: Date }, startSeqs: Record<string, number>): { limit?: number; to?: Date } {
  const recordedTo = typeof previous.options.to === 'string' ? new Date(previous.options.to) : undefined;
  const recordedLimit = typeof previous.options.limit === 'number' ? previous.options.limit : undefined;
  const limit = given.limit ?? recordedLimit;
  const held = Object.values(startSeqs).reduce((a, n) => a + n, 0);
  if (given.limit !== undefined && given.limit < held) {
    throw new EtlError(
      'CONFIG_INVALID',
      `--resume --limit ${given.limit}: run ${previous._id} already holds ${held.toLocaleString('en-US')} records, and under --resume --limit is the total of the run. Give a --limit above ${held}${recordedLimit === undefined ? '' : `, or leave it out to keep the run's own (${recordedLimit})`}.`,
    );
  }
  return { limit, to: given.to ?? recordedTo };
}

/** A partition key ("I.N") as the user writes it ("I/N"). */
function partitionLabel(key: string): string {
  return key.replace('.', '/');
}

/** The options that gave a recorded run its partitions. */
function describeLayout(run: RunRecord): string {
  const o = run.options;
  const parts = [`--workers ${typeof o.workers === 'number' ? o.workers : run.partitions.length}`];
  if (typeof o.partition === 'string') parts.push(`--partition ${o.partition}`);
  return parts.join(' ');
}

/**
 * Where a recorded live run's simulated time started: a resumed run (or a restarted schedule)
 * regenerates the stream from it.
 * @throws EtlError CONFIG_INVALID for a live run recorded without it (by an older version).
 */
export function recordedClockOrigin(run: RunRecord): Date {
  if (!run.clock_origin) {
    throw new EtlError('CONFIG_INVALID', `--resume: run ${run._id} is a live run recorded without its clock origin (by an older version): it cannot be continued record for record. Start a new run (another --seed, or none for a random one).`);
  }
  return new Date(run.clock_origin);
}
