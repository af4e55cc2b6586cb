import { z } from 'zod';
import {
  abiCategories,
  abiCategory,
  abiCountries,
  abiCountry,
  abiGender,
  abiGenders,
  abiProductId,
  abiRegions,
  abiSegment,
  abiSegments,
  abiUserId,
  abiWorldRegion,
} from './catalog-documents.js';
import { categories, customerSegments, genders } from '../../catalog/reference.js';
import { money } from '../../catalog/schemas.js';
import type { StoreCatalog } from '../../catalog/store-catalog.js';
import type { DirtyFields } from '../../events/dirty.js';
import type {
  ActivityHappened,
  CartChanged,
  EventRenderer,
  EventShape,
  OrderPlaced,
  ProductViewed,
  RenderOutput,
  StockMoved,
  Visit,
  VisitEnded,
  VisitStarted,
} from '../../events/facts.js';
import { type Transaction, cents, checkStockMove, eventId, inventoryUpdateTypes } from '../../events/schemas.js';

/**
 * The engine's facts in the shapes of the Adaptive-BI Phase 1 service (seed design 000, docs/SEEDS.md:
 * data_generator.py): its three event collections, fields, ids and vocabularies. Views, cart
 * events and our activities all become its `user_activities`; an order of several products
 * becomes one transaction per line, sharing an `order_id`.
 */

type Out = RenderOutput<AbiDoc>;
type AbiSession = AbiTransaction['session_info'];

const site = 'https://shop.example.com';
const paymentName: Record<Transaction['payment_method'], AbiTransaction['payment_method']> = {
  credit_card: 'Credit Card',
  debit_card: 'Debit Card',
  paypal: 'PayPal',
  apple_pay: 'Digital Wallet',
  google_pay: 'Digital Wallet',
  // Not in its vocabulary: a bank transfer is paid from the account, like a debit card.
  bank_transfer: 'Debit Card',
};
const deviceName: Record<string, AbiSession['device']> = { desktop: 'Desktop', mobile: 'Mobile', tablet: 'Tablet' };
// Its four browsers: Samsung Internet and the app are Chromium inside.
const browserName: Record<string, AbiSession['browser']> = { chrome: 'Chrome', safari: 'Safari', firefox: 'Firefox', edge: 'Edge', samsung_internet: 'Chrome', app: 'Chrome' };
const sourceName: Record<string, AbiSession['source']> = { direct: 'Direct', organic_search: 'Google', paid_search: 'Ads', email: 'Email', social: 'Social Media', referral: 'Direct' };
const referrerOf: Record<string, string | null> = {
  direct: null,
  organic_search: 'https://www.google.com/',
  paid_search: 'https://www.google.com/aclk',
  email: 'https://mail.example.com/',
  social: 'https://www.facebook.com/',
  referral: 'https://blog.example.org/best-buys',
};
const platform: Record<string, string> = {
  desktop: 'Windows NT 10.0; Win64; x64',
  mobile: 'Linux; Android 14; Pixel 8',
  tablet: 'iPad; CPU OS 17_4 like Mac OS X',
};
function buildUserAgent(device: string, browser: string): string {
  const os = platform[device] ?? platform.desktop;
  switch (browserName[browser]) {
    case 'Firefox':
      return `Mozilla/5.0 (${os}; rv:125.0) Gecko/20100101 Firefox/125.0`;
    case 'Safari':
      return `Mozilla/5.0 (${os}) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15`;
    case 'Edge':
      return `Mozilla/5.0 (${os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0`;
    default:
      return `Mozilla/5.0 (${os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36`;
  }
}
/** One string per device and browser, made once. */
const userAgents = new Map<string, string>();
function userAgent(device: string, browser: string): string {
  const key = `${device}|${browser}`;
  let ua = userAgents.get(key);
  if (ua === undefined) userAgents.set(key, (ua = buildUserAgent(device, browser)));
  return ua;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/**
 * Splits `total` cents over lines in proportion to `weights` (largest remainder): the parts
 * are whole cents and add up to the total exactly.
 */
export function allocateCents(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k++, left--) parts[order[k % order.length][1]]++;
  return parts;
}

/**
 * Its pace (streaming_etl.py): every interval BATCH_SIZE transactions, 3 × BATCH_SIZE activities
 * and BATCH_SIZE // 5 inventory updates. The renderer keeps those proportions to the
 * transactions it has written: 3 activities per transaction (an even sample of what the
 * shoppers did), and one inventory update per 5 transactions (each summing up a product's
 * stock moves since its previous update).
 */
