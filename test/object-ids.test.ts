import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { idPrefix } from '../src/events/ids.js';
import { typedDocs } from '../src/sinks/encoding.js';
import { fromJsonLine } from '../src/sinks/jsonl-files.js';
import { JsonlSink } from '../src/sinks/jsonl.js';
import { keyObjectId, partitionTag, recordObjectId, recordOfObjectId } from '../src/sinks/object-ids.js';
import type { Doc } from '../src/sinks/types.js';
import { abi, ours } from './helpers/profiles.js';

const at = Date.parse('2026-03-02T10:20:30.456Z');
const id = (seed: number, index: number, count: number, seq: number) => `${idPrefix(seed, { index, count })}${seq.toString(36)}`;

describe('ObjectIds made from the record', () => {
  it('lead with the second of the record’s time, then order by sequence; the same record gets the same id', () => {
    const a = recordObjectId(id(9, 0, 1, 41), at)!;
    expect(a).toBeInstanceOf(ObjectId);
    expect(a.getTimestamp().getTime()).toBe(Math.floor(at / 1000) * 1000);
    expect(recordObjectId(id(9, 0, 1, 41), at)!.equals(a)).toBe(true);
    // Same second: the later sequence number sorts after; a later second sorts after whatever the sequence.
    const later = recordObjectId(id(9, 0, 1, 42), at + 400)!;
    const nextSecond = recordObjectId(id(9, 0, 1, 3), at + 1000)!;
    expect(a.toHexString() < later.toHexString()).toBe(true);
    expect(later.toHexString() < nextSecond.toHexString()).toBe(true);
    // Sequence numbers past 2^32 keep their order (5 bytes).
    expect(recordObjectId(id(9, 0, 1, 2 ** 32 - 1), at)!.toHexString() < recordObjectId(id(9, 0, 1, 2 ** 32), at)!.toHexString()).toBe(true);
    expect(recordOfObjectId(recordObjectId(id(9, 2, 3, 2 ** 33 + 5), at)!)).toEqual({ seq: 2 ** 33 + 5, tag: partitionTag(9, 2, 3) });
  });

  it('never collide between the partitions of a seed, nor between two seeds’ single partitions', () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1]) {
      const tags = new Set<number>();
      for (let count = 1; count <= 64; count++) for (let index = 0; index < count; index++) tags.add(partitionTag(seed, index, count));
      expect(tags.size).toBe((64 * 65) / 2);
      for (const t of tags) expect(t).toBeLessThan(2 ** 24);
    }
    expect(recordObjectId(id(1, 0, 1, 7), at)!.equals(recordObjectId(id(2, 0, 1, 7), at)!)).toBe(false);
    expect(new Set([partitionTag(1, 0, 1), partitionTag(2, 0, 1), partitionTag(3, 0, 1)]).size).toBe(3);
  });

  it('a catalog key’s: a fixed second, then its number, so _id order is the key’s order', () => {
    const seconds = Date.parse('2025-12-31T23:59:59Z') / 1000;
    const ids = ['PRD_0002', 'PRD_0010', 'PRD_9999', 'PRD_10000'].map((k) => keyObjectId(k, seconds)!);
    expect(ids.map((o) => o.getTimestamp().toISOString())).toEqual(Array(4).fill('2025-12-31T23:59:59.000Z'));
    expect(ids.map((o) => o.toHexString()).sort()).toEqual(ids.map((o) => o.toHexString()));
    expect(keyObjectId('no-number', seconds)).toBeUndefined();
    // Neither kind of id is taken for the other.
    expect(recordObjectId('PRD_0042', at)).toBeUndefined();
    expect(recordObjectId(`dl-${id(9, 0, 1, 4)}`, at)).toBeUndefined();
  });
});

