import { EtlError } from '../../errors.js';
import type { RunSummary, StreamTick } from '../../run/stream.js';
import { sumCounts } from '../../shared/counts.js';
import type { Settings } from '../../config/settings.js';
import type { LiveRatePlan } from '../../events/live-rate.js';
import type { RunContext } from '../context.js';
import type { Output } from '../output.js';
import { fitLine, fmtDuration, fmtInt, fmtMs, table, visibleWidth, wrapLine } from '../format.js';
import { openSink, readCatalog } from '../shared.js';

/** One tick as a line that fits the terminal: figures that were measured, never a cut-off number. */
function tickLine(out: Output, t: StreamTick, names: Record<string, string>, live: boolean): string {
  const c = out.c;
  const shown = Object.keys(names).filter((name) => t.delta.collections[name]);
  const parts = shown.map((name) => `+${fmtInt(t.delta.collections[name].generated)} ${names[name]}`);
  const total = shown.reduce((a, name) => a + t.delta.collections[name].generated, 0);
  const dead = Object.values(t.delta.collections).reduce((a, n) => a + n.dead_lettered, 0);
  // Live records are stamped on the wall clock (the engine's may be ahead, at the next visit due).
  const iso = new Date(live ? Date.now() : t.clockMs || Date.now()).toISOString();
  const clock = iso.slice(0, 19).replace('T', ' ');
  // Live, the time to the second; in a backfill, the simulated day and minute.
  const shortClock = live ? iso.slice(11, 19) : iso.slice(5, 16).replace('T', ' ');
  const figures = [
    c.cyan(`${fmtInt(t.rate)} rec/s`),
    // Live: the slowest 1 % of the tick's records took this long from their timestamp to being stored.
    ...(t.latency ? [c.dim(`p99 ${fmtMs(t.latency.p99)}`)] : []),
    dead > 0 ? c.red(`dead ${fmtInt(dead)}`) : c.dim('dead 0'),
    t.delta.retries > 0 ? c.yellow(`retries ${fmtInt(t.delta.retries)}`) : c.dim('retries 0'),
  ];
  const waitedS = t.waiting ? Math.round((Date.now() - t.waiting.sinceMs) / 1000) : 0;
  const status = t.waiting
    ? [c.yellow(`waiting for the server: retry ${fmtInt(t.waiting.retries)}, ${waitedS} s`), c.yellow(`waiting ${waitedS} s, retry ${fmtInt(t.waiting.retries)}`)]
    : t.sinkBound
      ? [c.magenta('sink-bound: the target cannot keep up, generation slowed'), c.magenta('sink-bound')]
      : ['', ''];
  const records = parts.length ? parts.join(' ') : c.dim('+0');
  const line = (...segs: string[]) => segs.filter(Boolean).join(c.dim(' │ '));
  return fitLine(
    [
      line(c.dim(clock), records, ...figures, status[0]),
      line(c.dim(clock), records, ...figures, status[1]),
      line(c.dim(shortClock), records, ...figures, status[1]),
      line(c.dim(shortClock), `+${fmtInt(total)} records`, ...figures, status[1]),
      line(`+${fmtInt(total)}`, ...figures, status[1]),
      line(figures[0], status[1]),
    ],
    out.width,
  );
}

