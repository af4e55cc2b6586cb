import type { StoreCatalog } from '../catalog/store-catalog.js';
import type { RenderedDoc } from './facts.js';
import { EventEngine, type EngineOptions } from './engine.js';
import { ownVisitsPerDay } from './population.js';

/** Visits the calibration simulates (one every ten minutes, so that they hardly overlap). */
const calibrationVisits = 1500;
const calibrationGapS = 600;

/**
 * How many records a visit brings on average under these options (its logins, views, carts,
 * orders, activities and the stock moves and returns that follow), measured by simulating
 * quiet visits one after another. Deterministic for the same options; tens of milliseconds.
 * Of the living store's records, those that follow a visit within seconds count (followsVisit).
 */
export function recordsPerVisit<D extends RenderedDoc>(catalog: StoreCatalog, o: Omit<EngineOptions<D>, 'visitsPerSecond' | 'sessionsPerDay'>): number {
  const engine = new EventEngine(catalog, { ...o, visitsPerSecond: 1 / calibrationGapS });
  let records = 0;
  let paced = 0;
  const paceBy = o.events.paceBy;
  while (engine.visits < calibrationVisits) {
    for (const r of engine.take(1000)) {
      if (r.collection === paceBy?.collection) paced++;
      if (followsVisit(r.collection, r.doc as unknown as Record<string, unknown>)) records++;
    }
  }
  // A renderer that holds its collections in proportion to one: that one decides (its sample of the rest starts cold here).
  if (paceBy) return (paced * paceBy.records) / engine.visits;
  return records / engine.visits;
}

/**
 * Whether a record comes with a visit, within seconds: everything a shopper does and its stock
 * moves, and of the living store an order's placement and payment (versions 1 and 2) and a
 * segment upgrade it brings. Later transitions, reviews, price changes and churn keep clocks of
 * their own: over ten quiet days they would swamp the visits, and in a stream they come on top
 * of the rate as they fall due.
 */
function followsVisit(collection: string, doc: Record<string, unknown>): boolean {
  if (collection === 'order_events') return typeof doc.version === 'number' && doc.version <= 2;
  if (collection === 'user_changes') return doc.change === 'segment_upgrade';
  return collection !== 'price_changes' && collection !== 'reviews';
}

/** The plan of a live stream's traffic: visits a second that give `recordsPerSecond`, and how that compares with the catalog's own users. */
export interface LiveRatePlan {
  visitsPerSecond: number;
  recordsPerVisit: number;
  /** Active users in the catalog (those who visit). */
  users: number;
  /** Visits a second the catalog's users make on their own (--rate population). */
  ownVisitsPerSecond: number;
  /** Users a catalog would need for its own traffic to be this rate (set when the rate asks 10× or more of this one). */
  realisticUsers?: number;
}

/**
 * The visits a second that give `recordsPerSecond` on average (or the population's own), and
 * when that asks 10× or more of the catalog's users than they visit on their own, how many
 * users a catalog would need for it.
 */
export function planLiveRate<D extends RenderedDoc>(
  catalog: StoreCatalog,
  o: Omit<EngineOptions<D>, 'visitsPerSecond' | 'sessionsPerDay'>,
  recordsPerSecond: number | 'population',
): LiveRatePlan {
  const perVisit = recordsPerVisit(catalog, o);
  const own = ownVisitsPerDay(catalog) / 86_400;
  const visitsPerSecond = recordsPerSecond === 'population' ? own : recordsPerSecond / perVisit;
  const plan: LiveRatePlan = { visitsPerSecond, recordsPerVisit: perVisit, users: catalog.userCount, ownVisitsPerSecond: own };
  if (own > 0 && visitsPerSecond >= 10 * own) plan.realisticUsers = Math.round((catalog.userCount * visitsPerSecond) / own);
  return plan;
}
