import { BSON } from 'bson';
import type { Doc, Sink, WriteResult } from './types.js';

/** Encodes every document to BSON (the work a driver does before the wire) and discards it. */
export class NullSink implements Sink {
  readonly name = 'null' as const;
  readonly target = 'null (BSON-encoded, discarded)';
  /** Total BSON bytes produced, so the encoding cannot be optimised away. */
  bytes = 0;

  async open(): Promise<void> {}
  async reset(): Promise<void> {}

  async write(_collection: string, docs: Doc[]): Promise<WriteResult> {
    let bytes = 0;
    for (const doc of docs) bytes += BSON.serialize(doc).byteLength;
    this.bytes += bytes;
    return { written: docs.length, duplicates: 0, rejected: [], retries: 0 };
  }

  async close(): Promise<void> {}
}
