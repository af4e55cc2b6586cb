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
 * Without the living store: what it adds (order transitions days later, price changes and
 * user changes on their own clocks) is not a visit's and would swamp ten quiet days of
 * visits; it comes on top of the rate, a few percent of the records.
 */
export function recordsPerVisit<D extends RenderedDoc>(catalog: StoreCatalog, o: Omit<EngineOptions<D>, 'visitsPerSecond' | 'sessionsPerDay'>): number {
  const engine = new EventEngine(catalog, { ...o, lifecycle: false, visitsPerSecond: 1 / calibrationGapS });
  let records = 0;
  while (engine.visits < calibrationVisits) records += engine.take(1000).length;
  return records / engine.visits;
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
