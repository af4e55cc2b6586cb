import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { EJSON } from 'bson';
import { typedDocs } from './encoding.js';
import type { Doc, Sink, StoredDocuments, WriteResult } from './types.js';

/** NDJSON on a stream (stdout for pipes): one `{"collection": ..., "doc": ...}` per line, relaxed Extended JSON. */
export class StdoutSink implements Sink {
  readonly name = 'stdout' as const;
  readonly target = 'stdout (NDJSON)';

  constructor(
    private readonly out: Writable,
    private readonly stored: StoredDocuments,
  ) {}

  async open(): Promise<void> {}
  async reset(): Promise<void> {}

  async write(collection: string, docs: Doc[]): Promise<WriteResult> {
    let text = '';
    const prefix = `{"collection":${JSON.stringify(collection)},"doc":`;
    for (const doc of typedDocs(this.stored, collection, docs)) text += `${prefix}${EJSON.stringify(doc, { relaxed: true })}}\n`;
    if (!this.out.write(text)) await once(this.out, 'drain');
    return { written: docs.length, duplicates: 0, rejected: [], retries: 0 };
  }

  async close(): Promise<void> {}
}
