import type { Partition } from '../config/values.js';
import { Rng, mixSeed } from '../shared/rng.js';
import { type DirtyFields, type DirtyKind, corrupt, pickDirtyKind } from './dirty.js';
import type { RenderOutput, RenderedDoc } from './facts.js';
import { idPrefix, uuidMaker } from './ids.js';
import type { EventCollection, EventDoc } from './schemas.js';

/** One generated record with its place in the partition's sequence. */
export interface EngineRecord<D extends RenderedDoc = EventDoc> {
  collection: EventCollection;
  doc: D;
  seq: number;
  /** Set when --dirty-rate corrupted this record on purpose. */
  dirty: DirtyKind | null;
}

/** Where the ids of records rendered while warming up start: far beyond any stream's sequence (2^50). */
const warmUpSeq = 2 ** 50;

/**
 * A partition's records in sequence order: ids handed out gaplessly (`<seed>-<partition>-<seq
 * in base 36>`), the records a renderer emits queued with their sequence numbers, and the
 * ones --dirty-rate picks corrupted as they are queued.
 */
export class RecordSequence<D extends RenderedDoc> implements RenderOutput<D> {
  private readonly prefix: string;
  private readonly uuidOf: (seq: number) => string;
  private readonly dirtyRng: Rng;
  private queue: Array<EngineRecord<D>> = [];
  private head = 0;
  private nextSeq = 0;
  /** Warming up (engine.warmUp, where nothing is rendered): ids come from a range of their own (see warmUpSeq). */
  private warmingUp = false;
  private nextWarmUpSeq = warmUpSeq;
  /** The id of the last record --dirty-rate corrupted. */
  private lastCorrupted = '';

  constructor(
    seed: number,
    partition: Partition,
    private readonly dirtyRate: number,
    private readonly dirtyFields: DirtyFields,
    /** This partition's stock of a product now. */
    readonly stockOf: (product: number) => number,
  ) {
    this.prefix = idPrefix(seed, partition);
    this.uuidOf = uuidMaker(seed, partition);
    this.dirtyRng = new Rng(mixSeed(seed, partition.index, partition.count, 0xd1));
  }

  /** Sequence number the next record taken will get. */
  get sequence(): number {
    return this.nextSeq - (this.queue.length - this.head);
  }

  /** The prefix of this partition's ids (session ids are derived from it). */
  get idPrefix(): string {
    return this.prefix;
  }

  nextId(): string {
    return this.prefix + (this.warmingUp ? this.nextWarmUpSeq++ : this.nextSeq++).toString(36);
  }

  /**
   * While on, ids take no sequence number: a live stream starts with the visits already open
   * that a shop has at any moment (engine.warmUp renders nothing meanwhile). Such ids come from
   * a range of their own, so a later record that refers to one (the return of an order placed
   * before the stream started) never names another record of the stream.
   */
  setWarmingUp(on: boolean): void {
    this.warmingUp = on;
  }

  uuid(id: string): string {
    return this.uuidOf(this.seqOf(id));
  }

  emit(collection: EventCollection, doc: D): void {
    let dirty: DirtyKind | null = null;
    if (this.dirtyRate > 0 && this.dirtyRng.next() < this.dirtyRate) {
      this.lastCorrupted = doc._id;
      dirty = corrupt(collection, doc, pickDirtyKind(this.dirtyRng), this.dirtyFields);
    }
    this.queue.push({ collection, doc, seq: this.seqOf(doc._id), dirty });
  }

  /** Whether the record with this id, the last one rendered, was corrupted on purpose (it goes to dead letters). */
  corrupted(id: string): boolean {
    return this.lastCorrupted === id;
  }

  /** The sequence number of one of this partition's record ids. */
  private seqOf(id: string): number {
    return parseInt(id.slice(this.prefix.length), 36);
  }

  /** Moves the timestamps of the records made but not yet taken by `deltaMs` (the engine's clock moved on the wall clock). */
  shiftQueued(deltaMs: number): void {
    for (let i = this.head; i < this.queue.length; i++) {
      const doc = this.queue[i].doc as { timestamp?: unknown };
      if (doc.timestamp instanceof Date) doc.timestamp = new Date(doc.timestamp.getTime() + deltaMs);
    }
  }

  /**
   * The next `n` records, calling `more` whenever none is queued. With `until` (ms), stops
   * before the first record stamped at or after it (the batch is then shorter than n).
   */
  take(n: number, until: number | undefined, more: () => void): Array<EngineRecord<D>> {
    const out: Array<EngineRecord<D>> = [];
    while (out.length < n) {
      if (this.head >= this.queue.length) {
        this.queue = [];
        this.head = 0;
        more();
        continue;
      }
      const rec = this.queue[this.head];
      // A record --dirty-rate corrupted may have no usable timestamp: the records around it decide.
      const at = rec.doc.timestamp;
      if (until !== undefined && at instanceof Date && at.getTime() >= until) break;
      this.head++;
      out.push(rec);
    }
    return out;
  }
}
