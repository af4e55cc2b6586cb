import type { EngineRecord } from '../events/engine.js';
import type { Partition } from '../config/values.js';
import { type ScenarioWindow, activeAt } from '../scenarios/spec.js';
import { TimeHeap } from '../shared/heap.js';
import { mixSeed } from '../shared/rng.js';
import type { Doc } from '../sinks/types.js';

/**
 * The delivery scenarios (issue 25): `late-arrivals` holds a share of the records back and
 * delivers them after records with later timestamps; `duplicate-delivery` delivers a share a
 * second time, a few batches later. They change when records reach the sink, never what the
 * engine generates.
 *
 * Every decision is a hash of (seed, partition, sequence number), not a draw from a running
 * generator: a resumed run skips the records before its checkpoint without seeing them, and
 * still decides the records after it exactly as the first run did.
 */

/** A record as delivered; `again` marks the scenario's second delivery of one (same _id, same document). */
export type DeliveredRecord = EngineRecord<Doc> & { again?: true };

const lateLabel = 'late-arrivals';
// Constants of the hashes, one per decision, so the decisions are independent of each other.
const lateDraw = 0x1a7e;
const latenessDraw = 0x1a7f;
const againDraw = 0xd0b1;
const gapDraw = 0xd0b2;

interface Owed {
  seq: number;
  /** Delivered: no longer holds the checkpoint back. */
  out: boolean;
}

interface Held {
  rec: EngineRecord<Doc>;
  /** Its timestamp (ms). */
  at: number;
  /** The most it may be late (ms): the window's max. */
  max: number;
  owed: Owed;
}

interface Again {
  rec: EngineRecord<Doc>;
  owed: Owed;
}

/**
 * One partition's deliveries: takes the engine's batches in sequence order and returns what
 * goes to the sink, holding late records and queueing second deliveries.
 */
export class Delivery {
  /** Records held back, by when they are released (timestamp + lateness). */
  private readonly held = new TimeHeap<Held>();
  /** Second deliveries, by the sequence number before which they go. */
  private readonly again = new TimeHeap<Again>();
  /** Deliveries still owed, in sequence order: the first one not made is where the checkpoint stops. */
  private owed: Owed[] = [];
  private owedHead = 0;
  /** Records whose lateness has passed, waiting for a later record of their own collection to be written first (at most `max` after them). */
  private waiting: Held[] = [];
  /** The latest timestamp written so far, per collection. */
  private readonly latestMs = new Map<string, number>();
  /** The sequence number of the record being taken (a released late record is delivered where that one is). */
  private reachedSeq = 0;
  /** Records delivered late, and second deliveries, so far. */
  lateCount = 0;
  againCount = 0;

  private constructor(
    private readonly seed: number,
    private readonly partition: Partition,
    private readonly lateWindows: readonly ScenarioWindow[],
    private readonly againWindows: readonly ScenarioWindow[],
    /** Records of one batch: a second delivery comes one to four batches after its first. */
    private readonly batchSize: number,
    /** Collections never held late: the living store's change logs and the documents they update must arrive in order. */
    private readonly onTime: ReadonlySet<string>,
  ) {}

  /** The deliveries of a partition, or undefined when no delivery scenario is on (records go straight through). */
  static of(job: { seed: number; partition: Partition; scenarios?: readonly ScenarioWindow[]; batchSize: number }, onTime: ReadonlySet<string> = new Set()): Delivery | undefined {
    const windows = job.scenarios ?? [];
    const late = windows.filter((w) => w.name === 'late-arrivals' && Number(w.params.share) > 0);
    const again = windows.filter((w) => w.name === 'duplicate-delivery' && Number(w.params.share) > 0);
    if (late.length === 0 && again.length === 0) return undefined;
    return new Delivery(job.seed, job.partition, late, again, job.batchSize, onTime);
  }

  /** Whether anything is still held or queued. */
  get idle(): boolean {
    return this.held.size === 0 && this.waiting.length === 0 && this.again.size === 0;
  }

