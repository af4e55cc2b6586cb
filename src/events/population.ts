import { customerSegments, type CustomerSegment } from '../catalog/reference.js';
import type { Rng } from '../shared/rng.js';
import { hourCurve, weekendFactor } from './clock.js';
import { LocalTime } from './local-time.js';
import type { StoreCatalog } from './store-catalog.js';

/**
 * Visits per user per month by customer segment: real stores see a few visits a month from
 * most customers and more from their best ones.
 */
export const visitsPerMonth: Record<CustomerSegment, number> = { new: 2, regular: 4, premium: 6, vip: 10 };

const dayMs = 86_400_000;
const hourMs = 3_600_000;

/** The users of one time zone, by signup time, with the running sum of their visit rates. */
interface ZoneGroup {
  zone: number;
  /** User indexes sorted by signup time. */
  users: Int32Array;
  signupMs: Float64Array;
  /** cumRate[i] = visits per day of users[0..i] (inclusive). */
  cumRate: Float64Array;
}

/**
 * Where traffic comes from: every active user visits at their segment's rate, in their own
 * time zone's hour and weekday curve, and only once they have signed up. Sessions arrive as
 * a Poisson process whose rate is that sum (a 10× larger user base is ≈ 10× the traffic);
 * `sessionsPerDay` scales it to a fixed total instead.
 */
export class Population {
  private readonly groups: ZoneGroup[];
  private readonly local: LocalTime;
  /** Multiplier on every user's rate (1, or what makes the total `sessionsPerDay`; divided among partitions). */
  private readonly scale: number;
  private readonly firstSignupMs: number;
  /** Per group: activity weight at the current hour (recomputed per UTC hour). */
  private readonly weights: Float64Array;
  private weightsHour = Number.NaN;

  constructor(
    private readonly catalog: StoreCatalog,
    opts: { partitionCount: number; sessionsPerDay?: number },
  ) {
    this.local = new LocalTime(catalog.timeZones);
    const rates = Float64Array.from(catalog.userSegment, (s) => visitsPerMonth[customerSegments[s]] / 30);
    const total = rates.reduce((a, b) => a + b, 0);
    this.scale = (opts.sessionsPerDay === undefined ? 1 : opts.sessionsPerDay / total) / opts.partitionCount;
    this.groups = catalog.timeZones.map((_, zone) => {
      const members: number[] = [];
      for (let u = 0; u < catalog.userCount; u++) if (catalog.userZone[u] === zone) members.push(u);
      members.sort((a, b) => catalog.userSignupMs[a] - catalog.userSignupMs[b] || a - b);
      const cumRate = new Float64Array(members.length);
      let sum = 0;
      members.forEach((u, i) => (cumRate[i] = sum += rates[u]));
      return { zone, users: Int32Array.from(members), signupMs: Float64Array.from(members, (u) => catalog.userSignupMs[u]), cumRate };
    });
    this.firstSignupMs = Math.min(...catalog.userSignupMs);
    this.weights = new Float64Array(this.groups.length);
  }

  /** Visits per day of the users of group `g` who exist at `t`. */
  private existingRate(g: ZoneGroup, t: number): number {
    const n = upperBound(g.signupMs, t);
    return n === 0 ? 0 : g.cumRate[n - 1];
  }

  /** Session arrivals per ms at `t`, and each zone group's share of them (in `this.weights`). */
  private rateAt(t: number): number {
    let sum = 0;
    for (let i = 0; i < this.groups.length; i++) {
      const g = this.groups[i];
      const { hour, weekday } = this.local.at(g.zone, t);
      const w = hourCurve[hour] * (weekday === 0 || weekday === 6 ? weekendFactor : 1) * this.existingRate(g, t);
      this.weights[i] = w;
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
    let gi = -1;
    for (let i = 0; i < this.groups.length; i++) {
      if (this.weights[i] <= 0) continue;
      gi = i;
      if (x < this.weights[i]) break;
      x -= this.weights[i];
    }
    const g = this.groups[gi];
    const n = upperBound(g.signupMs, t);
    const target = rng.next() * g.cumRate[n - 1];
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (g.cumRate[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return g.users[lo];
  }

  /** The local hour and weekday of a user at `t` (for tests and reports). */
  localTime(user: number, t: number): { hour: number; weekday: number } {
    return this.local.at(this.catalog.userZone[user], t);
  }
}

/** Number of sorted values <= x. */
function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