/** Live ticks: coloured lines (and a progress bar for bounded runs) on a terminal, NDJSON with --json. */
async function makeTickRenderer(out: Output, bounded: boolean, names: Record<string, string>, live: boolean) {
  if (out.mode.json) {
    return {
      tick: (t: StreamTick) =>
        out.json({
          type: 'tick',
          elapsedMs: t.elapsedMs,
          rate: Math.round(t.rate),
          sinkBound: t.sinkBound,
          progress: t.progress,
          delta: t.delta.collections,
          retries: t.delta.retries,
          ...(t.latency ? { latencyMs: { p50: t.latency.p50, p99: t.latency.p99, max: t.latency.max } } : {}),
          ...(t.waiting ? { waiting: { seconds: Math.round((Date.now() - t.waiting.sinceMs) / 1000), retries: t.waiting.retries } } : {}),
        }),
      stop: () => undefined,
    };
  }
  if (out.mode.quiet) return { tick: () => undefined, stop: () => undefined };
  if (out.interactive && bounded) {
    const { MultiBar, Presets } = await import('cli-progress');
    const width = out.width ?? 80;
    // The bar shrinks with the terminal, so the line with it never wraps (it turns wrapping off).
    const barsize = Math.max(10, Math.min(40, width - 40));
    const bars = new MultiBar({ stream: out.io.stderr, format: `${out.c.cyan('{bar}')} {percentage}% | {elapsed} | ETA {remaining}`, barsize, hideCursor: true, clearOnComplete: true, fps: 5 }, Presets.shades_classic);
    const bar = bars.create(1000, 0, { elapsed: fmtDuration(0), remaining: '…' });
    return {
      tick: (t: StreamTick) => {
        bars.log(`${tickLine(out, t, names, live)}\n`);
        const progress = t.progress ?? 0;
        // Since generating started, as the progress is (a live warm-up or a resume's replay comes before).
        const elapsed = t.elapsedMs;
        // No estimate until there is something to estimate from.
        const remaining = progress >= 0.01 ? fmtDuration((elapsed / progress) * (1 - progress)) : '…';
        bar.update(Math.round(progress * 1000), { elapsed: fmtDuration(elapsed), remaining });
      },
      stop: () => bars.stop(),
    };
  }
  return { tick: (t: StreamTick) => out.line(tickLine(out, t, names, live)), stop: () => undefined };
}

function renderSummary(out: Output, r: RunSummary, resumeHint: string): void {
  const c = out.c;
  const rows = Object.entries(r.counts.collections).map(([name, n]) => [name, n.generated, n.written, n.duplicates, n.dead_lettered]);
  const total = sumCounts(Object.values(r.counts.collections));
  const t = { g: total.generated, w: total.written, d: total.duplicates, x: total.dead_lettered };
  rows.push(['total', t.g, t.w, t.d, t.x]);
  // On a narrow terminal, short headers (the line below names them in full) rather than wrapped rows.
  const full = table(['collection', 'generated', 'written', 'duplicates', 'dead-lettered'], rows, c);
  const fits = out.width === undefined || Math.max(...full.split('\n').map(visibleWidth)) <= out.width;
  out.summary(fits ? full : table(['collection', 'generated', 'written', 'dup.', 'dead'], rows, c));
  const reconciled = r.lost === 0 ? c.green('counts reconcile (generated = written + duplicates + dead-lettered)') : c.red(`${fmtInt(r.lost)} records lost`);
  const head =
    r.status === 'completed' ? c.green('✔ completed') : r.status === 'interrupted' ? c.yellow('■ stopped') : c.red('✘ failed');
  // Stamped with the time it ended: in a log (cron) the line says when.
  const ended = new Date().toISOString().slice(0, 19).replace('T', ' ');
  out.summary(`${head} at ${ended}Z: ${fmtInt(t.g)} records in ${fmtDuration(r.elapsedMs)} (${c.cyan(`${fmtInt(r.rate)} rec/s`)}), seed ${r.seed}, run ${r.runId}; ${reconciled}`);
  if (r.latency) {
    const l = r.latency;
    out.summary(`latency, timestamp to stored: p50 ${fmtMs(l.p50)}, p99 ${fmtMs(l.p99)}, max ${fmtMs(l.max)} (${fmtInt(l.count)} records)`);
  }
  if (r.catalogLoadMs >= 100) out.line(c.dim(`catalog loaded in ${(r.catalogLoadMs / 1000).toFixed(1)} s before the first record`));
  // Not for a run stopped before its first record: what it was doing then was cut short.
  if (r.startMs >= 100 && !(r.status === 'interrupted' && t.g === 0)) {
    // What came before the first record: a live warm-up, a resumed run's replay, or else setting up the partitions (worker threads starting).
    const what = r.clockOrigin ? 'the visits already open at the start simulated' : r.resumedFrom ? 'replayed up to the checkpoint' : 'the partitions set up';
    out.line(c.dim(`${what} in ${(r.startMs / 1000).toFixed(1)} s before the first record; rates count from there`));
  }
  if (r.counts.injectedDirty > 0) out.summary(c.dim(`${fmtInt(r.counts.injectedDirty)} records corrupted on purpose (--dirty-rate) are in dead_letters`));
  if (r.counts.retries > 0 || r.failedMs >= 1000) {
    out.summary(c.yellow(`writes were retried ${fmtInt(r.counts.retries)} times; the target failed to answer for ${fmtDuration(r.failedMs)} in all`));
  }
  if (r.status !== 'completed') {
    // A command to paste: broken into shell continuation lines, never at a space the shell would run.
    const width = out.width ?? Infinity;
    // An option stays on one line with its value.
    const groups = resumeHint.split(' ').reduce<string[]>((acc, a) => (acc.length > 0 && !a.startsWith('--') && acc[acc.length - 1].startsWith('--') && !acc[acc.length - 1].includes(' ') ? [...acc.slice(0, -1), `${acc[acc.length - 1]} ${a}`] : [...acc, a]), []);
    const lines = wrapLine(groups.map((g) => g.replace(/ /g, '\u00a0')).join(' '), Math.max(20, width - 6)).map((l) => l.replace(/\u00a0/g, ' '));
    out.summary(c.dim(`continue with:\n  ${lines.join(' \\\n    ')}`));
  }
}

