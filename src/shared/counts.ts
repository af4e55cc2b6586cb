import type { CollectionCounts } from './records.js';

// Sums of run counts, apart from the record schemas: the CLI renders counts without loading zod.

/**
 * Records neither written, absorbed as duplicates nor dead-lettered: 0 when the counts
 * reconcile (generated = written + duplicates + dead_lettered), which every run must keep.
 */
export function unaccounted(c: CollectionCounts): number {
  return c.generated - c.written - c.duplicates - c.dead_lettered;
}

/** The sum of several collections' counts. */
export function sumCounts(counts: Iterable<CollectionCounts>): CollectionCounts {
  const t = { generated: 0, written: 0, duplicates: 0, dead_lettered: 0 };
  for (const c of counts) {
    t.generated += c.generated;
    t.written += c.written;
    t.duplicates += c.duplicates;
    t.dead_lettered += c.dead_lettered;
  }
  return t;
}
