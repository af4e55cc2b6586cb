import type { Rng } from '../shared/rng.js';
import { hourCurve, weekendFactor } from './clock.js';
import { LocalTime } from './local-time.js';
import { type StoreCatalog, firstSignupMs, timeZones } from '../catalog/store-catalog.js';
import { visitsPerMonth } from '../catalog/visit-rates.js';

export { visitsPerMonth };

const dayMs = 86_400_000;
const hourMs = 3_600_000;

/** Activity by local hour of the week (weekday × 24 + hour): the hour curve, busier at weekends. */
const weekCurve = Float64Array.from({ length: 7 * 24 }, (_, h) => {
  const weekday = Math.floor(h / 24);
  return hourCurve[h % 24] * (weekday === 0 || weekday === 6 ? weekendFactor : 1);
});

/**
 * Where traffic comes from: every active user visits at their segment's rate, in their own
 * time zone's hour and weekday curve, and only once they have signed up. Sessions arrive as
 * a Poisson process whose rate is that sum (a 10× larger user base is ≈ 10× the traffic);
 * `sessionsPerDay` scales it to a fixed total instead.
 */
export class Population {
  private readonly local: LocalTime;
  /** Multiplier on every user's rate (1, or what makes the total `sessionsPerDay`; divided among partitions). */
  private readonly scale: number;
  private readonly firstSignupMs: number;
  /** Per zone: activity weight at the current hour (recomputed per UTC hour). */
  private readonly weights: Float64Array;
  private weightsHour = Number.NaN;

  constructor(
    private readonly catalog: StoreCatalog,
    opts: { partitionCount: number; sessionsPerDay?: number },
  ) {
    this.local = new LocalTime(timeZones);
    const total = ownVisitsPerDay(catalog);
    this.scale = (opts.sessionsPerDay === undefined ? 1 : opts.sessionsPerDay / total) / opts.partitionCount;
    this.firstSignupMs = firstSignupMs(catalog);
    this.weights = new Float64Array(timeZones.length);
  }

  /** Visits per day of the users of zone `z` who exist at `t`, and how many exist. */
  private existing(z: number, t: number): { n: number; rate: number } {
    const c = this.catalog;
    const start = c.zoneStart[z];
    const end = upperBound(c.zoneSignupMs, t, start, c.zoneStart[z + 1]);
    return { n: end - start, rate: end === start ? 0 : c.zoneCumRate[end - 1] };
  }

  /** Session arrivals per ms at `t`, and each zone's share of them (in `this.weights`). */
  private rateAt(t: number): number {
    let sum = 0;
    for (let z = 0; z < timeZones.length; z++) {
      const c = this.catalog;
      if (c.zoneStart[z + 1] === c.zoneStart[z]) {
        this.weights[z] = 0;
        continue;
      }
      const w = weekCurve[this.local.hourOfWeek(z, t)] * this.existing(z, t).rate;
      this.weights[z] = w;
      sum += w;
    }
    this.weightsHour = Math.floor(t / hourMs);
    return (sum * this.scale) / dayMs;
  }

  /** When the next session starts after `t` (ms): exponential gaps at the rate of each hour. */
  nextArrival(t: number, rng: Rng): number {
    let now = t;
    for (;;) {
      const boundary = (Math.floor(now / hourMs) + 1) * hourMs;
      const rate = this.rateAt(now);
      if (rate <= 0) {
        // Nobody has signed up yet: nothing happens until the first signup.
        now = Math.max(boundary, this.firstSignupMs);
        continue;
      }
      const next = now + rng.exp(1 / rate);
      if (next < boundary) return Math.max(t + 1, Math.round(next));
      // The rate changes at the hour: draw again from there (exponential gaps are memoryless).
      now = boundary;
    }
  }

  /** The user who starts a session at `t`: a zone by its current activity, then a user of it who exists, by visit rate. */
  pickUser(t: number, rng: Rng): number {
    if (this.weightsHour !== Math.floor(t / hourMs)) this.rateAt(t);
    let x = rng.next() * this.weights.reduce((a, b) => a + b, 0);
    let z = -1;
    for (let i = 0; i < this.weights.length; i++) {
      if (this.weights[i] <= 0) continue;
      z = i;
      if (x < this.weights[i]) break;
      x -= this.weights[i];
    }
    const c = this.catalog;
    const start = c.zoneStart[z];
    const { n, rate } = this.existing(z, t);
    const target = rng.next() * rate;
    let lo = start;
    let hi = start + n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c.zoneCumRate[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return c.zoneOrder[lo];
  }

  /** The local hour and weekday of a user at `t` (for tests and reports). */
  localTime(user: number, t: number): { hour: number; weekday: number } {
    return this.local.at(this.catalog.userZone[user], t);
  }
}

/** Visits a day the whole catalog's users make on their own, at an average hour (the hour curve's mean is ≈ 1). */
export function ownVisitsPerDay(catalog: StoreCatalog): number {
  let total = 0;
  for (let z = 0; z < timeZones.length; z++) {
    const end = catalog.zoneStart[z + 1];
    if (end > catalog.zoneStart[z]) total += catalog.zoneCumRate[end - 1];
  }
  return total;
}

/** The first index in [from, to) whose sorted value is > x. */
function upperBound(sorted: Float64Array, x: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