export const abiPace = { activitiesPerTransaction: 3, transactionsPerInventoryUpdate: 5 } as const;

/** Activity facts over which the sample closes a gap between activities written and 3 per transaction. */
const sampleCorrection = 100;

/** Records of its three collections that one unit of BATCH_SIZE stands for (1 + 3 + 1/5). */
export const abiRecordsPerBatchUnit = 1 + abiPace.activitiesPerTransaction + 1 / abiPace.transactionsPerInventoryUpdate;

/**
 * Consecutive stock moves of one product of one kind, not yet written: one inventory update
 * when its turn comes (previous_stock of the first move, new_stock of the last, the change their sum).
 */
interface StockRun {
  product: number;
  type: StockMoved['type'];
  previous: number;
  change: number;
  next: number;
  moves: number;
  orders: string[];
}

/** Its records for the engine's facts. */
export class AdaptiveBiRenderer implements EventRenderer<AbiDoc> {
  private readonly updatedBy: string;
  private transactionsWritten = 0;
  /** Activity facts told so far, and activities written of them. */
  private activityFacts = 0;
  private activitiesWritten = 0;
  /** The sample's running sum: a visit is written each time it passes a whole number. */
  private sampleSum = 0;
  /** Whether each visit seen is in the sample (decided at its first fact; a visit is the same object throughout). */
  private readonly sampledVisits = new WeakMap<Visit, boolean>();
  /** Transactions written, less 5 per inventory update written. */
  private inventoryRoom = 0;
  /** Stock runs waiting to be written, oldest first (from `runHead` on). */
  private runs: StockRun[] = [];
  private runHead = 0;
  /** The run a product's next move joins when it is of the same kind (the product's latest run). */
  private readonly openRun = new Map<number, StockRun>();

  constructor(
    private readonly catalog: StoreCatalog,
    /** This partition's warehouse: its updates are made by `system_<index + 1>`. */
    warehouseIndex: number,
  ) {
    this.updatedBy = `system_${warehouseIndex + 1}`;
  }

  private userOf(v: Visit): string {
    return abiUserId(this.catalog.userNumber[v.user]);
  }

  private productOf(p: number): string {
    return abiProductId(this.catalog.productNumber[p]);
  }

  visitStarted(f: VisitStarted, out: Out): void {
    if (!this.sampled(f.visit)) return;
    this.activityDoc(f.visit, 'login', '/login', null, 0, f.at, out, { referrer: referrerOf[f.visit.source] });
  }

  visitEnded(f: VisitEnded, out: Out): void {
    if (!this.sampled(f.visit)) return;
    this.activityDoc(f.visit, 'logout', '/logout', null, f.seconds, f.at, out);
  }

  activity(f: ActivityHappened, out: Out): void {
    if (!this.sampled(f.visit)) return;
    const page = f.product !== null && f.type !== 'page_view' ? `${f.page}/${this.productOf(f.product)}` : f.page;
    this.activityDoc(f.visit, f.type, page, f.product, f.seconds ?? 0, f.at, out);
  }

  productViewed(f: ProductViewed, out: Out): void {
    if (!this.sampled(f.visit)) return;
    const pid = this.productOf(f.product);
    if (f.kind === 'search') {
      this.activityDoc(f.visit, 'search', `/search?q=${encodeURIComponent(f.searchQuery ?? '')}`, f.product, f.seconds, f.at, out, { search_query: f.searchQuery });
      return;
    }
    const page =
      f.kind === 'filter'
        ? `/category/${slug(abiCategory(categories[this.catalog.productCategory[f.product]].name))}?product=${pid}`
        : f.kind === 'compare'
          ? `/compare?products=${pid},${this.productOf(f.compared ?? f.product)}`
          : `/products/${pid}`;
    this.activityDoc(f.visit, 'page_view', page, f.product, f.seconds, f.at, out);
  }

  cartChanged(f: CartChanged, out: Out): void {
    // Its vocabulary has no abandonment: the visit's logout follows, and the cart stays unordered.
    if (f.type === 'abandon' || !this.sampled(f.visit)) return;
    switch (f.type) {
      case 'add':
        return this.activityDoc(f.visit, 'add_to_cart', '/cart', f.product, 0, f.at, out);
      case 'remove':
        return this.activityDoc(f.visit, 'remove_from_cart', '/cart', f.product, 0, f.at, out);
      case 'update_quantity':
        return this.activityDoc(f.visit, f.qty >= (f.previousQty ?? 0) ? 'add_to_cart' : 'remove_from_cart', '/cart', f.product, 0, f.at, out);
      case 'checkout':
        return this.activityDoc(f.visit, 'page_view', '/checkout', null, 0, f.at, out);
    }
  }

