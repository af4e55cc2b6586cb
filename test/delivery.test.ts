import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Delivery } from '../src/run/delivery.js';
import { PartitionPipeline, type PartitionJob } from '../src/run/partition.js';
import { type ScenarioWindow, parseScenario, resolveScenarios } from '../src/scenarios/spec.js';
import type { Doc } from '../src/sinks/types.js';
import { runCli } from './helpers/cli.js';
import { testCatalog } from './helpers/engine.js';
import { eventFiles, readDocs } from './helpers/files.js';
import { MemorySink, type Written } from './helpers/memory-sink.js';
import { ours } from './helpers/profiles.js';
import { partitionJob } from './helpers/job.js';

const catalog = testCatalog();
const from = Date.parse('2026-02-01T00:00:00Z');
const hourMs = 3_600_000;

/** Scenarios as --scenario takes them, resolved for a run starting at `from`. */
function scenarios(...texts: string[]): ScenarioWindow[] {
  return resolveScenarios(
    texts.map((t) => {
      const s = parseScenario(t);
      if (typeof s === 'string') throw new Error(s);
      return s;
    }),
    from,
  );
}

function job(over: Partial<PartitionJob> = {}): PartitionJob {
  // Dense traffic: thousands of records an hour, so every collection has records minutes apart.
  return partitionJob({ runId: 'delivery', seed: 7, lifecycle: true, sessionsPerDay: 40_000, fromMs: from, toMs: from + 6 * hourMs, batchSize: 200, inFlight: 3, ...over });
}

async function run(j: PartitionJob, sink: MemorySink, signal = new AbortController().signal) {
  const p = new PartitionPipeline(catalog, ours, sink, j, signal);
  const result = await p.run();
  return { result, counters: p.counters };
}

const ms = (d: unknown) => (d as Date).getTime();
const isLate = (d: Doc) => Array.isArray(d.scenarios) && (d.scenarios as string[]).includes('late-arrivals');
const seqOf = (id: string) => parseInt(id.slice(id.lastIndexOf('-') + 1), 36);

/** The writes of each event collection, in order. */
function byCollection(log: Written[]): Map<string, Written[]> {
  const out = new Map<string, Written[]>();
  for (const w of log) {
    if (w.collection === 'dead_letters') continue;
    let list = out.get(w.collection);
    if (!list) out.set(w.collection, (list = []));
    list.push(w);
  }
  return out;
}

function reconciles(counters: PartitionPipeline['counters']): void {
  for (const [name, c] of counters.byCollection) expect(c.generated, name).toBe(c.written + c.duplicates + c.dead_lettered);
}

describe('a resumed run stopped during its replay', () => {
  it('keeps its checkpoint: records held back in the replay are not flushed, so it does not move back to where the replay stopped', async () => {
    const j = job({ scenarios: scenarios('late-arrivals:share=0.2@0h+48h'), toMs: from + 48 * hourMs, startSeq: 150_000, endSeq: 200_000 });
    const stop = new AbortController();
    const sink = new MemorySink();
    const p = new PartitionPipeline(catalog, ours, sink, j, stop.signal);
    // Stopped at the first turn of the event loop: after the replay's first slice (50,000 records).
    setImmediate(() => stop.abort());
    const r = await p.run();
    expect(r).toEqual({ reason: 'stopped', watermark: 150_000 });
    expect(sink.log).toEqual([]);
    expect(p.counters.totals().generated).toBe(0);
  });
});

