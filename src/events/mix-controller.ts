import type { Mix } from '../config/values.js';
import type { Rng } from '../shared/rng.js';

/** The three kinds of shopping step the mix is made of. */
export const VIEW = 0;
export const CART = 1;
export const ORDER = 2;
export type StepKind = typeof VIEW | typeof CART | typeof ORDER;

/** Decides what a shopper does next. */
export interface StepChooser {
  /** The next kind of step, given whether the cart is empty (`boost`: the funnel's buying chances × this). */
  choose(rng: Rng, cartEmpty: boolean, boost?: number): StepKind;
  /** Counts one emitted record of this kind. */
  record(kind: StepKind): void;
  /** Forgets the records counted so far (those of a warm-up, which are not emitted). */
  restart(): void;
  /** Whether the visit ends after an order. */
  endsAfterOrder(rng: Rng): boolean;
}

/** The chooser a --mix asks for: a target record mix, or the realistic funnel. */
export function stepChooser(mix: Mix): StepChooser {
  return mix.preset === 'realistic' ? new FunnelChooser() : new MixController(mix);
}

/**
 * Keeps the long-run record mix of views, cart events and orders near the target with a
 * proportional controller: kinds behind their target share get more weight.
 */
export class MixController implements StepChooser {
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

  restart(): void {
    this.counts.fill(0);
  }

  /** The weights the next choice is drawn with (exposed for tests). */
  weights(): number[] {
    const counts = this.counts;
    const total = counts[0] + counts[1] + counts[2] + 1;
    return this.target.map((t, k) => (t > 0 ? Math.max(0, t * total - counts[k]) + t * 4 : 0));
  }

  endsAfterOrder(rng: Rng): boolean {
    return rng.chance(0.6);
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

/**
 * `--mix realistic`: shoppers behave like a real store's instead of filling a record mix.
 * Per step, a shopper with an empty cart adds something with probability `add`; with
 * something in the cart, they check out with probability `checkout`, change the cart with
 * probability `change`, and otherwise keep browsing. Most visits never add anything, most
 * carts are abandoned, and a few percent of visits end in an order.
 */
export class FunnelChooser implements StepChooser {
  constructor(readonly p = { add: 0.012, checkout: 0.045, change: 0.15 }) {}

  choose(rng: Rng, cartEmpty: boolean, boost = 1): StepKind {
    const x = rng.next();
    if (cartEmpty) return x < this.p.add * boost ? CART : VIEW;
    if (x < this.p.checkout * boost) return ORDER;
    return x < this.p.checkout * boost + this.p.change ? CART : VIEW;
  }

  record(): void {}

  restart(): void {}

  endsAfterOrder(rng: Rng): boolean {
    return rng.chance(0.9);
  }
}
