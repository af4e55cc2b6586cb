/**
 * The answer key (issue 25): per window of record time (1 minute, 1 hour) and per collection,
 * the figures a pipeline downstream should find in what was stored. The stream computes it
 * from the records it stores (`AnswerKey`), `etl verify` from the stored documents
 * (`WindowTally` fed by a reader): both add documents into the same figures, so a key and a
 * store agree exactly when the store holds exactly the records the key saw.
 *
 * Amounts are whole cents (integers): sums are exact, never floats.
 */

/** The window sizes of the key, by name. */
export const windowSizes = { '1m': 60_000, '1h': 3_600_000 } as const;
export type WindowSize = keyof typeof windowSizes;

/** Figures of one window of one collection. Maps hold only what occurred (no zeros). */
export interface WindowFigures {
  /** Records stored (each _id once). */
  count: number;
  /** Stored records delivered late (they carry `ingested_at`). */
  late: number;
  /** Deliveries of an _id already delivered (visible in files; absorbed by MongoDB). */
  repeated: number;
  /** Records refused by validation, by the code of their first reason (they are in dead_letters, not here). */
  dead_letters: Record<string, number>;
  /** Orders (transactions) only: sum of final_amount in cents. */
  revenue_cents?: number;
  /** Orders only: sum of item_count. */
  units?: number;
  /** Orders only: orders by `user_snapshot.country`. */
  by_country?: Record<string, number>;
  /** Orders only: line revenue (sum of items[].line_total in cents) by items[].category. */
  by_category_cents?: Record<string, number>;
  /** Orders only: fraud-labelled orders by anomaly_type. */
  fraud?: Record<string, number>;
}

/** One document of `etl_expected`: a partition's figures of one window of one collection. */
export interface KeyDoc extends WindowFigures {
  /** `<partition>/<window>/<start ISO | undated>/<collection>`: replaced as the figures grow. */
  _id: string;
  /** The records' id prefix without its dash: `<seed base36>-<index>.<count>`. */
  partition: string;
  window: WindowSize;
  /** Window start; null for dead letters whose record has no valid timestamp. */
  start: Date | null;
  collection: string;
  run_id: string;
  updated_at: Date;
}

/** The collection whose documents are orders (their money figures). */
const ordersCollection = 'transactions';

type Figures = WindowFigures & { window: WindowSize; start: number | null; collection: string };

/** `window/start/collection`: how a window of a collection is named in a tally. */
function windowName(window: WindowSize, start: number | null, collection: string): string {
  return `${window}/${start === null ? 'undated' : new Date(start).toISOString()}/${collection}`;
}

function cents(x: unknown): number {
  return typeof x === 'number' ? Math.round(x * 100) : 0;
}

const add = (m: Record<string, number>, k: string, n = 1) => {
  m[k] = (m[k] ?? 0) + n;
};

/** A record's time, or null where it has none (a dirty record's timestamp may be a string). */
function timeOf(doc: Record<string, unknown> | undefined): number | null {
  const t = doc?.timestamp;
  return t instanceof Date && !Number.isNaN(t.getTime()) ? t.getTime() : null;
}

/** Figures per window and collection, added up document by document. */
export class WindowTally {
  readonly windows = new Map<string, Figures>();
  /** Windows changed since `takeChanged` last ran. */
  private changed: Figures[] = [];
  private readonly marked = new WeakSet<Figures>();
  /** The window each size and collection last added to (records come mostly in time order): no lookup while it holds. */
  private readonly last = new Map<string, Figures>();

  private figures(window: WindowSize, t: number | null, collection: string): Figures {
    const size = windowSizes[window];
    const start = t === null ? null : Math.floor(t / size) * size;
    const lastKey = window + collection;
    let f = this.last.get(lastKey);
    if (f?.start !== start) {
      // Named by numbers here (a date's ISO text per record would cost more than the figures).
      const name = `${window} ${start} ${collection}`;
      f = this.windows.get(name);
      if (!f) {
        f = { window, start, collection, count: 0, late: 0, repeated: 0, dead_letters: {} };
        if (collection === ordersCollection) Object.assign(f, { revenue_cents: 0, units: 0, by_country: {}, by_category_cents: {}, fraud: {} });
        this.windows.set(name, f);
      }
      this.last.set(lastKey, f);
    }
    if (!this.marked.has(f)) {
      this.marked.add(f);
      this.changed.push(f);
    }
    return f;
  }

