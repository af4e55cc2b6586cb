import { sentDocuments } from './helpers/sequence.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoNetworkError } from 'mongodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { parseId } from '../src/events/ids.js';
import { buildStoreCatalog } from '../src/catalog/store-catalog.js';
import { PartitionPipeline, type PartitionJob, withAnswers } from '../src/run/partition.js';
import { runStream, type StreamSettings } from '../src/run/stream.js';
import { MongoSink, type MongoLike } from '../src/sinks/mongo/sink.js';
import type { RunRecord } from '../src/shared/records.js';
import type { Doc, Sink, WriteResult } from '../src/sinks/types.js';
import { defaultMix, testCatalog } from './helpers/engine.js';
import { eventFiles, readDocs } from './helpers/files.js';
import { partitionJob } from './helpers/job.js';
import { ours } from './helpers/profiles.js';

/** An in-memory sink whose writes take `delayMs` and that remembers the most writes in flight. */
class SlowSink implements Sink {
  readonly name = 'null' as const;
  readonly target = 'slow test sink';
  inFlight = 0;
  maxInFlight = 0;
  stored = new Map<string, Doc[]>();
  records: RunRecord[] = [];
  readonly runs = {
    recordRun: async (run: RunRecord) => {
      this.records.push(structuredClone(run));
    },
    lastRun: async () => null,
    prepareResume: async (_seed: number, checkpoint: Record<string, number>) => {
      this.searched.push(checkpoint);
      return 0;
    },
  };
  /** The checkpoints beyond which the target was searched for records it already holds (a resume). */
  searched: Array<Record<string, number>> = [];
  constructor(private readonly delayMs: number) {}
  async open() {}
  async reset() {}
  async write(collection: string, docs: Doc[]): Promise<WriteResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.inFlight--;
    const list = this.stored.get(collection) ?? [];
    list.push(...docs);
    this.stored.set(collection, list);
    return { written: docs.length, duplicates: 0, rejected: [], retries: 0 };
  }
  async close() {}
}

function job(over: Partial<PartitionJob> = {}): PartitionJob {
  return partitionJob({ fromMs: Date.parse('2026-02-01T00:00:00Z'), ...over });
}

