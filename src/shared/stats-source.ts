/** An aggregation pipeline, as MongoDB (and mingo) take it. */
export type Pipeline = Array<Record<string, unknown>>;

/** Runs pipelines somewhere: a MongoDB database, or documents in memory. */
export interface StatsSource {
  readonly description: string;
  aggregate(collection: string, pipeline: Pipeline): Promise<Array<Record<string, unknown>>>;
  /** Forget what was read, so the next pipelines see new data (`--watch`); absent where nothing is cached. */
  refresh?(): void;
  close(): Promise<void>;
}
