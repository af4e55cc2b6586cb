import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswerKey, type KeyDoc, WindowTally, flatTally, sumKeyDocs } from '../src/reporting/answer-key.js';
import { PartitionPipeline, type PartitionJob } from '../src/run/partition.js';
import { JsonlSink } from '../src/sinks/jsonl.js';
import { eventCollections } from '../src/shared/collections.js';
import type { Doc } from '../src/sinks/types.js';
import { testCatalog } from './helpers/engine.js';
import { readDocs } from './helpers/files.js';
import { partitionJob } from './helpers/job.js';
import { ours } from './helpers/profiles.js';

// The answer key of a partition's pipeline (--answers), against figures this test computes by
// its own hand from the files the pipeline wrote.

const from = Date.parse('2026-01-05T00:00:00Z');
const collections = eventCollections;

function job(over: Partial<PartitionJob> = {}): PartitionJob {
  return partitionJob({ runId: 'answers', seed: 11, fraudRate: 0.05, dirtyRate: 0.01, lifecycle: true, answers: true, fromMs: from, toMs: from + 2 * 86_400_000, batchSize: 300, inFlight: 3, ...over });
}

/** Runs a partition into `dir` (a resume first tells the sink what it holds beyond the checkpoint); its key as the files hold it (the last line of an _id wins). */
async function run(dir: string, over: Partial<PartitionJob> = {}): Promise<KeyDoc[]> {
  const sink = new JsonlSink(dir, ours.stored);
  await sink.open();
  const j = job(over);
  if (j.startSeq > 0) await sink.prepareResume(j.seed, { [`${j.partition.index}.${j.partition.count}`]: j.startSeq });
  const p = new PartitionPipeline(testCatalog(), ours, sink, j, new AbortController().signal);
  const result = await p.run();
  await p.writeAnswers(true);
  expect(result.error).toBeUndefined();
  await sink.close();
  return keyOf(dir);
}

function keyOf(dir: string): KeyDoc[] {
  const last = new Map<string, KeyDoc>();
  for (const d of readDocs(dir, 'etl_expected')) last.set(d._id, d as unknown as KeyDoc);
  return [...last.values()];
}

const hourOf = (d: Doc) => new Date(Math.floor((d.timestamp as Date).getTime() / 3_600_000) * 3_600_000).toISOString();
const bump = (m: Record<string, number>, k: string, n = 1) => (m[k] = (m[k] ?? 0) + n);

/** Hourly figures computed here from the stored files, by `hour collection` — no code of the key's. */
function byHand(dir: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const at = (hour: string, c: string) => out.get(`${hour} ${c}`) ?? out.set(`${hour} ${c}`, { count: 0, dead: {} }).get(`${hour} ${c}`)!;
  for (const c of collections) {
    for (const d of readDocs(dir, c)) {
      const f = at(hourOf(d), c);
      (f.count as number)++;
      if (c !== 'transactions') continue;
      f.revenue = ((f.revenue as number) ?? 0) + Math.round((d.final_amount as number) * 100);
      f.units = ((f.units as number) ?? 0) + (d.item_count as number);
      bump((f.country ??= {}) as Record<string, number>, (d.user_snapshot as { country: string }).country);
      if (d.anomaly_type) bump((f.fraud ??= {}) as Record<string, number>, d.anomaly_type as string);
    }
  }
  for (const dl of readDocs(dir, 'dead_letters')) {
    const record = dl.record as Doc;
    if (record.timestamp instanceof Date) bump(at(hourOf(record), dl.collection as string).dead as Record<string, number>, (dl.reasons as Array<{ code: string }>)[0].code);
  }
  return out;
}

const tmp = () => mkdtempSync(join(tmpdir(), 'etl-answers-'));

