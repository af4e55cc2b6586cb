import { describe, expect, it } from 'vitest';
import { EtlError } from '../src/errors.js';
import { findResumePoint } from '../src/run/resume.js';
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
});
