const bars = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of at most `width` characters. With more values than characters, neighbouring
 * values are summed into one bar. An empty bucket is the lowest bar, so the shape reads at a
 * glance; any activity is at least the second bar.
 */
export function sparkline(values: readonly number[], width: number): string {
  const n = values.length;
  const w = Math.max(1, Math.min(n, Math.floor(width)));
  const buckets = Array.from({ length: w }, (_, j) => {
    let sum = 0;
    for (let i = Math.floor((j * n) / w); i < Math.floor(((j + 1) * n) / w); i++) sum += values[i];
    return sum;
  });
  const max = Math.max(0, ...buckets);
  return buckets.map((v) => (v <= 0 || max <= 0 ? bars[0] : bars[1 + Math.round((v / max) * (bars.length - 2))])).join('');
}
