import { catalogCollections } from '../shared/collections.js';
import type { Profile } from '../profiles/index.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { logger } from '../log.js';
import { workerScript } from '../shared/worker-script.js';
import type { SeedChunkJob, SeedChunkResult, SeedWorkerData } from './seed-worker.js';
import type { CollectionCounts } from '../shared/records.js';
import type { Doc, PreEncodedWrites, Sink } from '../sinks/types.js';
import { checkAll } from '../validation/validate.js';
import { readStoredCatalog } from './catalog-read.js';

const log = logger('seed');

export interface SeedOptions {
  /** Whose catalog documents. */
  profile: Profile;
  seed: number;
  products: number;
  users: number;
  reset: boolean;
  chunkSize: number;
  sink: Sink;
  /** Stops between chunks when aborted (Ctrl-C); what was written stays written. */
  signal?: AbortSignal;
  /** Called after every written chunk with documents done so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedReport {
  seed: number;
  target: string;
  sink: string;
  counts: { products: CollectionCounts; users: CollectionCounts };
  elapsedMs: number;
  /** Catalog documents per second. */
  rate: number;
  /** Invalid generated documents (a bug if ever non-zero); they are not written. */
  invalid: Array<{ collection: string; id: unknown; reasons: string[] }>;
  /** True when stopped by a signal before the whole catalog was written. */
  interrupted: boolean;
}

/** From this many documents, a seed into lines of text uses worker threads. */
const parallelFrom = 200_000;

/**
 * Seeds with one worker thread per core: each generates, checks and serializes whole chunks;
 * this thread appends them in order (the same bytes as one thread would write). At most two
 * chunks per worker are under way, so memory stays flat at any size.
 */
