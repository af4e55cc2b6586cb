import { catalogCollections } from '../shared/collections.js';
import { CatalogGenerator } from '../catalog/generate.js';
import { productSchema, userSchema } from '../catalog/schemas.js';
import { logger } from '../log.js';
import type { CollectionCounts } from '../shared/records.js';
import type { Doc, Sink } from '../sinks/types.js';
import { checkAll } from '../validation/validate.js';

const log = logger('seed');

export interface SeedOptions {
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

function zero(): CollectionCounts {
  return { generated: 0, written: 0, duplicates: 0, dead_lettered: 0 };
}

/**
 * Generates the catalog in chunks (flat memory) and upserts it by business key,
 * so running it twice leaves one copy of each document. The sink must be open.
 */
export async function seedCatalog(o: SeedOptions): Promise<SeedReport> {
  const started = performance.now();
  const gen = new CatalogGenerator(o.seed);
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
  let done = 0;
  const plan: Array<{ collection: 'products' | 'users'; count: number }> = [
    { collection: 'products', count: o.products },
    { collection: 'users', count: o.users },
  ];
  for (const { collection, count } of plan) {
    const counts = report.counts[collection];
    const schema = collection === 'products' ? productSchema : userSchema;
    // Generate chunk k+1 while chunk k is being written.
    let inFlight: Promise<void> | undefined;
    for (let start = 0; start < count; start += o.chunkSize) {
      if (o.signal?.aborted) {
        report.interrupted = true;
        break;
      }
      const n = Math.min(o.chunkSize, count - start);
      const docs = collection === 'products' ? gen.products(start, n) : gen.users(start, n);
      const checked = checkAll<unknown>(schema, docs);
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
  report.elapsedMs = performance.now() - started;
  report.rate = (report.counts.products.generated + report.counts.users.generated) / Math.max(report.elapsedMs / 1000, 1e-9);
  return report;
}