describe('late-arrivals', () => {
  const window = { fromMs: from + 2 * hourMs, toMs: from + 4 * hourMs };

  it('holds a share of the window back: each is written after a later record of its collection, at most max late, labelled with ingested_at', async () => {
    const sink = new MemorySink();
    const { result, counters } = await run(job({ scenarios: scenarios('late-arrivals:share=0.05,max=2m@2h+2h') }), sink);
    expect(result.reason).toBe('to');
    reconciles(counters);
    let late = 0;
    let inWindow = 0;
    for (const [collection, writes] of byCollection(sink.log)) {
      let latest = -Infinity;
      for (const { doc } of writes) {
        const t = ms(doc.timestamp);
        if (t >= window.fromMs && t < window.toMs) inWindow++;
        if (isLate(doc)) {
          late++;
          expect(t, `${collection} ${doc._id} is in the window`).toBeGreaterThanOrEqual(window.fromMs);
          expect(t).toBeLessThan(window.toMs);
          expect(latest, `${collection} ${doc._id} follows a later record`).toBeGreaterThan(t);
          expect(latest - t, `${collection} ${doc._id} at most 2 min late`).toBeLessThanOrEqual(120_000);
          const lateness = ms(doc.ingested_at) - t;
          expect(lateness).toBeGreaterThan(0);
          expect(lateness).toBeLessThanOrEqual(120_000);
        } else expect(doc.ingested_at).toBeUndefined();
        latest = Math.max(latest, t);
      }
    }
    // A share of 5 % of a few thousand records: within a fifth of it.
    expect(inWindow).toBeGreaterThan(5000);
    expect(late / inWindow).toBeGreaterThan(0.04);
    expect(late / inWindow).toBeLessThan(0.06);
  });

  it('delivers every record once, the same records as without the scenario but for the label and ingested_at', async () => {
    const plain = new MemorySink();
    await run(job(), plain);
    const sink = new MemorySink();
    await run(job({ scenarios: scenarios('late-arrivals:share=0.2@2h+2h') }), sink);
    expect(sink.log.length).toBe(plain.log.length);
    const before = new Map(plain.log.map((w) => [w.doc._id, w.doc]));
    let moved = 0;
    for (const { doc } of sink.log) {
      const original = before.get(doc._id)!;
      if (!isLate(doc)) {
        expect(doc).toEqual(original);
        continue;
      }
      moved++;
      const { scenarios: labels, ingested_at: _, ...rest } = doc;
      expect(rest).toEqual(original);
      expect(labels).toEqual(['late-arrivals']);
    }
    expect(moved).toBeGreaterThan(1000);
  });

  it('appends its label to the labels a record has, without changing another record\'s', () => {
    const delivery = Delivery.of({ seed: 1, partition: { index: 0, count: 1 }, batchSize: 10, scenarios: scenarios('late-arrivals:share=1@0m+1m') })!;
    const shared = ['black-friday'];
    const record = (seq: number, ms: number) => ({ collection: 'transactions' as const, seq, dirty: null, doc: { _id: `r${seq}`, timestamp: new Date(from + ms), scenarios: shared } as Doc });
    expect(delivery.deliver([0, 1, 2].map((seq) => record(seq, seq * 1000)))).toEqual([]);
    // A later record of their collection (outside the window, so on time) passes them: they come after it, late.
    const out = [...delivery.deliver([record(3, 5 * 60_000)]), ...delivery.flush()];
    expect(out[0].doc._id).toBe('r3');
    expect(out.map((r) => r.doc._id).sort()).toEqual(['r0', 'r1', 'r2', 'r3']);
    out.sort((a, b) => (a.doc._id < b.doc._id ? -1 : 1));
    expect(out.map((r) => r.doc.scenarios)).toEqual([...[0, 1, 2].map(() => ['black-friday', 'late-arrivals']), ['black-friday']]);
    expect(shared).toEqual(['black-friday']);
  });

  it('delivers a held record that nothing later of its collection passed as on time: no label, no ingested_at', () => {
    const delivery = Delivery.of({ seed: 1, partition: { index: 0, count: 1 }, batchSize: 10, scenarios: scenarios('late-arrivals:share=1') })!;
    expect(delivery.deliver([{ collection: 'reviews' as const, seq: 0, dirty: null, doc: { _id: 'v0', timestamp: new Date(from) } as Doc }])).toEqual([]);
    const [only] = delivery.flush();
    expect(only.doc).toEqual({ _id: 'v0', timestamp: new Date(from) });
  });
});

