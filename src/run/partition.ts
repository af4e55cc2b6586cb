import { type EngineRecord, EventEngine } from '../events/engine.js';
import type { EventCollection } from '../events/schemas.js';
import type { ScenarioWindow } from '../scenarios/spec.js';
import type { Profile } from '../profiles/index.js';
import { type Fold, updatesOf } from '../profiles/profile.js';
import type { ProfileName } from '../shared/profiles.js';
import type { StoreCatalog } from '../catalog/store-catalog.js';
import type { Mix, Partition } from '../config/values.js';
import { logger } from '../log.js';
import { AnswerKey } from '../reporting/answer-key.js';
import { Counters } from '../reporting/counters.js';
import { idPrefix, partitionKey } from '../events/ids.js';
import type { DeadLetter } from '../shared/records.js';
import { type Doc, type DocUpdate, type EncodedDocs, type EncodedUpdates, LostBatchError, type Sink, type SinkHealth, type WriteResult } from '../sinks/types.js';
import { type Validator, validatorOf } from '../validation/validate.js';
import { type DeliveredRecord, Delivery } from './delivery.js';
import { Pacer, type Pacing } from './pacer.js';

const log = logger('pipeline');

/** Everything one partition's pipeline needs; plain data, so it can cross into a worker thread. */
export interface PartitionJob {
  runId: string;
  /** Whose document shapes the records take (a worker thread loads it by name). */
  profile: ProfileName;
  seed: number;
  partition: Partition;
  mix: Mix;
  fraudRate: number;
  dirtyRate: number;
  /** The living store (--lifecycle on); absent: insert-only records. */
  lifecycle?: boolean;
  /** Labelled scenarios, their windows in record time (issue 25). */
  scenarios?: ScenarioWindow[];
  /** Write the answer key (etl_expected) of what this partition stores. */
  answers?: boolean;
  sessionsPerDay?: number;
  /** Backfill: where simulated time starts. */
  fromMs?: number;
  toMs?: number;
  /** Live time (no fromMs): simulated time meets the wall clock at the run's origin. */
  live?: LiveJob;
  /** Resume: first sequence number to generate (records before it are already stored). */
  startSeq: number;
  /** This partition stops before this sequence number (its share of --limit). */
  endSeq?: number;
  /** --duration: how long the partition generates, from when it starts (after a warm-up or a resume's replay). */
  durationMs?: number;
  pacing: Pacing;
  batchSize: number;
  inFlight: number;
}

export interface LiveJob {
  /** Where the stream's simulated time starts (the first run's start; a resumed run keeps it). */
  originMs: number;
  /** Simulated before the origin without output, so the shop is open mid-flow from the first record. */
  warmUpMs: number;
  /** This partition's visits a second (--rate); absent: the population's own rate. */
  visitsPerSecond?: number;
}

export type StopReason = 'limit' | 'duration' | 'to' | 'stopped' | 'failed';

export interface PartitionResult {
  reason: StopReason;
  /** Records before this sequence number are all acknowledged (the checkpoint). */
  watermark: number;
  error?: unknown;
}

/** Longest the pipeline runs without letting the event loop turn (ms). */
const maxBusyMs = 25;

interface Pending {
  endSeq: number;
  done: boolean;
  /** Part of the batch was lost: the checkpoint stops before it. */
  lost: boolean;
}

/**
 * Records made, validated and encoded at a time while a batch is made: few enough that they are
 * garbage before the young generation is next collected (a 5,000-record batch made whole was
 * not), and the same parts whatever the batch size.
 */
const stagePart = 500;

/** A batch being made, then written: what the target takes, not the records (see `stage`). */
interface Batch {
  /** Per collection, its valid records as the target takes them: its encoding, or the documents. */
  writes: Map<EventCollection, Doc[] | EncodedDocs>;
  /** Per target collection, the updates the change-log records imply (the target's encoding, or as made). */
  updates: Map<string, DocUpdate[] | EncodedUpdates>;
  /** Records delivered into it, per collection. */
  generated: Map<string, number>;
  /** Validation dead letters, and how many of them --dirty-rate corrupted. */
  dead: DeadLetter[];
  injectedDirty: number;
  /** Live: per collection, the valid records' timestamps (ms), for their latency. */
  times: Map<string, number[]>;
  /** The records delivered, kept for the answer key only (--answers). */
  delivered: DeliveredRecord[];
  /** How many records were delivered into it, and the sequence number of the last. */
  records: number;
  lastSeq: number;
}

