import type { Doc, Sink, WriteResult } from '../../src/sinks/types.js';

/** One write as the sink received it: which call of `write` it was, the collection, the document. */
export interface Written {
  call: number;
  collection: string;
  doc: Doc;
}

/**
 * An in-memory sink that keeps every write in the order the calls were made (as a file
 * appends them). `dedupe: true` stores a known _id once and counts the rest as duplicates, as
 * MongoDB does; otherwise every document is written, as to a file or stdout. Documents are
 * copied when written (a later change to the object is not seen). `failAfter` calls, every
 * write is lost (a target gone; what the pipeline does at a kill).
 */
export class MemorySink implements Sink {
  readonly name = 'null' as const;
  readonly target = 'in-memory sink';
  readonly log: Written[] = [];
  readonly stored = new Map<string, Map<string, Doc>>();
  private calls = 0;
  constructor(private readonly opts: { dedupe?: boolean; failAfter?: number } = {}) {}
  async open() {}
  async reset() {}
  async close() {}
  async write(collection: string, docs: Doc[]): Promise<WriteResult> {
    const call = this.calls++;
    if (this.opts.failAfter !== undefined && call >= this.opts.failAfter) throw new Error('the target is gone');
    let coll = this.stored.get(collection);
    if (!coll) this.stored.set(collection, (coll = new Map()));
    let written = 0;
    for (const d of docs) {
      const copy = structuredClone(d);
      if (this.opts.dedupe && coll.has(d._id)) continue;
      this.log.push({ call, collection, doc: copy });
      coll.set(d._id, copy);
      written++;
    }
    // Settles on a later turn, so batches are in flight together.
    await new Promise((r) => setImmediate(r));
    return { written, duplicates: docs.length - written, rejected: [], retries: 0 };
  }
  /** The stored event documents of every collection but dead letters, by _id. */
  events(): Map<string, Doc> {
    const all = new Map<string, Doc>();
    for (const [c, docs] of this.stored) if (c !== 'dead_letters') for (const [id, d] of docs) all.set(`${c}/${id}`, d);
    return all;
  }
}
