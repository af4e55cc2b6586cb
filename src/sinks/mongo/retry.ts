import { setTimeout as sleep } from 'node:timers/promises';

/** Retry policy for transient errors: capped, jittered exponential backoff. */
export interface RetryPolicy {
  retries: number;
  minTimeout: number;
  maxTimeout: number;
  /** Give up after this long of continuous failure. */
  maxRetryTime: number;
}

/** Thrown by an attempt to stop retrying at once: `retry` rejects with `error`, the cause inside. */
export class StopRetrying extends Error {
  constructor(readonly error: Error) {
    super(error.message);
    this.name = 'StopRetrying';
  }
}

/**
 * The delay before retry number `n` (0 for the first): exponential from `minTimeout`, doubled
 * each time, jittered (× 1–2) and capped at `maxTimeout` — the schedule p-retry made.
 */
export function backoff(policy: RetryPolicy, n: number): number {
  return Math.min(Math.round((1 + Math.random()) * Math.max(policy.minTimeout, 1) * 2 ** n), policy.maxTimeout);
}

/**
 * Runs `attempt` until it succeeds, retrying what it throws with backoff, within `policy.retries`
 * retries and `policy.maxRetryTime` of failing. A call that succeeds at once costs one function
 * call: the schedule is computed retry by retry, only once something failed. `onFailure` hears of
 * every failed attempt that could be retried (the last one too), with its number (1 = the first).
 * @throws the `StopRetrying`'s error at once; a TypeError (a bug, not an outage) at once; or,
 * once the budget is spent, the error whose message came most often (the latest of those).
 */
export async function retry<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, onFailure: (err: Error, n: number) => void): Promise<T> {
  const started = Date.now();
  let failures: Error[] | undefined;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (thrown) {
      if (thrown instanceof StopRetrying) throw thrown.error;
      if (!(thrown instanceof Error)) throw new TypeError(`Non-error was thrown: "${String(thrown)}". You should only throw errors.`);
      if (thrown instanceof TypeError) throw thrown;
      onFailure(thrown, n);
      (failures ??= []).push(thrown);
      if (Date.now() - started >= policy.maxRetryTime || n > policy.retries) throw mostFrequent(failures);
      await sleep(backoff(policy, n - 1));
    }
  }
}

/** The error whose message came most often; of those, the latest. */
function mostFrequent(errors: Error[]): Error {
  const counts = new Map<string, number>();
  let best = errors[0];
  let bestCount = 0;
  for (const e of errors) {
    const count = (counts.get(e.message) ?? 0) + 1;
    counts.set(e.message, count);
    if (count >= bestCount) {
      best = e;
      bestCount = count;
    }
  }
  return best;
}