/** How the stream is paced, for its header line. */
export function paceText(s: Pick<Settings, 'rate' | 'from' | 'speed' | 'batchSize' | 'interval'>, intervalDefault: boolean): string {
  if (!s.from) {
    // Live time: shoppers on the wall clock, visits arriving to give the rate on average.
    if (s.rate === 'population') return "live, at the users' own visit rate";
    if (s.rate !== undefined) return `live, ${fmtInt(s.rate)} rec/s on average`;
    return `live, ${fmtInt(s.batchSize / s.interval)} rec/s on average, written every ${s.interval}s`;
  }
  if (s.rate === 'population') return 'as fast as the target takes';
  if (s.rate !== undefined) return `${fmtInt(s.rate)} rec/s`;
  if (s.speed) return `${s.speed}× simulated time`;
  return intervalDefault ? 'as fast as the target takes' : `${fmtInt(s.batchSize)} every ${s.interval}s`;
}

/** A rate to two significant digits, in plain notation (0.0015, 2.4, 1,200). */
function fewDigits(x: number): string {
  return x >= 100 ? fmtInt(Math.round(x)) : String(Number(x.toPrecision(2)));
}

/**
 * Once, before the first record: under `--rate population` the pace the catalog gives; else a
 * rate far beyond what the catalog's users would make on their own.
 */
export function warnLivePlan(out: Output, plan: LiveRatePlan, rate: Settings['rate']): void {
  if (rate === 'population') {
    // The pace is the catalog's: say what it is, so a quiet stream of a small catalog is not a surprise.
    const perSecond = plan.ownVisitsPerSecond * plan.recordsPerVisit;
    out.line(
      out.c.dim(
        `--rate population: the catalog's ${fmtInt(plan.users)} active users visit ${fewDigits(plan.ownVisitsPerSecond)} times a second, ~${fewDigits(perSecond)} records a second (more users, more traffic: etl seed --users N).`,
      ),
    );
    return;
  }
  if (plan.realisticUsers === undefined) return;
  const every = fmtDuration((plan.users / plan.visitsPerSecond) * 1000);
  const asked = rate === undefined ? 'this pace' : `--rate ${rate}`;
  out.line(
    out.c.yellow(
      `${asked} asks ${plan.visitsPerSecond.toFixed(1)} visits a second of ${fmtInt(plan.users)} active users: each would visit every ${every}. ` +
        `A store whose own users make this traffic has ~${fmtInt(plan.realisticUsers)} active users (etl seed --users ${plan.realisticUsers}).`,
    ),
  );
}

