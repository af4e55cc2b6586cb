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
} from '../catalog/adaptive-bi.js';
import { genders } from '../catalog/reference.js';
import { money } from '../catalog/schemas.js';
import type { CartLine } from './checkout.js';
import type { DirtyFields } from './dirty.js';
import {
  type CartEvent,
  type EventCollection,
  type EventDoc,
  type InventoryUpdate,
  type ProductView,
  type Transaction,
  type UserActivity,
  cents,
  checkStockMove,
  eventId,
  inventoryUpdateTypes,
} from './schemas.js';
import type { StoreCatalog } from '../catalog/store-catalog.js';

/**
 * The engine's records in the shapes of the Adaptive-BI Phase 1 service (seed design 000, docs/SEEDS.md:
 * data_generator.py): its three event collections, fields, ids and vocabularies. Views, cart
 * events and our activities all become its `user_activities`; an order of several products
 * becomes one transaction per line, sharing an `order_id`.
 */

/** What the engine knows about a record beyond the record itself. */
export interface ShapeContext {
  session?: { device: string; browser: string; source: string; ip: string; startedAt: number; user: number };
  /** Simulated time now (ms): how long the visit has lasted. */
  sim: number;
  /** The order's lines, in the order of its items. */
  lines?: readonly CartLine[];
  /** The product a record is about (index). */
  product?: number | null;
  /** A cart line's quantity before an update_quantity. */
  previousQty?: number;
}

/** What the shaper may ask of the engine. */
export interface ShapeTools {
  /** A fresh record id (the next in the partition's sequence). */
  nextId(): string;
  /** A UUID derived from a record id, unique as the id is. */
  uuid(id: string): string;
  /** This partition's stock of a product now. */
  stockOf(product: number): number;
}

export interface Shaped {
  collection: EventCollection;
  doc: EventDoc;
}

const site = 'https://shop.example.com';
const paymentName: Record<Transaction['payment_method'], string> = {
  credit_card: 'Credit Card',
  debit_card: 'Debit Card',
  paypal: 'PayPal',
  apple_pay: 'Digital Wallet',
  google_pay: 'Digital Wallet',
  // Not in its vocabulary: a bank transfer is paid from the account, like a debit card.
  bank_transfer: 'Debit Card',
};
const deviceName: Record<string, string> = { desktop: 'Desktop', mobile: 'Mobile', tablet: 'Tablet' };
// Its four browsers: Samsung Internet and the app are Chromium inside.
const browserName: Record<string, string> = { chrome: 'Chrome', safari: 'Safari', firefox: 'Firefox', edge: 'Edge', samsung_internet: 'Chrome', app: 'Chrome' };
const sourceName: Record<string, string> = { direct: 'Direct', organic_search: 'Google', paid_search: 'Ads', email: 'Email', social: 'Social Media', referral: 'Direct' };
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

const ourNumber = (id: string) => Number(id.slice(4));
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

export class AdaptiveBiShaper {
  private readonly updatedBy: string;

  constructor(
    private readonly catalog: StoreCatalog,
    /** This partition's warehouse: its updates are made by `system_<index + 1>`. */
    warehouseIndex: number,
  ) {
    this.updatedBy = `system_${warehouseIndex + 1}`;
  }

  shape(collection: EventCollection, doc: EventDoc, at: ShapeContext, tools: ShapeTools): Shaped[] {
    switch (collection) {
      case 'transactions':
        return this.transaction(doc as Transaction, at, tools);
      case 'inventory_updates':
        return [{ collection, doc: this.inventory(doc as InventoryUpdate, at.product!, tools) as unknown as EventDoc }];
      case 'user_activities':
        return [this.activity(doc as UserActivity, tools)];
      case 'product_views':
        return [this.view(doc as ProductView, at, tools)];
      case 'cart_events':
        return this.cart(doc as CartEvent, at, tools);
    }
  }

  private transaction(t: Transaction, at: ShapeContext, tools: ShapeTools): Shaped[] {
    const c = this.catalog;
    const s = at.session!;
    const u = s.user;
    const totals = t.items.map((i) => Math.round(i.line_total * 100));
    const discount = allocateCents(Math.round(t.discount_amount * 100), totals);
    const tax = allocateCents(Math.round(t.tax_amount * 100), totals);
    const shipping = allocateCents(Math.round(t.shipping_cost * 100), totals);
    const country = t.user_snapshot.country;
    const userInfo = {
      age: t.user_snapshot.age,
      gender: abiGender(genders[c.userGender[u]]),
      country: abiCountry(country),
      region: abiWorldRegion(country),
      customer_segment: abiSegment(t.user_snapshot.customer_segment),
    };
    const sessionInfo = {
      device: deviceName[s.device],
      browser: browserName[s.browser],
      source: sourceName[s.source],
      session_duration: Math.round((at.sim - s.startedAt) / 1000),
    };
    return t.items.map((item, k) => {
      const p = at.lines![k].product;
      const id = k === 0 ? t._id : tools.nextId();
      return {
        collection: 'transactions' as const,
        doc: {
          _id: id,
          transaction_id: tools.uuid(id),
          order_id: t._id,
          user_id: abiUserId(ourNumber(t.user_id)),
          product_id: abiProductId(ourNumber(item.product_id)),
          product_name: item.product_name,
          category: abiCategory(item.category),
          quantity: item.quantity,
          unit_price: item.unit_price,
          total_amount: item.line_total,
          discount: discount[k] / 100,
          final_amount: (totals[k] - discount[k] + tax[k] + shipping[k]) / 100,
          payment_method: paymentName[t.payment_method],
          shipping_cost: shipping[k] / 100,
          tax_amount: tax[k] / 100,
          timestamp: t.timestamp,
          user_info: userInfo,
          product_info: {
            brand: item.brand,
            base_price: item.base_price,
            cost: c.costCents[p] / 100,
            rating: c.productRating[p] / 10,
            stock_quantity: tools.stockOf(p),
          },
          session_info: sessionInfo,
          is_fraud: t.is_fraud,
          is_returned: t.is_returned,
          anomaly_type: t.anomaly_type,
          session_id: t.session_id,
        } as unknown as EventDoc,
      };
    });
  }

