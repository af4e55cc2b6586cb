import { parentPort, workerData } from 'node:worker_threads';
import { catalogShape } from '../catalog/profile.js';
import { typedForProfile } from './typed-for-profile.js';
import type { ProfileName } from '../shared/profiles.js';
import { flatJsonLine, toJsonLine } from '../sinks/jsonl-files.js';
import { checkAll } from '../validation/validate.js';

/** A chunk of the catalog, generated, checked and serialized to lines in a worker thread. */
export interface SeedChunkJob {
  id: number;
  collection: 'products' | 'users';
  start: number;
  count: number;
}

export interface SeedChunkResult {
  id: number;
  /** The chunk's lines as UTF-8 (transferred, not copied). */
  bytes: Uint8Array;
  written: number;
  invalid: Array<{ id: string; reasons: string[] }>;
}

const { seed, profile } = workerData as { seed: number; profile: ProfileName };
const shape = catalogShape(profile, seed);
/** Ours are flat documents (the fast line writer); the adaptive-bi profile's have sub-documents and typed doubles. */
function line(collection: string, doc: Record<string, unknown>): string {
  return profile === 'ecom-etl' ? flatJsonLine(doc) : toJsonLine(typedForProfile(profile, collection, doc));
}

parentPort?.on('message', (job: SeedChunkJob) => {
  const docs = job.collection === 'products' ? shape.products(job.start, job.count) : shape.users(job.start, job.count);
  // The same check as a seed in one thread (run/seed.ts): invalid documents are reported, not written.
  const checked = checkAll(shape.schema[job.collection], docs);
  let text = '';
  for (const doc of checked.valid) text += line(job.collection, doc);
  const written = checked.valid.length;
  const invalid = checked.invalid.map((bad) => ({ id: String((bad.doc as { _id: unknown })._id), reasons: bad.reasons.map((x) => `${x.path}: ${x.message}`) }));
  const bytes = new TextEncoder().encode(text);
  parentPort!.postMessage({ id: job.id, bytes, written, invalid } satisfies SeedChunkResult, [bytes.buffer]);
});
