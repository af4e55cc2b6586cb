import { Worker } from 'node:worker_threads';
import type { Partition } from '../config/values.js';
import type { Settings } from '../config/settings.js';
import { EtlError, errorFromWorker, isEtlError } from '../errors.js';
import { partitionKey } from '../events/ids.js';
import { logger } from '../log.js';
import { Counters, type CountersSnapshot, emptySnapshot } from '../reporting/counters.js';
import { type LatencySummary, summarizeLatency } from '../reporting/latency.js';
import { recordedClockOrigin } from './resume.js';
import { type LiveRatePlan, planLiveRate } from '../events/live-rate.js';
import { unaccounted } from '../shared/counts.js';
import type { RunRecord } from '../shared/records.js';
import { evenShare } from '../shared/share.js';
import { workerScript } from '../shared/worker-script.js';
import type { Profile } from '../profiles/index.js';
import { categoryNames } from '../catalog/reference.js';
import { type ScenarioWindow, resolveScenarios } from '../scenarios/spec.js';
import type { SinkOptions } from '../sinks/index.js';
import type { Sink, SinkHealth } from '../sinks/types.js';
import type { LoadedCatalog } from './catalog-source.js';
import type { Pacing } from './pacer.js';
import { type LiveJob, type PartitionJob, type PartitionPipeline, type StopReason, openPipeline, withAnswers } from './partition.js';
import type { WorkerInput, WorkerMessage } from './worker.js';

const log = logger('stream');

/** The settings `etl stream` runs with (a subset of all settings). */
export type StreamSettings = Pick<
  Settings,
  'profile' | 'rate' | 'interval' | 'batchSize' | 'duration' | 'limit' | 'workers' | 'partition' | 'from' | 'to' | 'speed' | 'sessionsPerDay' | 'fraudRate' | 'dirtyRate' | 'mix' | 'inFlight'
> &
  Partial<Pick<Settings, 'lifecycle' | 'scenario' | 'answers'>> & {
    intervalGiven: boolean;
    /** --batch-size was given (flag, environment or env file); otherwise an unpaced backfill writes the target's bulk batches. */
    batchSizeGiven?: boolean;
    /** The target's records per write for a bulk load (`Sink.bulkBatchSize`), all partitions together. */
    bulkBatchSize?: number;
  };

export interface StreamRequest {
  command: 'stream' | 'schedule';
  settings: StreamSettings;
  /** The documents' profile, resolved by the command (worker threads load it by its name). */
  profile: Profile;
  seed: number;
  sink: Sink;
  /** How worker threads open their own sink. */
  sinkOptions: Omit<SinkOptions, 'stdout'>;
  catalog: LoadedCatalog;
  signal: AbortSignal;
  /** Effective options to store in etl_runs (connection strings already redacted). */
  options: Record<string, unknown>;
  /** The run this one continues (--resume). */
  resume?: RunRecord;
  /** Records this run starts from per partition (resume / schedule continuation). */
  startSeqs?: Record<string, number>;
  /**
   * False when the target is known to hold nothing of the stream beyond `startSeqs` (a job of a
   * fresh schedule whose jobs all completed): the targets are not searched for records beyond them.
   */
  beyondCheckpoint?: boolean;
  /** --limit counts from the start sequence (a scheduled job) instead of from sequence 0 (a resumed run). */
  limitFromStart?: boolean;
  /** Live time: where the stream's simulated time starts (a resumed run or a later scheduled job keeps the first run's); default: now. */
  clockOrigin?: Date;
  /** Live time: the traffic planned for --rate, before the first record (to warn when the catalog is too small for it). */
  onLivePlan?: (plan: LiveRatePlan) => void;
  onTick?: (tick: StreamTick) => void;
  tickMs?: number;
  runId?: string;
}