  /** One transaction per line of the order, sharing its order_id; the order's money split over the lines to the cent. */
  orderPlaced(f: OrderPlaced, out: Out): void {
    const c = this.catalog;
    const s = f.visit;
    const u = s.user;
    const money = f.money;
    const items = money.items;
    const totals = items.map((i) => Math.round(i.line_total * 100));
    const discount = allocateCents(money.discount, totals);
    const tax = allocateCents(money.tax, totals);
    const shipping = allocateCents(money.shipping, totals);
    const country = money.home.code;
    const userInfo = {
      age: c.userAge[u],
      gender: abiGender(genders[c.userGender[u]]),
      country: abiCountry(country),
      region: abiWorldRegion(country),
      customer_segment: abiSegment(customerSegments[c.userSegment[u]]),
    };
    const sessionInfo = {
      device: deviceName[s.device],
      browser: browserName[s.browser],
      source: sourceName[s.source],
      session_duration: Math.round((f.sim - s.startedAt) / 1000),
    };
    const timestamp = new Date(f.at);
    items.forEach((item, k) => {
      const p = f.lines[k].product;
      const id = k === 0 ? f.orderId : out.nextId();
      const doc: AbiTransaction = {
        _id: id,
        transaction_id: out.uuid(id),
        order_id: f.orderId,
        user_id: this.userOf(s),
        product_id: this.productOf(p),
        product_name: item.product_name,
        category: abiCategory(item.category),
        quantity: item.quantity,
        unit_price: item.unit_price,
        total_amount: item.line_total,
        discount: discount[k] / 100,
        final_amount: (totals[k] - discount[k] + tax[k] + shipping[k]) / 100,
        payment_method: paymentName[f.payment],
        shipping_cost: shipping[k] / 100,
        tax_amount: tax[k] / 100,
        timestamp,
        user_info: userInfo,
        product_info: {
          brand: item.brand,
          base_price: item.base_price,
          cost: c.costCents[p] / 100,
          rating: c.productRating[p] / 10,
          stock_quantity: out.stockOf(p),
        },
        session_info: sessionInfo,
        is_fraud: f.anomaly !== null,
        is_returned: f.returned,
        anomaly_type: f.anomaly,
        session_id: s.id,
      };
      out.emit('transactions', doc);
    });
    this.transactionsWritten += items.length;
    this.inventoryRoom += items.length;
  }

  /**
   * Whether this visit's activities are written: whole visits, from login to logout, sampled
   * evenly (whoever they are, whatever they do) so that the activities written are 3 per
   * transaction written. Each visit, at its first fact, adds the share of activities that gives
   * (3 × transactions ÷ activity facts so far, nudged toward the exact count) to a running sum,
   * and is written when the sum passes a whole number. Deterministic: the same facts are sampled alike.
   */
  private sampled(v: Visit): boolean {
    this.activityFacts++;
    let written = this.sampledVisits.get(v);
    if (written === undefined) {
      const target = abiPace.activitiesPerTransaction * this.transactionsWritten;
      const share = target / this.activityFacts + (target - this.activitiesWritten) / sampleCorrection;
      this.sampleSum += Math.min(1, Math.max(0, share));
      written = this.sampleSum >= 1;
      if (written) this.sampleSum -= 1;
      this.sampledVisits.set(v, written);
    }
    return written;
  }

  /**
   * A stock move joins its product's latest run when of the same kind, else starts a new one;
   * then, while there is room (one update per 5 transactions), the oldest run is written. A
   * product's runs are written in the order they started, so its updates chain: each one's
   * previous_stock is the new_stock of the one before.
   */
  stockMoved(f: StockMoved, out: Out): void {
    let run = this.openRun.get(f.product);
    if (run === undefined || run.type !== f.type) {
      run = { product: f.product, type: f.type, previous: f.previous, change: 0, next: f.previous, moves: 0, orders: [] };
      this.runs.push(run);
      this.openRun.set(f.product, run);
    }
    run.change += f.change;
    run.next = f.next;
    run.moves++;
    if (f.reference !== null && run.orders[run.orders.length - 1] !== f.reference) run.orders.push(f.reference);
    while (this.inventoryRoom >= abiPace.transactionsPerInventoryUpdate && this.runHead < this.runs.length) {
      this.inventoryRoom -= abiPace.transactionsPerInventoryUpdate;
      this.writeRun(this.runs[this.runHead++], f, out);
    }
    if (this.runHead > 1024 && this.runHead * 2 > this.runs.length) {
      this.runs = this.runs.slice(this.runHead);
      this.runHead = 0;
    }
  }