describe('typedDocs stores the profile’s ids', () => {
  it('adaptive-bi: ObjectId _ids in its collections, the record left as it was; ecom-etl: string ids', () => {
    const record: Doc = { _id: id(5, 0, 1, 9), transaction_id: 'x', final_amount: 5, timestamp: new Date(at) };
    const [stored] = typedDocs(abi.stored, 'transactions', [record]);
    expect(stored._id).toBeInstanceOf(ObjectId);
    expect(record._id).toBe(id(5, 0, 1, 9));
    const [product] = typedDocs(abi.stored, 'products', [{ _id: 'PRD_0042', product_id: 'PRD_0042' }]);
    const productId: unknown = product._id;
    expect(productId).toBeInstanceOf(ObjectId);
    // The end of the catalog's window, then the product's number (42).
    expect((productId as ObjectId).toHexString()).toBe(`${(Date.parse('2025-12-31T23:59:59Z') / 1000).toString(16)}00000000000000${(42).toString(16)}`);
    expect(product.product_id).toBe('PRD_0042');
    // Our bookkeeping beside its collections keeps string ids.
    expect(typedDocs(abi.stored, 'dead_letters', [{ _id: 'dl-x' }])[0]._id).toBe('dl-x');
    expect(typedDocs(ours.stored, 'orders', [{ _id: id(5, 0, 1, 9), timestamp: new Date(at) }])[0]._id).toBe(id(5, 0, 1, 9));
  });
});

describe('the jsonl sink with ObjectIds', () => {
  it('writes them as {"$oid": …}, and a resume finds the records beyond the checkpoint by partition and sequence, even restamped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etl-oid-'));
    const doc = (seq: number, ms: number, index = 0): Doc => ({ _id: id(5, index, 2, seq), activity_id: `a${seq}`, user_id: 'USR_000001', activity_type: 'login', timestamp: new Date(ms) });
    const first = new JsonlSink(dir, abi.stored);
    await first.open();
    await first.write('user_activities', [doc(0, at), doc(1, at), doc(2, at + 1000), doc(3, at + 2000), doc(0, at, 1)]);
    await first.close();
    const lines = readFileSync(join(dir, 'user_activities.jsonl'), 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^\{"_id":\{"\$oid":"[0-9a-f]{24}"\},/);
    expect(fromJsonLine(lines[0])._id).toBeInstanceOf(ObjectId);

    // Checkpoint at 2 for partition 0/2: records 2 and 3 were written after it; partition 1/2's is before its checkpoint.
    const resumed = new JsonlSink(dir, abi.stored);
    await resumed.open();
    expect(await resumed.prepareResume(5, { '0.2': 2, '1.2': 1 })).toBe(2);
    // A live record replayed after a resume is stamped anew: still the same record.
    const r = await resumed.write('user_activities', [doc(2, at + 60_000), doc(3, at + 61_000), doc(4, at + 62_000)]);
    expect(r).toMatchObject({ written: 1, duplicates: 2 });
    // Another seed's records are not taken for this one's.
    const other = new JsonlSink(dir, abi.stored);
    await other.open();
    expect(await other.prepareResume(6, { '0.2': 0 })).toBe(0);
    // A stop (Ctrl-C) while it reads ends the reading: nothing counted (the run stops before writing).
    const stopped = new JsonlSink(dir, abi.stored);
    await stopped.open();
    expect(await stopped.prepareResume(5, { '0.2': 2, '1.2': 1 }, AbortSignal.abort())).toBe(0);
  });

  it('a second resume scan on the same sink (the next job of `etl schedule`) counts what the files hold, not that plus what the first left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etl-oid-'));
    const doc = (seq: number): Doc => ({ _id: id(5, 0, 2, seq), activity_id: `a${seq}`, user_id: 'USR_000001', activity_type: 'login', timestamp: new Date(at + seq) });
    const first = new JsonlSink(dir, abi.stored);
    await first.open();
    await first.write('user_activities', [doc(0), doc(1), doc(2)]);
    await first.close();
    const sink = new JsonlSink(dir, abi.stored);
    await sink.open();
    // A job resumes after checkpoint 1 and stops before it writes record 1 or 2 again; the next job scans again.
    expect(await sink.prepareResume(5, { '0.2': 1 })).toBe(2);
    expect(await sink.prepareResume(5, { '0.2': 1 })).toBe(2);
    expect(await sink.write('user_activities', [doc(1), doc(2)])).toMatchObject({ written: 0, duplicates: 2 });
    // Each was in the files once: delivered again (a repeated delivery), it is written.
    expect(await sink.write('user_activities', [doc(1)])).toMatchObject({ written: 1, duplicates: 0 });
    await sink.close();
  });
});
