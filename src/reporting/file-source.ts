import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { aggregate } from 'mingo';
import { EtlError } from '../errors.js';
import { readJsonl } from '../sinks/jsonl-files.js';
import type { DocumentReader } from '../shared/stats-source.js';
import type { Pipeline, StatsSource } from './stats.js';

/**
 * Stats over a jsonl output directory: the same pipelines, run in memory with mingo.
 * Like a MongoDB collection, a file keeps one document per _id (the last line wins, as
 * etl_runs.jsonl appends a new state of a run at each checkpoint).
 */
export class FileStatsSource implements StatsSource, DocumentReader {
  /** A file keeps every delivery of a record, repeated ones too. */
  readonly absorbsRepeats = false;
  readonly description: string;
  private readonly dir: string;
  private readonly cache = new Map<string, Array<Record<string, unknown>>>();

  /** @throws EtlError CONFIG_INVALID when `dir` does not exist or is not a directory. */
  constructor(dir: string) {
    const abs = resolve(dir);
    const kind = statSync(abs, { throwIfNoEntry: false });
    // A file would read as an empty store ("No data yet", exit 0): a wrong path must not look like no data.
    const fix = 'the directory of .jsonl files that `etl stream --sink jsonl --out DIR` writes';
    if (!kind) throw new EtlError('CONFIG_INVALID', `Invalid --from: "${dir}" does not exist. Give ${fix}`, { details: { path: abs } });
    if (!kind.isDirectory()) {
      throw new EtlError('CONFIG_INVALID', `Invalid --from: "${dir}" is a file, not a directory. Give ${fix}, e.g. --from ${dirname(dir)}`, { details: { path: abs } });
    }
    this.dir = abs;
    this.description = `${abs}/*.jsonl`;
  }

  private async load(collection: string): Promise<Array<Record<string, unknown>>> {
    let docs = this.cache.get(collection);
    if (!docs) {
      const byId = new Map<string, Record<string, unknown>>();
      // By value: an ObjectId read back is a new object on every line (its hex names it).
      for await (const doc of readJsonl(join(this.dir, `${collection}.jsonl`))) byId.set(String(doc._id), doc);
      docs = [...byId.values()];
      this.cache.set(collection, docs);
    }
    return docs;
  }

  async aggregate(collection: string, pipeline: Pipeline): Promise<Array<Record<string, unknown>>> {
    return aggregate(await this.load(collection), pipeline) as Array<Record<string, unknown>>;
  }

  /** Every line of the collection's file, streamed (all fields: a line is read whole anyway). */
  each(collection: string): AsyncIterable<Record<string, unknown>> {
    return readJsonl(join(this.dir, `${collection}.jsonl`));
  }

  refresh(): void {
    this.cache.clear();
  }

  async close(): Promise<void> {
    this.cache.clear();
  }
}