  private inventory(u: InventoryUpdate, p: number, tools: ShapeTools): AbiInventoryUpdate {
    const c = this.catalog;
    return {
      _id: u._id,
      update_id: tools.uuid(u._id),
      product_id: abiProductId(ourNumber(u.product_id)),
      previous_stock: u.previous_stock,
      stock_change: u.quantity_change,
      new_stock: u.new_stock,
      update_type: u.update_type,
      timestamp: u.timestamp,
      updated_by: this.updatedBy,
      cost_per_unit: c.costCents[p] / 100,
      // Restocks come from the brand's distributor; sales, returns and counts have no supplier.
      supplier: u.update_type === 'restock' ? `${c.productBrands[p]} Distribution` : null,
      warehouse_id: u.warehouse_id,
      order_id: u.reference_id,
    };
  }

  private activityDoc(
    base: { _id: string; session_id: string; user_id: string; timestamp: Date },
    type: AbiActivity['activity_type'],
    page: string,
    product: string | null,
    seconds: number,
    who: { device: string; browser: string; ip: string },
    tools: ShapeTools,
    extra: { search_query?: string | null; referrer?: string | null } = {},
  ): Shaped {
    const doc: AbiActivity = {
      _id: base._id,
      activity_id: tools.uuid(base._id),
      user_id: abiUserId(ourNumber(base.user_id)),
      activity_type: type,
      page_url: site + page,
      search_query: extra.search_query ?? null,
      product_id: product === null ? null : abiProductId(ourNumber(product)),
      timestamp: base.timestamp,
      session_id: base.session_id,
      ip_address: who.ip,
      user_agent: userAgent(who.device, who.browser),
      referrer: extra.referrer ?? null,
      duration_seconds: seconds,
    };
    return { collection: 'user_activities', doc: doc as unknown as EventDoc };
  }

  private activity(a: UserActivity, tools: ShapeTools): Shaped {
    const who = { device: a.device_type, browser: a.browser, ip: a.ip_address };
    const page = a.product_id !== null && a.activity_type !== 'page_view' ? `${a.page}/${abiProductId(ourNumber(a.product_id))}` : a.page;
    const referrer = a.activity_type === 'login' ? referrerOf[a.traffic_source] : null;
    return this.activityDoc(a, a.activity_type, page, a.product_id, a.duration_seconds ?? 0, who, tools, { referrer });
  }

  private view(v: ProductView, at: ShapeContext, tools: ShapeTools): Shaped {
    const s = at.session!;
    const who = { device: s.device, browser: s.browser, ip: s.ip };
    const pid = abiProductId(ourNumber(v.product_id));
    if (v.event_type === 'search') {
      return this.activityDoc(v, 'search', `/search?q=${encodeURIComponent(v.search_query ?? '')}`, v.product_id, v.duration_seconds, who, tools, { search_query: v.search_query });
    }
    const page =
      v.event_type === 'filter'
        ? `/category/${slug(abiCategory(v.category))}?product=${pid}`
        : v.event_type === 'compare'
          ? `/compare?products=${pid},${abiProductId(ourNumber(v.compared_product_id ?? v.product_id))}`
          : `/products/${pid}`;
    return this.activityDoc(v, 'page_view', page, v.product_id, v.duration_seconds, who, tools);
  }

  private cart(e: CartEvent, at: ShapeContext, tools: ShapeTools): Shaped[] {
    const s = at.session!;
    const who = { device: s.device, browser: s.browser, ip: s.ip };
    switch (e.event_type) {
      case 'add':
        return [this.activityDoc(e, 'add_to_cart', '/cart', e.product_id, 0, who, tools)];
      case 'remove':
        return [this.activityDoc(e, 'remove_from_cart', '/cart', e.product_id, 0, who, tools)];
      case 'update_quantity':
        return [this.activityDoc(e, e.quantity >= (at.previousQty ?? 0) ? 'add_to_cart' : 'remove_from_cart', '/cart', e.product_id, 0, who, tools)];
      case 'checkout':
        return [this.activityDoc(e, 'page_view', '/checkout', null, 0, who, tools)];
      case 'abandon':
        // Its vocabulary has no abandonment: the visit's logout follows, and the cart stays unordered.
        return [];
    }
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
    order_id: eventId.nullable(),
  })
  .superRefine((u, ctx) => checkStockMove(u, u.stock_change, 'stock_change', ctx));
export type AbiInventoryUpdate = z.infer<typeof abiInventorySchema>;

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