  /** One inventory update for a run of stock moves, stamped when it is written. */
  private writeRun(run: StockRun, f: StockMoved, out: Out): void {
    if (this.openRun.get(run.product) === run) this.openRun.delete(run.product);
    const c = this.catalog;
    const p = run.product;
    const id = out.nextId();
    const doc: AbiInventoryUpdate = {
      _id: id,
      update_id: out.uuid(id),
      product_id: this.productOf(p),
      previous_stock: run.previous,
      stock_change: run.change,
      new_stock: run.next,
      update_type: run.type,
      timestamp: new Date(f.at),
      updated_by: this.updatedBy,
      cost_per_unit: c.costCents[p] / 100,
      // Restocks come from the brand's distributor; sales, returns and counts have no supplier.
      supplier: run.type === 'restock' ? `${c.productBrands[p]} Distribution` : null,
      warehouse_id: f.warehouse,
      moves: run.moves,
      order_ids: run.orders,
    };
    out.emit('inventory_updates', doc);
  }

  private activityDoc(
    v: Visit,
    type: AbiActivity['activity_type'],
    page: string,
    product: number | null,
    seconds: number,
    at: number,
    out: Out,
    extra: { search_query?: string | null; referrer?: string | null } = {},
  ): void {
    const id = out.nextId();
    const doc: AbiActivity = {
      _id: id,
      activity_id: out.uuid(id),
      user_id: this.userOf(v),
      activity_type: type,
      page_url: site + page,
      search_query: extra.search_query ?? null,
      product_id: product === null ? null : this.productOf(product),
      timestamp: new Date(at),
      session_id: v.id,
      ip_address: v.ip,
      user_agent: userAgent(v.device, v.browser),
      referrer: extra.referrer ?? null,
      duration_seconds: seconds,
    };
    this.activitiesWritten++;
    out.emit('user_activities', doc);
  }
}

// ---- its documents ----------------------------------------------------------------------------

const uuid = z.uuid();
const userRef = z.string().regex(/^USR_\d{6,}$/);
const productRef = z.string().regex(/^PRD_\d{4,}$/);

export const abiActivityTypes = ['page_view', 'search', 'add_to_cart', 'remove_from_cart', 'wishlist_add', 'review_submit', 'login', 'logout'] as const;

export const abiTransactionSchema = z
  .strictObject({
    _id: eventId,
    transaction_id: uuid,
    order_id: eventId,
    user_id: userRef,
    product_id: productRef,
    product_name: z.string().min(1),
    category: z.enum(abiCategories as [string, ...string[]]),
    quantity: z.number().int().min(1),
    unit_price: money.positive(),
    total_amount: money.positive(),
    discount: money,
    final_amount: money,
    payment_method: z.enum(['Credit Card', 'Debit Card', 'PayPal', 'Digital Wallet']),
    shipping_cost: money,
    tax_amount: money,
    timestamp: z.date(),
    user_info: z.strictObject({
      age: z.number().int().min(18).max(80),
      gender: z.enum(abiGenders),
      country: z.enum(abiCountries as [string, ...string[]]),
      region: z.enum(abiRegions),
      customer_segment: z.enum(abiSegments),
    }),
    product_info: z.strictObject({
      brand: z.string().min(1),
      base_price: money.positive(),
      cost: money,
      rating: z.number().min(0).max(5),
      stock_quantity: z.number().int().nonnegative(),
    }),
    session_info: z.strictObject({
      device: z.enum(['Desktop', 'Mobile', 'Tablet']),
      browser: z.enum(['Chrome', 'Firefox', 'Safari', 'Edge']),
      source: z.enum(['Direct', 'Google', 'Social Media', 'Email', 'Ads']),
      session_duration: z.number().int().nonnegative(),
    }),
    is_fraud: z.boolean(),
    is_returned: z.boolean(),
    anomaly_type: z.enum(['high_value', 'high_quantity', 'order_burst', 'country_mismatch', 'card_testing']).nullable(),
    session_id: z.string().min(1),
  })
  .superRefine((t, ctx) => {
    if (cents(t.unit_price) * t.quantity !== cents(t.total_amount)) ctx.addIssue({ code: 'custom', message: 'total_amount must be quantity × unit_price', path: ['total_amount'] });
    if (cents(t.discount) > cents(t.total_amount)) ctx.addIssue({ code: 'custom', message: 'discount must not exceed total_amount', path: ['discount'] });
    if (cents(t.total_amount) - cents(t.discount) + cents(t.tax_amount) + cents(t.shipping_cost) !== cents(t.final_amount)) {
      ctx.addIssue({ code: 'custom', message: 'final_amount must equal total_amount - discount + tax_amount + shipping_cost', path: ['final_amount'] });
    }
    if (t.is_fraud !== (t.anomaly_type !== null)) ctx.addIssue({ code: 'custom', message: 'anomaly_type is set exactly when is_fraud', path: ['anomaly_type'] });
  });