describe('partition pipeline', () => {
  it('bounds in-flight batches: a slow sink slows generation instead of queueing', async () => {
    // 5 collections per batch are written concurrently, so 2 batches in flight = at most 10 writes.
    const sink = new SlowSink(20);
    const p = new PartitionPipeline(testCatalog(), ours, sink, job({ endSeq: 3000 }), new AbortController().signal);
    const started = Date.now();
    const r = await p.run();
    expect(r).toEqual({ reason: 'limit', watermark: 3000 });
    expect(sink.maxInFlight).toBeLessThanOrEqual(2 * 5);
    // 30 batches, two at a time, 20 ms+ each: at least 15 rounds of waiting.
    expect(Date.now() - started).toBeGreaterThanOrEqual(15 * 20);
    const t = p.counters.totals();
    expect(t.generated).toBe(3000);
    expect(t.written).toBe(3000);
  });

  it('a live warm-up is cut short by a stop (Ctrl-C) at its next slice, well before the origin: the run stops before its first record', async () => {
    const origin = Date.parse('2026-02-01T12:00:00Z');
    // 30 simulated minutes at 200 visits a second: millions of steps, seconds of work in one stretch.
    const live = { originMs: origin, warmUpMs: 30 * 60_000, visitsPerSecond: 200 };
    const stop = new AbortController();
    const sink = new SlowSink(0);
    const p = new PartitionPipeline(testCatalog(), ours, sink, job({ live, pacing: { mode: 'live', flushMs: 1000 } }), stop.signal);
    setImmediate(() => stop.abort());
    await p.prepare();
    // What tells a sliced warm-up from one in a stretch: it stopped well before the origin.
    expect(p.clockMs).toBeGreaterThan(origin - live.warmUpMs);
    expect(p.clockMs).toBeLessThan(origin - 20 * 60_000);
    // (These hold either way here; the early return after a stopped replay is tested in test/delivery.test.ts.)
    const r = await p.run();
    expect(r).toEqual({ reason: 'stopped', watermark: 0 });
    expect(p.counters.totals().generated).toBe(0);
    expect(sink.stored.size).toBe(0);
  });

  it('a resumed run stopped during its replay up to the checkpoint ends there: checkpoint kept, nothing written, not even its answer key', async () => {
    const resumed = job({ startSeq: 400_000, endSeq: 500_000, answers: true, runId: 'r' });
    const full = new PartitionPipeline(testCatalog(), ours, new SlowSink(0), resumed, new AbortController().signal);
    await full.prepare();
    const stop = new AbortController();
    const sink = new SlowSink(0);
    const p = new PartitionPipeline(testCatalog(), ours, sink, resumed, stop.signal);
    setImmediate(() => stop.abort());
    const r = await withAnswers(p)(await p.run());
    expect(r).toEqual({ reason: 'stopped', watermark: 400_000 });
    // Stopped after its first slice: simulated time short of where the whole replay got.
    expect(p.clockMs).toBeLessThan(full.clockMs);
    expect(sink.stored.size).toBe(0);
  });

  it('reports sink-bound when a paced run falls behind because writes hold it back', async () => {
    const sink = new SlowSink(300);
    const stop = new AbortController();
    const p = new PartitionPipeline(testCatalog(), ours, sink, job({ pacing: { mode: 'rate', perSecond: 20_000 }, batchSize: 1000, inFlight: 1 }), stop.signal);
    const run = p.run();
    let seen = false;
    for (let i = 0; i < 40 && !seen; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = p.pacer.sinkBound;
    }
    stop.abort();
    await run;
    expect(seen).toBe(true);
  });

  it('a target that answers at once still lets the event loop turn: ticks and Ctrl-C get through', async () => {
    const { NullSink } = await import('../src/sinks/null.js');
    const stop = new AbortController();
    const p = new PartitionPipeline(testCatalog(), ours, new NullSink(), job({ batchSize: 500, endSeq: 300_000 }), stop.signal);
    let turns = 0;
    const timer = setInterval(() => {
      // A timer firing mid-run is how a tick or a signal handler gets its turn.
      if (++turns === 5) stop.abort();
    }, 10);
    const r = await p.run();
    clearInterval(timer);
    expect(turns).toBe(5);
    expect(r.reason).toBe('stopped');
    expect(p.counters.totals().generated).toBeGreaterThan(0);
  });

  it('a lost batch fails the run with exit 1 and the checkpoint stays before it', async () => {
    let calls = 0;
    const db = {
      async command(cmd: { documents: unknown }) {
        calls++;
        if (calls > 12) throw new MongoNetworkError('connection refused');
        return { ok: 1, n: sentDocuments(cmd.documents).length };
      },
    };
    const sink = MongoSink.over(db as unknown as MongoLike, { retries: 2, minTimeout: 1, maxTimeout: 2, maxRetryTime: 200 });
    const p = new PartitionPipeline(testCatalog(), ours, sink, job({ endSeq: 5000, inFlight: 1 }), new AbortController().signal);
    const r = await p.run();
    expect(r.reason).toBe('failed');
    expect((r.error as { exitCode: number }).exitCode).toBe(1);
    expect(r.watermark).toBeGreaterThan(0);
    expect(r.watermark).toBeLessThan(5000);
    const t = p.counters.totals();
    expect(t.written).toBeLessThan(t.generated);
  });
});

