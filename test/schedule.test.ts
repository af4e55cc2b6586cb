import { describe, expect, it } from 'vitest';
import { runSchedule } from '../src/run/schedule.js';
import type { RunSummary } from '../src/run/stream.js';

/** Runs a schedule of `statuses.length` jobs (one a second) whose jobs end as given; returns what each job was told. */
async function jobsTold(statuses: Array<RunSummary['status']>, startSeqs?: Record<string, number>) {
  const calls: Array<[number, number, boolean]> = [];
  const report = await runSchedule({
    cron: '* * * * * *',
    maxJobs: statuses.length,
    startSeqs,
    signal: new AbortController().signal,
    runJob: async (k, seqs, _signal, clean) => {
      const start = seqs['0.1'] ?? 0;
      calls.push([k, start, clean]);
      return { status: statuses[k - 1], checkpoint: { '0.1': start + 10 } } as unknown as RunSummary;
    },
  });
  return { calls, report };
}

describe('runSchedule', () => {
  it('tells each job whether the target can hold records beyond its start: not while every job of a fresh schedule completed, yes for ever after a failed one', async () => {
    const { calls, report } = await jobsTold(['completed', 'completed', 'failed', 'completed']);
    expect(calls).toEqual([
      [1, 0, true],
      [2, 10, true],
      [3, 20, true],
      // A failed job may have written past its checkpoint: the next jobs look, until the end.
      [4, 30, false],
    ]);
    expect(report).toMatchObject({ jobs: 4, failedJobs: 1, stopReason: 'max-jobs', checkpoint: { '0.1': 40 } });
  }, 15_000);

  it('a resumed schedule (a killed run may have written far past the checkpoint) has every job look', async () => {
    const { calls } = await jobsTold(['completed', 'completed'], { '0.1': 100 });
    expect(calls).toEqual([
      [1, 100, false],
      [2, 110, false],
    ]);
  }, 15_000);
});
