import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import type { PopulationWeights } from '../catalog/population.js';
import type { StoreCatalog } from '../catalog/store-catalog.js';
import type { Profile } from '../profiles/index.js';
import { EtlError } from '../errors.js';
import { logger } from '../log.js';
import { workerScript } from '../shared/worker-script.js';
import type { Sink } from '../sinks/types.js';
import type { DefaultCatalogJob } from './default-catalog-worker.js';
import { type CatalogProgress, readStoredCatalog } from './catalog-read.js';

export type { CatalogProgress };

const log = logger('catalog');

export const defaultCatalog = { seed: 42, products: 100, users: 1000 } as const;

/** How many products and users the catalog a stream makes itself has (--products, --users). */
export interface CatalogSize {
  products: number;
  users: number;
}

export interface LoadedCatalog {
  /** The engine's columns (shared with worker threads). */
  catalog: StoreCatalog;
  /** stored: read from the target; seeded: none was there, defaults were seeded first; memory: the target keeps nothing. */
  source: 'stored' | 'seeded' | 'memory';
  /** Catalog documents read (active or not). */
  read: { products: number; users: number };
  /** How long reading and building the catalog took. */
  loadMs: number;
}

/**
 * The catalog `etl stream` sells: the one stored in the target, read once with a projection of
 * the fields the engine uses and built straight into columns (no document is kept); where there
 * is none, one of `size` (seed 42) is seeded first. Sinks that store nothing (stdout, null) use
 * that catalog in memory.
 * @throws EtlError CATALOG_INVALID for a stored document the engine cannot use
 */
export async function loadCatalog(sink: Sink, profile: Profile, progress?: CatalogProgress, size: CatalogSize = defaultCatalog): Promise<LoadedCatalog> {
  return load(sink, profile, progress, size, false);
}

async function load(sink: Sink, profile: Profile, progress: CatalogProgress | undefined, size: CatalogSize, seededNow: boolean): Promise<LoadedCatalog> {
  const started = performance.now();
  const reader = sink.catalog;
  if (!reader) {
    const catalog = await defaultCatalogInThread(profile.catalog.population, size);
    return { catalog, source: 'memory', read: { products: size.products, users: size.users }, loadMs: performance.now() - started };
  }
  // Columns saved by the seed beside the documents, while those are what they were built from.
  const saved = await reader.columns?.(profile.catalog.reading);
  if (saved) return { catalog: saved.catalog, source: 'stored', read: saved.read, loadMs: performance.now() - started };
  const { catalog, read } = await readStoredCatalog(reader, profile, sink.target, progress);
  if (catalog) {
    // Saved for the next run (a target that keeps catalog columns, of a catalog seeded without them).
    await reader.saveColumns?.(profile.catalog.reading, { catalog, read }).catch((err: unknown) => log('catalog columns not saved: %s', (err as Error).message));
    return { catalog, source: 'stored', read, loadMs: performance.now() - started };
  }
  // Seeded once: a target that takes the catalog and still gives nothing back would be seeded for ever.
  if (seededNow) {
    throw new EtlError('CATALOG_INVALID', `The catalog just seeded into ${sink.target} cannot be read back: no products or users were found. Check that the connection string reads from where it writes (a readPreference on a lagging secondary reads nothing yet), or seed first with \`etl seed\`.`);
  }
  const { seedCatalog } = await import('./seed.js');
  await seedCatalog({ seed: defaultCatalog.seed, products: size.products, users: size.users, profile, reset: false, chunkSize: 10_000, sink });
  const again = await load(sink, profile, progress, size, true);
  return { ...again, source: 'seeded', loadMs: performance.now() - started };
}

/** The default catalog, generated in a thread that then ends (faker does not stay in this one's heap). */
async function defaultCatalogInThread(population: PopulationWeights, size: CatalogSize): Promise<StoreCatalog> {
  const worker = new Worker(workerScript(import.meta.url, './default-catalog-worker.js'), { workerData: { population, seed: defaultCatalog.seed, products: size.products, users: size.users } satisfies DefaultCatalogJob });
  try {
    const ended = (what: string) => (args: unknown[]) => Promise.reject(what === 'error' ? (args[0] as Error) : new Error('the default catalog thread ended without a catalog'));
    const [catalog] = (await Promise.race([once(worker, 'message'), once(worker, 'error').then(ended('error')), once(worker, 'exit').then(ended('exit'))])) as [StoreCatalog];
    return catalog;
  } finally {
    await worker.terminate();
  }
}