async function seedInWorkers(o: SeedOptions, report: SeedReport, total: number, into: PreEncodedWrites): Promise<void> {
  const encoding = into.encoding;
  const threads = Math.max(1, Math.min(4, availableParallelism()));
  // A small old generation keeps each worker's heap (and so the process) flat whatever the size.
  const workers = Array.from({ length: threads }, () => new Worker(workerScript(import.meta.url, './seed-worker.js'), { workerData: { seed: o.seed, profile: o.profile.name, encoding, stored: o.profile.stored } satisfies SeedWorkerData, resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 48 } }));
  const waiting = new Map<number, { resolve: (r: SeedChunkResult) => void; reject: (err: unknown) => void }>();
  // A worker that dies fails the seed: every chunk still waited for is rejected. (Not a race
  // against one long-pending promise: each race would keep its chunk's bytes alive.)
  for (const w of workers) {
    w.on('message', (r: SeedChunkResult) => waiting.get(r.id)?.resolve(r));
    w.on('error', (err) => {
      for (const pending of waiting.values()) pending.reject(err);
    });
  }
  const chunks: SeedChunkJob[] = [];
  for (const collection of ['products', 'users'] as const) {
    const count = collection === 'products' ? o.products : o.users;
    for (let start = 0; start < count; start += o.chunkSize) chunks.push({ id: chunks.length, collection, start, count: Math.min(o.chunkSize, count - start) });
  }
  const results = new Map<number, Promise<SeedChunkResult>>();
  const dispatch = (i: number) => {
    if (i >= chunks.length) return;
    const result = new Promise<SeedChunkResult>((resolve, reject) => waiting.set(i, { resolve, reject }));
    result.catch(() => undefined);
    results.set(i, result);
    workers[i % threads].postMessage(chunks[i]);
  };
  for (let i = 0; i < 2 * threads; i++) dispatch(i);
  let done = 0;
  try {
    for (let i = 0; i < chunks.length; i++) {
      if (o.signal?.aborted) {
        report.interrupted = true;
        break;
      }
      const r = await results.get(i)!;
      results.delete(i);
      waiting.delete(i);
      dispatch(i + 2 * threads);
      const counts = report.counts[chunks[i].collection];
      counts.generated += chunks[i].count;
      counts.dead_lettered += r.invalid.length;
      for (const bad of r.invalid) report.invalid.push({ collection: chunks[i].collection, id: bad.id, reasons: bad.reasons });
      await into.append(chunks[i].collection, r.bytes);
      counts.written += r.written;
      done += chunks[i].count;
      o.onProgress?.(done, total);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function zero(): CollectionCounts {
  return { generated: 0, written: 0, duplicates: 0, dead_lettered: 0 };
}

/**
 * Generates the catalog in chunks (flat memory) and upserts it by business key,
 * so running it twice leaves one copy of each document. The sink must be open.
 */
export async function seedCatalog(o: SeedOptions): Promise<SeedReport> {
  const started = performance.now();
  const report: SeedReport = {
    seed: o.seed,
    target: o.sink.target,
    sink: o.sink.name,
    counts: { products: zero(), users: zero() },
    elapsedMs: 0,
    rate: 0,
    invalid: [],
    interrupted: false,
  };
  // A file target is rewritten whole (same seed => same bytes); a database is upserted unless --reset.
  if (o.reset || o.sink.rewritesCatalog) await o.sink.reset(catalogCollections);
  const total = o.products + o.users;
  // A large catalog into a target that takes encoded batches: generated, checked and encoded on every core.
  if (o.sink.preEncoded && total >= parallelFrom) await seedInWorkers(o, report, total, o.sink.preEncoded);
  else await seedInThisThread(o, report, total);
  // A target that keeps the engine's columns beside the documents gets them now, so that a
  // stream starts without reading the documents (the files' own parse, saved; jsonl-columns.ts).
  const keeper = o.sink.catalog;
  if (!report.interrupted && keeper?.saveColumns) {
    try {
      const { catalog, read } = await readStoredCatalog(keeper, o.profile, o.sink.target);
      if (catalog) await keeper.saveColumns(o.profile.catalog.reading, { catalog, read });
    } catch (err) {
      // Without them a stream reads the documents, as it always could: the seed itself succeeded.
      log('catalog columns not saved: %s', (err as Error).message);
    }
  }
  report.elapsedMs = performance.now() - started;
  report.rate = (report.counts.products.generated + report.counts.users.generated) / Math.max(report.elapsedMs / 1000, 1e-9);
  return report;
}

/** Generates chunk k+1 while chunk k is being written; upserts by business key. */
async function seedInThisThread(o: SeedOptions, report: SeedReport, total: number): Promise<void> {
  const shape = await o.profile.catalog.shape(o.seed);
  let done = 0;
  const plan: Array<{ collection: 'products' | 'users'; count: number }> = [
    { collection: 'products', count: o.products },
    { collection: 'users', count: o.users },
  ];
  for (const { collection, count } of plan) {
    const counts = report.counts[collection];
    const schema = shape.schema[collection];
    // Generate chunk k+1 while chunk k is being written.
    let inFlight: Promise<void> | undefined;
    for (let start = 0; start < count; start += o.chunkSize) {
      if (o.signal?.aborted) {
        report.interrupted = true;
        break;
      }
      const n = Math.min(o.chunkSize, count - start);
      const docs = collection === 'products' ? shape.products(start, n) : shape.users(start, n);
      const checked = checkAll(schema, docs);
      counts.generated += n;
      for (const bad of checked.invalid) {
        report.invalid.push({ collection, id: (bad.doc as Doc)._id, reasons: bad.reasons.map((r) => `${r.path}: ${r.message}`) });
        counts.dead_lettered++;
      }
      await inFlight;
      inFlight = o.sink.write(collection, checked.valid as Doc[], 'upsert').then((r) => {
        counts.written += r.written;
        counts.duplicates += r.duplicates;
        counts.dead_lettered += r.rejected.length;
        for (const rej of r.rejected) report.invalid.push({ collection, id: rej.doc._id, reasons: rej.reasons.map((x) => `${x.path}: ${x.message}`) });
        done += n;
        o.onProgress?.(done, total);
      });
    }
    await inFlight;
    log('%s: %o', collection, counts);
  }
}
