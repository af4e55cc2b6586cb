import { ObjectId } from 'bson';
import { parseId } from '../events/ids.js';
import { mixSeed } from '../shared/rng.js';
import type { StoredId } from './types.js';

/**
 * ObjectIds made from the record, not drawn: the same record always gets the same one, so a
 * replayed batch is absorbed as a duplicate as it is with our string ids.
 *
 * A record's: its timestamp's second (4 bytes, as every ObjectId), then its sequence number
 * (5 bytes, so `_id` order within a second is the partition's record order), then a tag of
 * seed and partition (3 bytes). The tag is the partition's number among all `I/N` layouts
 * (N(N-1)/2 + I: below 2^24 for N ≤ 4096) shifted by the seed's hash, so the partitions of one
 * seed never share a tag and two seeds share one with probability 2^-24.
 *
 * A catalog document's: a fixed second, then the number of its key (`PRD_0042` → 42): `_id`
 * order is the key's, whatever the seed, so a stored catalog reads back in the order it was
 * generated and a new seed's catalog replaces the old one's documents.
 */

/** The 3-byte tag of a seed's partition I of N. */
export function partitionTag(seed: number, index: number, count: number): number {
  return ((count * (count - 1)) / 2 + index + (mixSeed(seed, 0x0b1d) >>> 0)) % 2 ** 24;
}

/** The tag of a partition key (`I.N`, as checkpoints name partitions). */
export function partitionKeyTag(seed: number, key: string): number {
  const [index, count] = key.split('.').map(Number);
  return partitionTag(seed, index, count);
}

/** Writes `n` (an unsigned 32-bit integer) big-endian at `at`. */
function put32(bytes: Uint8Array, at: number, n: number): void {
  bytes[at] = n >>> 24;
  bytes[at + 1] = (n >>> 16) & 0xff;
  bytes[at + 2] = (n >>> 8) & 0xff;
  bytes[at + 3] = n & 0xff;
}

/** The partition part of the last record id converted, and its tag: a sink's ids mostly share one. */
let lastPrefix = '';
let lastTag = 0;

/** The ObjectId of a derived record id stamped at `ms`; undefined when `id` is not one. */
export function recordObjectId(id: string, ms: number): ObjectId | undefined {
  const seconds = Math.floor(ms / 1000);
  if (!(seconds >= 0 && seconds < 2 ** 32)) return undefined;
  const cut = id.lastIndexOf('-') + 1;
  if (cut === 0) return undefined;
  if (cut !== lastPrefix.length || !id.startsWith(lastPrefix)) {
    const parsed = parseId(id);
    if (!parsed || id.startsWith('dl-')) return undefined;
    const [index, count] = parsed.partition.split('.').map(Number);
    lastTag = partitionTag(parsed.seed, index, count);
    lastPrefix = id.slice(0, cut);
  }
  const seq = parseInt(id.slice(cut), 36);
  if (!Number.isSafeInteger(seq) || seq < 0) return undefined;
  const bytes = new Uint8Array(12);
  put32(bytes, 0, seconds);
  // The sequence modulo 2^40: its fifth byte, then the low 32 bits (ToUint32 is exact below 2^53).
  bytes[4] = Math.floor(seq / 2 ** 32) & 0xff;
  put32(bytes, 5, seq >>> 0);
  bytes[9] = lastTag >>> 16;
  bytes[10] = (lastTag >>> 8) & 0xff;
  bytes[11] = lastTag & 0xff;
  return new ObjectId(bytes);
}

/** The ObjectId of a catalog key (`PRD_0042`) at a fixed second; undefined when the key ends in no number. */
export function keyObjectId(key: string, seconds: number): ObjectId | undefined {
  const digits = /(\d+)$/.exec(key);
  if (!digits) return undefined;
  const n = Number(digits[1]);
  if (!Number.isSafeInteger(n)) return undefined;
  const bytes = new Uint8Array(12);
  put32(bytes, 0, seconds);
  put32(bytes, 4, Math.floor(n / 2 ** 32));
  put32(bytes, 8, n >>> 0);
  return new ObjectId(bytes);
}

/** The `_id` a document is stored with under `rule`: an ObjectId, or its own `_id` when none can be made. */
export function storedId(rule: StoredId, doc: Record<string, unknown>): unknown {
  const id = doc._id;
  if (typeof id !== 'string') return id;
  if (rule.from === 'key') return keyObjectId(id, rule.at) ?? id;
  const at = doc[rule.time];
  return (at instanceof Date ? recordObjectId(id, at.getTime()) : undefined) ?? id;
}

/** Sequence number (modulo 2^40) and partition tag of a record's ObjectId. */
export function recordOfObjectId(id: ObjectId): { seq: number; tag: number } {
  const b = id.id;
  const seq = b[4] * 2 ** 32 + ((b[5] << 24) >>> 0) + (b[6] << 16) + (b[7] << 8) + b[8];
  return { seq, tag: (b[9] << 16) | (b[10] << 8) | b[11] };
}

/**
 * What identifies a stored record whatever its time: its string `_id`, or an ObjectId without
 * its leading second (a live record replayed after a resume is stamped anew).
 */
export function recordIdentity(id: unknown): string {
  if (typeof id === 'string') return id;
  if (id instanceof ObjectId) return `oid:${id.toHexString().slice(8)}`;
  return String(id);
}