  /**
   * The checkpoint a batch may claim when the engine's next sequence number is `next`: never
   * past a record still held back or owed a second delivery (a kill then regenerates it).
   */
  checkpoint(next: number): number {
    while (this.owedHead < this.owed.length && this.owed[this.owedHead].out) this.owedHead++;
    if (this.owedHead > 1024 && this.owedHead * 2 > this.owed.length) {
      this.owed = this.owed.slice(this.owedHead);
      this.owedHead = 0;
    }
    return this.owedHead < this.owed.length ? Math.min(next, this.owed[this.owedHead].seq) : next;
  }

  /** What to deliver for a batch the engine made (in sequence order). */
  deliver(records: ReadonlyArray<EngineRecord<Doc>>): DeliveredRecord[] {
    const out: DeliveredRecord[] = [];
    for (const rec of records) {
      this.reachedSeq = rec.seq;
      while (this.again.size > 0 && this.again.peekAt() <= rec.seq) this.repeat(out, this.again.pop()!);
      const ts = rec.doc.timestamp;
      // A record --dirty-rate corrupted may have no usable timestamp: it is neither held nor a clock.
      if (!(ts instanceof Date)) {
        this.emit(out, rec);
        continue;
      }
      const t = ts.getTime();
      if (this.lateWindows.length > 0 && !this.onTime.has(rec.collection) && this.hold(rec, t)) continue;
      // The clock (this record's time) has passed these release times: out before this record
      // (nothing written before them is more than their lateness past them) when a later record
      // of their collection was written since; else they wait for one, at most `max` past them.
      while (this.held.size > 0 && this.held.peekAt() < t) {
        const h = this.held.pop()!;
        if ((this.latestMs.get(h.rec.collection) ?? -Infinity) > h.at) this.release(out, h);
        else this.waiting.push(h);
      }
      // No later record of its collection came within max: it goes out in its place in its file, not late after all.
      if (this.waiting.length > 0) this.releaseWaiting(out, (h) => t > h.at + h.max, false);
      this.emit(out, rec);
      if (this.waiting.length > 0) this.releaseWaiting(out, (h) => h.rec.collection === rec.collection && t > h.at);
    }
    return out;
  }

  /**
   * Everything still held or queued, delivered now: the run ends (its limit, --to, a stop).
   * With `peek` (the records that would come next, made but never delivered), what is still
   * held is decided as a longer run would decide it (late once a later record of its collection
   * comes, on time when none comes within max): a run continued with --resume then delivers,
   * labels and counts the same records as one run.
   */
  flush(peek?: () => ReadonlyArray<EngineRecord<Doc>>): DeliveredRecord[] {
    const out: DeliveredRecord[] = [];
    while (peek && (this.held.size > 0 || this.waiting.length > 0)) {
      const more = peek();
      if (more.length === 0) break;
      for (const rec of more) {
        const ts = rec.doc.timestamp;
        if (!(ts instanceof Date)) continue;
        const t = ts.getTime();
        // As deliver() would: a record held itself is no clock; one delivered passes those of its collection.
        if (this.lateWindows.length > 0 && !this.onTime.has(rec.collection) && this.picked(rec.seq, t)) continue;
        while (this.held.size > 0 && this.held.peekAt() < t) {
          const h = this.held.pop()!;
          if ((this.latestMs.get(h.rec.collection) ?? -Infinity) > h.at) this.release(out, h);
          else this.waiting.push(h);
        }
        if (this.waiting.length > 0) this.releaseWaiting(out, (h) => t > h.at + h.max, false);
        if (t > (this.latestMs.get(rec.collection) ?? -Infinity)) this.latestMs.set(rec.collection, t);
        if (this.waiting.length > 0) this.releaseWaiting(out, (h) => h.rec.collection === rec.collection && t > h.at);
        if (this.held.size === 0 && this.waiting.length === 0) break;
      }
    }
    this.releaseWaiting(out, () => true, false);
    while (this.held.size > 0) {
      const h = this.held.pop()!;
      this.release(out, h, (this.latestMs.get(h.rec.collection) ?? -Infinity) > h.at);
    }
    while (this.again.size > 0) this.repeat(out, this.again.pop()!);
    return out;
  }

