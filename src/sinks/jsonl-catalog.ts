import { stat } from 'node:fs/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { EtlError, errorFromWorker, serializeError, type SerializedError } from '../errors.js';
import { CatalogBuilder, type CatalogReading, type UserPart } from '../catalog/store-catalog.js';
import { compiledModule, workerScript } from '../shared/worker-script.js';
import { eachLineIn } from './jsonl-files.js';

/**
 * Reading a large `users.jsonl` on every core: the file is cut into byte ranges at line
 * boundaries, each range is parsed and checked by a worker thread into columns, and the
 * columns are appended in file order — the same catalog as one reader would build, in a
 * fraction of the time (JSON parsing is most of the work).
 */

interface RangeJob {
  kind: 'jsonl-users';
  path: string;
  /** Lines that start in [start, end) belong to this range. */
  start: number;
  end: number;
  where: string;
  /** Where the profile's catalog reading is (code does not cross threads: its module does). */
  reading: CatalogReading['from'];
}

type RangeResult = { ok: true; part: UserPart } | { ok: false; error: SerializedError };

/** Parses and checks the lines that start in [start, end). */
async function parseRange(job: RangeJob): Promise<UserPart> {
  const m = (await import(compiledModule(job.reading.module).href)) as Record<string, CatalogReading>;
  const builder = new CatalogBuilder(m[job.reading.name], job.where);
  await eachLineIn(job.path, job.start, job.end, (line, at) => {
    if (!line) return;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw new EtlError('CATALOG_INVALID', `The stored catalog in ${job.where} has a line that is not JSON at byte ${at} (${(err as Error).message}). Re-create it with \`etl seed\` into an empty --out directory.`);
    }
    builder.addUser(doc);
  });
  return builder.userPart();
}

if (!isMainThread && (workerData as RangeJob | undefined)?.kind === 'jsonl-users') {
  const job = workerData as RangeJob;
  parseRange(job).then(
    (part) => parentPort!.postMessage({ ok: true, part } satisfies RangeResult),
    (err: unknown) => parentPort!.postMessage({ ok: false, error: serializeError(err) } satisfies RangeResult),
  );
}

/**
 * Reads `path` (a users.jsonl) into the builder with `threads` worker threads.
 * @throws EtlError CATALOG_INVALID for a document the engine cannot use, or a line that is not JSON
 */
export async function readUsersParallel(path: string, builder: CatalogBuilder, where: string, threads: number): Promise<number> {
  const size = (await stat(path)).size;
  const ranges = Array.from({ length: threads }, (_, i) => [Math.floor((size * i) / threads), Math.floor((size * (i + 1)) / threads)] as const);
  const parts = await Promise.all(
    ranges.map(
      ([start, end]) =>
        new Promise<UserPart>((resolve, reject) => {
          const worker = new Worker(workerScript(import.meta.url, './jsonl-catalog.js'), { workerData: { kind: 'jsonl-users', path, start, end, where, reading: builder.reading.from } satisfies RangeJob });
          worker.once('message', (m: RangeResult) => (m.ok ? resolve(m.part) : reject(errorFromWorker(m.error))));
          worker.once('error', reject);
        }),
    ),
  );
  builder.reserveUsers(parts.reduce((a, p) => a + p.number.length, 0));
  let read = 0;
  for (let i = 0; i < parts.length; i++) {
    builder.addUserPart(parts[i]);
    read += parts[i].read;
    // Let each part go as soon as it is copied: the peak is one catalog plus one part.
    (parts as Array<UserPart | undefined>)[i] = undefined;
  }
  return read;
}