export interface StreamTick {
  elapsedMs: number;
  delta: CountersSnapshot;
  totals: CountersSnapshot;
  /** Records generated per second over the last tick. */
  rate: number;
  sinkBound: boolean;
  /** For bounded runs: progress towards the bound (0..1). */
  progress?: number;
  clockMs: number;
  /** Writes are failing and being retried (the server is unreachable or failing over). */
  waiting?: { sinceMs: number; retries: number };
  /** Live time: latency of the records stored during the tick. */
  latency?: LatencySummary;
}

export type RunStatus = RunRecord['status'];

export interface RunSummary {
  runId: string;
  seed: number;
  status: RunStatus;
  reason: StopReason;
  partitions: string[];
  counts: CountersSnapshot;
  elapsedMs: number;
  rate: number;
  checkpoint: Record<string, number>;
  resumedFrom: string | null;
  /** Generated records neither stored, absorbed nor dead-lettered (a lost batch). */
  lost: number;
  /** Reading the catalog before the first record (time to first record). */
  catalogLoadMs: number;
  /** From the run's start to generating: a live shop's warm-up, or a resumed run's replay to its checkpoint. */
  startMs: number;
  /** How long writes spent failing and being retried (the longest of the partitions), ms. */
  failedMs: number;
  /** Live time: latency of every record stored, from its timestamp to its write's acknowledgement. */
  latency?: LatencySummary;
  /** Live time: where the stream's simulated time started. */
  clockOrigin?: Date;
  error?: EtlError;
}

/** The partitions this process runs: partition I/N split across W workers = I*W+w of N*W. */
export function planPartitions(base: Partition | undefined, workers: number): Partition[] {
  const b = base ?? { index: 0, count: 1 };
  return Array.from({ length: workers }, (_, w) => ({ index: b.index * workers + w, count: b.count * workers }));
}

/** How partition `w` of `parts` is paced, given the whole process's pacing settings. */
export function pacingFor(s: StreamSettings, parts: number, w = 0): { pacing: Pacing; batchSize: number } {
  if (!s.from) {
    // Live: what became due is written 20 times a second under --rate, else every --interval,
    // in batches of at most --batch-size.
    return { pacing: { mode: 'live', flushMs: s.rate !== undefined ? 50 : s.interval * 1000 }, batchSize: Math.max(1, Math.ceil(s.batchSize / parts)) };
  }
  if (s.rate === 'population') throw new EtlError('CONFIG_INVALID', '--rate population is for a live stream');
  if (s.rate !== undefined) {
    const perSecond = s.rate / parts;
    // Small batches, 20 a second, so the rate is held steadily rather than in bursts.
    return { pacing: { mode: 'rate', perSecond }, batchSize: Math.max(1, Math.min(s.batchSize, Math.round(perSecond / 20))) };
  }
  if (s.speed !== undefined && s.from) return { pacing: { mode: 'speed', x: s.speed, fromMs: s.from.getTime() }, batchSize: Math.max(1, Math.ceil(s.batchSize / parts)) };
  if (s.from && !s.intervalGiven) {
    const size = s.batchSizeGiven === false && s.bulkBatchSize !== undefined ? Math.max(s.batchSize, s.bulkBatchSize) : s.batchSize;
    return { pacing: { mode: 'none' }, batchSize: Math.max(1, Math.ceil(size / parts)) };
  }
  // Each interval the partitions together write --batch-size records (at least one each).
  return { pacing: { mode: 'interval', ms: s.interval * 1000 }, batchSize: Math.max(1, evenShare(s.batchSize, parts, w)) };
}

interface Runner {
  /** The partition is about to generate (its warm-up or a resume's replay is behind it), or was stopped before. */
  ready: Promise<void>;
  done: Promise<{ reason: StopReason; watermark: number; error?: unknown }>;
  stop(): void;
  /** Counter changes since the last call, and the latest checkpoint. */
  poll(): { delta: CountersSnapshot; watermark: number; sinkBound: boolean; clockMs: number; health?: SinkHealth };
}

