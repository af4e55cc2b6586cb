import type { Document } from 'mongodb';
import type { Pipeline, StatsSource } from '../../shared/stats-source.js';
import type { MongoTarget } from './connect.js';

/** Stats on the server: the pipelines run where the data and its indexes are. */
export class MongoStatsSource implements StatsSource {
  constructor(private readonly target: MongoTarget) {}

  get description(): string {
    // The target's description names its database already.
    return this.target.description;
  }

  async aggregate(collection: string, pipeline: Pipeline): Promise<Array<Record<string, unknown>>> {
    return this.target.db.collection(collection).aggregate(pipeline as Document[], { allowDiskUse: true }).toArray();
  }

  async close(): Promise<void> {
    await this.target.close();
  }
}
