import { sumCounts } from '../shared/counts.js';
import type { CollectionCounts } from '../shared/records.js';
import { latencyBucket, latencyBucketCount } from './latency.js';

/**
 * Per-collection counts of one run. The invariant every run keeps, per collection:
 * generated = written + duplicates + dead_lettered (nothing is dropped silently).
 */
export class Counters {
  readonly byCollection = new Map<string, CollectionCounts>();
  retries = 0;
  batches = 0;
  /** Records that failed validation because --dirty-rate corrupted them on purpose. */
  injectedDirty = 0;
  /** Dead letters that were not injected on purpose: real rejections. */
  unexpectedRejects = 0;
  /** Live time: records per latency bucket (reporting/latency.ts); absent in a backfill. */
  latency: number[] | undefined;

  /** One stored record's latency, ms from its timestamp to the write's acknowledgement. */
  recordLatency(ms: number): void {
    (this.latency ??= new Array<number>(latencyBucketCount).fill(0))[latencyBucket(ms)]++;
  }

  get(collection: string): CollectionCounts {
    let c = this.byCollection.get(collection);
    if (!c) {
      c = { generated: 0, written: 0, duplicates: 0, dead_lettered: 0 };
      this.byCollection.set(collection, c);
    }
    return c;
  }

  /** Adds another Counters' figures (workers report deltas that the main thread sums). */
  add(other: CountersSnapshot): void {
    for (const [name, c] of Object.entries(other.collections)) {
      const mine = this.get(name);
      mine.generated += c.generated;
      mine.written += c.written;
      mine.duplicates += c.duplicates;
      mine.dead_lettered += c.dead_lettered;
    }
    this.retries += other.retries;
    this.batches += other.batches;
    this.injectedDirty += other.injectedDirty;
    this.unexpectedRejects += other.unexpectedRejects;
    if (other.latency) {
      const mine = (this.latency ??= new Array<number>(latencyBucketCount).fill(0));
      other.latency.forEach((n, b) => (mine[b] += n));
    }
  }

  totals(): CollectionCounts {
    return sumCounts(this.byCollection.values());
  }

  snapshot(): CountersSnapshot {
    const collections: Record<string, CollectionCounts> = {};
    for (const [n, c] of [...this.byCollection.entries()].sort(([a], [b]) => a.localeCompare(b))) collections[n] = { ...c };
    const snap: CountersSnapshot = { collections, retries: this.retries, batches: this.batches, injectedDirty: this.injectedDirty, unexpectedRejects: this.unexpectedRejects };
    if (this.latency) snap.latency = [...this.latency];
    return snap;
  }

  /** What changed since an earlier snapshot. */
  since(before: CountersSnapshot): CountersSnapshot {
    const now = this.snapshot();
    const collections: Record<string, CollectionCounts> = {};
    for (const [n, c] of Object.entries(now.collections)) {
      const b = before.collections[n] ?? { generated: 0, written: 0, duplicates: 0, dead_lettered: 0 };
      collections[n] = {
        generated: c.generated - b.generated,
        written: c.written - b.written,
        duplicates: c.duplicates - b.duplicates,
        dead_lettered: c.dead_lettered - b.dead_lettered,
      };
    }
    const delta: CountersSnapshot = {
      collections,
      retries: now.retries - before.retries,
      batches: now.batches - before.batches,
      injectedDirty: now.injectedDirty - before.injectedDirty,
      unexpectedRejects: now.unexpectedRejects - before.unexpectedRejects,
    };
    if (now.latency) delta.latency = now.latency.map((n, b) => n - (before.latency?.[b] ?? 0));
    return delta;
  }
}

export interface CountersSnapshot {
  collections: Record<string, CollectionCounts>;
  retries: number;
  batches: number;
  injectedDirty: number;
  unexpectedRejects: number;
  /** Live time: records per latency bucket. */
  latency?: number[];
}

export function emptySnapshot(): CountersSnapshot {
  return { collections: {}, retries: 0, batches: 0, injectedDirty: 0, unexpectedRejects: 0 };
}