describe('duplicate-delivery', () => {
  const dup = () => job({ dirtyRate: 0.01, scenarios: scenarios('duplicate-delivery:share=0.02@1h') });

  it('delivers a share of the window again, in a later batch, identical: a file holds it twice, a store absorbs it', async () => {
    const files = new MemorySink();
    const a = await run(dup(), files);
    reconciles(a.counters);
    const first = new Map<string, Written>();
    let again = 0;
    let inWindow = 0;
    for (const w of files.log) {
      const key = `${w.collection}/${w.doc._id}`;
      const seen = first.get(key);
      if (!seen) {
        first.set(key, w);
        const t = w.doc.timestamp instanceof Date ? ms(w.doc.timestamp) : NaN;
        if (w.collection !== 'dead_letters' && t >= from + hourMs) inWindow++;
        continue;
      }
      again++;
      // The same document (a dead letter is stamped when rejected).
      expect({ ...w.doc, created_at: undefined }).toEqual({ ...seen.doc, created_at: undefined });
      // Another batch: a later call of write for the collection.
      expect(w.call).toBeGreaterThan(seen.call);
      if (w.collection !== 'dead_letters') expect(ms(w.doc.timestamp)).toBeGreaterThanOrEqual(from + hourMs);
    }
    expect(again / inWindow).toBeGreaterThan(0.015);
    expect(again / inWindow).toBeLessThan(0.025);
    // No file sink absorbs a repeat: every delivery is written (or dead-lettered).
    const t = a.counters.totals();
    expect(t.duplicates).toBe(0);
    expect(t.generated).toBe(a.result.watermark + again);

    const store = new MemorySink({ dedupe: true });
    const b = await run(dup(), store);
    reconciles(b.counters);
    const tb = b.counters.totals();
    expect(tb.generated).toBe(t.generated);
    // The store absorbs the repeats of stored records; dead letters are counted per delivery.
    const deadAgain = files.log.filter((w) => w.collection === 'dead_letters').length - store.log.filter((w) => w.collection === 'dead_letters').length;
    expect(tb.duplicates).toBe(again - deadAgain);
    expect(deadAgain).toBeGreaterThan(0);
    expect(store.events().size).toBe(tb.written);
  });
});

