import { describe, expect, it } from 'vitest';
import { EtlError } from '../src/errors.js';
import { findResumePoint, recordedClockOrigin } from '../src/run/resume.js';
import type { RunRecord } from '../src/shared/records.js';
import type { Sink } from '../src/sinks/types.js';

/** A target holding one recorded run with these options. */
function targetWith(options: Record<string, unknown>): Sink {
  const run = { _id: 'run-1', seed: 5, options, checkpoint: { '0.1': 1200 } } as unknown as RunRecord;
  return {
    name: 'jsonl',
    target: 'test',
    open: async () => undefined,
    reset: async () => undefined,
    close: async () => undefined,
    write: async () => ({ written: 0, duplicates: 0, rejected: [], retries: 0 }),
    runs: { recordRun: async () => undefined, lastRun: async () => run },
  };
}

const mix = { views: 0.6, cart: 0.3, orders: 0.1 };

describe('--resume keeps the options that decide the records', () => {
  it('a run recorded before profiles existed was of our own profile', async () => {
    const old = targetWith({ mix, fraudRate: 0.02, dirtyRate: 0 });
    await expect(findResumePoint(old, { partitions: ['0.1'], options: { profile: 'ecom-etl', mix, fraudRate: 0.02, dirtyRate: 0 } })).resolves.toMatchObject({ seed: 5, startSeqs: { '0.1': 1200 } });
    const err = (await findResumePoint(old, { partitions: ['0.1'], options: { profile: 'adaptive-bi', mix, fraudRate: 0.02, dirtyRate: 0 } }).catch((e: unknown) => e)) as EtlError;
    expect(err).toBeInstanceOf(EtlError);
    expect(err.message).toBe('--resume: this run has --profile adaptive-bi but the run being resumed (run-1) used --profile ecom-etl: give --profile ecom-etl (a resumed run must make the same records).');
  });

  it('a profile run resumes under the same profile only', async () => {
    const abi = targetWith({ profile: 'adaptive-bi', mix, fraudRate: 0.02, dirtyRate: 0 });
    await expect(findResumePoint(abi, { partitions: ['0.1'], options: { profile: 'adaptive-bi', mix, fraudRate: 0.02, dirtyRate: 0 } })).resolves.toMatchObject({ startSeqs: { '0.1': 1200 } });
    await expect(findResumePoint(abi, { partitions: ['0.1'], options: { profile: 'ecom-etl', mix, fraudRate: 0.02, dirtyRate: 0 } })).rejects.toThrow(/this run has --profile ecom-etl but .* used --profile adaptive-bi/);
  });

  it('live, the pace decides how often visits arrive: a resumed live run keeps it; a backfill may change it (issue 22)', async () => {
    const base = { profile: 'ecom-etl', mix, fraudRate: 0.02, dirtyRate: 0 };
    const live = targetWith({ ...base, rate: 300, batchSize: 500 });
    await expect(findResumePoint(live, { partitions: ['0.1'], options: { ...base, rate: 300, batchSize: 500 } })).resolves.toMatchObject({ startSeqs: { '0.1': 1200 } });
    await expect(findResumePoint(live, { partitions: ['0.1'], options: { ...base, rate: 600, batchSize: 500 } })).rejects.toThrow(
      'this run has --rate 600 but the run being resumed (run-1) used --rate 300: give --rate 300',
    );
    const byInterval = targetWith({ ...base, interval: 2, batchSize: 10 });
    await expect(findResumePoint(byInterval, { partitions: ['0.1'], options: { ...base, interval: 1, batchSize: 5 } })).resolves.toMatchObject({ seed: 5 });
    await expect(findResumePoint(byInterval, { partitions: ['0.1'], options: { ...base, interval: 1, batchSize: 500 } })).rejects.toThrow(/used --interval 2 --batch-size 10/);
    const backfill = targetWith({ ...base, from: '2026-01-01T00:00:00.000Z', rate: 300 });
    await expect(findResumePoint(backfill, { partitions: ['0.1'], options: { ...base, from: '2026-01-01T00:00:00.000Z', rate: 900 } })).resolves.toMatchObject({ seed: 5 });
  });

  it('a live run continues from its recorded clock origin; one recorded without it (an older version) is refused, naming the run (issue 22)', () => {
    const origin = new Date('2026-11-30T16:30:00Z');
    expect(recordedClockOrigin({ _id: 'run-1', clock_origin: origin } as unknown as RunRecord)).toEqual(origin);
    expect(() => recordedClockOrigin({ _id: 'run-old' } as unknown as RunRecord)).toThrow(/run run-old is a live run recorded without its clock origin .* Start a new run/);
  });
});