/**
 * A partition run in this thread, writing through the run's own sink. A resumed run first tells
 * the sink which of the partition's records beyond its checkpoint it already holds (a worker
 * thread does the same on its own sink); the pipeline is built and prepared after that (its
 * replay up to the checkpoint, or a live shop's warm-up, in slices: PartitionPipeline.prepare),
 * while the workers start up.
 */
function inlineRunner(catalog: LoadedCatalog, profile: Profile, sink: Sink, job: PartitionJob, resume: boolean): Runner {
  const stop = new AbortController();
  let pipeline: PartitionPipeline | undefined;
  let last = emptySnapshot();
  const built = openPipeline(catalog.catalog, profile, sink, job, resume, stop.signal).then((p) => (pipeline = p));
  return {
    // A failure to start is the partition's failure (done), as in a worker thread.
    ready: built.then(() => undefined, () => undefined),
    done: built
      .then((p) => p.run().then(withAnswers(p)))
      .catch((error: unknown) => ({ reason: 'failed' as const, watermark: pipeline?.watermark ?? job.startSeq, error })),
    stop: () => stop.abort(),
    poll() {
      if (!pipeline) return { delta: emptySnapshot(), watermark: job.startSeq, sinkBound: false, clockMs: 0 };
      const delta = pipeline.counters.since(last);
      last = pipeline.counters.snapshot();
      return { delta, watermark: pipeline.watermark, sinkBound: pipeline.pacer.sinkBound, clockMs: pipeline.clockMs, health: pipeline.health };
    },
  };
}

function workerRunner(input: WorkerInput): Runner {
  // The generator allocates many short-lived records: a young generation of its own, its size
  // capped (the main thread's grows to the same 16 MB semi-spaces by itself). 32 MB: with the
  // living store's orders waiting between batches, 24 MB promoted them and ran at 350–380k
  // records/s peaking at 245–255 MB; 32 MB ran at 440–485k and 205–210 MB, 64 MB no faster and
  // ~275 MB (null sink, 2 workers, 1 M records, side by side).
  const worker = new Worker(workerScript(import.meta.url, './worker.js'), { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 32 } });
  let pending = emptySnapshot();
  const acc = new Counters();
  let watermark = input.job.startSeq;
  let sinkBound = false;
  let clockMs = 0;
  let health: SinkHealth | undefined;
  const stop = () => worker.postMessage('stop');
  let isReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (isReady = resolve));
  const done = new Promise<{ reason: StopReason; watermark: number; error?: unknown }>((resolve) => {
    let result: { reason: StopReason; watermark: number; error?: unknown } | undefined;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') isReady();
      else if (m.type === 'progress') {
        acc.add(m.delta);
        watermark = m.watermark;
        sinkBound = m.sinkBound;
        clockMs = m.clockMs;
        health = m.health;
      } else {
        watermark = m.watermark;
        const error = m.error ? errorFromWorker(m.error) : undefined;
        result = { reason: m.reason as StopReason, watermark, error };
      }
    });
    worker.on('error', (err) => {
      result ??= { reason: 'failed', watermark, error: err };
    });
    worker.on('exit', () => {
      isReady();
      resolve(result ?? { reason: 'failed', watermark, error: new EtlError('INTERNAL', 'a worker thread exited without reporting') });
    });
  });
  return {
    ready,
    done,
    stop,
    poll() {
      const delta = acc.since(pending);
      pending = acc.snapshot();
      return { delta, watermark, sinkBound, clockMs, health };
    },
  };
}

/**
 * Runs the stream: one pipeline per partition (the first in this thread, the others in worker
 * threads), live ticks, a checkpointed etl_runs record, and a summary whose counts reconcile.
 */
