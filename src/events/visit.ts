import { type Rng, cumulative } from '../shared/rng.js';
import type { CartLine } from './checkout.js';
import type { Visit } from './facts.js';
import type { FraudPlan } from './fraud-planner.js';
import { browsers, deviceTypes, trafficSources } from './schemas.js';

/** A visit in progress: who, on what, and what the shopper has done so far. */
export interface Session extends Visit {
  stepsLeft: number;
  /** The visit is over: its next turn is the logout. */
  leaving: boolean;
  viewed: number[];
  cart: CartLine[];
  fraud: FraudPlan | null;
}

const deviceWeights = cumulative([45, 45, 10]);
const browserWeights = cumulative([48, 26, 8, 8, 4, 6]);
const sourceWeights = cumulative([30, 28, 12, 10, 12, 8]);

/** A new visit of `user` at simulated time `sim`: its device, browser, traffic source, address and planned length. */
export function startVisit(r: Rng, id: string, user: number, sim: number, fraud: FraudPlan | null): Session {
  return {
    id,
    user,
    device: deviceTypes[r.weighted(deviceWeights)],
    browser: browsers[r.weighted(browserWeights)],
    source: trafficSources[r.weighted(sourceWeights)],
    ip: `${r.between(11, 223)}.${r.int(256)}.${r.int(256)}.${r.between(1, 254)}`,
    startedAt: sim,
    stepsLeft: 2 + Math.round(r.exp(9)),
    leaving: false,
    viewed: [],
    cart: [],
    fraud,
  };
}

const pagesBetweenSteps = ['/', '/deals', '/account', '/orders', '/help', '/categories'];

/** A page the shopper spends time on between shopping steps: a review of something viewed, or a page of the site. */
export function pageBetweenSteps(r: Rng, s: Session): { type: 'review_submit' | 'page_view'; page: string; product: number | null; seconds: number } {
  if (s.viewed.length > 0 && r.chance(0.25)) {
    const seconds = r.between(30, 180);
    return { type: 'review_submit', page: '/reviews/new', product: s.viewed[r.int(s.viewed.length)], seconds };
  }
  const seconds = r.between(5, 90);
  return { type: 'page_view', page: pagesBetweenSteps[r.int(pagesBetweenSteps.length)], product: null, seconds };
}
