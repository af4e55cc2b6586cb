import { EtlError } from '../errors.js';
import type { RunRecord } from '../shared/records.js';
import type { Sink } from '../sinks/types.js';

/** Options that change which records a seed produces: a resumed run must use the same. */
export const contentOptions = ['profile', 'mix', 'fraudRate', 'dirtyRate', 'from', 'sessionsPerDay'] as const;
/** What a run recorded before an option existed used. */
const before: Partial<Record<(typeof contentOptions)[number], unknown>> = { profile: 'ecom-etl' };

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
  const previous = await sink.runs.lastRun({ command: 'stream', seed: q.seed, partitions: q.partitions });
  if (!previous) {
    // With a seed, "no checkpoint yet" is checkpoint 0 (a run killed before its first record):
    // start at the beginning. Without one there is nothing to say which stream to continue.
    if (q.seed !== undefined) return { previous: null, seed: q.seed, startSeqs: {} };
    throw new EtlError('RESUME_NOTHING', `--resume: no earlier \`etl stream\` run for partitions ${q.partitions.join(',')} in ${sink.target}. Start one without --resume, or give its --seed.`);
  }
  for (const key of contentOptions) {
    const then = JSON.stringify(previous.options[key] ?? before[key] ?? null);
    const now = JSON.stringify(q.options[key] ?? null);
    if (then !== now) {
      throw new EtlError('CONFIG_INVALID', `--resume: ${key} is ${now} but the run being resumed (${previous._id}) used ${then}. Resume with the same options.`);
    }
  }
  return { previous, seed: previous.seed, startSeqs: { ...previous.checkpoint } };
}