export const abiActivitySchema = z
  .strictObject({
    _id: eventId,
    activity_id: uuid,
    user_id: userRef,
    activity_type: z.enum(abiActivityTypes),
    // Ours are https URLs on the shop's host (a pattern: parsing every URL would halve the rate).
    page_url: z.string().regex(/^https:\/\/[a-z0-9.-]+\/\S*$/),
    search_query: z.string().min(1).nullable(),
    product_id: productRef.nullable(),
    timestamp: z.date(),
    session_id: z.string().min(1),
    ip_address: z.ipv4(),
    user_agent: z.string().min(1),
    referrer: z.string().regex(/^https:\/\/[a-z0-9.-]+\/\S*$/).nullable(),
    duration_seconds: z.number().int().nonnegative(),
  })
  .refine((a) => (a.activity_type === 'search') === (a.search_query !== null), { message: 'search_query is set exactly for a search', path: ['search_query'] });
export type AbiActivity = z.infer<typeof abiActivitySchema>;

export const abiInventorySchema = z
  .strictObject({
    _id: eventId,
    update_id: uuid,
    product_id: productRef,
    previous_stock: z.number().int().nonnegative(),
    stock_change: z.number().int(),
    new_stock: z.number().int().nonnegative(),
    update_type: z.enum(inventoryUpdateTypes),
    timestamp: z.date(),
    updated_by: z.string().regex(/^system_\d+$/),
    cost_per_unit: money,
    supplier: z.string().min(1).nullable(),
    warehouse_id: z.string().regex(/^WH-\d+\.\d+$/),
    moves: z.number().int().min(1),
    order_ids: z.array(eventId),
  })
  .superRefine((u, ctx) => checkStockMove(u, u.stock_change, 'stock_change', ctx));
export type AbiInventoryUpdate = z.infer<typeof abiInventorySchema>;

export type AbiTransaction = z.infer<typeof abiTransactionSchema>;
/** One of its event documents. */
export type AbiDoc = AbiTransaction | AbiActivity | AbiInventoryUpdate;

export const abiEventSchemas = {
  transactions: abiTransactionSchema,
  user_activities: abiActivitySchema,
  inventory_updates: abiInventorySchema,
} as const;

/** Fields its validators type as `double` (written as BSON doubles even when whole), and ours beside them. */
export const abiEventDoubles = {
  transactions: ['unit_price', 'total_amount', 'discount', 'final_amount', 'shipping_cost', 'tax_amount', 'product_info.base_price', 'product_info.cost', 'product_info.rating'],
  inventory_updates: ['cost_per_unit'],
  user_activities: [],
} as const;

/** What --dirty-rate breaks in its documents. */
export const abiDirtyFields: DirtyFields = {
  required: { transactions: 'product_id', user_activities: 'activity_type', inventory_updates: 'update_id' },
  numeric: { transactions: 'quantity', user_activities: 'duration_seconds', inventory_updates: 'stock_change' },
};

export const abiEvents: EventShape<AbiDoc> = {
  collections: ['transactions', 'user_activities', 'inventory_updates'],
  schemas: abiEventSchemas,
  paceBy: { collection: 'transactions', records: abiRecordsPerBatchUnit },
  renderer: (catalog, partition) => new AdaptiveBiRenderer(catalog, partition.index),
  dirtyFields: abiDirtyFields,
  // A transaction is one line of an order.
  labels: { transactions: 'order lines', user_activities: 'activity', inventory_updates: 'inventory' },
};
