import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import type { PopulationWeights } from '../catalog/population.js';
import { CatalogBuilder, type StoreCatalog } from '../catalog/store-catalog.js';
import type { Profile } from '../profiles/index.js';
import { workerScript } from '../shared/worker-script.js';
import type { Sink } from '../sinks/types.js';
import type { DefaultCatalogJob } from './default-catalog-worker.js';

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

/** Told how far a catalog read has got (every 100,000 documents). */
export type CatalogProgress = (read: { collection: 'products' | 'users'; documents: number }) => void;

/**
 * The catalog `etl stream` sells: the one stored in the target, read once with a projection of
 * the fields the engine uses and built straight into columns (no document is kept); where there
 * is none, one of `size` (seed 42) is seeded first. Sinks that store nothing (stdout, null) use
 * that catalog in memory.
 * @throws EtlError CATALOG_INVALID for a stored document the engine cannot use
 */
export async function loadCatalog(sink: Sink, profile: Profile, progress?: CatalogProgress, size: CatalogSize = defaultCatalog): Promise<LoadedCatalog> {
  const started = performance.now();
  const reader = sink.catalog;
  if (!reader) {
    const catalog = await defaultCatalogInThread(profile.catalog.population, size);
    return { catalog, source: 'memory', read: { products: size.products, users: size.users }, loadMs: performance.now() - started };
  }
  const builder = new CatalogBuilder(profile.catalog.reading, sink.target);
  const fields = profile.catalog.reading.fields;
  const read = { products: 0, users: 0 };
  await reader.eachDocument('products', fields.products, (doc) => {
    builder.addProduct(doc);
    if (++read.products % 100_000 === 0) progress?.({ collection: 'products', documents: read.products });
  });
  const built = await reader.buildUsers?.(builder);
  if (built !== undefined) read.users = built;
  else {
    await reader.eachDocument('users', fields.users, (doc) => {
      builder.addUser(doc);
      if (++read.users % 100_000 === 0) progress?.({ collection: 'users', documents: read.users });
    });
  }
  if (read.products > 0 && read.users > 0) return { catalog: builder.finish(), source: 'stored', read, loadMs: performance.now() - started };
  const { seedCatalog } = await import('./seed.js');
  await seedCatalog({ seed: defaultCatalog.seed, products: size.products, users: size.users, profile, reset: false, chunkSize: 10_000, sink });
  const again = await loadCatalog(sink, profile, progress, size);
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
