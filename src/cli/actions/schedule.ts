import { EtlError } from '../../errors.js';
import type { RunContext } from '../context.js';
import { fmtDuration, fmtInt } from '../format.js';
import { openSink, readCatalog } from '../shared.js';
import { warnLivePlan } from './stream.js';

function when(d: Date | null): string {
  return d ? d.toISOString().replace('T', ' ').slice(0, 19) + 'Z' : 'none';
}

export async function scheduleAction(ctx: RunContext): Promise<void> {
  const { config, out, stopSignal } = ctx;
  const s = config.settings;
  // The profile is resolved here, once: the stages get its parts.
  const profile = await (await import('../../profiles/index.js')).loadProfile(s.profile);
  const sink = await openSink(s, ctx, profile);
  try {
    const { runStream, planPartitions } = await import('../../run/stream.js');
    const { runSchedule } = await import('../../run/schedule.js');
    const { runOptions } = await import('../run-options.js');
    const { findResumePoint, recordedClockOrigin, refuseSeedInUse } = await import('../../run/resume.js');
    const { partitionKey } = await import('../../events/ids.js');
    const catalog = await readCatalog(out, sink, s, profile, stopSignal);
    const partitions = planPartitions(s.partition, s.workers).map(partitionKey);
    const { randomInt } = await import('node:crypto');
    let seed = s.seed ?? randomInt(0, 2 ** 32 - 1);
    let startSeqs: Record<string, number> = {};
    // Live, every job continues one stream on one clock: the first job's origin (or the resumed run's).
    let clockOrigin: Date | undefined;
    if (s.resume) {
      // The first job continues the recorded run (a restarted schedule, or a stream of that seed).
      const resume = await findResumePoint(sink, { seed: s.seed, partitions, options: runOptions(config, seed) });
      seed = resume.seed;
      startSeqs = resume.startSeqs;
      clockOrigin = resume.previous && !s.from ? recordedClockOrigin(resume.previous) : undefined;
      if (resume.previous) out.line(out.c.dim(`Resuming run ${resume.previous._id} (seed ${seed}) after its checkpoint ${JSON.stringify(startSeqs)}`));
    } else {
      await refuseSeedInUse(sink, { seed, partitions, options: runOptions(config, seed) });
    }
    const c = out.c;
    const bound = [s.limit !== undefined ? `${fmtInt(s.limit)} records` : '', s.duration !== undefined ? `at most ${fmtDuration(s.duration)}` : ''].filter(Boolean).join(', ');
    const report = await runSchedule({
      cron: s.cron!,
      timezone: s.timezone,
      maxJobs: s.maxJobs,
      startSeqs,
      signal: stopSignal,
      runJob: async (k, startSeqs, signal, clean) => {
        const summary = await runStream({
          command: 'schedule',
          settings: { ...s, intervalGiven: config.sources.interval !== 'default', batchSizeGiven: config.sources.batchSize !== 'default' },
          profile,
          seed,
          sink,
          sinkOptions: { sink: s.sink, stored: profile.stored, out: s.out, uri: s.uri, db: s.db, dataDir: s.dataDir },
          catalog,
          signal,
          options: { ...runOptions(config, seed), cron: s.cron, timezone: s.timezone, job: k },
          startSeqs,
          // A fresh schedule whose jobs all completed: nothing of the stream beyond this job's start
          // to look for (a jsonl target would otherwise read all its files again, every job).
          beyondCheckpoint: !clean,
          limitFromStart: true,
          clockOrigin,
          onLivePlan: k === 1 ? (plan) => warnLivePlan(out, plan, s.rate) : undefined,
        });
        clockOrigin ??= summary.clockOrigin;
        return summary;
      },
      onEvent: (e) => {
        if (e.type === 'started') {
          out.line(c.dim(`Scheduled "${s.cron}"${s.timezone ? ` (${s.timezone})` : ''}: each job ${bound} into ${sink.target}, seed ${seed}. First job at ${when(e.next)}. Ctrl-C to stop.`));
        } else if (e.type === 'job') {
          const r = e.summary;
          const t = Object.values(r.counts.collections).reduce((a, n) => a + n.generated, 0);
          const mark = r.status === 'completed' ? c.green('✔') : r.status === 'interrupted' ? c.yellow('■') : c.red('✘');
          const line = `${when(new Date())} ${mark} job ${e.job} ${r.status}: ${fmtInt(t)} records in ${fmtDuration(r.elapsedMs)} (${fmtInt(r.rate)} rec/s), run ${r.runId}${r.error ? c.red(` — ${r.error.message}`) : ''}${e.next ? `; next at ${when(e.next)}` : '; that was the last job'}`;
          out.line(line);
          out.json({ type: 'job', job: e.job, status: r.status, runId: r.runId, counts: r.counts.collections, elapsedMs: r.elapsedMs, rate: Math.round(r.rate), checkpoint: r.checkpoint, next: e.next, error: r.error?.message });
        } else if (e.type === 'skipped') {
          out.line(c.yellow(`tick at ${when(e.at)} skipped: job ${e.runningJob} is still running (${e.skipped} skipped so far)`));
          out.json({ type: 'skipped', at: e.at, runningJob: e.runningJob, skipped: e.skipped });
        } else {
          out.line(c.yellow(`tick at ${when(e.at)} missed (the process was busy or asleep; ${e.missed} missed so far)`));
          out.json({ type: 'missed', at: e.at, missed: e.missed });
        }
      },
    });
    out.json({ type: 'summary', command: 'schedule', seed, ...report, fatal: report.fatal instanceof Error ? report.fatal.message : undefined });
    out.summary(
      `${report.failedJobs === 0 ? c.green('✔') : c.red('✘')} schedule ended (${report.stopReason}): ${fmtInt(report.jobs)} jobs, ${fmtInt(report.failedJobs)} failed, ${fmtInt(report.skipped)} ticks skipped, ${fmtInt(report.missed)} missed; seed ${seed}`,
    );
    if (report.fatal) throw report.fatal;
    if (report.failedJobs > 0) throw new EtlError('WORK_LOST', `${report.failedJobs} scheduled jobs failed; their run records in etl_runs say why.`);
  } finally {
    await sink.close();
  }
}
