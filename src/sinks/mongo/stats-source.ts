import type { Document } from 'mongodb';
import type { DocumentReader, Pipeline, StatsSource } from '../../shared/stats-source.js';
import type { MongoTarget } from './connect.js';

/** Stats on the server: the pipelines run where the data and its indexes are. */
export class MongoStatsSource implements StatsSource, DocumentReader {
  readonly absorbsRepeats = true;
  constructor(private readonly target: MongoTarget) {}

  get description(): string {
    // The target's description names its database already.
    return this.target.description;
  }

  async aggregate(collection: string, pipeline: Pipeline): Promise<Array<Record<string, unknown>>> {
    return this.target.db.collection(collection).aggregate(pipeline as Document[], { allowDiskUse: true }).toArray();
  }

  /** A plain `find` with a projection, streamed in the driver's batches. */
  each(collection: string, fields: readonly string[]): AsyncIterable<Record<string, unknown>> {
    return this.target.db.collection(collection).find({}, { projection: Object.fromEntries(fields.map((f) => [f, 1])) });
  }

  async close(): Promise<void> {
    await this.target.close();
  }
}