  private each(t: number | null, collection: string, apply: (f: Figures) => void): void {
    for (const w of Object.keys(windowSizes) as WindowSize[]) apply(this.figures(w, t, collection));
  }

  /** A stored record (first delivery of its _id). */
  stored(collection: string, doc: Record<string, unknown>): void {
    const late = doc.ingested_at !== undefined && doc.ingested_at !== null;
    this.each(timeOf(doc), collection, (f) => {
      f.count++;
      if (late) f.late++;
      if (collection !== ordersCollection) return;
      f.revenue_cents! += cents(doc.final_amount);
      f.units! += typeof doc.item_count === 'number' ? doc.item_count : 0;
      const country = (doc.user_snapshot as { country?: unknown } | undefined)?.country;
      if (typeof country === 'string') add(f.by_country!, country);
      for (const item of Array.isArray(doc.items) ? (doc.items as Array<Record<string, unknown>>) : []) {
        if (typeof item?.category === 'string') add(f.by_category_cents!, item.category, cents(item.line_total));
      }
      if (typeof doc.anomaly_type === 'string') add(f.fraud!, doc.anomaly_type);
    });
  }

  /** Another delivery of a stored record's _id. */
  repeated(collection: string, doc: Record<string, unknown>): void {
    this.each(timeOf(doc), collection, (f) => f.repeated++);
  }

  /** A record validation refused: counted by its first reason's code, in its own collection's window. */
  deadLetter(collection: string, record: Record<string, unknown> | undefined, code: string): void {
    this.each(timeOf(record), collection, (f) => add(f.dead_letters, code));
  }

  /** The windows changed since the last call (all of them the first time), and forgets the changes. */
  takeChanged(): Figures[] {
    const out = this.changed;
    for (const f of out) this.marked.delete(f);
    this.changed = [];
    return out;
  }
}

/** `etl_expected` documents of these windows of a partition. */
export function keyDocs(partition: string, runId: string, windows: readonly Figures[], at: Date): KeyDoc[] {
  return windows.map((f) => ({
    _id: `${partition}/${windowName(f.window, f.start, f.collection)}`,
    partition,
    window: f.window,
    start: f.start === null ? null : new Date(f.start),
    collection: f.collection,
    ...structuredClone(figuresOf(f)),
    run_id: runId,
    updated_at: at,
  }));
}

function figuresOf(f: WindowFigures): WindowFigures {
  const { count, late, repeated, dead_letters, revenue_cents, units, by_country, by_category_cents, fraud } = f;
  return { count, late, repeated, dead_letters, ...(revenue_cents === undefined ? {} : { revenue_cents, units, by_country, by_category_cents, fraud }) };
}

/**
 * Record sequence numbers already seen, in little memory: everything below `below`, and the
 * few above it that came early (records delivered late leave short gaps behind them).
 */
class SeenSequences {
  private below = 0;
  private readonly above = new Set<number>();

  /** Notes `seq`; false when it was seen before. */
  add(seq: number): boolean {
    if (seq < this.below || this.above.has(seq)) return false;
    this.above.add(seq);
    while (this.above.delete(this.below)) this.below++;
    return true;
  }
}

/**
 * One partition's answer key, fed the records it stores. Each record counts once by its
 * sequence number (its _id): a record seen again is a repeated delivery, and a record replayed
 * (a resumed run regenerating what it stored before its checkpoint) counts only if not seen.
 */
export class AnswerKey {
  readonly tally = new WindowTally();
  private readonly seen = new SeenSequences();

  /** @param partition the records' id prefix without its dash (`<seed36>-<index>.<count>`) */
  constructor(
    readonly partition: string,
    private readonly runId: string,
  ) {}

  /**
   * A delivered record that passed validation. `replay`: regenerated, not delivered (before a
   * resumed run's checkpoint), so never a repeat.
   */
  stored(collection: string, doc: Record<string, unknown>, seq: number, replay = false): void {
    if (this.seen.add(seq)) this.tally.stored(collection, doc);
    else if (!replay) this.tally.repeated(collection, doc);
  }

