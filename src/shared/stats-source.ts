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

/** Reads stored documents one by one, as they are (no server-side figures). */
export interface DocumentReader {
  readonly description: string;
  /**
   * Every stored document of a collection with at least `fields` (a projection: dotted paths),
   * streamed. A file holds every delivery of a record; a database one document per _id.
   */
  each(collection: string, fields: readonly string[]): AsyncIterable<Record<string, unknown>>;
  /** Whether a repeated delivery of an _id is absorbed (a database's unique _id) instead of kept. */
  readonly absorbsRepeats: boolean;
  close(): Promise<void>;
}
