import { parentPort, workerData } from 'node:worker_threads';
import { loadProfile } from '../profiles/index.js';
import type { ProfileName } from '../shared/profiles.js';
import { encodeBatch } from '../sinks/encoding.js';
import type { BatchEncoding, Doc, StoredDocuments } from '../sinks/types.js';
import { checkAll } from '../validation/validate.js';

/** A chunk of the catalog, generated, checked and encoded for the target in a worker thread. */
export interface SeedChunkJob {
  id: number;
  collection: 'products' | 'users';
  start: number;
  count: number;
}

export interface SeedChunkResult {
  id: number;
  /** The chunk, encoded for the target (transferred, not copied). */
  bytes: Uint8Array;
  written: number;
  invalid: Array<{ id: string; reasons: string[] }>;
}

/** What every chunk of a seed shares: whose catalog, and how the target takes its batches. */
export interface SeedWorkerData {
  seed: number;
  profile: ProfileName;
  encoding: BatchEncoding;
  stored: StoredDocuments;
}

const { seed, profile, encoding, stored } = workerData as SeedWorkerData;
// Code does not cross threads: the profile is loaded here by its name.
const shape = await (await loadProfile(profile)).catalog.shape(seed);

parentPort?.on('message', (job: SeedChunkJob) => {
  const docs = job.collection === 'products' ? shape.products(job.start, job.count) : shape.users(job.start, job.count);
  // The same check as a seed in one thread (run/seed.ts): invalid documents are reported, not written.
  const checked = checkAll(shape.schema[job.collection], docs);
  const bytes = encodeBatch(encoding, stored, job.collection, checked.valid as Doc[]);
  const written = checked.valid.length;
  const invalid = checked.invalid.map((bad) => ({ id: String((bad.doc as { _id: unknown })._id), reasons: bad.reasons.map((x) => `${x.path}: ${x.message}`) }));
  parentPort!.postMessage({ id: job.id, bytes, written, invalid } satisfies SeedChunkResult, [bytes.buffer]);
});
