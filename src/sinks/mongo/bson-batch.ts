import { createRequire } from 'node:module';
import { BSON, type BSONSerializeOptions, type Document } from 'mongodb';
import type { DocUpdate, EncodedDocs, EncodedUpdates, Rejected } from '../types.js';

/**
 * A batch of documents as BSON, one after another in one growing buffer: what a write command
 * sends, encoded when the records are made, so that only these bytes wait for the write (and
 * for its retries), not the records (see README, Performance: the objects of a 5,000-record
 * batch held through its write outlive the young generation, and collecting them cost more
 * than encoding them). The bytes go on the wire as they are, as an OP_MSG document sequence.
 */
export class BsonBatch {
  private buffer = spareBuffer(0);
  private end = 0;
  /** Where each document starts. */
  private readonly starts: number[] = [];
  /** The options documents were last encoded with, and bson's (with where to write). */
  private at: { options?: BSONSerializeOptions; serialize: BSONSerializeOptions & { index: number } } = { serialize: { index: 0 } };

  /** How many documents the batch holds. */
  get length(): number {
    return this.starts.length;
  }

  /** Its size in bytes. */
  get byteLength(): number {
    return this.end;
  }

  /**
   * Encodes `doc` after the documents already in the batch, straight into its buffer. Returns
   * false, encoding nothing, for a document over MongoDB's size limit.
   */
  add(doc: Document, options: BSONSerializeOptions): boolean {
    if (this.buffer.length - this.end < roomForOne) this.grow(this.end + roomForOne);
    const at = this.at.options === options ? this.at : (this.at = { options, serialize: { ...options, index: 0 } });
    at.serialize.index = this.end;
    let last: number;
    try {
      last = BSON.serializeWithBufferAndIndex(doc, this.buffer, at.serialize);
    } catch (err) {
      // Larger than the room left (or than bson itself takes): measured, then encoded again in room for it.
      if (!(err instanceof RangeError || err instanceof BSON.BSONError)) throw err;
      const size = BSON.calculateObjectSize(doc, options);
      if (size >= maxDocumentBytes) return false;
      this.grow(this.end + size);
      last = BSON.serializeWithBufferAndIndex(doc, this.buffer, at.serialize);
    }
    if (last + 1 - this.end >= maxDocumentBytes) return false;
    this.starts.push(this.end);
    this.end = last + 1;
    return true;
  }

  private grow(size: number): void {
    const grown = spareBuffer(Math.max(this.buffer.length * 2, size));
    grown.set(this.buffer.subarray(0, this.end));
    giveBack(this.buffer);
    this.buffer = grown;
  }

  /** The batch is written (or given up on): its buffer is reused by the next batches. It must not be used again. */
  release(): void {
    giveBack(this.buffer);
    this.buffer = new Uint8Array(0);
    this.end = 0;
    this.starts.length = 0;
  }

  /** The BSON of document `i`. */
  bytes(i: number): Uint8Array {
    return this.buffer.subarray(this.starts[i], this.endOf(i));
  }

  /**
   * Document `i` decoded: with `keepTypes`, numbers keep their BSON types (a double stays a
   * double, to be sent again as it was); without, as a reader sees it (a dead letter).
   */
  doc(i: number, keepTypes = false): Document {
    return BSON.deserialize(this.bytes(i), keepTypes ? { promoteValues: false, promoteBuffers: false } : {});
  }

  /**
   * The documents at `indexes` as the `field` of a command: an OP_MSG document sequence of their
   * bytes, sent after the command's body without being decoded or encoded again.
   */
  sequence(field: string, indexes: readonly number[]): unknown {
    const seq = new (documentSequence())(field);
    // Runs of consecutive documents as one chunk each.
    for (let k = 0; k < indexes.length; ) {
      let j = k;
      while (j + 1 < indexes.length && indexes[j + 1] === indexes[j] + 1) j++;
      seq.push(null, this.buffer.subarray(this.starts[indexes[k]], this.endOf(indexes[j])));
      k = j + 1;
    }
    return seq;
  }

  /** Where document `i` ends. */
  private endOf(i: number): number {
    return i + 1 < this.starts.length ? this.starts[i + 1] : this.end;
  }
}

/** MongoDB's limit on one document (BSON): one of this size or more is refused (as the driver's bulk API refuses it). */
export const maxDocumentBytes = 16 * 1024 * 1024;

/** Room made before each document: documents larger than this are measured first. */
const roomForOne = 64 * 1024;

/**
 * Buffers of written batches, for the next ones: a batch that grows to megabytes in new buffers
 * each time allocates so much memory outside the heap that V8 collects its old generation
 * for it several times as often.
 */
