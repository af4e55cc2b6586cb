import { appendFile, access, readdir, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { constants } from 'node:fs';
import { ObjectId } from 'bson';
import { join, resolve } from 'node:path';
import { EtlError } from '../errors.js';
import { parseId } from '../events/ids.js';
import { logger } from '../log.js';
import { ensureDir } from '../shared/fs.js';
import type { RunRecord } from '../shared/records.js';
import { typedDocs } from './encoding.js';
import { partitionKeyTag, recordIdentity, recordOfObjectId } from './object-ids.js';
import { eachJsonLine, readJsonl, repairTail, toJsonLine } from './jsonl-files.js';
import type { CatalogBuilder, CatalogReading } from '../catalog/store-catalog.js';
import type { CatalogReader, Doc, PreEncodedWrites, RunFilter, RunStore, SavedColumns, Sink, StoredDocuments, WriteResult } from './types.js';

const log = logger('sink');

/**
 * One file per collection under a directory (`products.jsonl`, ...). Appends to a file happen
 * in the order of the write calls (one at a time per file), so a run with one partition
 * writes byte-identical files for the same seed; each append is one write of whole lines, and
 * a torn tail left by a killed process is cut off at open.
 */
export class JsonlSink implements Sink, RunStore, CatalogReader {
  readonly name = 'jsonl' as const;
  readonly dir: string;
  readonly runs: RunStore = this;
  readonly catalog: CatalogReader = this;
  readonly rewritesCatalog = true;
  readonly preEncoded: PreEncodedWrites = {
    encoding: 'jsonl',
    append: async (collection, bytes) => {
      if (bytes.length > 0) await this.append(collection, () => appendFile(this.file(collection), bytes));
    },
  };
  /**
   * Resume: copies of each record beyond the checkpoint already in the files, by `recordIdentity`
   * (a repeated delivery may be there twice); writing one again is absorbed.
   */
  private readonly present = new Map<string, number>();
  /** The last pending append of each file: the next one waits for it. */
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * @param stored the profile's documents: which files hold events, which numbers are doubles
   * @param repairOnOpen cut torn last lines at open (false in worker threads: the main thread did it)
   */
  constructor(
    dir: string,
    private readonly stored: StoredDocuments,
    private readonly repairOnOpen = true,
  ) {
    this.dir = resolve(dir);
  }

  get target(): string {
    return `${this.dir}/*.jsonl`;
  }

  private file(collection: string): string {
    return join(this.dir, `${collection}.jsonl`);
  }

  /**
   * @throws EtlError OUT_DIR_UNWRITABLE when the directory cannot be created or written.
   */
  async open(): Promise<void> {
    try {
      await ensureDir(this.dir);
      await access(this.dir, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new EtlError('OUT_DIR_UNWRITABLE', `Cannot write to --out "${this.dir}" (${code}). Choose a writable directory, e.g. --out ./data`, { details: { dir: this.dir } });
    }
    if (this.repairOnOpen) await this.repairAll();
  }

  /** Cuts any file's unterminated last line (from a killed writer) so appends start on a line boundary. */
  private async repairAll(): Promise<void> {
    const repaired: string[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.jsonl')) continue;
      if (await repairTail(join(this.dir, name))) repaired.push(name);
    }
    if (repaired.length) log('cut torn last lines of %o', repaired);
  }

  async reset(collections: readonly string[]): Promise<void> {
    for (const c of collections) await this.append(c, () => writeFile(this.file(c), ''));
  }

  /** Runs `io` after every earlier append to the same file. */
  private append(collection: string, io: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(collection) ?? Promise.resolve();
    const next = previous.then(io);
    // A failed append fails its own write; the chain goes on for the next one.
    this.tails.set(
      collection,
      next.catch(() => undefined),
    );
    return next;
  }

  async write(collection: string, docs: Doc[]): Promise<WriteResult> {
    let text = '';
    let written = 0;
    let duplicates = 0;
    for (const doc of typedDocs(this.stored, collection, docs)) {
      if (this.present.size > 0) {
        const id = recordIdentity(doc._id);
        const copies = this.present.get(id);
        if (copies !== undefined) {
          if (copies > 1) this.present.set(id, copies - 1);
          else this.present.delete(id);
          duplicates++;
          continue;
        }
      }
      text += toJsonLine(doc);
      written++;
    }
    if (text) await this.append(collection, () => appendFile(this.file(collection), text));
    return { written, duplicates, rejected: [], retries: 0 };
  }

  async recordRun(run: RunRecord): Promise<void> {
    await this.append('etl_runs', () => appendFile(this.file('etl_runs'), toJsonLine(run)));
  }

  /** The newest run matching the filter; etl_runs.jsonl holds every state of a run, the last line wins. */
  async lastRun(filter: RunFilter): Promise<RunRecord | null> {
    const latest = new Map<string, RunRecord>();
    for await (const doc of this.read('etl_runs')) {
      const run = doc as unknown as RunRecord;
      latest.set(run._id, run);
    }
    let best: RunRecord | null = null;
    for (const run of latest.values()) {
      if (filter.commands ? !filter.commands.includes(run.command) : run.command !== filter.command) continue;
      if (filter.seed !== undefined && run.seed !== filter.seed) continue;
      if (filter.partitions && run.partitions.join(',') !== filter.partitions.join(',')) continue;
      if (filter.anyPartition && !run.partitions.some((p) => filter.anyPartition!.includes(p))) continue;
      if (!best || run.started_at.getTime() >= best.started_at.getTime()) best = run;
    }
    return best;
  }

  /**
   * Finds the records of these partitions written beyond their checkpoint (before a kill,
   * never checkpointed): writing them again counts them as duplicates instead of doubling them.
   */
  async prepareResume(seed: number, checkpoint: Record<string, number>, signal?: AbortSignal): Promise<number> {
    // The files say it all: what an earlier scan of this sink left (the job before, in `etl schedule`) is not counted again.
    this.present.clear();
    let n = 0;
    // A record stored with an ObjectId names its partition by a tag of seed and partition.
    const byTag = new Map(Object.keys(checkpoint).map((key) => [partitionKeyTag(seed, key), key]));
    for (const collection of [...this.stored.eventCollections, 'dead_letters']) {
      for await (const doc of this.read(collection)) {
        // Stopped (Ctrl-C) while reading: the run stops before writing anything, so what was read is enough.
        if (signal?.aborted) return n;
        let partition: string | undefined;
        let seq: number;
        // Typed as the record's string id; read back from the file, it may be the ObjectId it was stored as.
        const stored: unknown = doc._id;
        if (stored instanceof ObjectId) {
          const r = recordOfObjectId(stored);
          partition = byTag.get(r.tag);
          seq = r.seq;
        } else {
          const id = parseId(String(doc._id));
          if (!id || id.seed !== seed) continue;
          partition = id.partition;
          seq = id.seq;
        }
        const cp = partition === undefined ? undefined : checkpoint[partition];
        if (cp !== undefined && seq >= cp) {
          const id = recordIdentity(doc._id);
          this.present.set(id, (this.present.get(id) ?? 0) + 1);
          n++;
        }
      }
    }
    log('resume: %d records beyond the checkpoint are already in the files', n);
    return n;
  }

  /**
   * The catalog, read in big chunks as plain JSON (the engine converts the fields it uses).
   * @throws EtlError CATALOG_INVALID when a complete line does not parse
   */
  async eachDocument(collection: 'products' | 'users', _fields: readonly string[], each: (doc: Record<string, unknown>) => void): Promise<void> {
    try {
      await eachJsonLine(this.file(collection), each);
    } catch (err) {
      if (err instanceof EtlError) throw err;
      throw new EtlError('CATALOG_INVALID', `The stored catalog in ${this.target} cannot be read: ${(err as Error).message}. Re-create it with \`etl seed\` into an empty --out directory.`);
    }
  }

  /** A large users.jsonl is parsed on every core (up to 4 threads); a small one is left to `eachDocument`. */
  async buildUsers(builder: CatalogBuilder): Promise<number | undefined> {
    const path = this.file('users');
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size < 32 << 20) return undefined;
    const { readUsersParallel } = await import('./jsonl-catalog.js');
    return readUsersParallel(path, builder, this.target, Math.min(4, availableParallelism()));
  }

  /** The catalog saved as columns beside the files (jsonl-columns.ts), while the files are what it was built from. */
  async columns(reading: CatalogReading): Promise<SavedColumns | undefined> {
    const { readColumns } = await import('./jsonl-columns.js');
    return readColumns(this.dir, reading);
  }

  async saveColumns(reading: CatalogReading, saved: SavedColumns): Promise<void> {
    const { writeColumns } = await import('./jsonl-columns.js');
    await writeColumns(this.dir, reading, saved);
  }

  /** Streams a collection's documents; whole lines only (a torn tail is skipped). */
  read(collection: string): AsyncGenerator<Doc> {
    return readJsonl(this.file(collection));
  }

  async close(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}