  /** Whether late-arrivals picks the record of this sequence number and time. */
  private picked(seq: number, t: number): boolean {
    const w = activeAt(this.lateWindows, 'late-arrivals', t);
    return w !== undefined && this.draw(lateDraw, seq) < Number(w.params.share);
  }

  /** Holds the record back if late-arrivals picks it; labels it with when it will be delivered. */
  private hold(rec: EngineRecord<Doc>, t: number): boolean {
    if (!this.picked(rec.seq, t)) return false;
    const w = activeAt(this.lateWindows, 'late-arrivals', t)!;
    const max = Number(w.params.max);
    // Lateness uniform in (0, max] ms, whole milliseconds.
    const lateness = Math.min(max, 1 + Math.floor(this.draw(latenessDraw, rec.seq) * max));
    const doc = rec.doc as Doc & { scenarios?: unknown; ingested_at?: Date };
    // A new array: the engine may share one label array between records.
    doc.scenarios = Array.isArray(doc.scenarios) ? [...(doc.scenarios as string[]), lateLabel] : [lateLabel];
    doc.ingested_at = new Date(t + lateness);
    const owed: Owed = { seq: rec.seq, out: false };
    this.owed.push(owed);
    this.held.push(t + lateness, { rec, at: t, max, owed });
    return true;
  }

  /** Releases the waiting records `due` picks, in the order they started waiting (`late`: as late records, else as on time). */
  private releaseWaiting(out: DeliveredRecord[], due: (h: Held) => boolean, late = true): void {
    const keep: Held[] = [];
    for (const h of this.waiting) {
      if (due(h)) this.release(out, h, late);
      else keep.push(h);
    }
    this.waiting = keep;
  }

  /**
   * Delivers a held record. One that no later record of its collection passed is not late in its
   * file (nothing after it is earlier): it loses its label and ingested_at, and counts as on time.
   */
  private release(out: DeliveredRecord[], h: Held, late = true): void {
    h.owed.out = true;
    if (late) this.lateCount++;
    else {
      const doc = h.rec.doc as Doc & { scenarios?: string[]; ingested_at?: Date };
      const rest = (doc.scenarios ?? []).filter((l) => l !== lateLabel);
      if (rest.length > 0) doc.scenarios = rest;
      else delete doc.scenarios;
      delete doc.ingested_at;
    }
    this.emit(out, h.rec);
  }

  private repeat(out: DeliveredRecord[], a: Again): void {
    a.owed.out = true;
    this.againCount++;
    out.push({ ...a.rec, again: true });
  }

  /** Delivers a record (a late one when released) and queues its second delivery if duplicate-delivery picks it. */
  private emit(out: DeliveredRecord[], rec: EngineRecord<Doc>): void {
    out.push(rec);
    const ts = rec.doc.timestamp;
    if (!(ts instanceof Date)) return;
    const t = ts.getTime();
    if (t > (this.latestMs.get(rec.collection) ?? -Infinity)) this.latestMs.set(rec.collection, t);
    if (this.againWindows.length === 0) return;
    const w = activeAt(this.againWindows, 'duplicate-delivery', t);
    if (!w || this.draw(againDraw, rec.seq) >= Number(w.params.share)) return;
    const owed: Owed = { seq: rec.seq, out: false };
    // Kept in sequence order (a late record's repeat owes less than later records already owed).
    this.owe(owed);
    // Before the record this many places after the one just taken: one to four batches later.
    const gap = this.batchSize + Math.floor(this.draw(gapDraw, rec.seq) * 3 * this.batchSize);
    this.again.push(this.reachedSeq + gap, { rec, owed });
  }

  private owe(owed: Owed): void {
    const list = this.owed;
    let i = list.length;
    while (i > this.owedHead && list[i - 1].seq > owed.seq) i--;
    list.splice(i, 0, owed);
  }

  /** Uniform in [0, 1), a hash of the partition's seed, this decision and the sequence number. */
  private draw(decision: number, seq: number): number {
    return mixSeed(this.seed, this.partition.index, this.partition.count, decision, seq) / 4294967296;
  }
}
