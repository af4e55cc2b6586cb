import { abiPopulation } from '../../src/profiles/adaptive-bi/catalog-documents.js';
import { abiEvents } from '../../src/profiles/adaptive-bi/events.js';
import { ecomEtlEvents } from '../../src/profiles/ecom-etl/events.js';
import { CatalogGenerator } from '../../src/catalog/generate.js';
import type { Mix } from '../../src/config/values.js';
import { EventEngine, type EngineOptions, type EngineRecord } from '../../src/events/engine.js';
import type { EventDoc } from '../../src/events/schemas.js';
import type { AbiDoc } from '../../src/profiles/adaptive-bi/events.js';
import { buildStoreCatalog, type StoreCatalog } from '../../src/catalog/store-catalog.js';

export const defaultMix: Mix = { views: 0.6, cart: 0.3, orders: 0.1 };

const catalogs = new Map<string, StoreCatalog>();
export function testCatalog(products = 200, users = 2000, seed = 42): StoreCatalog {
  const key = `${products}/${users}/${seed}`;
  let c = catalogs.get(key);
  if (!c) {
    const g = new CatalogGenerator(seed);
    c = buildStoreCatalog(g.products(0, products), g.users(0, users));
    catalogs.set(key, c);
  }
  return c;
}


/** The options every test engine starts from: one partition, the default mix, a backfill from March 2026. */
const testRun = {
  seed: 1,
  partition: { index: 0, count: 1 },
  mix: defaultMix,
  fraudRate: 0.02,
  dirtyRate: 0,
  from: new Date('2026-03-01T00:00:00Z'),
};
export function engine(over: Partial<EngineOptions> = {}, catalog = testCatalog()): EventEngine<EventDoc> {
  return new EventEngine(catalog, { ...testRun, events: ecomEtlEvents, ...over });
}

/** Live time as a stream runs it: from half an hour before `originMs`, warmed up to it, visits at a steady rate. */
export function liveEngine(originMs: number, visitsPerSecond: number, over: Partial<EngineOptions> = {}, catalog = testCatalog()): EventEngine<EventDoc> {
  const e = engine({ from: new Date(originMs - 30 * 60_000), visitsPerSecond, ...over }, catalog);
  e.warmUp(originMs);
  return e;
}

export function generate(n: number, over: Partial<EngineOptions> = {}): EngineRecord[] {
  return engine(over).take(n);
}

const abiCatalogs = new Map<string, StoreCatalog>();
/** A catalog of Adaptive-BI's population, as its stored documents are read back into the engine's terms. */
export function abiTestCatalog(products = 300, users = 3000, seed = 42): StoreCatalog {
  const key = `${products}/${users}/${seed}`;
  let c = abiCatalogs.get(key);
  if (!c) {
    const g = new CatalogGenerator(seed, abiPopulation);
    c = buildStoreCatalog(g.products(0, products), g.users(0, users));
    abiCatalogs.set(key, c);
  }
  return c;
}

/** An engine rendering the Adaptive-BI profile's records. */
export function abiEngine(over: Partial<EngineOptions<AbiDoc>> = {}, catalog = abiTestCatalog()): EventEngine<AbiDoc> {
  return new EventEngine(catalog, { ...testRun, events: abiEvents, ...over });
}

/** The Adaptive-BI profile's engine in live time (see liveEngine). */
export function abiLiveEngine(originMs: number, visitsPerSecond: number, over: Partial<EngineOptions<AbiDoc>> = {}, catalog = abiTestCatalog()): EventEngine<AbiDoc> {
  const e = abiEngine({ from: new Date(originMs - 30 * 60_000), visitsPerSecond, ...over }, catalog);
  e.warmUp(originMs);
  return e;
}
