import { createReadStream } from 'node:fs';
import { access, appendFile, open, readdir, stat, truncate, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDir } from '../shared/fs.js';
import { createInterface } from 'node:readline';
import { EJSON } from 'bson';
import { EtlError } from '../errors.js';
import { logger } from '../log.js';
import type { RunRecord } from '../shared/records.js';
import type { Doc, Sink, WriteResult } from './types.js';

const log = logger('sink');

/** One line of relaxed Extended JSON: `mongoimport` restores the same types (dates stay dates). */
export function toJsonLine(doc: unknown): string {
  return `${EJSON.stringify(doc, { relaxed: true })}\n`;
}

/** Parses one relaxed Extended JSON line back to a document with BSON types. */
export function fromJsonLine(line: string): Doc {
  return EJSON.parse(line, { relaxed: true }) as Doc;
}

/**
 * One file per collection under a directory (`products.jsonl`, ...). Each write appends
 * whole lines in one call; a torn tail left by a killed process is cut off at open.
 */
export class JsonlSink implements Sink {
  readonly name = 'jsonl' as const;
  readonly dir: string;
  /** Ids already in the files (found by a resume scan): writing them again is absorbed. */
  private readonly present = new Set<string>();

  constructor(dir: string, private readonly repairOnOpen = true) {
    this.dir = resolve(dir);
  }

  get target(): string {
    return `${this.dir}/*.jsonl`;
  }

  file(collection: string): string {
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
  async repairAll(): Promise<string[]> {
    const repaired: string[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.jsonl')) continue;
      if (await repairTail(join(this.dir, name))) repaired.push(name);
    }
    if (repaired.length) log('cut torn last lines of %o', repaired);
    return repaired;
  }

  async reset(collections: readonly string[]): Promise<void> {
    for (const c of collections) await writeFile(this.file(c), '');
  }

  /** Marks ids as already stored: later writes of them count as duplicates (resume). */
  absorb(ids: Iterable<string>): void {
    for (const id of ids) this.present.add(id);
  }

  async write(collection: string, docs: Doc[]): Promise<WriteResult> {
    let text = '';
    let written = 0;
    let duplicates = 0;
    for (const doc of docs) {
      if (this.present.size > 0 && typeof doc._id === 'string' && this.present.delete(doc._id)) {
        duplicates++;
        continue;
      }
      text += toJsonLine(doc);
      written++;
    }
    if (text) await appendFile(this.file(collection), text);
    return { written, duplicates, rejected: [], retries: 0 };
  }

  async recordRun(run: RunRecord): Promise<void> {
    await appendFile(this.file('etl_runs'), toJsonLine(run));
  }

  async lastRun(filter: { command: RunRecord['command']; seed?: number; partitions?: string[] }): Promise<RunRecord | null> {
    const latest = new Map<string, RunRecord>();
    for await (const doc of this.read('etl_runs')) {
      const run = doc as unknown as RunRecord;
      latest.set(run._id, run);
    }
    let best: RunRecord | null = null;
    for (const run of latest.values()) {
      if (run.command !== filter.command) continue;
      if (filter.seed !== undefined && run.seed !== filter.seed) continue;
      if (filter.partitions && run.partitions.join(',') !== filter.partitions.join(',')) continue;
      if (!best || run.started_at.getTime() >= best.started_at.getTime()) best = run;
    }
    return best;
  }

  /** Streams a collection's documents; whole lines only (a torn tail is skipped). */
  async *read(collection: string): AsyncGenerator<Doc> {
    const path = this.file(collection);
    try {
      await access(path);
    } catch {
      return;
    }
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      try {
        yield fromJsonLine(line);
      } catch {
        log('skipping unparsable line in %s', path);
      }
    }
  }

  async close(): Promise<void> {}
}

/** Truncates a file after its last newline; returns true if bytes were cut. */
export async function repairTail(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info || info.size === 0) return false;
  const fh = await open(path, 'r');
  try {
    const chunk = 64 * 1024;
    let end = info.size;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, end - 1);
    if (last[0] === 0x0a) return false;
    // Walk back to the previous newline.
    while (end > 0) {
      const start = Math.max(0, end - chunk);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      const nl = buf.lastIndexOf(0x0a);
      if (nl >= 0) {
        await truncate(path, start + nl + 1);
        return true;
      }
      end = start;
    }
    await truncate(path, 0);
    return true;
  } finally {
    await fh.close();
  }
}

