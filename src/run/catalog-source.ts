import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
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
 * @param o.readBackWaitsMs after seeding, the waits before each reading back (tests shorten them)
 * @param o.signal a stop (Ctrl-C) ends those waits
 * @throws EtlError CATALOG_INVALID for a stored document the engine cannot use, or a catalog
 *   just seeded that cannot be read back whole
 */
export async function loadCatalog(
  sink: Sink,
  profile: Profile,
  progress?: CatalogProgress,
  size: CatalogSize = defaultCatalog,
  o: { readBackWaitsMs?: readonly number[]; signal?: AbortSignal } = {},
): Promise<LoadedCatalog> {
  const started = performance.now();
  const reader = sink.catalog;
  if (!reader) {
    const catalog = await defaultCatalogInThread(profile.catalog.population, size);
    return { catalog, source: 'memory', read: { products: size.products, users: size.users }, loadMs: performance.now() - started };
  }
  const stored = await storedCatalog(reader, profile, sink.target, progress);
  if (stored.catalog) return { catalog: stored.catalog, source: 'stored', read: stored.read, loadMs: performance.now() - started };
  // None there: seeded once, then read back. A target that takes the catalog and gives nothing
  // back is named, not seeded for ever; one that reads from a lagging secondary gets a few seconds.
  const { seedCatalog } = await import('./seed.js');
  const seeded = await seedCatalog({ seed: defaultCatalog.seed, products: size.products, users: size.users, profile, reset: false, chunkSize: 10_000, sink });
  // What the target holds of it: a read of less (half replicated) is read again.
  const held = { products: seeded.counts.products.written + seeded.counts.products.duplicates, users: seeded.counts.users.written + seeded.counts.users.duplicates };
  const waits = held.products > 0 && held.users > 0 ? (o.readBackWaitsMs ?? readBackWaits) : [0];
  let read = stored.read;
  const seededAt = performance.now();
  for (const waitMs of waits) {
    if (waitMs > 0) {
      if (o.signal?.aborted) break;
      await sleep(waitMs, undefined, { signal: o.signal }).catch(() => undefined);
    }
    const again = await storedCatalog(reader, profile, sink.target, progress);
    if (again.catalog && again.read.products >= held.products && again.read.users >= held.users) {
      return { catalog: again.catalog, source: 'seeded', read: again.read, loadMs: performance.now() - started };
    }
    read = again.read;
    log('the catalog just seeded reads back as %d products and %d users of %d and %d', read.products, read.users, held.products, held.users);
  }
  const refused = seeded.counts.products.dead_lettered + seeded.counts.users.dead_lettered;
  const why =
    refused > 0
      ? `the target refused ${refused} of its documents (${seeded.counts.products.dead_lettered} products, ${seeded.counts.users.dead_lettered} users): a validator of its own?`
      : 'check that the connection string reads from where it writes (a readPreference on a lagging secondary reads nothing yet)';
  throw new EtlError(
    'CATALOG_INVALID',
    `The catalog just seeded into ${sink.target} cannot be read back whole: ${read.products} of ${held.products} products and ${read.users} of ${held.users} users found after ${((performance.now() - seededAt) / 1000).toFixed(1)} s; ${why}. Or seed first with \`etl seed\`.`,
  );
}

/** After a seed, the waits before each reading back (the first at once): about 8 s in all. */
const readBackWaits = [0, 250, 500, 1000, 2000, 4000];

/** The catalog as stored: the columns saved beside the documents, or the documents read (and their columns saved for the next run). */
async function storedCatalog(reader: NonNullable<Sink['catalog']>, profile: Profile, target: string, progress: CatalogProgress | undefined): Promise<{ catalog?: StoreCatalog; read: LoadedCatalog['read'] }> {
  // Columns saved by the seed beside the documents, while those are what they were built from.
  const saved = await reader.columns?.(profile.catalog.reading);
  if (saved) return saved;
  const { catalog, read } = await readStoredCatalog(reader, profile, target, progress);
  // Saved for the next run (a target that keeps catalog columns, of a catalog seeded without them).
  if (catalog) await reader.saveColumns?.(profile.catalog.reading, { catalog, read }).catch((err: unknown) => log('catalog columns not saved: %s', (err as Error).message));
  return { catalog, read };
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
