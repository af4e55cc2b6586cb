import type { Rng } from '../shared/rng.js';

/**
 * Store activity by hour of day (UTC) and day of week: quiet nights, a lunch peak and an
 * evening peak, busier weekends. The mean over a day is about 1.
 */
export const hourCurve = [
  0.25, 0.18, 0.14, 0.12, 0.13, 0.2, 0.38, 0.62, 0.85, 1.0, 1.1, 1.25, 1.45, 1.4, 1.2, 1.1, 1.1, 1.2, 1.45, 1.7, 1.8, 1.6, 1.1, 0.55,
];
export const weekendFactor = 1.25;

export function activityAt(ms: number): number {
  const d = new Date(ms);
  const day = d.getUTCDay();
  return hourCurve[d.getUTCHours()] * (day === 0 || day === 6 ? weekendFactor : 1);
}

/** Source of event times. */
export interface Clock {
  /** Time (ms since epoch) of the next session step. */
  tick(): number;
  /** Current time without advancing. */
  now(): number;
}

/**
 * Simulated time for backfills: starts at `from` and advances by exponential gaps whose
 * rate follows the activity curve, independent of wall time. Its own PRNG stream keeps
 * event contents independent of the clock.
 */
export class SimulatedClock implements Clock {
  private t: number;

  constructor(
    from: Date,
    private readonly rng: Rng,
    /** Session steps per second at activity 1 (for this partition). */
    private readonly stepsPerSecond: number,
  ) {
    this.t = from.getTime();
  }

  tick(): number {
    const rate = this.stepsPerSecond * activityAt(this.t);
    this.t += Math.max(1, Math.round(this.rng.exp(1000 / rate)));
    return this.t;
  }

  now(): number {
    return this.t;
  }
}

/** Wall time, never going backwards. */
export class RealClock implements Clock {
  private last = 0;

  constructor(private readonly wall: () => number = Date.now) {}

  tick(): number {
    const t = this.wall();
    this.last = t > this.last ? t : this.last;
    return this.last;
  }

  now(): number {
    return Math.max(this.last, this.wall());
  }
}