describe('the answer key of a partition (--answers)', () => {
  it('equals, to the cent, the figures of what it stored, hour by hour; its minutes add up to its hours', async () => {
    const dir = tmp();
    const key = await run(dir);
    const hand = byHand(dir);
    const hours = key.filter((k) => k.window === '1h' && k.start !== null);
    expect(hours.length).toBe(hand.size);
    let revenue = 0;
    let dead = 0;
    for (const k of hours) {
      const h = hand.get(`${k.start!.toISOString()} ${k.collection}`);
      expect(h, k._id).toBeDefined();
      expect(k.count, k._id).toBe(h!.count);
      expect(k.dead_letters, k._id).toEqual(h!.dead);
      dead += Object.values(k.dead_letters).reduce((a, b) => a + b, 0);
      if (k.collection !== 'transactions') continue;
      expect(k.revenue_cents, k._id).toBe(h!.revenue);
      expect(k.units, k._id).toBe(h!.units);
      expect(k.by_country, k._id).toEqual(h!.country);
      expect(k.fraud, k._id).toEqual(h!.fraud ?? {});
      revenue += k.revenue_cents!;
    }
    expect(revenue).toBeGreaterThan(100_000);
    expect(dead).toBeGreaterThan(10);
    // Line revenue by category adds up to the orders' subtotals.
    const subtotals = readDocs(dir, 'transactions').reduce((a, d) => a + Math.round((d.subtotal as number) * 100), 0);
    expect(hours.reduce((a, k) => a + Object.values(k.by_category_cents ?? {}).reduce((x, y) => x + y, 0), 0)).toBe(subtotals);
    // Minutes into hours: the same figures.
    const minutes = sumKeyDocs(key.filter((k) => k.window === '1m').map((k) => ({ ...k, window: '1h', start: k.start && new Date(Math.floor(k.start.getTime() / 3_600_000) * 3_600_000) })));
    expect(minutes).toEqual(sumKeyDocs(key.filter((k) => k.window === '1h')));
  });

  it('per-partition keys add up to the key of all their records taken as one', async () => {
    const dirs = [tmp(), tmp()];
    const keys = await Promise.all(dirs.map((dir, index) => run(dir, { partition: { index, count: 2 } })));
    for (const [i, k] of keys.entries()) expect(new Set(k.map((d) => d.partition))).toEqual(new Set([`b-${i}.2`]));
    const all = new WindowTally();
    for (const dir of dirs) {
      for (const c of collections) for (const d of readDocs(dir, c)) all.stored(c, d);
      for (const dl of readDocs(dir, 'dead_letters')) all.deadLetter(dl.collection as string, dl.record as Doc, (dl.reasons as Array<{ code: string }>)[0].code);
    }
    expect(sumKeyDocs([...keys[0], ...keys[1]])).toEqual(flatTally(all));
    // Each alone is not the whole: the sum is over both.
    expect(sumKeyDocs(keys[0])).not.toEqual(flatTally(all));
  });

  it('a run cut short and resumed from a checkpoint behind it writes the key of one run', async () => {
    const once = await run(tmp());
    const dir = tmp();
    await run(dir, { endSeq: 2500 });
    const resumed = await run(dir, { startSeq: 1700, runId: 'answers-resumed' });
    const strip = (k: KeyDoc[]) => new Map(k.map(({ run_id: _r, updated_at: _u, ...rest }) => [rest._id, rest]));
    expect(strip(resumed)).toEqual(strip(once));
  });

  it('counts a record once by its sequence number: again is a repeated delivery, replayed is nothing; late ones by ingested_at', () => {
    const key = new AnswerKey('b-0.1', 'r');
    const t = new Date('2026-01-05T10:15:30Z');
    const order = { _id: 'b-0.1-1', timestamp: t, final_amount: 10.1, item_count: 2, user_snapshot: { country: 'DE' }, items: [{ category: 'Books', line_total: 8.1 }], anomaly_type: null };
    key.stored('transactions', order, 1);
    key.stored('transactions', order, 1);
    key.stored('transactions', order, 1, true);
    key.stored('product_views', { _id: 'b-0.1-0', timestamp: t, ingested_at: new Date(t.getTime() + 60_000) }, 0);
    key.deadLetter('cart_events', { _id: 'b-0.1-2', timestamp: 'not a date' }, 2, 'invalid_type');
    key.deadLetter('cart_events', { _id: 'b-0.1-2', timestamp: 'not a date' }, 2, 'invalid_type');
    const docs = new Map(key.changedDocs().map((d) => [d._id, d]));
    expect(docs.get('b-0.1/1h/2026-01-05T10:00:00.000Z/transactions')).toMatchObject({ count: 1, repeated: 1, revenue_cents: 1010, units: 2, by_country: { DE: 1 }, by_category_cents: { Books: 810 } });
    expect(docs.get('b-0.1/1m/2026-01-05T10:15:00.000Z/product_views')).toMatchObject({ count: 1, late: 1, repeated: 0 });
    expect(docs.get('b-0.1/1m/undated/cart_events')).toMatchObject({ count: 0, dead_letters: { invalid_type: 1 } });
    // Written: nothing changed since.
    expect(key.changedDocs()).toEqual([]);
  });
});