export async function runStream(req: StreamRequest): Promise<RunSummary> {
  const s = req.settings;
  const started = Date.now();
  const runId = req.runId ?? `run-${new Date(started).toISOString().replace(/[:.]/g, '')}-${req.seed.toString(36)}-${process.pid}`;
  const partitions = planPartitions(s.partition, s.workers);
  const keys = partitions.map(partitionKey);
  const startSeqs = req.startSeqs ?? {};
  // What --batch-size stands for in records (a profile may count one collection by it).
  const batched = { ...s, bulkBatchSize: req.sink.bulkBatchSize, batchSize: Math.max(1, Math.round(s.batchSize * (req.profile.recordsPerBatchUnit ?? 1))) };
  const live = liveJobs(req, batched, partitions, started);
  /** When generating started (set once every partition is ready). */
  let opened = started;
  // Scenario windows in record time: after a backfill's --from, or a live stream's origin.
  const scenarios = resolveScenarios(s.scenario ?? [], s.from?.getTime() ?? live!.origin.getTime());
  for (const w of scenarios) {
    const named = w.name === 'flash-sale' ? String(w.params.category) : '';
    if (named && !categoryNames.some((c) => c.toLowerCase() === named.toLowerCase())) {
      throw new EtlError('CONFIG_INVALID', `Invalid --scenario "${w.text}": category=${named} is not a category of the catalog: use one of ${categoryNames.join(', ')} (quoted where it has spaces), or none for one drawn from the seed.`);
    }
  }
  const jobs: PartitionJob[] = partitions.map((p, w) => ({
    live: live?.jobs[w],
    ...pacingFor(batched, partitions.length, w),
    runId,
    profile: req.profile.name,
    seed: req.seed,
    partition: p,
    mix: s.mix,
    fraudRate: s.fraudRate,
    dirtyRate: s.dirtyRate,
    lifecycle: s.lifecycle,
    scenarios,
    answers: s.answers,
    sessionsPerDay: s.sessionsPerDay,
    fromMs: s.from?.getTime(),
    // A backfill is history: without --to it stops at the moment the run started.
    toMs: s.to?.getTime() ?? (s.from ? started : undefined),
    startSeq: startSeqs[keys[w]] ?? 0,
    endSeq: s.limit === undefined ? undefined : evenShare(s.limit, partitions.length, w) + (req.limitFromStart ? (startSeqs[keys[w]] ?? 0) : 0),
    durationMs: s.duration,
    inFlight: s.inFlight,
  }));
  // A bound already reached leaves nothing to do; the checkpoint never moves back to it.
  for (const j of jobs) if (j.endSeq !== undefined && j.startSeq > j.endSeq) j.endSeq = j.startSeq;

  // A resumed run: each partition's target learns which of its records beyond the checkpoint it
  // already holds (the first partition's in this thread, the others' in their worker threads).
  const resuming = Object.keys(startSeqs).length > 0 && req.beyondCheckpoint !== false;

  const counters = new Counters();
  const checkpoint: Record<string, number> = Object.fromEntries(jobs.map((j, i) => [keys[i], j.startSeq]));
  const record = (status: RunStatus, error: string | null, ended: Date | null): RunRecord => {
    const t = counters.totals();
    return {
      _id: runId,
      command: req.command,
      options: req.options,
      seed: req.seed,
      partitions: keys,
      started_at: new Date(started),
      ended_at: ended,
      status,
      counts: counters.snapshot().collections,
      rate: Math.round(t.generated / Math.max((Date.now() - opened) / 1000, 1e-3)),
      checkpoint: { ...checkpoint },
      resumed_from: req.resume?._id ?? null,
      catalog_load_seconds: Math.round(req.catalog.loadMs) / 1000,
      clock_origin: live ? live.origin : null,
      latency_ms: latencyOf(counters) ?? null,
      ...(scenarios.length > 0 ? { scenarios: scenarios.map(manifestOf) } : {}),
      error,
    };
  };
  const runs = req.sink.runs;
  await runs?.recordRun(record('running', null, null));

  // The first partition runs in this thread, through the run's own sink; every other one in a
  // worker thread with a sink of its own. This thread would otherwise only sum progress and draw
  // the terminal, while a worker thread costs 15–20 MB resident (its own module heap and young
  // generation). Null sink, 2 workers, side by side: 1 M records peaked at 202–207 MB with both
  // partitions in workers and at 188 MB with partition 0 here, at the same records/s (417–421k
  // and 438–440k); 10 M records at 213–260 and 196–239 MB. The workers are started first, so
  // they load and replay while this thread builds its partition. A live warm-up or a resumed
  // run's replay here runs in slices with the event loop's turns between them, so Ctrl-C (and
  // the second, "exit now" one) gets through at once (PartitionPipeline.prepare).
  const workers = jobs.slice(1).map((job) => workerRunner({ job, sink: req.sinkOptions, catalog: req.catalog.catalog, resume: resuming }));
  const runners: Runner[] = [inlineRunner(req.catalog, req.profile, req.sink, jobs[0], resuming), ...workers];
  // One listener stops every partition (one per worker would pass Node's limit of 10 on the signal).
  const stopAll = () => runners.forEach((r) => r.stop());
  if (req.signal.aborted) stopAll();
  else req.signal.addEventListener('abort', stopAll, { once: true });
  // Rates and --duration count from when generating starts: a live shop's warm-up, or a resumed
  // run's replay up to its checkpoint, comes before (reported as startMs).
  await Promise.all(runners.map((r) => r.ready));
  opened = Date.now();

  const recordsPlanned = jobs.reduce((a, j) => a + (j.endSeq === undefined ? 0 : j.endSeq - j.startSeq), 0);
  let lastTick = Date.now();
  const failedMs = runners.map(() => 0);
  let saving: Promise<void> = Promise.resolve();
  let saveInFlight = false;
  const tick = (final: boolean) => {
    const d = new Counters();
    let sinkBound = false;
    let clockMs = 0;
    let waiting: StreamTick['waiting'];
    runners.forEach((r, i) => {
      const p = r.poll();
      d.add(p.delta);
      counters.add(p.delta);
      checkpoint[keys[i]] = p.watermark;
      sinkBound ||= p.sinkBound;
      clockMs = Math.max(clockMs, p.clockMs);
      const h = p.health;
      if (h?.failingSince !== undefined) waiting = { sinceMs: Math.min(waiting?.sinceMs ?? Infinity, h.failingSince), retries: (waiting?.retries ?? 0) + h.retries };
      failedMs[i] = (h?.failedMs ?? 0) + (h?.failingSince === undefined ? 0 : Date.now() - h.failingSince);
    });
    const delta = d.snapshot();
    const now = Date.now();
    const generated = d.totals().generated;
    let progress: number | undefined;
    if (recordsPlanned > 0) progress = counters.totals().generated / recordsPlanned;
    else if (s.duration !== undefined) progress = Math.min(1, (now - opened) / s.duration);
    else if (s.from) progress = Math.min(1, Math.max(0, (clockMs - s.from.getTime()) / ((s.to?.getTime() ?? started) - s.from.getTime())));
    if (!final) {
      const latency = summarizeLatency(delta.latency);
      req.onTick?.({ elapsedMs: now - opened, delta, totals: counters.snapshot(), rate: generated / Math.max((now - lastTick) / 1000, 1e-3), sinkBound: sinkBound && !waiting, progress, clockMs, waiting, latency });
      // Checkpoint: one save at a time; while one is still going (a slow or failing target) a
      // tick skips its save rather than queueing it, and a save gives up after about a tick.
      if (runs && !saveInFlight) {
        saveInFlight = true;
        saving = runs
          .recordRun(record('running', null, null), 'checkpoint')
          .catch((err: unknown) => log('checkpoint save failed: %O', err))
          .finally(() => (saveInFlight = false));
      }
    }
    lastTick = now;
  };
  const timer = setInterval(() => tick(false), req.tickMs ?? 1000);
  // One failed partition fails the run: the others stop generating and finish their in-flight
  // writes, so the run ends within seconds (a run without bounds would otherwise never end).
  const results = await Promise.all(
    runners.map((r) =>
      r.done.then((result) => {
        if (result.reason === 'failed') for (const other of runners) other.stop();
        return result;
      }),
    ),
  );
  clearInterval(timer);
  req.signal.removeEventListener('abort', stopAll);
  tick(true);
  results.forEach((r, i) => (checkpoint[keys[i]] = r.watermark));
  await saving;

  const failed = results.find((r) => r.reason === 'failed');
  const stopped = req.signal.aborted || results.some((r) => r.reason === 'stopped');
  const status: RunStatus = failed ? 'failed' : stopped ? 'interrupted' : 'completed';
  const error = failed ? toEtlError(failed.error) : undefined;
  const t = counters.totals();
  const summary: RunSummary = {
    runId,
    seed: req.seed,
    status,
    reason: failed ? 'failed' : stopped ? 'stopped' : results[0].reason,
    partitions: keys,
    counts: counters.snapshot(),
    elapsedMs: Date.now() - opened,
    rate: t.generated / Math.max((Date.now() - opened) / 1000, 1e-3),
    startMs: opened - started,
    checkpoint: { ...checkpoint },
    resumedFrom: req.resume?._id ?? null,
    lost: unaccounted(t),
    catalogLoadMs: Math.round(req.catalog.loadMs),
    failedMs: Math.max(0, ...failedMs),
    latency: latencyOf(counters),
    clockOrigin: live?.origin,
    error,
  };
  try {
    await runs?.recordRun(record(status, error ? error.message : null, new Date()));
  } catch (err) {
    // The records are accounted for in the summary; only the final bookkeeping write failed.
    log('final run record not saved: %O', err);
    summary.error ??= toEtlError(err);
  }
  return summary;
}