export async function streamAction(ctx: RunContext): Promise<void> {
  const { config, out, stopSignal } = ctx;
  let s = config.settings;
  // The profile is resolved here, once: the stages get its parts.
  const profile = await (await import('../../profiles/index.js')).loadProfile(s.profile);
  const sink = await openSink(s, ctx, profile);
  try {
    const { runStream, planPartitions } = await import('../../run/stream.js');
    const { findResumePoint, refuseSeedInUse, resumedBounds } = await import('../../run/resume.js');
    const { partitionKey } = await import('../../events/ids.js');
    const { runOptions, resumeCommand } = await import('../run-options.js');
    const catalog = await readCatalog(out, sink, s, profile, stopSignal);
    if (s.from) {
      // Users act only after they sign up: say when nobody has yet at the start of a backfill.
      const { firstSignupMs } = await import('../../catalog/store-catalog.js');
      const first = firstSignupMs(catalog.catalog);
      if (first > s.from.getTime()) out.line(out.c.yellow(`No user of the catalog has signed up by --from ${s.from.toISOString()}: the first visits come after the first signup, ${new Date(first).toISOString()}.`));
    }
    // Loaded here, not at start-up: --help stays cheap.
    const [{ randomInt }, { availableParallelism }] = await Promise.all([import('node:crypto'), import('node:os')]);
    const cores = availableParallelism();
    if (s.workers > cores) out.line(out.c.yellow(`--workers ${s.workers} is more than the ${cores} cores here: the workers share them, no faster than --workers ${cores}.`));

    const planned = planPartitions(s.partition, s.workers);
    const partitions = planned.map(partitionKey);
    let seed = s.seed ?? randomInt(0, 2 ** 32 - 1);
    let resume;
    if (s.resume) {
      const probe = runOptions(config, seed);
      resume = await findResumePoint(sink, { seed: s.seed, partitions, options: probe });
      seed = resume.seed;
      if (resume.previous) {
        // The run keeps its own --limit (a total) and --to unless new ones are given.
        s = { ...s, ...resumedBounds(resume.previous, { limit: s.limit, to: s.to }, resume.startSeqs) };
      }
      out.line(
        out.c.dim(
          resume.previous
            ? `Resuming run ${resume.previous._id} (seed ${seed}) after ${fmtInt(Object.values(resume.startSeqs).reduce((a, n) => a + n, 0))} records${s.limit === undefined ? '' : `, up to ${fmtInt(s.limit)} in all`}${s.to ? `, until ${s.to.toISOString()}` : ''}`
            : `--resume: no earlier run with seed ${seed} was recorded here; starting at the beginning`,
        ),
      );
    }
    const options = runOptions(config, seed);
    if (!resume) await refuseSeedInUse(sink, { seed, partitions, options });
    const started = new Date();
    const bounded = s.limit !== undefined || s.duration !== undefined || s.from !== undefined;
    const pace = paceText(s, config.sources.interval === 'default');
    const span = s.from ? `, backfill from ${s.from.toISOString()} to ${s.to ? s.to.toISOString() : `now (${started.toISOString().slice(0, 16).replace('T', ' ')}Z)`}` : '';
    out.line(
      out.c.dim(
        `Streaming into ${sink.target}: ${pace}, ${s.workers} worker${s.workers > 1 ? 's' : ''}, partition${planned.length > 1 ? 's' : ''} ${planned.map((p) => `${p.index}/${p.count}`).join(', ')}, seed ${seed}${span}${bounded ? '' : ' — Ctrl-C to stop'}`,
      ),
    );
    // After the header: a progress bar turns the terminal's line wrapping off while it shows.
    const renderer = await makeTickRenderer(out, bounded, profile.events.labels, s.from === undefined);
    const summary = await runStream({
      command: 'stream',
      settings: { ...s, intervalGiven: config.sources.interval !== 'default', batchSizeGiven: config.sources.batchSize !== 'default' },
      profile,
      seed,
      sink,
      sinkOptions: { sink: s.sink, stored: profile.stored, out: s.out, uri: s.uri, db: s.db, dataDir: s.dataDir },
      catalog,
      signal: stopSignal,
      options: { ...options, limit: s.limit, to: s.to?.toISOString() },
      resume: resume?.previous ?? undefined,
      startSeqs: resume?.startSeqs,
      onTick: renderer.tick,
      onLivePlan: (plan) => warnLivePlan(out, plan, s.rate),
    }).finally(() => renderer.stop());
    out.json({ type: 'summary', command: 'stream', ...summary, error: summary.error?.message });
    renderSummary(out, summary, resumeCommand(config, seed));
    if (summary.error) throw summary.error;
    if (summary.counts.unexpectedRejects > 0) {
      throw new EtlError('WORK_LOST', `${fmtInt(summary.counts.unexpectedRejects)} records were rejected without being corrupted on purpose; they are in dead_letters with the reasons.`);
    }
  } finally {
    await sink.close();
  }
}
