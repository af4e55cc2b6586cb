import type { Mix } from '../config/values.js';
import type { Rng } from '../shared/rng.js';

/** The three kinds of shopping step the mix is made of. */
export const VIEW = 0;
export const CART = 1;
export const ORDER = 2;
export type StepKind = typeof VIEW | typeof CART | typeof ORDER;

/**
 * Keeps the long-run record mix of views, cart events and orders near the target with a
 * proportional controller: kinds behind their target share get more weight.
 */
export class MixController {
  /** Records emitted so far per kind. */
  readonly counts = [0, 0, 0];
  private readonly target: number[];

  constructor(mix: Mix) {
    this.target = [mix.views, mix.cart, mix.orders];
  }

  /** Counts one emitted record of this kind. */
  record(kind: StepKind): void {
    this.counts[kind]++;
  }

  /** The weights the next choice is drawn with (exposed for tests). */
  weights(): number[] {
    const counts = this.counts;
    const total = counts[0] + counts[1] + counts[2] + 1;
    return this.target.map((t, k) => (t > 0 ? Math.max(0, t * total - counts[k]) + t * 4 : 0));
  }

  /** Draws the next kind of step (one PRNG draw). */
  choose(rng: Rng): StepKind {
    const w = this.weights();
    let x = rng.next() * (w[0] + w[1] + w[2]);
    for (let k = 0; k < 3; k++) {
      x -= w[k];
      if (x < 0) return k as StepKind;
    }
    return VIEW;
  }
}
