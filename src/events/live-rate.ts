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
 * Of the living store's records only an order's placement and payment count (they follow in
 * seconds): the rest (transitions hours and days later, price and user changes on their own
 * clocks) is not a visit's and would swamp ten quiet days of visits; it comes on top of the
 * rate as it falls due.
 */
export function recordsPerVisit<D extends RenderedDoc>(catalog: StoreCatalog, o: Omit<EngineOptions<D>, 'visitsPerSecond' | 'sessionsPerDay'>): number {
  const engine = new EventEngine(catalog, { ...o, lifecycle: false, visitsPerSecond: 1 / calibrationGapS });
  let records = 0;
  let orders = 0;
  let paced = 0;
  const paceBy = o.events.paceBy;
  while (engine.visits < calibrationVisits) {
    for (const r of engine.take(1000)) {
      records++;
      if (r.collection === 'transactions') orders++;
      if (r.collection === paceBy?.collection) paced++;
    }
  }
  // A renderer that holds its collections in proportion to one: that one decides (its sample of the rest starts cold here).
  if (paceBy) return (paced * paceBy.records) / engine.visits;
  // With the living store, an order's placement and payment follow within seconds: two order events.
  const orderEvents = o.lifecycle && o.events.collections.includes('order_events') ? 2 * orders : 0;
  return (records + orderEvents) / engine.visits;
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