const spares: Uint8Array[] = [];
/** At most this many bytes kept spare (a thread's batches in flight hold a few MB). */
const maxSpareBytes = 16 * 1024 * 1024;
let spareBytes = 0;

/** The largest spare buffer if it has `size` bytes (64 KB at least), or a new one. */
function spareBuffer(size: number): Uint8Array {
  const need = Math.max(size, 64 * 1024);
  let best = -1;
  for (let i = 0; i < spares.length; i++) if (spares[i].length >= need && (best < 0 || spares[i].length > spares[best].length)) best = i;
  if (best < 0) return new Uint8Array(need);
  const buffer = spares.splice(best, 1)[0];
  spareBytes -= buffer.length;
  return buffer;
}

function giveBack(buffer: Uint8Array): void {
  if (buffer.length === 0 || buffer.length > maxSpareBytes) return;
  spares.push(buffer);
  spareBytes += buffer.length;
  // Over the limit: the oldest go first.
  while (spareBytes > maxSpareBytes) spareBytes -= spares.shift()!.length;
}

/** Documents to insert, encoded (the MongoDB sink's EncodedDocs). */
export class EncodedInserts implements EncodedDocs {
  readonly bson = new BsonBatch();
  /** Documents that could not be encoded (over MongoDB's size limit): refused before sending, as a summary each. */
  readonly refused: Rejected[] = [];

  get count(): number {
    return this.bson.length + this.refused.length;
  }
}

/** Update statements of one collection, encoded (the MongoDB sink's EncodedUpdates). */
export class EncodedStatements implements EncodedUpdates {
  readonly bson = new BsonBatch();
  /** The source of every update given, statements or not. */
  readonly sources: string[] = [];
  /** Per statement, the update it came from: its source record and its target (a refused one is dead-lettered under them). */
  readonly statementSources: string[] = [];
  readonly statementTargets: string[] = [];
  /** Updates that could not be made statements (their target cannot be named as stored), in the order given. */
  readonly unsendable: Array<Rejected & { source: string }> = [];

  /** Statement `i` as the update it came from (the document a refused update is dead-lettered as). */
  update(i: number): DocUpdate {
    const { q, u } = this.bson.doc(i) as { q: Record<string, unknown>; u: DocUpdate['update'] };
    const { _id: _, ...when } = q;
    return { source: this.statementSources[i], target: this.statementTargets[i], when, update: u };
  }
}

/** The OP_MSG document sequence as the driver builds it (its `DocumentSequence`, which the public API does not export). */
interface DriverSequence {
  push(document: unknown, bytes: Uint8Array): number;
  toBin(): Uint8Array;
}

let sequenceClass: (new (field: string) => DriverSequence) | undefined;

/**
 * The driver's DocumentSequence: a command field whose value is one is sent as an OP_MSG
 * kind-1 section of the bytes pushed into it (the driver's own bulk writes send documents so).
 * It is internal to the driver: checked once, with a clear error if a driver version moved it
 * (test/mongo-sink.test.ts sends through it with the real driver).
 */
function documentSequence(): new (field: string) => DriverSequence {
  if (sequenceClass) return sequenceClass;
  const moved = new Error('this version of the mongodb driver has no DocumentSequence as ecom-etl uses it (lib/cmap/commands.js): install the version package.json names (npm ci)');
  let cls: (new (field: string) => DriverSequence) | undefined;
  try {
    cls = (createRequire(import.meta.url)('mongodb/lib/cmap/commands.js') as { DocumentSequence?: new (field: string) => DriverSequence }).DocumentSequence;
  } catch {
    throw moved;
  }
  if (typeof cls !== 'function' || !sendsAsPushed(cls)) throw moved;
  sequenceClass = cls;
  return cls;
}

/** Whether a sequence built by `push(document, bytes)` is sent as those bytes: a kind-1 section, its size, the field's name, the bytes. */
function sendsAsPushed(cls: new (field: string) => DriverSequence): boolean {
  try {
    const bytes = BSON.serialize({ probe: 1 });
    const seq = new cls('documents');
    seq.push(null, bytes);
    const bin = seq.toBin();
    const name = new TextEncoder().encode('documents\0');
    const size = 4 + name.length + bytes.length;
    const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
    return bin.length === 1 + size && bin[0] === 1 && view.getInt32(1, true) === size && name.every((b, i) => bin[5 + i] === b) && bytes.every((b, i) => bin[5 + name.length + i] === b);
  } catch {
    return false;
  }
}
