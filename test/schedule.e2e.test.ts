import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { eventFiles, readDocs } from './helpers/files.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'etl-schedule-'));

describe('etl schedule', () => {
  it('runs jobs on a per-second cron without overlap, counts skipped ticks, and continues one seeded stream', async () => {
    const out = tmp();
    // Each job takes ~1.5 s (3,000 records at 2,000/s), longer than the 1 s tick.
    const r = await runCli(['schedule', '--cron', '* * * * * *', '--limit', '3000', '--rate', '2000', '--max-jobs', '3', '--sink', 'jsonl', '--out', out, '--seed', '77', '--json']);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const jobs = events.filter((e) => e.type === 'job');
    const summary = events.find((e) => e.type === 'summary');
    expect(jobs.map((j) => j.job)).toEqual([1, 2, 3]);
    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
    expect(summary).toMatchObject({ jobs: 3, failedJobs: 0, stopReason: 'max-jobs' });
    expect(summary.skipped).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'skipped')).toHaveLength(summary.skipped);

    // One etl_runs record per job, and no two jobs ran at the same time.
    const latest = new Map<string, Record<string, unknown>>();
    for (const run of readDocs(out, 'etl_runs')) latest.set(String(run._id), run);
    const runs = [...latest.values()].sort((a, b) => (a.started_at as Date).getTime() - (b.started_at as Date).getTime());
    expect(runs).toHaveLength(3);
    for (const run of runs) expect(run).toMatchObject({ command: 'schedule', status: 'completed' });
    for (let i = 1; i < runs.length; i++) expect((runs[i].started_at as Date).getTime()).toBeGreaterThanOrEqual((runs[i - 1].ended_at as Date).getTime());
    expect(runs.map((x) => (x.checkpoint as Record<string, number>)['0.1'])).toEqual([3000, 6000, 9000]);

    // The jobs continue one live stream on one clock: the same origin, ids gapless across jobs
    // (no record twice), and visits open when a job ended go on in the next.
    expect(new Set(runs.map((x) => (x.clock_origin as Date).getTime())).size).toBe(1);
    const seqs = eventFiles.flatMap((c) => readDocs(out, c).map((d) => parseInt(String(d._id).split('-').at(-1)!, 36))).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 9000 }, (_, i) => i));
    const sessionJobs = new Map<string, Set<number>>();
    for (const d of readDocs(out, 'user_activities').concat(readDocs(out, 'product_views'))) {
      const job = Math.floor(parseInt(String(d._id).split('-').at(-1)!, 36) / 3000);
      const set = sessionJobs.get(String(d.session_id)) ?? new Set<number>();
      set.add(job);
      sessionJobs.set(String(d.session_id), set);
    }
    expect([...sessionJobs.values()].filter((jobsOf) => jobsOf.size > 1).length).toBeGreaterThan(0);
  });

  const bad = (args: string[], message: RegExp) =>
    it(`refuses ${args.join(' ')} with exit 2`, async () => {
      const r = await runCli(['schedule', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  bad(['--cron', 'not a cron', '--limit', '10'], /Invalid --cron: "not a cron" is not a cron expression.*Example: --cron "\*\/5 \* \* \* \*"/);
  bad(['--cron', '61 * * * *', '--limit', '10'], /Invalid --cron: "61 \* \* \* \*"/);
  bad(['--limit', '10'], /needs --cron/);
  bad(['--cron', '* * * * *'], /needs a bound for each job/);
  bad(['--cron', '* * * * *', '--limit', '10', '--timezone', 'Mars/Base'], /Invalid --timezone: "Mars\/Base"/);
});