function latencyOf(counters: Counters): LatencySummary | undefined {
  return summarizeLatency(counters.latency);
}

/** Records a partition simulates before the origin, at most, to open the shop mid-flow (nothing rendered: a few seconds at most). */
const warmUpRecords = 4_000_000;
/** Long enough for nearly every visit open at the origin to have started in it. */
const maxWarmUpMs = 30 * 60_000;

/**
 * Live time: each partition's visit rate for --rate (or the population's own), the origin of
 * the stream's simulated time, and how long the shop runs before it without output.
 */
function liveJobs(req: StreamRequest, s: StreamSettings, partitions: Partition[], started: number): { origin: Date; jobs: LiveJob[] } | undefined {
  if (s.from) return undefined;
  const origin = req.clockOrigin ?? (req.resume ? recordedClockOrigin(req.resume) : new Date(started));
  const recordsPerSecond = s.rate ?? s.batchSize / s.interval;
  const plan = planLiveRate(
    req.catalog.catalog,
    { seed: req.seed, partition: partitions[0], mix: s.mix, fraudRate: s.fraudRate, dirtyRate: s.dirtyRate, lifecycle: s.lifecycle, from: origin, events: req.profile.events },
    recordsPerSecond,
  );
  const perPartition = (plan.visitsPerSecond * plan.recordsPerVisit) / partitions.length;
  const warmUpMs = Math.round(Math.min(maxWarmUpMs, (warmUpRecords / Math.max(perPartition, 1e-9)) * 1000));
  req.onLivePlan?.(plan);
  return {
    origin,
    jobs: partitions.map(() => ({
      originMs: origin.getTime(),
      warmUpMs,
      visitsPerSecond: recordsPerSecond === 'population' ? undefined : plan.visitsPerSecond / partitions.length,
    })),
  };
}

/** A scenario as the run record's manifest holds it: name, window (to: null when open-ended), parameters, as written. */
function manifestOf(w: ScenarioWindow): NonNullable<RunRecord['scenarios']>[number] {
  return { name: w.name, from: new Date(w.fromMs), to: Number.isFinite(w.toMs) ? new Date(w.toMs) : null, params: w.params, text: w.text };
}

function toEtlError(err: unknown): EtlError {
  if (isEtlError(err)) return err;
  return new EtlError('SINK_FAILED', err instanceof Error ? err.message : String(err));
}
