import { describe, expect, it } from 'vitest';
import { runSchedule } from '../src/run/schedule.js';
import type { RunSummary } from '../src/run/stream.js';

describe('runSchedule', () => {
  it('tells each job whether the one before it completed (then the target holds nothing beyond its checkpoint)', async () => {
    const calls: Array<{ k: number; startSeqs: Record<string, number>; clean: boolean }> = [];
    const statuses: Array<RunSummary['status']> = ['completed', 'failed', 'completed'];
    const report = await runSchedule({
      cron: '* * * * * *',
      maxJobs: 4,
      startSeqs: { '0.1': 100 },
      signal: new AbortController().signal,
      runJob: async (k, startSeqs, _signal, clean) => {
        calls.push({ k, startSeqs, clean });
        const end = startSeqs['0.1'] + 10;
        return { status: statuses[k - 1] ?? 'completed', checkpoint: { '0.1': end } } as unknown as RunSummary;
      },
    });
    // The first job continues a recorded checkpoint (it may have records beyond it); the third follows a failed job.
    expect(calls.map((c) => [c.k, c.startSeqs['0.1'], c.clean])).toEqual([
      [1, 100, false],
      [2, 110, true],
      [3, 120, false],
      [4, 130, true],
    ]);
    expect(report).toMatchObject({ jobs: 4, failedJobs: 1, stopReason: 'max-jobs', checkpoint: { '0.1': 140 } });
  }, 15_000);
});
