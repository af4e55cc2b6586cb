import type { Writable } from 'node:stream';
import type { SinkName } from '../config/values.js';
import { JsonlSink } from './jsonl.js';
import { NullSink } from './null.js';
import { StdoutSink } from './stdout.js';
import type { DownloadObserver } from './mongo/embedded.js';
import type { Sink, StoredDocuments } from './types.js';

export interface SinkOptions {
  sink: SinkName;
  /** The profile's documents as the target stores them (mongo: validators and indexes; jsonl: which files a resume reads; both: BSON doubles). */
  stored: StoredDocuments;
  out: string;
  uri?: string;
  db: string;
  dataDir: string;
  /** Where the stdout sink writes. */
  stdout: Writable;
  /**
   * Preparing the target at open: jsonl cuts torn last lines, mongo creates collections and
   * indexes. False in worker threads: the main thread already did it.
   */
  prepare?: boolean;
  /** Told about a first-run download of the embedded MongoDB's binary. */
  download?: DownloadObserver;
}

/** A write that has no answer within this time is retried on a new connection (see README, guarantees). */
const writeSocketTimeoutMS = 30_000;

/** Builds the configured sink; MongoDB modules are loaded only when the mongo sink is chosen. */
export async function createSink(o: SinkOptions): Promise<Sink> {
  switch (o.sink) {
    case 'jsonl':
      return new JsonlSink(o.out, o.stored, o.prepare ?? true);
    case 'stdout':
      return new StdoutSink(o.stdout, o.stored);
    case 'null':
      return new NullSink();
    case 'mongo': {
      const [{ MongoSink }, { connectMongo }] = await Promise.all([import('./mongo/sink.js'), import('./mongo/connect.js')]);
      return new MongoSink(
        () => connectMongo({ uri: o.uri, db: o.db, dataDir: o.dataDir, socketTimeoutMS: writeSocketTimeoutMS, download: o.download }),
        o.stored,
        undefined,
        o.prepare ?? true,
      );
    }
  }
}

export type { Sink } from './types.js';
