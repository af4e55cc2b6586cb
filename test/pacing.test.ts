import { describe, expect, it } from 'vitest';
import type { Partition } from '../src/config/values.js';
import { Pacer, type Pacing } from '../src/run/pacer.js';
import { pacingFor, planPartitions, type StreamSettings } from '../src/run/stream.js';
import { evenShare } from '../src/shared/share.js';
import { settingsMeta } from '../src/config/meta.js';
import { mongoBulkBatchSize } from '../src/sinks/mongo/sink.js';

const settings = (over: Partial<StreamSettings>): StreamSettings => ({
  profile: 'ecom-etl',
  rate: undefined,
  interval: 1,
  batchSize: 500,
  duration: undefined,
  limit: undefined,
  workers: 1,
  partition: undefined,
  from: undefined,
  to: undefined,
  speed: undefined,
  fraudRate: 0.02,
  dirtyRate: 0,
  mix: { views: 0.6, cart: 0.3, orders: 0.1 },
  inFlight: 4,
  intervalGiven: false,
  ...over,
});
const from = new Date('2026-01-01T00:00:00Z');

describe('pacingFor', () => {
  const table: Array<[string, Partial<StreamSettings>, number, number, { pacing: Pacing; batchSize: number }]> = [
    // name, settings, partitions, partition index, expected
    // Live time (no --from): what became due is flushed 20 times a second under --rate, else every
    // --interval, in batches of at most --batch-size (split among partitions).
    ['live, --rate 2000: flushed 20 times a second', { rate: 2000 }, 1, 0, { pacing: { mode: 'live', flushMs: 50 }, batchSize: 500 }],
    ['live, --rate 2000 over 4 partitions', { rate: 2000 }, 4, 3, { pacing: { mode: 'live', flushMs: 50 }, batchSize: 125 }],
    ['live, --rate population', { rate: 'population' }, 1, 0, { pacing: { mode: 'live', flushMs: 50 }, batchSize: 500 }],
    ['live, defaults: flushed every second', {}, 1, 0, { pacing: { mode: 'live', flushMs: 1000 }, batchSize: 500 }],
    ["live, --interval 2 --batch-size 10 (Adaptive-BI's pace)", { interval: 2, batchSize: 10, intervalGiven: true }, 1, 0, { pacing: { mode: 'live', flushMs: 2000 }, batchSize: 10 }],
    ['live, more partitions than --batch-size: at least one each', { batchSize: 2 }, 4, 3, { pacing: { mode: 'live', flushMs: 1000 }, batchSize: 1 }],
    // A backfill paced by --rate holds it steadily, in small batches.
    ['backfill, --rate 2000: 20 small batches a second', { from, rate: 2000 }, 1, 0, { pacing: { mode: 'rate', perSecond: 2000 }, batchSize: 100 }],
    ['backfill, --rate 2000 over 4 partitions', { from, rate: 2000 }, 4, 3, { pacing: { mode: 'rate', perSecond: 500 }, batchSize: 25 }],
    ['backfill, --rate 10: batches of one', { from, rate: 10 }, 1, 0, { pacing: { mode: 'rate', perSecond: 10 }, batchSize: 1 }],
    ['backfill, --rate above 20 × batch size: capped at --batch-size', { from, rate: 100_000, batchSize: 500 }, 1, 0, { pacing: { mode: 'rate', perSecond: 100_000 }, batchSize: 500 }],
    ['backfill: as fast as the target takes', { from }, 1, 0, { pacing: { mode: 'none' }, batchSize: 500 }],
    ['backfill over 3 partitions: batch size split up', { from }, 3, 2, { pacing: { mode: 'none' }, batchSize: 167 }],
    // Into a target with a bulk size (MongoDB): its batches, unless --batch-size was given.
    ['backfill into a bulk target, --batch-size not given: its bulk size, split up', { from, batchSizeGiven: false, bulkBatchSize: 5000 }, 2, 1, { pacing: { mode: 'none' }, batchSize: 2500 }],
    ['backfill into a bulk target, --batch-size given: that', { from, batchSizeGiven: true, bulkBatchSize: 5000, batchSize: 300 }, 1, 0, { pacing: { mode: 'none' }, batchSize: 300 }],
    ['live into a bulk target: --batch-size as ever', { batchSizeGiven: false, bulkBatchSize: 5000 }, 1, 0, { pacing: { mode: 'live', flushMs: 1000 }, batchSize: 500 }],
    ['backfill with --speed 60', { from, speed: 60 }, 1, 0, { pacing: { mode: 'speed', x: 60, fromMs: from.getTime() }, batchSize: 500 }],
    ['backfill with an explicit --interval is paced by it', { from, intervalGiven: true, interval: 2 }, 1, 0, { pacing: { mode: 'interval', ms: 2000 }, batchSize: 500 }],
    ['backfill, interval, 3 partitions: together exactly --batch-size (first gets the remainder)', { from, intervalGiven: true, batchSize: 10 }, 3, 0, { pacing: { mode: 'interval', ms: 1000 }, batchSize: 4 }],
    ['backfill, interval, 3 partitions, the last one', { from, intervalGiven: true, batchSize: 10 }, 3, 2, { pacing: { mode: 'interval', ms: 1000 }, batchSize: 3 }],
  ];
  for (const [name, over, parts, w, want] of table) it(name, () => expect(pacingFor(settings(over), parts, w)).toEqual(want));
});