describe('runStream', () => {
  const settings: StreamSettings = {
    profile: 'ecom-etl',
    rate: undefined,
    interval: 1,
    intervalGiven: false,
    batchSize: 500,
    duration: undefined,
    limit: 12_345,
    workers: 1,
    partition: undefined,
    from: new Date('2026-02-01T00:00:00Z'),
    to: undefined,
    speed: undefined,
    fraudRate: 0.02,
    dirtyRate: 0.02,
    mix: defaultMix,
    inFlight: 3,
  };
  const g = new CatalogGenerator(42);
  const catalog = { catalog: buildStoreCatalog(g.products(0, 100), g.users(0, 1000)), source: 'memory' as const, read: { products: 100, users: 1000 }, loadMs: 0 };

  it('stores a run record that reconciles, with a checkpoint at the limit', async () => {
    const sink = new SlowSink(0);
    const summary = await runStream({ command: 'stream', profile: ours, settings, seed: 8, sink, sinkOptions: { sink: 'null', stored: ours.stored, out: '', db: 'x', dataDir: '' }, catalog, signal: new AbortController().signal, options: {} });
    expect(summary.status).toBe('completed');
    expect(summary.checkpoint).toEqual({ '0.1': 12_345 });
    expect(summary.lost).toBe(0);
    const final = sink.records[sink.records.length - 1];
    expect(final.status).toBe('completed');
    expect(final.checkpoint).toEqual({ '0.1': 12_345 });
    for (const c of Object.values(final.counts)) expect(c.generated).toBe(c.written + c.duplicates + c.dead_lettered);
    expect(sink.stored.get('dead_letters')!.length).toBe(summary.counts.injectedDirty);
  });

  it('continuing from a checkpoint yields exactly the rest of one uninterrupted run', async () => {
    const whole = new SlowSink(0);
    await runStream({ command: 'stream', profile: ours, settings, seed: 8, sink: whole, sinkOptions: { sink: 'null', stored: ours.stored, out: '', db: 'x', dataDir: '' }, catalog, signal: new AbortController().signal, options: {} });
    const first = new SlowSink(0);
    await runStream({ command: 'stream', profile: ours, settings: { ...settings, limit: 5000 }, seed: 8, sink: first, sinkOptions: { sink: 'null', stored: ours.stored, out: '', db: 'x', dataDir: '' }, catalog, signal: new AbortController().signal, options: {} });
    const rest = new SlowSink(0);
    await runStream({ command: 'stream', profile: ours, settings, seed: 8, sink: rest, sinkOptions: { sink: 'null', stored: ours.stored, out: '', db: 'x', dataDir: '' }, catalog, signal: new AbortController().signal, options: {}, startSeqs: { '0.1': 5000 } });
    for (const c of ['product_views', 'cart_events', 'transactions', 'user_activities', 'inventory_updates']) {
      const union = [...(first.stored.get(c) ?? []), ...(rest.stored.get(c) ?? [])].map((d) => JSON.stringify(d)).sort();
      expect(union).toEqual((whole.stored.get(c) ?? []).map((d) => JSON.stringify(d)).sort());
    }
  });

  it('a continuation searches the target for records beyond its checkpoint, unless told it holds none (a job of a fresh schedule whose jobs all completed)', async () => {
    const sinkOptions = { sink: 'null' as const, stored: ours.stored, out: '', db: 'x', dataDir: '' };
    const resumed = new SlowSink(0);
    await runStream({ command: 'stream', profile: ours, settings: { ...settings, limit: 6000 }, seed: 8, sink: resumed, sinkOptions, catalog, signal: new AbortController().signal, options: {}, startSeqs: { '0.1': 5000 } });
    expect(resumed.searched).toEqual([{ '0.1': 5000 }]);
    const continued = new SlowSink(0);
    const summary = await runStream({ command: 'schedule', profile: ours, settings: { ...settings, limit: 1000 }, seed: 8, sink: continued, sinkOptions, catalog, signal: new AbortController().signal, options: {}, startSeqs: { '0.1': 5000 }, limitFromStart: true, beyondCheckpoint: false });
    expect(continued.searched).toEqual([]);
    expect(summary.checkpoint).toEqual({ '0.1': 6000 });
  });

  it('live time: resumed from a checkpoint, the stream continues its open visits and pending effects, records equal to one run but for the pause in their timestamps', async () => {
    // Long enough for visits to take their next steps after the stop (seconds apart).
    const live = { ...settings, from: undefined, rate: 500, limit: 5000, dirtyRate: 0 };
    const sinkOptions = { sink: 'null' as const, stored: ours.stored, out: '', db: 'x', dataDir: '' };
    // Hours before now: a record stamped with simulated time alone (not moved to the wall clock) would show.
    const clockOrigin = new Date(Date.now() - 5 * 3_600_000);
    const whole = new SlowSink(0);
    const began = Date.now();
    const one = await runStream({ command: 'stream', profile: ours, settings: live, seed: 8, sink: whole, sinkOptions, catalog, signal: new AbortController().signal, options: {}, clockOrigin });
    expect(one.status).toBe('completed');
    expect(one.clockOrigin).toEqual(clockOrigin);
    // Latency was measured for every record stored, and is stored with the run.
    expect(one.latency!.count).toBe(5000);
    expect(one.latency!.p50).toBeLessThanOrEqual(one.latency!.p99);
    expect(one.latency!.p99).toBeLessThanOrEqual(one.latency!.max);
    expect(whole.records.at(-1)!.latency_ms).toMatchObject({ p99: one.latency!.p99 });
    expect(whole.records.at(-1)!.clock_origin).toEqual(clockOrigin);
    // Every record was stored within seconds of its timestamp.
    expect(one.latency!.max).toBeLessThan(5000);
    const first = new SlowSink(0);
    await runStream({ command: 'stream', profile: ours, settings: { ...live, limit: 2500 }, seed: 8, sink: first, sinkOptions, catalog, signal: new AbortController().signal, options: {}, clockOrigin });
    const rest = new SlowSink(0);
    await runStream({ command: 'stream', profile: ours, settings: live, seed: 8, sink: rest, sinkOptions, catalog, signal: new AbortController().signal, options: {}, clockOrigin, startSeqs: { '0.1': 2500 } });
    const ended = Date.now();
    const strip = (d: Doc) => JSON.stringify({ ...d, timestamp: 0 });
    const sessionsBefore = new Set([...first.stored.values()].flat().map((d) => d.session_id).filter(Boolean));
    let continued = 0;
    for (const c of ['product_views', 'cart_events', 'transactions', 'user_activities', 'inventory_updates']) {
      const union = [...(first.stored.get(c) ?? []), ...(rest.stored.get(c) ?? [])];
      expect(union.map(strip).sort()).toEqual((whole.stored.get(c) ?? []).map(strip).sort());
      // Stamped on the wall clock, while the runs ran.
      for (const d of union) {
        expect((d.timestamp as Date).getTime()).toBeGreaterThanOrEqual(began);
        expect((d.timestamp as Date).getTime()).toBeLessThanOrEqual(ended);
      }
      continued += (rest.stored.get(c) ?? []).filter((d) => sessionsBefore.has(d.session_id)).length;
    }
    // Visits open when the first run stopped go on in the resumed one.
    expect(continued).toBeGreaterThan(0);
  });

  it('two partitions: the first writes through the run\'s own sink, the second through its worker thread\'s; cut by the limit and continued from the checkpoints, the same records as one run', async () => {
    const two = { ...settings, workers: 2 };
    const run = (sink: SlowSink, out: string, over: Partial<StreamSettings>, startSeqs?: Record<string, number>) =>
      runStream({ command: 'stream', profile: ours, settings: { ...two, ...over }, seed: 8, sink, sinkOptions: { sink: 'jsonl', stored: ours.stored, out, db: 'x', dataDir: '' }, catalog, signal: new AbortController().signal, options: {}, startSeqs });
    const partitionOf = (id: unknown) => parseId(String(id))!.partition;
    const inThread = (...sinks: SlowSink[]) => eventFiles.flatMap((c) => sinks.flatMap((s) => s.stored.get(c) ?? []).map((d) => `${c} ${JSON.stringify(d)}`)).sort();
    const inFiles = (dir: string) => eventFiles.flatMap((c) => readDocs(dir, c).map((d) => `${c} ${JSON.stringify(d)}`)).sort();

    const dirs: string[] = [];
    onTestFinished(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
    const tmp = () => dirs[dirs.push(mkdtempSync(join(tmpdir(), 'etl-two-'))) - 1];
    const [whole, wholeDir] = [new SlowSink(0), tmp()];
    const one = await run(whole, wholeDir, {});
    expect(one.checkpoint).toEqual({ '0.2': 6173, '1.2': 6172 });
    expect(whole.records.at(-1)!.checkpoint).toEqual({ '0.2': 6173, '1.2': 6172 });
    const here = inThread(whole);
    expect(here.length).toBeGreaterThan(5000);
    expect(new Set(eventFiles.flatMap((c) => (whole.stored.get(c) ?? []).map((d) => partitionOf(d._id))))).toEqual(new Set(['0.2']));
    expect(new Set(eventFiles.flatMap((c) => readDocs(wholeDir, c).map((d) => partitionOf(d._id))))).toEqual(new Set(['1.2']));

    const [first, rest, dir] = [new SlowSink(0), new SlowSink(0), tmp()];
    const cut = await run(first, dir, { limit: 5000 });
    expect(cut.checkpoint).toEqual({ '0.2': 2500, '1.2': 2500 });
    expect(inThread(first).length).toBeGreaterThan(2000);
    // A continued run replays up to its checkpoints (the first partition's in this thread, in slices), then goes on.
    const resumed = await run(rest, dir, {}, cut.checkpoint);
    expect(resumed.status).toBe('completed');
    expect(resumed.checkpoint).toEqual(one.checkpoint);
    expect(inThread(rest).length).toBeGreaterThan(2000);
    expect([...inThread(first), ...inThread(rest), ...inFiles(dir)].sort()).toEqual([...here, ...inFiles(wholeDir)].sort());
  });
});
