import { describe, expect, it } from 'vitest';
import { type RetryPolicy, StopRetrying, backoff, retry } from '../src/sinks/mongo/retry.js';

const quick: RetryPolicy = { retries: 5, minTimeout: 1, maxTimeout: 4, maxRetryTime: 60_000 };

/** An attempt that fails with these messages in turn, then answers 'ok'. */
function failing(messages: string[]) {
  const calls: number[] = [];
  const attempt = async (n: number) => {
    calls.push(n);
    if (calls.length <= messages.length) throw new Error(messages[calls.length - 1]);
    return 'ok';
  };
  return { attempt, calls };
}

describe('retry', () => {
  it('a first attempt that succeeds hears of no failure', async () => {
    const heard: number[] = [];
    const { attempt, calls } = failing([]);
    await expect(retry(attempt, quick, (_, n) => heard.push(n))).resolves.toBe('ok');
    expect(calls).toEqual([1]);
    expect(heard).toEqual([]);
  });

  it('retries failures until one succeeds, numbering the attempts', async () => {
    const heard: Array<[string, number]> = [];
    const { attempt, calls } = failing(['a', 'b', 'c']);
    await expect(retry(attempt, quick, (e, n) => heard.push([e.message, n]))).resolves.toBe('ok');
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(heard).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });

  it('stops at once on StopRetrying, with the error inside', async () => {
    const inner = Object.assign(new Error('refused'), { kind: 'auth' });
    const heard: number[] = [];
    let calls = 0;
    const err = await retry(
      async () => {
        calls++;
        throw new StopRetrying(inner);
      },
      quick,
      (_, n) => heard.push(n),
    ).catch((e: unknown) => e);
    expect(err).toBe(inner);
    expect(calls).toBe(1);
    expect(heard).toEqual([]);
  });

  it('a TypeError is a bug, not an outage: not retried', async () => {
    let calls = 0;
    const err = await retry(
      async () => {
        calls++;
        throw new TypeError('x is not a function');
      },
      quick,
      () => undefined,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
  });

  it('gives up after `retries` retries with the most frequent error (the latest of those), having heard of every failure', async () => {
    const { attempt, calls } = failing(['x', 'y', 'y', 'z', 'x', 'y', 'never']);
    const heard: number[] = [];
    const err = (await retry(attempt, quick, (_, n) => heard.push(n)).catch((e: unknown) => e)) as Error;
    expect(calls).toEqual([1, 2, 3, 4, 5, 6]);
    expect(heard).toEqual([1, 2, 3, 4, 5, 6]);
    expect(err.message).toBe('y');
  });

  it('gives up once failing has lasted maxRetryTime, whatever retries are left', async () => {
    const { attempt, calls } = failing(Array.from({ length: 100 }, (_, i) => `e${i}`));
    const err = (await retry(attempt, { ...quick, retries: 1000, maxRetryTime: 0 }, () => undefined).catch((e: unknown) => e)) as Error;
    expect(calls).toEqual([1]);
    expect(err.message).toBe('e0');
  });

  it('backs off exponentially from minTimeout, jittered by up to 2×, capped at maxTimeout', () => {
    const policy: RetryPolicy = { retries: 1000, minTimeout: 100, maxTimeout: 5000, maxRetryTime: 120_000 };
    for (let n = 0; n < 12; n++) {
      for (let i = 0; i < 50; i++) {
        const d = backoff(policy, n);
        expect(d).toBeGreaterThanOrEqual(Math.min(100 * 2 ** n, 5000));
        expect(d).toBeLessThanOrEqual(Math.min(200 * 2 ** n, 5000));
      }
    }
    expect(backoff(policy, 999)).toBe(5000);
  });
});