describe('planPartitions', () => {
  const table: Array<[string, Partition | undefined, number, string[]]> = [
    ['one process, one worker', undefined, 1, ['0/1']],
    ['one process, 3 workers', undefined, 3, ['0/3', '1/3', '2/3']],
    ['--partition 1/4 alone', { index: 1, count: 4 }, 1, ['1/4']],
    ['--partition 1/4 with 2 workers: partitions 2 and 3 of 8', { index: 1, count: 4 }, 2, ['2/8', '3/8']],
  ];
  for (const [name, base, workers, want] of table) it(name, () => expect(planPartitions(base, workers).map((p) => `${p.index}/${p.count}`)).toEqual(want));

  it('N processes × W workers cover every partition of N·W exactly once', () => {
    const all = [0, 1, 2].flatMap((i) => planPartitions({ index: i, count: 3 }, 4).map((p) => p.index));
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });
});

describe('evenShare', () => {
  it('splits without loss, the remainder to the first parts', () => {
    for (const [total, parts] of [[10, 3], [0, 4], [7, 7], [3, 5], [1_000_001, 8]]) {
      const shares = Array.from({ length: parts }, (_, i) => evenShare(total, parts, i));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      expect([...shares].sort((a, b) => b - a)).toEqual(shares);
    }
  });
});

