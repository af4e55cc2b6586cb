import { createTask } from 'node-cron';
import { logger } from '../log.js';
import type { RunSummary } from './stream.js';

const log = logger('schedule');

export interface ScheduleRequest {
  cron: string;
  timezone?: string;
  maxJobs?: number;
  /** Where the first job starts (a resumed schedule): the recorded checkpoint. */
  startSeqs?: Record<string, number>;
  signal: AbortSignal;
  /**
   * Runs job k (1-based) starting at these sequence numbers; returns its summary. `clean`: the
   * target holds nothing of the stream beyond them: the schedule started with none of its
   * records and every job so far completed. After a resumed start or a failed job, records
   * beyond a checkpoint may be there for many jobs to come (a killed run wrote past it), so
   * every later job looks.
   */
  runJob: (k: number, startSeqs: Record<string, number>, signal: AbortSignal, clean: boolean) => Promise<RunSummary>;
  onEvent?: (e: ScheduleEvent) => void;
}

export type ScheduleEvent =
  | { type: 'started'; next: Date | null }
  | { type: 'job'; job: number; summary: RunSummary; next: Date | null }
  | { type: 'skipped'; at: Date; runningJob: number; skipped: number }
  | { type: 'missed'; at: Date; missed: number };

export interface ScheduleReport {
  jobs: number;
  failedJobs: number;
  skipped: number;
  missed: number;
  /** The stream's position after the last job (the next job would start here). */
  checkpoint: Record<string, number>;
  stopReason: 'signal' | 'max-jobs' | 'fatal';
  fatal?: unknown;
}

/**
 * Runs one bounded job per cron tick with node-cron. Ticks that arrive while a job runs
 * are skipped and counted (never run concurrently); each job continues the seeded stream
 * where the previous one ended. Ctrl-C lets the running job finish its in-flight batches.
 */
export function runSchedule(req: ScheduleRequest): Promise<ScheduleReport> {
  return new Promise((resolve) => {
    const report: ScheduleReport = { jobs: 0, failedJobs: 0, skipped: 0, missed: 0, checkpoint: { ...req.startSeqs }, stopReason: 'signal' };
    let running: Promise<void> | null = null;
    let finished = false;
    let clean = Object.keys(req.startSeqs ?? {}).length === 0;
    const jobStop = new AbortController();
    const task = createTask(
      req.cron,
      async () => {
        if (finished || running) return;
        const k = ++report.jobs;
        running = (async () => {
          try {
            const summary = await req.runJob(k, report.checkpoint, jobStop.signal, clean);
            report.checkpoint = summary.checkpoint;
            clean &&= summary.status === 'completed';
            if (summary.status === 'failed') {
              report.failedJobs++;
              // Authentication and configuration errors will not heal by waiting for the next tick.
              if (summary.error && summary.error.exitCode === 2) finish('fatal', summary.error);
            }
            // The last job (--max-jobs) announces no next one.
            const last = finished || (req.maxJobs !== undefined && report.jobs >= req.maxJobs);
            req.onEvent?.({ type: 'job', job: k, summary, next: last ? null : task.getNextRun() });
          } catch (err) {
            clean = false;
            report.failedJobs++;
            log('job %d threw: %O', k, err);
            finish('fatal', err);
          } finally {
            running = null;
          }
          if (req.maxJobs !== undefined && report.jobs >= req.maxJobs) finish('max-jobs');
        })();
        await running;
      },
      {
        timezone: req.timezone,
        name: 'etl-schedule',
        noOverlap: true,
        logger: { info: (m) => log(m), warn: (m) => log(m), error: (m) => log(String(m)), debug: (m) => log(String(m)) },
      },
    );
    task.on('execution:overlap', (ctx) => {
      report.skipped++;
      req.onEvent?.({ type: 'skipped', at: ctx.date, runningJob: report.jobs, skipped: report.skipped });
    });
    task.on('execution:missed', (ctx) => {
      report.missed++;
      req.onEvent?.({ type: 'missed', at: ctx.date, missed: report.missed });
    });

    const finish = (reason: ScheduleReport['stopReason'], fatal?: unknown) => {
      if (finished) return;
      finished = true;
      report.stopReason = reason;
      if (fatal !== undefined) report.fatal = fatal;
      void Promise.resolve(task.stop())
        .then(() => task.destroy())
        .then(() => running)
        .then(() => resolve(report));
    };
    req.signal.addEventListener(
      'abort',
      () => {
        // Let the running job finish its in-flight batches, then stop.
        jobStop.abort();
        finish('signal');
      },
      { once: true },
    );
    void Promise.resolve(task.start()).then(() => req.onEvent?.({ type: 'started', next: task.getNextRun() }));
  });
}
