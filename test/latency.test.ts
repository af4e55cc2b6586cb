import { describe, expect, it } from 'vitest';
import { Counters } from '../src/reporting/counters.js';
import { latencyBucket, latencyBucketCount, summarizeLatency } from '../src/reporting/latency.js';

describe('latency buckets and percentiles', () => {
  it('1 ms wide below 100 ms, then 100 a decade; nothing below 0, the last bucket holds the rest', () => {
    expect([0, 0.5, 1, 99.9].map(latencyBucket)).toEqual([0, 0, 1, 99]);
    expect(latencyBucket(-5)).toBe(0);
    expect(latencyBucket(100)).toBe(100);
    expect(latencyBucket(1000)).toBe(200);
    expect(latencyBucket(1e12)).toBe(latencyBucketCount - 1);
  });

  it('p50, p99 and max are read at their rank, from the upper edge of the bucket (never below the true value)', () => {
    const c = new Counters();
    for (let ms = 1; ms <= 100; ms++) c.recordLatency(ms - 0.5);
    expect(summarizeLatency(c.latency)).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
    c.recordLatency(2500);
    const s = summarizeLatency(c.latency)!;
    expect(s.max).toBeGreaterThanOrEqual(2500);
    expect(s.max).toBeLessThan(2500 * 1.03);
    expect(summarizeLatency(undefined)).toBeUndefined();
    expect(summarizeLatency(new Array(latencyBucketCount).fill(0))).toBeUndefined();
  });

  it("workers send deltas: a tick's figures are the difference of two snapshots, and sums add up", () => {
    const c = new Counters();
    c.recordLatency(10);
    const before = c.snapshot();
    c.recordLatency(20);
    c.recordLatency(30);
    const delta = c.since(before);
    expect(summarizeLatency(delta.latency)).toEqual({ count: 2, p50: 21, p99: 31, max: 31 });
    const total = new Counters();
    total.add(before);
    total.add(delta);
    expect(summarizeLatency(total.latency)!.count).toBe(3);
  });
});
