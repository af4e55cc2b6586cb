import type { Partition } from '../config/values.js';

/**
 * Record ids derived from (seed, partition, sequence): `<seed36>-<index>.<count>-<seq36>`.
 * A replayed sequence reproduces the same ids; partitions can never collide.
 */
export function idPrefix(seed: number, partition: Partition): string {
  return `${seed.toString(36)}-${partition.index}.${partition.count}-`;
}

export function partitionKey(partition: Partition): string {
  return `${partition.index}.${partition.count}`;
}

export interface ParsedId {
  seed: number;
  partition: string;
  seq: number;
}

/** Splits a derived id (or a dead letter's `dl-` id) back into its parts; undefined for other ids. */
export function parseId(id: string): ParsedId | undefined {
  const m = /^(?:dl-)?([0-9a-z]+)-(\d+\.\d+)-([0-9a-z]+)$/.exec(id);
  if (!m) return undefined;
  return { seed: parseInt(m[1], 36), partition: m[2], seq: parseInt(m[3], 36) };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * Version-4-shaped UUIDs packed from (seed, partition, sequence) — not random, so one repeats
 * for the same record and two records can never share one: seed (32 bits), partition index
 * (16) and count (12), sequence (60). The seed and partition part is made once.
 */
export function uuidMaker(seed: number, partition: Partition): (seq: number) => string {
  const prefix = `${hex(seed >>> 0, 8)}-${hex(partition.index & 0xffff, 4)}-4${hex(partition.count & 0xfff, 3)}-8`;
  return (seq) => {
    const high = Math.floor(seq / 2 ** 48);
    return `${prefix}${hex(high & 0xfff, 3)}-${hex(seq - high * 2 ** 48, 12)}`;
  };
}
