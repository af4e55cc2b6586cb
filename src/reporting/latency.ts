/**
 * Latency from a record's timestamp to the acknowledgement of the write that stored it, as
 * counts per bucket: 1 ms wide below 100 ms, then 100 to a decade (2.3 % wide) up to 10^8 ms.
 * Bucket counts add and subtract, so worker threads report deltas and ticks take differences.
 */
const linear = 100;
const perDecade = 100;
const decades = 6;
export const latencyBucketCount = linear + perDecade * decades;

export function latencyBucket(ms: number): number {
  if (!(ms > 0)) return 0;
  if (ms < linear) return Math.floor(ms);
  return Math.min(latencyBucketCount - 1, linear + Math.floor(perDecade * Math.log10(ms / linear)));
}

/** The upper edge of a bucket (ms): a percentile read from it is never below the true one. */
function upperEdge(bucket: number): number {
  if (bucket < linear) return bucket + 1;
  return linear * 10 ** ((bucket - linear + 1) / perDecade);
}

export interface LatencySummary {
  /** Records measured. */
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** p50, p99 and max (ms, rounded) of bucket counts; undefined when nothing was measured. */
export function summarizeLatency(counts: readonly number[] | undefined): LatencySummary | undefined {
  if (!counts) return undefined;
  let count = 0;
  for (const c of counts) count += c;
  if (count === 0) return undefined;
  const at = (q: number): number => {
    const rank = Math.ceil(q * count);
    let seen = 0;
    for (let b = 0; b < counts.length; b++) {
      seen += counts[b];
      if (seen >= rank) return Math.round(upperEdge(b));
    }
    return Math.round(upperEdge(counts.length - 1));
  };
  return { count, p50: at(0.5), p99: at(0.99), max: at(1) };
}