  /** A record validation refused (it goes to dead_letters), by its first reason's code. */
  deadLetter(collection: string, doc: Record<string, unknown>, seq: number, code: string): void {
    if (this.seen.add(seq)) this.tally.deadLetter(collection, doc, code);
  }

  /** `etl_expected` documents of the windows changed since the last call. */
  changedDocs(at = new Date()): KeyDoc[] {
    return keyDocs(this.partition, this.runId, this.tally.takeChanged(), at);
  }
}

// ---- comparing ----------------------------------------------------------------------------

/** Figures by window (`window/start/collection`), flattened to `figure` or `figure.key` → number. */
export type FlatKey = Map<string, Map<string, number>>;

function flatten(f: WindowFigures): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, v] of Object.entries(figuresOf(f))) {
    if (typeof v === 'number') out.set(name, v);
    else if (v && typeof v === 'object') for (const [k, n] of Object.entries(v as Record<string, number>)) if (n !== 0) out.set(`${name}.${k}`, n);
  }
  return out;
}

/** A tally's figures, flattened. */
export function flatTally(tally: WindowTally): FlatKey {
  const out: FlatKey = new Map();
  for (const f of tally.windows.values()) out.set(windowName(f.window, f.start, f.collection), flatten(f));
  return out;
}

/** Key documents summed over partitions (the newest of each _id is expected to be the one given). */
export function sumKeyDocs(docs: Iterable<object>): FlatKey {
  const out: FlatKey = new Map();
  for (const doc of docs) {
    const d = doc as Record<string, unknown>;
    const start = d.start instanceof Date ? d.start.getTime() : null;
    const name = windowName(d.window as WindowSize, start, String(d.collection));
    let sum = out.get(name);
    if (!sum) out.set(name, (sum = new Map()));
    for (const [k, n] of flatten(d as unknown as WindowFigures)) sum.set(k, (sum.get(k) ?? 0) + n);
  }
  return out;
}

export interface KeyDifference {
  collection: string;
  window: WindowSize;
  /** Window start (ISO), or `undated`. */
  start: string;
  figure: string;
  expected: number;
  found: number;
}

/**
 * Every figure that differs, window by window (a figure absent on one side is 0 there), in
 * order of collection, window size, start and figure. `ignore`: figures not compared (e.g.
 * `repeated` where the target absorbs repeated deliveries).
 */
export function compareKeys(expected: FlatKey, found: FlatKey, ignore: readonly string[] = []): KeyDifference[] {
  const out: KeyDifference[] = [];
  for (const name of new Set([...expected.keys(), ...found.keys()])) {
    const e = expected.get(name) ?? new Map<string, number>();
    const f = found.get(name) ?? new Map<string, number>();
    const [window, start, collection] = name.split('/') as [WindowSize, string, string];
    for (const figure of new Set([...e.keys(), ...f.keys()])) {
      if (ignore.includes(figure)) continue;
      const a = e.get(figure) ?? 0;
      const b = f.get(figure) ?? 0;
      if (a !== b) out.push({ collection, window, start, figure, expected: a, found: b });
    }
  }
  const rank = (d: KeyDifference) => [d.collection, d.window === '1m' ? '0' : '1', d.start, d.figure].join('\u0000');
  return out.sort((x, y) => (rank(x) < rank(y) ? -1 : rank(x) > rank(y) ? 1 : 0));
}

/** Totals of a key over its hourly windows: records, revenue in cents, late and repeated records, dead letters. */
export function keyTotals(key: FlatKey): { windows: number; records: number; revenueCents: number; late: number; repeated: number; deadLetters: number } {
  const t = { windows: key.size, records: 0, revenueCents: 0, late: 0, repeated: 0, deadLetters: 0 };
  for (const [name, figures] of key) {
    if (!name.startsWith('1h/')) continue;
    t.records += figures.get('count') ?? 0;
    t.revenueCents += figures.get('revenue_cents') ?? 0;
    t.late += figures.get('late') ?? 0;
    t.repeated += figures.get('repeated') ?? 0;
    for (const [k, n] of figures) if (k.startsWith('dead_letters.')) t.deadLetters += n;
  }
  return t;
}