describe('delivery scenarios together', () => {
  const both = (over: Partial<PartitionJob> = {}) =>
    job({ dirtyRate: 0.01, scenarios: scenarios('late-arrivals:share=0.05,max=5m@1h', 'duplicate-delivery:share=0.01@1h'), ...over });

  it('are deterministic: the same job delivers the same records in the same order', async () => {
    const a = new MemorySink();
    const b = new MemorySink();
    await run(both(), a);
    await run(both(), b);
    expect(a.log.length).toBeGreaterThan(10_000);
    // Dead letters are stamped with the wall clock when rejected.
    const core = (log: Written[]) => JSON.stringify(log.map((w) => (w.collection === 'dead_letters' ? { ...w, doc: { ...w.doc, created_at: undefined } } : w)));
    expect(core(b.log)).toBe(core(a.log));
  });

  it('a run cut by its limit and resumed from its checkpoint stores exactly what one run stores', async () => {
    const whole = new MemorySink({ dedupe: true });
    const one = await run(both({ endSeq: 30_000 }), whole);
    expect(one.result).toEqual({ reason: 'limit', watermark: 30_000 });
    for (const cut of [4_321, 17_000]) {
      const store = new MemorySink({ dedupe: true });
      const first = await run(both({ endSeq: cut }), store);
      // What was held is flushed at the end: the checkpoint reaches the limit.
      expect(first.result).toEqual({ reason: 'limit', watermark: cut });
      await run(both({ startSeq: first.result.watermark, endSeq: 30_000 }), store);
      expect(store.events()).toEqual(whole.events());
    }
  });

  it('a killed run checkpoints before every record still held back; resumed from there, nothing is lost', async () => {
    const from0 = () => both({ endSeq: 30_000, scenarios: scenarios('late-arrivals:share=0.05,max=5m', 'duplicate-delivery:share=0.01') });
    const whole = new MemorySink({ dedupe: true });
    await run(from0(), whole);
    // The target goes away after 600 writes (about 80 batches): the run fails, nothing held is flushed.
    const store = new MemorySink({ dedupe: true, failAfter: 600 });
    const killed = await run(from0(), store);
    expect(killed.result.reason).toBe('failed');
    const checkpoint = killed.result.watermark;
    expect(checkpoint).toBeGreaterThan(0);
    // Every record before the checkpoint is stored: none of them was still held back.
    const stored = store.events();
    const before = [...whole.events().entries()].filter(([, d]) => seqOf(d._id) < checkpoint);
    expect(before.length).toBeGreaterThan(1000);
    expect(before.some(([, d]) => isLate(d))).toBe(true);
    for (const [key] of before) expect(stored.has(key), key).toBe(true);
    const resumedSink = new MemorySink({ dedupe: true });
    for (const [c, docs] of store.stored) resumedSink.stored.set(c, new Map(docs));
    await run({ ...from0(), startSeq: checkpoint }, resumedSink);
    expect(resumedSink.events()).toEqual(whole.events());
  });

  it('change nothing outside their windows', async () => {
    const plain = new MemorySink();
    await run(job({ toMs: from + 3 * hourMs }), plain);
    const sink = new MemorySink();
    await run(job({ toMs: from + 3 * hourMs, scenarios: scenarios('late-arrivals:share=0.5@1h+1h', 'duplicate-delivery:share=0.5@1h+1h') }), sink);
    // Each collection's records outside the windows, in the order written.
    const outside = (log: Written[]) => [...byCollection(log)].map(([c, writes]) => [c, writes.filter((w) => ms(w.doc.timestamp) < from + hourMs || ms(w.doc.timestamp) >= from + 2 * hourMs).map((w) => w.doc._id)]);
    expect(outside(sink.log)).toEqual(outside(plain.log));
    expect(sink.log.length).toBeGreaterThan(plain.log.length);
  });
});

describe('etl stream with both delivery scenarios, into jsonl', () => {
  it('writes repeated _ids, and late records after later ones, at most 10 min late', async () => {
    const out = mkdtempSync(join(tmpdir(), 'etl-delivery-'));
    const r = await runCli(['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-01-01', '--to', '2026-01-08', '--scenario', 'late-arrivals', '--scenario', 'duplicate-delivery', '--seed', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    let late = 0;
    let repeated = 0;
    let followsLater = 0;
    for (const collection of eventFiles) {
      const seen = new Set<string>();
      let latest = -Infinity;
      for (const doc of readDocs(out, collection)) {
        const t = ms(doc.timestamp);
        if (seen.has(doc._id)) repeated++;
        else if (isLate(doc)) {
          late++;
          // Never more than 10 min behind what was written before it, in its file.
          expect(latest - t).toBeLessThanOrEqual(600_000);
          const lateness = ms(doc.ingested_at) - t;
          expect(lateness).toBeGreaterThan(0);
          expect(lateness).toBeLessThanOrEqual(600_000);
          if (latest > t) followsLater++;
        }
        seen.add(doc._id);
        latest = Math.max(latest, t);
      }
    }
    expect(repeated).toBeGreaterThan(20);
    expect(late).toBeGreaterThan(50);
    // A week of the default catalog is sparse (a record a minute): a late record whose file has
    // no later record within 10 min of it is delivered without one before it.
    expect(followsLater / late).toBeGreaterThan(0.8);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { counts: { collections: Record<string, { generated: number; written: number; duplicates: number; dead_lettered: number }> } };
    for (const [name, c] of Object.entries(summary.counts.collections)) expect(c.generated, name).toBe(c.written + c.duplicates + c.dead_lettered);
  });
});
