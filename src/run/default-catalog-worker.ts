import { parentPort, workerData } from 'node:worker_threads';
import { CatalogGenerator } from '../catalog/generate.js';
import { buildStoreCatalog } from '../catalog/store-catalog.js';
import type { PopulationWeights } from '../catalog/population.js';

/**
 * Builds the default catalog of a target that keeps none (null, stdout) in a thread of its own:
 * faker is needed only for this, and its data then leaves the process with the thread instead
 * of staying in the main thread's heap for the whole run. The columns are shared memory.
 */
export interface DefaultCatalogJob {
  /** Who the profile's users are. */
  population: PopulationWeights;
  seed: number;
  products: number;
  users: number;
}

const job = workerData as DefaultCatalogJob;
const gen = new CatalogGenerator(job.seed, job.population);
parentPort?.postMessage(buildStoreCatalog(gen.products(0, job.products), gen.users(0, job.users)));