function newBatch(): Batch {
  return { writes: new Map(), updates: new Map(), generated: new Map(), dead: [], injectedDirty: 0, times: new Map(), delivered: [], records: 0, lastSeq: -1 };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Warm-up and replay between two turns of the event loop: a 5 s warm-up in 50 ms parts, a replay by 50,000 records. */
const prepareSlice = { warmUpParts: 100, records: 50_000 };

/**
 * One partition's pipeline: engine → validation → sink, with bounded in-flight batches
 * (backpressure), counters that reconcile, and a checkpoint of acknowledged sequence numbers.
 */
export class PartitionPipeline {
  readonly counters = new Counters();
  readonly pacer: Pacer;
  private readonly engine: EventEngine<Doc>;
  private readonly validators = new Map<EventCollection, Validator>();
  private pending: Pending[] = [];
  private acked: number;
  private failure: unknown;
  /** Aborted by the caller's signal, or by a lost batch: no more generating, no more waiting. */
  private readonly halt = new AbortController();
  /** Live time: records are stamped on the wall clock, and their latency is measured. */
  private readonly live: boolean;
  /** The living store's change logs, where the target keeps documents current (none: records only). */
  private readonly folds: ReadonlyMap<string, Fold>;
  /** Settles when the updates of every batch dispatched so far are applied: a batch's updates wait for the earlier ones. */
  private updatesApplied: Promise<void> = Promise.resolve();
  /** The delivery scenarios (late-arrivals, duplicate-delivery); absent: records go to the sink as made. */
  private readonly delivery: Delivery | undefined;
  /** --answers: the answer key of what this partition stores, and its writes to etl_expected (one at a time, in order). */
  private readonly answers?: AnswerKey;
  private answersWritten: Promise<void> = Promise.resolve();
  private answersWrittenAt = 0;

  constructor(
    catalog: StoreCatalog,
    profile: Profile,
    private readonly sink: Sink,
    private readonly job: PartitionJob,
    private readonly signal: AbortSignal,
    wall: () => number = Date.now,
  ) {
    this.engine = new EventEngine(catalog, {
      seed: job.seed,
      partition: job.partition,
      mix: job.mix,
      fraudRate: job.fraudRate,
      dirtyRate: job.dirtyRate,
      lifecycle: job.lifecycle,
      scenarios: job.scenarios,
      sessionsPerDay: job.sessionsPerDay,
      from: new Date(job.live ? job.live.originMs - job.live.warmUpMs : job.fromMs!),
      visitsPerSecond: job.live?.visitsPerSecond,
      events: profile.events,
    });
    for (const [collection, schema] of Object.entries(profile.events.schemas)) this.validators.set(collection as EventCollection, validatorOf(schema));
    // Only targets that keep bookkeeping (etl_runs) keep the key: files and MongoDB.
    if (job.answers && sink.runs) this.answers = new AnswerKey(idPrefix(job.seed, job.partition).slice(0, -1), job.runId);
    // The living store's change logs and what they update keep their order (an update before its document would be lost).
    const folded = job.lifecycle && profile.folds ? Object.entries(profile.folds).flatMap(([log, f]) => [log, f.into]) : [];
    this.delivery = Delivery.of(job, new Set(folded));
    this.acked = job.startSeq;
    this.pacer = new Pacer(job.pacing, wall);
    this.live = job.live !== undefined;
    this.folds = new Map(sink.update && profile.folds ? Object.entries(profile.folds) : []);
    if (signal.aborted) this.halt.abort();
    else signal.addEventListener('abort', () => this.halt.abort(), { once: true });
  }

  /**
   * What comes before the first record: a live shop's warm-up (the visits already open at the
   * origin), a resumed run's replay up to its checkpoint. Seconds of work at most: done in
   * slices with the event loop's turns between them, so a stop (Ctrl-C) ends it at once and the
   * run then stops before its first record. Once; `run()` waits for it.
   */
  prepare(): Promise<void> {
    this.prepared ??= this.warmUpAndReplay();
    return this.prepared;
  }

  private prepared?: Promise<void>;
  /** Stopped before the warm-up or the replay was done: the run ends there, writing nothing (not even the answer key, which would be a partial replay's). */
  private interrupted = false;

  private async warmUpAndReplay(): Promise<void> {
    const job = this.job;
    const stopped = () => (this.interrupted = this.signal.aborted);
    // A turn of the event loop (a stop gets through), then whether it came.
    const stoppedAfterTurn = () => new Promise((resolve) => setImmediate(resolve)).then(stopped);
    if (stopped()) return;
    if (job.live) {
      // Up to the origin by a hundredth of the warm-up at a time: the same steps as in one go.
      const { originMs, warmUpMs, parts } = { ...job.live, parts: prepareSlice.warmUpParts };
      for (let i = 1; i < parts; i++) {
        this.engine.warmUp(originMs - warmUpMs + (warmUpMs * i) / parts, false);
        if (await stoppedAfterTurn()) return;
      }
      this.engine.warmUp(originMs);
    }
    while (this.engine.sequence < job.startSeq) {
      this.skipTo(Math.min(job.startSeq, this.engine.sequence + prepareSlice.records));
      if (this.engine.sequence < job.startSeq && (await stoppedAfterTurn())) return;
    }
  }

  /** The checkpoint: every record before this sequence number is stored or dead-lettered. */
  get watermark(): number {
    return this.acked;
  }

  get clockMs(): number {
    return this.engine.clockMs;
  }

  /** Whether the target is failing and retrying right now (an outage shows as one, not as an idle shop). */
  get health(): SinkHealth | undefined {
    return this.sink.health?.();
  }

  async run(): Promise<PartitionResult> {
    await this.prepare();
    if (this.interrupted) return { reason: 'stopped', watermark: this.acked };
    const job = this.job;
    let reason: StopReason = 'stopped';
    let generated = 0;
    let yieldedAt = performance.now();
    // Live time starts now: where the simulation is (the origin, or a resumed run's checkpoint) is now.
    if (this.live) {
      this.pacer.startLive(this.engine.simMs);
      this.engine.moveClock(this.pacer.offsetMs);
    }
    const deadline = job.durationMs === undefined ? undefined : Date.now() + job.durationMs;
    for (;;) {
      // A target that answers at once (null, a fast disk) settles every write in microtasks:
      // give the event loop a turn now and then, so ticks, progress and Ctrl-C get through.
      if (performance.now() - yieldedAt >= maxBusyMs) {
        await new Promise((resolve) => setImmediate(resolve));
        yieldedAt = performance.now();
      }
      if (this.failure !== undefined) {
        reason = 'failed';
        break;
      }
      if (this.signal.aborted) break;
      // Live, a run that reached its --duration writes what became due up to it first (below).
      if (!this.live && deadline !== undefined && Date.now() >= deadline) {
        reason = 'duration';
        break;
      }
      const next = this.engine.sequence;
      const room = job.endSeq === undefined ? job.batchSize : Math.min(job.batchSize, job.endSeq - next);
      if (room <= 0) {
        reason = 'limit';
        break;
      }
      if (!(await this.pacer.wait(generated, this.engine.clockMs, this.halt.signal, deadline))) {
        if (this.failure !== undefined) reason = 'failed';
        break;
      }
      if (this.live) this.engine.moveClock(this.pacer.offsetMs);
      const closing = deadline !== undefined && Date.now() >= deadline;
      if (closing && !this.live) {
        reason = 'duration';
        break;
      }
      if (closing) this.pacer.flushUntil(deadline!);
      // Under --speed a batch ends where simulated time has got to; otherwise at --to.
      const horizon = this.pacer.horizon();
      const until = horizon === undefined ? job.toMs : Math.min(horizon, job.toMs ?? Infinity);
      // The batch is made a part at a time, each part validated and encoded before the next is
      // made: the target's encoding waits for the write, the records are garbage at once.
      const batch = newBatch();
      let made = 0;
      try {
        for (;;) {
          const ask = Math.min(stagePart, room - made);
          const part = this.engine.take(ask, until);
          made += part.length;
          this.stage(batch, this.delivery ? this.notStoredYet(this.delivery.deliver(part)) : part);
          if (part.length < ask || made === room) break;
        }
      } catch (err) {
        // The target could not encode it (a bug, not data): the run fails as for a lost batch, after the batches in flight.
        this.failed(err);
        reason = 'failed';
        break;
      }
      generated += made;
      if (batch.records > 0) {
        // Backpressure: never more than `inFlight` batches being written.
        while (this.pending.filter((p) => !p.done).length >= job.inFlight) await this.oneSettles();
        if (this.failure !== undefined) {
          reason = 'failed';
          break;
        }
        // The checkpoint of a batch never passes a record still held back or owed again.
        this.dispatch(batch, this.delivery?.checkpoint(this.engine.sequence));
      }
      if (made < room && job.toMs !== undefined && until === job.toMs) {
        reason = 'to';
        break;
      }
      if (closing && made < room) {
        reason = 'duration';
        break;
      }
    }
    // What is still held back is delivered before the final checkpoint (not after a lost batch: a resume regenerates it).
    if (this.delivery && !this.delivery.idle && this.failure === undefined) {
      // Decided by the records that would come next (made, never written): a resume decides them alike.
      const end = this.engine.sequence;
      const rest = this.notStoredYet(this.delivery.flush(() => this.engine.take(1000)));
      while (this.pending.filter((p) => !p.done).length >= job.inFlight) await this.oneSettles();
      if (this.failure === undefined) {
        const batch = newBatch();
        try {
          for (let i = 0; i < rest.length; i += stagePart) this.stage(batch, rest.slice(i, i + stagePart));
          this.dispatch(batch, this.delivery.checkpoint(end));
        } catch (err) {
          this.failed(err);
        }
      }
    }
    await this.drain();
    if (this.failure !== undefined) return { reason: 'failed', watermark: this.acked, error: this.failure };
    return { reason, watermark: this.acked };
  }

  /**
   * A resumed run's deliveries of records before its checkpoint (late ones still held when the
   * replay reached it, and their repeats): the run that made them stored them, so they are not
   * written again; the answer key sees them as the replay's.
   */
  private notStoredYet(delivered: DeliveredRecord[]): DeliveredRecord[] {
    const start = this.job.startSeq;
    if (start === 0 || !delivered.some((r) => r.seq < start)) return delivered;
    const key = this.answers;
    const rest: DeliveredRecord[] = [];
    for (const rec of delivered) {
      if (rec.seq >= start) {
        rest.push(rec);
        continue;
      }
      if (!key) continue;
      const reasons = this.validators.get(rec.collection)!(rec.doc);
      if (reasons === undefined) key.stored(rec.collection, rec.doc, rec.seq, !rec.again);
      else key.deadLetter(rec.collection, rec.doc, rec.seq, reasons[0].code);
    }
    return rest;
  }

  /**
   * Resume: generates up to the checkpoint without writing. The delivery scenarios see those
   * records, so they hold, label and repeat what follows as one run did (their decisions are the
   * record's, their state the run's); the answer key sees them as they were delivered (validated,
   * late ones labelled, repeats as repeats), so a resumed run's key is the key of one run.
   */
  private skipTo(seq: number): void {
    const key = this.answers;
    const delivery = this.delivery;
    if (!key && !delivery) return this.engine.skipTo(seq);
    while (this.engine.sequence < seq) {
      const made = this.engine.take(Math.min(10_000, seq - this.engine.sequence));
      const delivered: DeliveredRecord[] = delivery ? delivery.deliver(made) : made;
      if (!key) continue;
      for (const rec of delivered) {
        const reasons = this.validators.get(rec.collection)!(rec.doc);
        if (reasons === undefined) key.stored(rec.collection, rec.doc, rec.seq, !rec.again);
        else key.deadLetter(rec.collection, rec.doc, rec.seq, reasons[0].code);
      }
    }
  }

  /**
   * The answer key's windows changed since the last write, written to etl_expected (replacing
   * each window's document), after the writes before it; all of them with `final`. A lost write
   * of the key fails the run as a lost batch does.
   * @returns when every write of the key asked for so far has settled.
   */
  writeAnswers(final = false): Promise<void> {
    const key = this.answers;
    if (!key || this.interrupted || (!final && Date.now() - this.answersWrittenAt < 1000)) return this.answersWritten;
    this.answersWrittenAt = Date.now();
    const docs = key.changedDocs();
    if (docs.length === 0) return this.answersWritten;
    this.answersWritten = this.answersWritten.then(async () => {
      // In writes of at most 500 documents (~300 KB): Node appends more than 512 KB to a file in
      // several writes, which the appends of other partitions' threads could come between (torn lines).
      for (let i = 0; i < docs.length; i += 500) {
        const r = await this.sink.write('etl_expected', docs.slice(i, i + 500) as unknown as Doc[], 'upsert');
        this.counters.retries += r.retries;
        if (r.rejected.length > 0) throw new Error(`${r.rejected.length} answer key documents were refused by the target`);
      }
    });
    this.answersWritten.catch((err: unknown) => this.failed(err));
    return this.answersWritten;
  }

  private settleWaiters: Array<() => void> = [];

  private oneSettles(): Promise<void> {
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    while (this.pending.some((p) => !p.done)) await this.oneSettles();
  }

  private dispatch(batch: Batch, endSeq = batch.lastSeq + 1): void {
    const entry: Pending = { endSeq, done: false, lost: false };
    this.pending.push(entry);
    this.writeBatch(batch)
      .catch((err: unknown) => {
        entry.lost = true;
        this.failed(err);
        log('batch ending at %d lost: %s', entry.endSeq, err instanceof Error ? err.message : String(err));
      })
      .finally(() => {
        entry.done = true;
        // The checkpoint advances only over a gapless prefix of finished batches, never past a lost one.
        while (this.pending.length > 0 && this.pending[0].done && !this.pending[0].lost) this.acked = this.pending.shift()!.endSeq;
        const waiters = this.settleWaiters;
        this.settleWaiters = [];
        for (const w of waiters) w();
      });
  }

  /** The run fails with this error (the first one kept): no more generating, no more waiting. */
  private failed(err: unknown): void {
    this.failure ??= err;
    this.halt.abort();
  }

  /**
   * Validates delivered records into the batch: the valid ones as the target takes them (its
   * encoding when it has one), with the updates the living store's change logs imply; the
   * invalid ones as dead letters. The records are not kept (but for the answer key).
   */
  private stage(batch: Batch, records: readonly DeliveredRecord[]): Batch {
    if (records.length === 0) return batch;
    const encoder = this.sink.encoder;
    const valid = new Map<EventCollection, Doc[]>();
    const updates = new Map<string, DocUpdate[]>();
    const now = new Date();
    for (const rec of records) {
      batch.generated.set(rec.collection, (batch.generated.get(rec.collection) ?? 0) + 1);
      const reasons = this.validators.get(rec.collection)!(rec.doc);
      if (reasons !== undefined) {
        batch.dead.push(deadLetter(this.job.runId, rec.collection, rec.doc, 'validation', reasons, rec.dirty, now));
        if (rec.dirty) batch.injectedDirty++;
        continue;
      }
      push(valid, rec.collection, rec.doc);
      if (this.live) {
        const at = rec.doc.timestamp;
        if (at instanceof Date) push(batch.times, rec.collection, at.getTime());
      }
      // The living store: a stored change-log record moves its document (sent once the batch's
      // inserts are, unless the target refused the record).
      const fold = this.folds.get(rec.collection);
      const update = fold?.update(rec.doc, rec.seq, this.job.partition);
      if (update) push(updates, fold!.into, update);
    }
    for (const [collection, docs] of valid) {
      const into = batch.writes.get(collection);
      if (encoder) batch.writes.set(collection, encoder.docs(collection, docs, into as EncodedDocs | undefined));
      else if (into) for (const doc of docs) (into as Doc[]).push(doc);
      else batch.writes.set(collection, docs);
    }
    for (const [target, list] of updates) {
      const into = batch.updates.get(target);
      if (encoder) batch.updates.set(target, encoder.updates(target, list, into as EncodedUpdates | undefined));
      else if (into) for (const u of list) (into as DocUpdate[]).push(u);
      else batch.updates.set(target, list);
    }
    if (this.answers) for (const rec of records) batch.delivered.push(rec);
    batch.records += records.length;
    batch.lastSeq = records[records.length - 1].seq;
    return batch;
  }

  /**
   * Writes one batch. Every collection's write settles before the batch does
   * (a lost one does not leave its siblings in flight), and what a lost write settled before
   * it was lost is counted and its refusals dead-lettered: the counts say what the target holds.
   * @throws the first lost write's error, after all that.
   */
  private async writeBatch(batch: Batch): Promise<void> {
    // Updates apply in sequence order: after this batch's inserts and every earlier batch's updates.
    const earlier = this.updatesApplied;
    let applied!: () => void;
    this.updatesApplied = new Promise((resolve) => (applied = resolve));
    try {
      await this.writeRecords(batch, earlier);
    } finally {
      applied();
    }
  }

  private async writeRecords(batch: Batch, earlierUpdates: Promise<void>): Promise<void> {
    const counters = this.counters;
    const dead = batch.dead;
    // Counted as generated when written: a batch made but never written (the run failed first) is regenerated by a resume.
    for (const [collection, n] of batch.generated) counters.get(collection).generated += n;
    counters.injectedDirty += batch.injectedDirty;
    counters.unexpectedRejects += dead.length - batch.injectedDirty;
    // Every write of the batch starts now, in one synchronous pass: a target that appends in
    // call order (jsonl) then holds batches, and their validation dead letters, in batch order.
    const validationDead = dead.length > 0 ? this.writeDeadLetters(dead) : Promise.resolve();
    const collections = [...batch.writes.keys()];
    const [settled, deadSettled] = await Promise.all([Promise.allSettled(collections.map((c) => this.sink.write(c, batch.writes.get(c)!))), validationDead.then(() => undefined, (e: unknown) => e)]);
    let lost: unknown = deadSettled;
    const countedDead: DeadLetter[] = lost === undefined ? [...dead] : [];
    const writeDead: DeadLetter[] = [];
    const ackedAt = Date.now();
    const now = new Date(ackedAt);
    /** Per collection, the records the target refused (no update follows from them). */
    const refused = new Map<string, Set<unknown>>();
    const count = (collection: string, result: WriteResult) => {
      const c = counters.get(collection);
      c.written += result.written;
      c.duplicates += result.duplicates;
      counters.retries += result.retries;
      for (const rej of result.rejected) {
        writeDead.push(deadLetter(this.job.runId, collection, rej.doc, 'write', rej.reasons, null, now));
        counters.unexpectedRejects++;
      }
    };
    settled.forEach((s, i) => {
      const collection = collections[i];
      if (s.status === 'fulfilled') for (const at of batch.times.get(collection) ?? []) this.counters.recordLatency(ackedAt - at);
      const result = s.status === 'fulfilled' ? s.value : s.reason instanceof LostBatchError ? s.reason.settled : undefined;
      if (s.status === 'rejected') lost ??= s.reason;
      if (!result) return;
      count(collection, result);
      if (result.rejected.length > 0) refused.set(collection, new Set(result.rejected.map((r) => String(r.doc._id))));
    });
    // The living store: stored change-log records move their documents (never after a lost write).
    if (lost === undefined && batch.updates.size > 0) {
      await earlierUpdates;
      lost = await this.applyUpdates(batch.updates, refused, count);
    }
    if (writeDead.length > 0) {
      try {
        await this.writeDeadLetters(writeDead);
        countedDead.push(...writeDead);
      } catch (err) {
        lost ??= err;
      }
    }
    for (const d of countedDead) counters.get(d.collection).dead_lettered++;
    if (this.answers) this.observe(batch.delivered, settled, collections, refused, lost === undefined ? dead : []);
    if (lost !== undefined) throw lost;
    counters.batches++;
  }

  /** The answer key sees what the batch stored: records of settled writes the target did not refuse, and the validation dead letters stored. */
  private observe(
    records: Array<EngineRecord<Doc>>,
    settled: Array<PromiseSettledResult<WriteResult>>,
    collections: EventCollection[],
    refused: ReadonlyMap<string, Set<unknown>>,
    dead: readonly DeadLetter[],
  ): void {
    const key = this.answers!;
    const stored = new Set(collections.filter((_, i) => settled[i].status === 'fulfilled'));
    const codeOf = new Map<unknown, string>(dead.map((d) => [d.record, d.reasons[0].code]));
    for (const rec of records) {
      const code = codeOf.get(rec.doc);
      if (code !== undefined) key.deadLetter(rec.collection, rec.doc, rec.seq, code);
      // A record before the checkpoint delivered again after a resume (it was still held when the replay reached the checkpoint) is a replay, not a repeat.
      else if (stored.has(rec.collection) && !refused.get(rec.collection)?.has(String(rec.doc._id))) key.stored(rec.collection, rec.doc, rec.seq, !(rec as DeliveredRecord).again && rec.seq < this.job.startSeq);
    }
    void this.writeAnswers();
  }

  /**
   * The updates the batch's stored change-log records imply, applied in sequence order per
   * target collection (but those of records the target refused) and counted under
   * `<collection>:updates`; returns a lost write's error.
   */
  private async applyUpdates(updates: ReadonlyMap<string, DocUpdate[] | EncodedUpdates>, refused: ReadonlyMap<string, Set<unknown>>, count: (collection: string, result: WriteResult) => void): Promise<unknown> {
    const skip = refused.size > 0 ? new Set([...refused.values()].flatMap((ids) => [...ids].map(String))) : undefined;
    const targets = [...updates.keys()];
    for (const t of targets) {
      const u = updates.get(t)!;
      const sources = Array.isArray(u) ? u.map((x) => x.source) : u.sources;
      this.counters.get(updatesOf(t)).generated += skip ? sources.filter((s) => !skip.has(s)).length : sources.length;
    }
    const settled = await Promise.allSettled(targets.map((t) => this.sink.update!(t, updates.get(t)!, skip)));
    let lost: unknown;
    settled.forEach((s, i) => {
      const result = s.status === 'fulfilled' ? s.value : s.reason instanceof LostBatchError ? s.reason.settled : undefined;
      if (s.status === 'rejected') lost ??= s.reason;
      if (result) count(updatesOf(targets[i]), result);
    });
    return lost;
  }

  /** Stores dead letters; one the target refuses too would be lost, so that is a lost batch. */
  private async writeDeadLetters(dead: DeadLetter[]): Promise<void> {
    const r = await this.sink.write('dead_letters', dead as unknown as Doc[]);
    this.counters.retries += r.retries;
    if (r.rejected.length > 0) throw new Error(`${r.rejected.length} dead letters were refused by the target`);
  }
}

/**
 * A partition's pipeline, ready to run, the same in this thread and in a worker: on a resumed
 * run the target is first told which of the partition's records beyond its checkpoint it already
 * holds; then the pipeline is built and prepared (its warm-up or replay done, or stopped).
 */
export async function openPipeline(catalog: StoreCatalog, profile: Profile, sink: Sink, job: PartitionJob, resume: boolean, signal: AbortSignal): Promise<PartitionPipeline> {
  if (resume) await sink.runs?.prepareResume?.(job.seed, { [partitionKey(job.partition)]: job.startSeq }, signal);
  const pipeline = new PartitionPipeline(catalog, profile, sink, job, signal);
  await pipeline.prepare();
  return pipeline;
}

/** After a partition's run: its answer key written whole (--answers); a key that cannot be written fails the run. */
export function withAnswers(pipeline: PartitionPipeline): (result: PartitionResult) => Promise<PartitionResult> {
  return async (result) => {
    try {
      await pipeline.writeAnswers(true);
      return result;
    } catch (error) {
      return { reason: 'failed', watermark: result.watermark, error: result.error ?? error };
    }
  };
}

/** A rejected record, kept whole with why it was rejected. Its id derives from the record's, so replays stay idempotent. */
export function deadLetter(
  runId: string,
  collection: string,
  doc: Doc,
  stage: DeadLetter['stage'],
  reasons: DeadLetter['reasons'],
  injected: string | null,
  at: Date,
): DeadLetter {
  return { _id: `dl-${doc._id}`, run_id: runId, collection, stage, reasons, injected, record: doc, created_at: at };
}
