/**
 * The figures of `etl stats`, each defined once as a MongoDB aggregation pipeline. The same
 * pipeline objects run on the server (with its indexes) and, for `--from DIR`, in memory
 * with mingo over the jsonl files.
 */

import type { Pipeline, StatsSource } from '../shared/stats-source.js';

export type { Pipeline, StatsSource };

import { bookkeepingCollections, catalogCollections, lifecycleCollections } from '../shared/collections.js';
import type { ProfileName } from '../shared/profiles.js';
import { sumCounts, unaccounted } from '../shared/counts.js';
import type { CollectionCounts } from '../shared/records.js';
import { inWindow } from './window.js';
import { computeLivingStore, livingStorePipelines, type LivingStore, type LivingStoreFigures } from './living-store.js';
export const lowStockThreshold = 25;
const buckets = 60;

const timeField: Record<string, string> = {
  dead_letters: 'created_at',
  etl_runs: 'started_at',
};

export { inWindow };

export const pipelines = {
  /**
   * The oldest (order 1) or newest (order -1) event time of a collection: a walk of one end
   * of its time index, not a scan.
   */
  edge(collection: string, order: 1 | -1): Pipeline {
    const f = timeField[collection] ?? 'timestamp';
    return [{ $sort: { [f]: order } }, { $limit: 1 }, { $project: { _id: 0, at: `$${f}` } }];
  },
  count(): Pipeline {
    return [{ $count: 'count' }];
  },
  /** Events per bucket of the window (bucket index from 0). */
  perBucket(from: Date, to: Date, bucketMs: number, sum?: string): Pipeline {
    return [
      inWindow(from, to),
      { $group: { _id: { $floor: { $divide: [{ $subtract: ['$timestamp', from] }, bucketMs] } }, n: { $sum: sum ? `$${sum}` : 1 } } },
      { $sort: { _id: 1 } },
    ];
  },
  sales(from: Date, to: Date): Pipeline {
    return [
      inWindow(from, to),
      { $group: { _id: null, orders: { $sum: 1 }, revenue: { $sum: '$final_amount' }, units: { $sum: '$item_count' }, returned: { $sum: { $cond: ['$is_returned', 1, 0] } } } },
    ];
  },
  revenueByCategory(from: Date, to: Date): Pipeline {
    return [
      inWindow(from, to),
      { $unwind: '$items' },
      { $group: { _id: '$items.category', revenue: { $sum: '$items.line_total' }, units: { $sum: '$items.quantity' } } },
      { $sort: { revenue: -1, _id: 1 } },
    ];
  },
  revenueByCountry(from: Date, to: Date): Pipeline {
    return [
      inWindow(from, to),
      { $group: { _id: '$user_snapshot.country', revenue: { $sum: '$final_amount' }, orders: { $sum: 1 } } },
      { $sort: { revenue: -1, _id: 1 } },
    ];
  },
  topProducts(from: Date, to: Date, by: 'revenue' | 'units'): Pipeline {
    return [
      inWindow(from, to),
      { $unwind: '$items' },
      { $group: { _id: '$items.product_id', name: { $first: '$items.product_name' }, revenue: { $sum: '$items.line_total' }, units: { $sum: '$items.quantity' } } },
      { $sort: { [by]: -1, _id: 1 } },
      { $limit: 10 },
    ];
  },
  /** Distinct sessions among the matching events. */
  sessions(from: Date, to: Date, match: Record<string, unknown> = {}): Pipeline {
    return [{ $match: { timestamp: { $gte: from, $lt: to }, ...match } }, { $group: { _id: '$session_id' } }, { $count: 'n' }];
  },
  /** Orders and distinct buying users in the window. */
  buyers(from: Date, to: Date): Pipeline {
    return [inWindow(from, to), { $group: { _id: '$user_id', orders: { $sum: 1 } } }, { $group: { _id: null, buyers: { $sum: 1 }, orders: { $sum: '$orders' } } }];
  },
  cartOutcomes(from: Date, to: Date): Pipeline {
    return [
      { $match: { timestamp: { $gte: from, $lt: to }, event_type: { $in: ['checkout', 'abandon'] } } },
      { $group: { _id: '$event_type', n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ];
  },
  /** Most viewed products in the window, with their views in the window before. */
  trending(from: Date, to: Date): Pipeline {
    const before = new Date(from.getTime() - (to.getTime() - from.getTime()));
    return [
      { $match: { timestamp: { $gte: before, $lt: to } } },
      {
        $group: {
          _id: '$product_id',
          now: { $sum: { $cond: [{ $gte: ['$timestamp', from] }, 1, 0] } },
          before: { $sum: { $cond: [{ $lt: ['$timestamp', from] }, 1, 0] } },
        },
      },
      { $sort: { now: -1, _id: 1 } },
      { $limit: 10 },
    ];
  },
  fraudByType(from: Date, to: Date): Pipeline {
    return [
      { $match: { timestamp: { $gte: from, $lt: to }, is_fraud: true } },
      { $group: { _id: '$anomaly_type', orders: { $sum: 1 }, amount: { $sum: '$final_amount' } } },
      { $sort: { orders: -1, _id: 1 } },
    ];
  },
  /**
   * Latest stock per product and warehouse, below the restock threshold. The sort follows the
   * `product_warehouse_time` index, so the server reads it in order instead of sorting the
   * whole collection in memory.
   */
  lowStock(threshold = lowStockThreshold): Pipeline {
    return [
      { $sort: { product_id: 1, warehouse_id: 1, timestamp: -1, _id: -1 } },
      { $group: { _id: { product: '$product_id', warehouse: '$warehouse_id' }, stock: { $first: '$new_stock' }, at: { $first: '$timestamp' } } },
      { $match: { stock: { $lt: threshold } } },
      { $sort: { stock: 1, '_id.product': 1, '_id.warehouse': 1 } },
      { $limit: 10 },
    ];
  },
  deadLettersByCollection(): Pipeline {
    return [{ $group: { _id: '$collection', n: { $sum: 1 }, injected: { $sum: { $cond: [{ $ne: ['$injected', null] }, 1, 0] } } } }, { $sort: { n: -1, _id: 1 } }];
  },
  deadLetterReasons(): Pipeline {
    return [
      { $unwind: '$reasons' },
      { $group: { _id: { collection: '$collection', code: '$reasons.code', path: '$reasons.path' }, n: { $sum: 1 } } },
      { $sort: { n: -1, '_id.collection': 1, '_id.path': 1 } },
      { $limit: 10 },
    ];
  },
  lastRuns(n = 5): Pipeline {
    return [{ $sort: { started_at: -1 } }, { $limit: n }];
  },
};


/** The figures whose pipelines depend on the documents' shape. */
export type ShapedFigures = Pick<typeof pipelines, 'sales' | 'revenueByCategory' | 'revenueByCountry' | 'topProducts' | 'buyers' | 'trending' | 'fraudByType'>;

/** Where a profile keeps what the report counts. */
export interface StatsPlan {
  figures: ShapedFigures;
  /** Collection and filter of the sessions that viewed a product, added to a cart, ordered. */
  viewed: [string, Record<string, unknown>];
  carted: [string, Record<string, unknown>];
  checkedOut: [string, Record<string, unknown>];
  /** Product views (trending). */
  views: string;
  /** Cart outcomes are recorded (ours), or follow from the sessions (a carted visit without an order was abandoned). */
  cartOutcomes: boolean;
  /** The living store's figures, where the profile writes its event collections (order_events, …). */
  livingStore?: LivingStoreFigures;
}

/** ecom-etl's own documents: views, cart events and multi-line orders each in their collection. */
export const ecomEtlStatsPlan: StatsPlan = {
  figures: pipelines,
  viewed: ['product_views', {}],
  carted: ['cart_events', { event_type: 'add' }],
  checkedOut: ['cart_events', { event_type: 'checkout' }],
  views: 'product_views',
  cartOutcomes: true,
  livingStore: livingStorePipelines,
};

/** What the report needs of the documents' profile (a profile is one). */
export interface StatsProfile {
  readonly name: ProfileName;
  readonly events: { readonly collections: readonly string[] };
  readonly stats: StatsPlan;
}

export interface CollectionStat {
  name: string;
  count: number;
  oldest: Date | null;
  newest: Date | null;
  /** Events per bucket over the window (event collections). */
  series?: number[];
}

/** How much history the report covers: every event, or a length of time before the newest. */
export type StatsSince = 'all' | number;

export interface StatsWindow {
  /** The events counted are those of [from, to); `to` is just after the newest event. */
  from: Date;
  to: Date;
  /** 'all' (from the oldest event), or the length asked for (`--since`) in milliseconds. */
  since: StatsSince;
  /** The oldest and the newest event of the event collections: the time the data spans. */
  data: { from: Date; to: Date };
  /** True when events older than the window exist (a `since` shorter than the data). */
  hidesOlder: boolean;
  bucketMinutes: number;
}

export interface StatsReport {
  source: string;
  /** Whose collections and fields the figures were computed from. */
  profile: ProfileName;
  empty: boolean;
  /** What the figures cover; null when there are no events. */
  window: StatsWindow | null;
  collections: CollectionStat[];
  sales: {
    orders: number;
    revenue: number;
    averageOrderValue: number;
    units: number;
    returned: number;
    byCategory: Array<{ category: string; revenue: number; units: number }>;
    byCountry: Array<{ country: string; revenue: number; orders: number }>;
    topByRevenue: Array<{ product_id: string; name: string; revenue: number; units: number }>;
    topByUnits: Array<{ product_id: string; name: string; revenue: number; units: number }>;
    revenueSeries: number[];
  };
  behaviour: {
    funnel: { sessions: number; viewed: number; carted: number; checkedOut: number };
    carts: { checkouts: number; abandoned: number; abandonmentRate: number };
    /** Share of visits that ended in an order. */
    conversion: number;
    /** Orders per user who ordered in the window. */
    ordersPerBuyer: number;
    /**
     * Views counted from `trendingFrom` to the window's end, against as long a span just before:
     * the window and the window before it, or, when the window is all the data (nothing
     * before it), its newer half and its older half.
     */
    trendingFrom: Date | null;
    trending: Array<{ product_id: string; views: number; viewsBefore: number }>;
  };
  risk: {
    fraud: Array<{ anomaly_type: string; orders: number; amount: number }>;
    fraudOrders: number;
    lowStock: Array<{ product_id: string; warehouse_id: string; stock: number; at: Date }>;
    deadLetters: Array<{ collection: string; count: number; injected: number }>;
    deadLetterReasons: Array<{ collection: string; code: string; path: string; count: number }>;
  };
  runs: Array<{
    id: string;
    command: string;
    status: string;
    started: Date;
    ended: Date | null;
    generated: number;
    written: number;
    duplicates: number;
    deadLettered: number;
    reconciled: boolean;
    seed: number;
    /** Live runs: p99 ms from a record's timestamp to its stored write (null for a backfill or an older run). */
    p99Ms: number | null;
  }>;
  /** Order lifecycle, price changes, reviews and user changes of the window; null where there are no order_events. */
  livingStore: LivingStore | null;
  /** The answer key's totals over its hourly windows (`etl stream --answers`); null where there is no key. */
  answerKey: { windows: number; records: number; revenue: number; late: number; repeated: number } | null;
  /** The newest run's labelled scenarios (its etl_runs manifest): name and window of record time (to: null = to the run's end). */
  scenarios: Array<{ name: string; from: Date; to: Date | null }>;
}

const num = (x: unknown) => (typeof x === 'number' ? x : 0);
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Per-bucket figures, as many buckets as the window spans (a window under an hour has fewer than 60 whole minutes). */
function series(rows: Array<Record<string, unknown>>, count: number): number[] {
  const out = new Array<number>(count).fill(0);
  for (const r of rows) {
    const i = num(r._id);
    if (i >= 0 && i < count) out[i] = round2(num(r.n));
  }
  return out;
}

/**
 * Computes the whole report from a source over a window that ends at the newest event and
 * starts `since` milliseconds before it, or at the oldest event with `since` 'all'.
 */
export async function computeStats(src: StatsSource, since: StatsSince, profile: StatsProfile): Promise<StatsReport> {
  const plan = profile.stats;
  const f = plan.figures;
  const eventCollectionNames = profile.events.collections;
  let collections: CollectionStat[] = [];
  for (const name of [...catalogCollections, ...eventCollectionNames, ...bookkeepingCollections]) {
    const isCatalog = (catalogCollections as readonly string[]).includes(name);
    const [row] = await src.aggregate(name, pipelines.count());
    const count = num(row?.count);
    const at = async (order: 1 | -1) => (count > 0 && !isCatalog ? ((await src.aggregate(name, pipelines.edge(name, order)))[0]?.at as Date | undefined) : undefined) ?? null;
    collections.push({ name, count, oldest: await at(1), newest: await at(-1) });
  }
  const orderEvents = collections.find((c) => c.name === 'order_events')?.count ?? 0;
  // A store without the living store (--lifecycle off, or written before it) reports as it did:
  // its collections are left out while every one of them is empty.
  const lifecycle = new Set<string>(lifecycleCollections);
  if (collections.every((c) => !lifecycle.has(c.name) || c.count === 0)) collections = collections.filter((c) => !lifecycle.has(c.name));
  const events = collections.filter((c) => eventCollectionNames.includes(c.name) && c.oldest && c.newest);
  const newest = events.map((c) => (c.newest as Date).getTime());
  const oldest = events.map((c) => (c.oldest as Date).getTime());
  const report: StatsReport = {
    source: src.description,
    profile: profile.name,
    empty: collections.every((c) => c.count === 0),
    window: null,
    collections,
    sales: { orders: 0, revenue: 0, averageOrderValue: 0, units: 0, returned: 0, byCategory: [], byCountry: [], topByRevenue: [], topByUnits: [], revenueSeries: [] },
    behaviour: { funnel: { sessions: 0, viewed: 0, carted: 0, checkedOut: 0 }, carts: { checkouts: 0, abandoned: 0, abandonmentRate: 0 }, conversion: 0, ordersPerBuyer: 0, trendingFrom: null, trending: [] },
    risk: { fraud: [], fraudOrders: 0, lowStock: [], deadLetters: [], deadLetterReasons: [] },
    runs: [],
    livingStore: null,
    answerKey: null,
    scenarios: [],
  };
  if (newest.length > 0) {
    // The window ends just after the newest event, so a backfill of last year reports too.
    const data = { from: new Date(Math.min(...oldest)), to: new Date(Math.max(...newest)) };
    const to = new Date(data.to.getTime() + 1);
    const from = since === 'all' ? data.from : new Date(to.getTime() - since);
    const bucketMs = Math.ceil((to.getTime() - from.getTime()) / buckets / 60_000) * 60_000;
    report.window = { from, to, since, data, hidesOlder: data.from < from, bucketMinutes: bucketMs / 60_000 };
    const bars = Math.max(1, Math.min(buckets, Math.ceil((to.getTime() - from.getTime()) / bucketMs)));
    for (const c of collections) {
      if (eventCollectionNames.includes(c.name)) c.series = series(await src.aggregate(c.name, pipelines.perBucket(from, to, bucketMs)), bars);
    }
    const [sales] = await src.aggregate('transactions', f.sales(from, to));
    const s = report.sales;
    s.orders = num(sales?.orders);
    s.revenue = round2(num(sales?.revenue));
    s.units = num(sales?.units);
    s.returned = num(sales?.returned);
    s.averageOrderValue = s.orders > 0 ? round2(s.revenue / s.orders) : 0;
    s.byCategory = (await src.aggregate('transactions', f.revenueByCategory(from, to))).map((r) => ({ category: String(r._id), revenue: round2(num(r.revenue)), units: num(r.units) }));
    s.byCountry = (await src.aggregate('transactions', f.revenueByCountry(from, to))).map((r) => ({ country: String(r._id), revenue: round2(num(r.revenue)), orders: num(r.orders) }));
    const product = (r: Record<string, unknown>) => ({ product_id: String(r._id), name: String(r.name), revenue: round2(num(r.revenue)), units: num(r.units) });
    s.topByRevenue = (await src.aggregate('transactions', f.topProducts(from, to, 'revenue'))).map(product);
    s.topByUnits = (await src.aggregate('transactions', f.topProducts(from, to, 'units'))).map(product);
    s.revenueSeries = series(await src.aggregate('transactions', pipelines.perBucket(from, to, bucketMs, 'final_amount')), bars);

    const n = async (collection: string, p: ReturnType<typeof pipelines.sessions>) => num((await src.aggregate(collection, p))[0]?.n);
    const b = report.behaviour;
    b.funnel = {
      sessions: await n('user_activities', pipelines.sessions(from, to, { activity_type: 'login' })),
      viewed: await n(plan.viewed[0], pipelines.sessions(from, to, plan.viewed[1])),
      carted: await n(plan.carted[0], pipelines.sessions(from, to, plan.carted[1])),
      checkedOut: await n(plan.checkedOut[0], pipelines.sessions(from, to, plan.checkedOut[1])),
    };
    const outcomes = plan.cartOutcomes
      ? new Map((await src.aggregate('cart_events', pipelines.cartOutcomes(from, to))).map((r) => [String(r._id), num(r.n)]))
      : new Map([
          ['checkout', s.orders],
          ['abandon', Math.max(0, b.funnel.carted - b.funnel.checkedOut)],
        ]);
    const checkouts = outcomes.get('checkout') ?? 0;
    const abandoned = outcomes.get('abandon') ?? 0;
    b.carts = { checkouts, abandoned, abandonmentRate: checkouts + abandoned > 0 ? abandoned / (checkouts + abandoned) : 0 };
    b.conversion = b.funnel.sessions > 0 ? b.funnel.checkedOut / b.funnel.sessions : 0;
    const [buyers] = await src.aggregate('transactions', f.buyers(from, to));
    b.ordersPerBuyer = num(buyers?.buyers) > 0 ? round2(num(buyers?.orders) / num(buyers?.buyers)) : 0;
    // All the data has nothing before it to compare with: its newer half against its older half.
    b.trendingFrom = since === 'all' ? new Date(from.getTime() + Math.floor((to.getTime() - from.getTime()) / 2)) : from;
    b.trending = (await src.aggregate(plan.views, f.trending(b.trendingFrom, to))).map((r) => ({ product_id: String(r._id), views: num(r.now), viewsBefore: num(r.before) }));

    const risk = report.risk;
    risk.fraud = (await src.aggregate('transactions', f.fraudByType(from, to))).map((r) => ({ anomaly_type: String(r._id), orders: num(r.orders), amount: round2(num(r.amount)) }));
    risk.fraudOrders = risk.fraud.reduce((a, f) => a + f.orders, 0);

    // Without order events (--lifecycle off, a profile that has none) there is nothing to show of it.
    if (plan.livingStore && orderEvents > 0) report.livingStore = await computeLivingStore(src, plan.livingStore, from, to);
    // Files keep an order as it was placed (is_returned false); its returns are in its events, on every target alike.
    if (report.livingStore) s.returned = report.livingStore.orders.returned;
  }
  report.risk.lowStock = (await src.aggregate('inventory_updates', pipelines.lowStock())).map((r) => {
    const id = r._id as { product: string; warehouse: string };
    return { product_id: id.product, warehouse_id: id.warehouse, stock: num(r.stock), at: r.at as Date };
  });
  report.risk.deadLetters = (await src.aggregate('dead_letters', pipelines.deadLettersByCollection())).map((r) => ({ collection: String(r._id), count: num(r.n), injected: num(r.injected) }));
  report.risk.deadLetterReasons = (await src.aggregate('dead_letters', pipelines.deadLetterReasons())).map((r) => {
    const id = r._id as { collection: string; code: string; path: string };
    return { collection: id.collection, code: id.code, path: id.path, count: num(r.n) };
  });
  report.runs = (await src.aggregate('etl_runs', pipelines.lastRuns())).map((r) => {
    const counts = Object.values((r.counts ?? {}) as Record<string, CollectionCounts>);
    const t = sumCounts(counts);
    return {
      id: String(r._id),
      command: String(r.command),
      status: String(r.status),
      started: r.started_at as Date,
      ended: (r.ended_at as Date | null) ?? null,
      generated: t.generated,
      written: t.written,
      duplicates: t.duplicates,
      deadLettered: t.dead_lettered,
      reconciled: counts.every((c) => unaccounted(c) === 0),
      seed: num(r.seed),
      p99Ms: typeof (r.latency_ms as { p99?: unknown } | null)?.p99 === 'number' ? (r.latency_ms as { p99: number }).p99 : null,
    };
  });
  const [key] = await src.aggregate('etl_expected', [
    { $match: { window: '1h' } },
    { $group: { _id: null, windows: { $sum: 1 }, records: { $sum: '$count' }, revenue: { $sum: '$revenue_cents' }, late: { $sum: '$late' }, repeated: { $sum: '$repeated' } } },
  ]);
  if (key) report.answerKey = { windows: num(key.windows), records: num(key.records), revenue: num(key.revenue) / 100, late: num(key.late), repeated: num(key.repeated) };
  const [withScenarios] = await src.aggregate('etl_runs', [{ $match: { 'scenarios.0': { $exists: true } } }, { $sort: { started_at: -1 } }, { $limit: 1 }, { $project: { scenarios: 1 } }]);
  report.scenarios = ((withScenarios?.scenarios ?? []) as Array<{ name: string; from: Date; to: Date | null }>).map((x) => ({ name: x.name, from: x.from, to: x.to ?? null }));
  return report;
}
