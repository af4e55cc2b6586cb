import { parentPort, workerData } from 'node:worker_threads';
import { CatalogGenerator } from '../catalog/generate.js';
import { productSchema, userSchema } from '../catalog/schemas.js';
import { flatJsonLine } from '../sinks/jsonl-files.js';
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

const { seed } = workerData as { seed: number };
const gen = new CatalogGenerator(seed);

parentPort?.on('message', (job: SeedChunkJob) => {
  const docs = job.collection === 'products' ? gen.products(job.start, job.count) : gen.users(job.start, job.count);
  const schema = job.collection === 'products' ? productSchema : userSchema;
  // The same check as a seed in one thread (run/seed.ts): invalid documents are reported, not written.
  const checked = checkAll<unknown>(schema, docs);
  let text = '';
  for (const doc of checked.valid) text += flatJsonLine(doc as Record<string, unknown>);
  const written = checked.valid.length;
  const invalid = checked.invalid.map((bad) => ({ id: String((bad.doc as { _id: unknown })._id), reasons: bad.reasons.map((x) => `${x.path}: ${x.message}`) }));
  const bytes = new TextEncoder().encode(text);
  parentPort!.postMessage({ id: job.id, bytes, written, invalid } satisfies SeedChunkResult, [bytes.buffer]);
});
