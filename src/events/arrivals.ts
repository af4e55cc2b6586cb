import type { Rng } from '../shared/rng.js';
import type { Population } from './population.js';
import type { ScenarioEffects } from './scenario-effects.js';

/**
 * When visits start: the population's own process (each user at their rate, in their local
 * time), or a steady Poisson process of `visitsPerSecond` (live time at --rate; who visits
 * still follows the population). Gaps are not rounded to whole milliseconds, so a partition
 * can take more than 1,000 visits a second.
 */
export class Arrivals {
  private readonly perMs: number | undefined;

  constructor(
    private readonly population: Population,
    private readonly rng: Rng,
    visitsPerSecond?: number,
    /** Scenarios that multiply traffic for a while (black-friday, flash-sale). */
    private readonly scenarios?: ScenarioEffects,
  ) {
    this.perMs = visitsPerSecond === undefined ? undefined : visitsPerSecond / 1000;
  }

  /** When the next visit starts after `t` (ms). */
  next(t: number): number {
    const next = this.perMs === undefined ? this.population.nextArrival(t, this.rng) : t + this.rng.exp(1 / this.perMs);
    // × traffic: the gap to the next visit shrinks by the factor in force now.
    const boost = this.scenarios?.traffic(t) ?? 1;
    return boost === 1 ? next : t + (next - t) / boost;
  }
}