describe('Pacer on an injected clock', () => {
  /** A wall clock the test moves by hand. */
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  const table: Array<[string, Pacing, Array<[number, number]>, number[]]> = [
    // name, pacing, (recordsDone, simMs) per batch, expected due offsets from the start
    ['rate: due when the records so far fit the rate', { mode: 'rate', perSecond: 200 }, [[0, 0], [100, 0], [300, 0]], [0, 500, 1500]],
    ['interval: one batch per interval', { mode: 'interval', ms: 250 }, [[0, 0], [500, 0], [1000, 0]], [0, 250, 500]],
  ];
  for (const [name, pacing, batches, dues] of table) {
    it(name, async () => {
      const c = clock();
      const start = c.now();
      const pacer = new Pacer(pacing, c.now);
      for (let i = 0; i < batches.length; i++) {
        const [done, sim] = batches[i];
        expect(pacer.dueAt(done, sim) - start).toBe(dues[i]);
        c.advance(dues[i] - (c.now() - start));
        // Due exactly now: no wait at all.
        expect(await pacer.wait(done, sim, new AbortController().signal)).toBe(true);
        expect(pacer.lagMs).toBe(0);
      }
    });
  }

  it('no pacing is never due later than now, and never sink-bound', () => {
    const pacer = new Pacer({ mode: 'none' });
    expect(pacer.dueAt(1_000_000, 0)).toBe(0);
    expect(pacer.sinkBound).toBe(false);
  });

  it('speed 60: records are due once simulated time, one minute per second, has reached them; batches end there', async () => {
    const c = clock();
    const pacer = new Pacer({ mode: 'speed', x: 60, fromMs: 0 }, c.now);
    expect(pacer.horizon()).toBe(0);
    c.advance(1000);
    expect(pacer.horizon()).toBe(60_000);
    // The engine is at 30 s simulated: records up to the horizon are due now.
    expect(pacer.dueAt(0, 30_000)).toBe(0);
    // It has reached the horizon: look again a tick later, not a --batch-size later.
    expect(pacer.dueAt(0, 60_000) - c.now()).toBe(50);
    expect(await pacer.wait(0, 30_000, new AbortController().signal)).toBe(true);
    expect(pacer.sinkBound).toBe(false);
    // Three seconds of wall time and the engine still at 0: generation is held back.
    c.advance(2000);
    expect(await pacer.wait(0, 0, new AbortController().signal)).toBe(true);
    expect(pacer.sinkBound).toBe(true);
  });

  it('live: simulated time is now from startLive on; what became due is flushed every flushMs; a deadline is the last flush', async () => {
    const c = clock();
    const pacer = new Pacer({ mode: 'live', flushMs: 50 }, c.now);
    const signal = new AbortController().signal;
    const sim = Date.UTC(2026, 0, 5);
    pacer.startLive(sim);
    expect(pacer.offsetMs).toBe(c.now() - sim);
    // The engine is at now: nothing is due before the next flush, 50 ms later.
    expect(pacer.dueAt(0, c.now())).toBe(c.now() + 50);
    // Behind the flush: due at once, and the batch ends at the flush.
    expect(pacer.dueAt(0, c.now() - 10)).toBe(0);
    expect(pacer.horizon()).toBe(c.now());
    // A deadline between flushes: the run ends with a flush at the deadline.
    const start = c.now();
    pacer.flushUntil(start + 20);
    expect(pacer.horizon()).toBe(start + 20);
    expect(await pacer.wait(0, start + 20, signal, start + 20)).toBe(true);
    expect(pacer.sinkBound).toBe(false);
    // Caught up with that flush: the next is due a flush later, but the deadline comes first.
    const c2 = clock();
    const paced = new Pacer({ mode: 'live', flushMs: 1000 }, c2.now);
    paced.startLive(0);
    const t0 = c2.now();
    expect(paced.dueAt(0, paced.offsetMs)).toBe(t0 + 1000);
    expect(await paced.wait(0, paced.offsetMs, signal, t0)).toBe(true);
    // Woken at the deadline (already passed: no wait), its flush ends there.
    expect(paced.horizon()).toBe(t0);
  });

  it('live: more than a second behind (writes held back), the simulation moves on to now instead of bursting: the offset grows by the lag', async () => {
    const c = clock();
    const pacer = new Pacer({ mode: 'live', flushMs: 50 }, c.now);
    pacer.startLive(0);
    const before = pacer.offsetMs;
    c.advance(5000);
    // The engine is still where it was 5 s ago (its stamp: 0 + offset).
    expect(await pacer.wait(0, before, new AbortController().signal)).toBe(true);
    // Moved on by how far it trails the wall clock beyond one flush.
    expect(pacer.offsetMs).toBe(before + 5000 - 50);
    expect(pacer.sinkBound).toBe(true);
    expect(pacer.horizon()).toBe(c.now());
  });

  it('a rate is held, not made up: after 5 s without progress the schedule moves on instead of bursting', async () => {
    const c = clock();
    const pacer = new Pacer({ mode: 'rate', perSecond: 100 }, c.now);
    const signal = new AbortController().signal;
    expect(await pacer.wait(0, 0, signal)).toBe(true);
    // An outage: nothing generated for 5 s, when 500 records were due.
    c.advance(5000);
    expect(await pacer.wait(10, 0, signal)).toBe(true);
    expect(pacer.sinkBound).toBe(true);
    // The next 10 records are due 100 ms later, at the rate, not at once.
    expect(pacer.dueAt(20, 0) - c.now()).toBe(100);
  });

  it('reports sink-bound once a batch is more than max(1 s, 2 intervals) late', async () => {
    const c = clock();
    const pacer = new Pacer({ mode: 'interval', ms: 200 }, c.now);
    const signal = new AbortController().signal;
    await pacer.wait(0, 0, signal);
    c.advance(1100); // batch 2 was due at 200 ms: 900 ms late
    await pacer.wait(0, 0, signal);
    expect(pacer.lagMs).toBe(900);
    expect(pacer.sinkBound).toBe(false);
    c.advance(400); // batch 3 was due at 400 ms, it is now 1500 ms: 1100 ms late
    await pacer.wait(0, 0, signal);
    expect(pacer.lagMs).toBe(1100);
    expect(pacer.sinkBound).toBe(true);
  });

  it('an abort wakes a waiting pacer and reports false', async () => {
    const c = clock();
    const pacer = new Pacer({ mode: 'interval', ms: 60_000 }, c.now);
    const ac = new AbortController();
    await pacer.wait(0, 0, ac.signal);
    const waiting = pacer.wait(0, 0, ac.signal);
    ac.abort();
    expect(await waiting).toBe(false);
  });
});

describe('--batch-size says what a backfill into MongoDB writes without it', () => {
  it('its help names the MongoDB sink\'s bulk batch size', () => {
    expect(settingsMeta.batchSize.description).toContain(`${mongoBulkBatchSize.toLocaleString('en-US')} records a batch`);
  });
});
