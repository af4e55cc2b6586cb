import { type EventCollection, eventCollections } from '../shared/collections.js';
import { z } from 'zod';
import { categoryNames, countryCodes, customerSegments } from '../catalog/reference.js';
import { money } from '../catalog/schemas.js';
import { scenarioNames } from '../scenarios/spec.js';

/**
 * One zod schema per event collection: the single definition of each document's shape.
 * Types come from z.infer; MongoDB validators are derived from these (src/sinks/mongo/collections.ts).
 */

/** Derived record id: base36 seed, partition index.count, base36 sequence (see events/ids.ts). */
export const eventIdPattern = /^[0-9a-z]+-\d+\.\d+-[0-9a-z]+$/;
export const eventId = z.string().regex(eventIdPattern);
const sessionId = z.string().regex(/^SES-[0-9a-z]+-\d+\.\d+-[0-9a-z]+$/);
const userRef = z.string().regex(/^USR_\d{7,}$/);
const productRef = z.string().regex(/^PRD_\d{6,}$/);
const category = z.enum(categoryNames as [string, ...string[]]);
const country = z.enum(countryCodes as [string, ...string[]]);

export const deviceTypes = ['desktop', 'mobile', 'tablet'] as const;
export const browsers = ['chrome', 'safari', 'firefox', 'edge', 'samsung_internet', 'app'] as const;
export const trafficSources = ['direct', 'organic_search', 'paid_search', 'email', 'social', 'referral'] as const;
export const viewTypes = ['view', 'search', 'filter', 'compare'] as const;
export const cartEventTypes = ['add', 'remove', 'update_quantity', 'checkout', 'abandon'] as const;
export const activityTypes = ['login', 'logout', 'page_view', 'wishlist_add', 'review_submit'] as const;
export const inventoryUpdateTypes = ['restock', 'sale', 'adjustment', 'return'] as const;
export const paymentMethods = ['credit_card', 'debit_card', 'paypal', 'apple_pay', 'google_pay', 'bank_transfer'] as const;
export const orderStatuses = ['placed', 'paid', 'packed', 'shipped', 'delivered', 'cancelled', 'return_requested', 'returned', 'refunded'] as const;
export type OrderStatus = (typeof orderStatuses)[number];
export const cancelReasons = ['payment_failed', 'customer_request', 'fraud_review'] as const;
export const returnReasons = ['damaged', 'not_as_described', 'wrong_size', 'changed_mind', 'arrived_late'] as const;
export const carriers = ['UPS', 'FedEx', 'DHL', 'USPS', 'national_post'] as const;
export const priceChangeReasons = ['repricing', 'promotion_start', 'promotion_end'] as const;
export const userChangeTypes = ['segment_upgrade', 'churned', 'reactivated'] as const;
export const anomalyTypes = ['high_value', 'high_quantity', 'order_burst', 'country_mismatch', 'card_testing'] as const;
export type AnomalyType = (typeof anomalyTypes)[number];

/**
 * What a labelled scenario (issue 25) adds to the records it touches: their labels, and for a
 * record delivered late, when it was delivered (`ingested_at`, after its `timestamp`).
 */
export const scenarioLabelFields = {
  scenarios: z.array(z.enum(scenarioNames)).min(1).optional(),
  ingested_at: z.date().optional(),
};

/** An amount in whole cents (amounts are compared in cents, never as floats). */
export function cents(x: number): number {
  return Math.round(x * 100);
}

export const productViewSchema = z
  .strictObject({
  _id: eventId,
  session_id: sessionId,
  user_id: userRef,
  event_type: z.enum(viewTypes),
  product_id: productRef,
  category,
  // schema-drift (issue 25): from its start on, a producer upgrade renames it displayed_price.
  price_shown: money.positive().optional(),
  displayed_price: money.positive().optional(),
  search_query: z.string().min(1).nullable(),
  compared_product_id: productRef.nullable(),
  duration_seconds: z.number().int().nonnegative(),
  device_type: z.enum(deviceTypes),
  timestamp: z.date(),
  ...scenarioLabelFields,
})
  .refine((v) => (v.price_shown === undefined) !== (v.displayed_price === undefined), {
    message: 'a view has its price as price_shown or, after a schema drift, as displayed_price: exactly one',
    path: ['price_shown'],
  });
export type ProductView = z.infer<typeof productViewSchema>;

export const cartEventSchema = z
  .strictObject({
    _id: eventId,
    session_id: sessionId,
    user_id: userRef,
    event_type: z.enum(cartEventTypes),
    product_id: productRef.nullable(),
    quantity: z.number().int().nonnegative(),
    unit_price: money.positive().nullable(),
    cart_items: z.number().int().nonnegative(),
    cart_value: money,
    timestamp: z.date(),
    ...scenarioLabelFields,
  })
  .refine((e) => e.event_type !== 'checkout' || (e.cart_items === 0 && e.cart_value === 0), {
    message: 'a checkout empties the cart',
    path: ['cart_items'],
  });
export type CartEvent = z.infer<typeof cartEventSchema>;

export const lineItemSchema = z.strictObject({
  product_id: productRef,
  product_name: z.string().min(1),
  category,
  brand: z.string().min(1),
  base_price: money.positive(),
  quantity: z.number().int().positive(),
  unit_price: money.positive(),
  line_total: money.positive(),
});
export type LineItem = z.infer<typeof lineItemSchema>;

/**
 * What an order_events document changes on its order besides status and version: the fields
 * the order document gains as it moves (each optional: an order has them once it got there).
 */
export const orderChangeFields = {
  warehouse_id: z.string().regex(/^WH-\d+\.\d+$/),
  carrier: z.enum(carriers),
  tracking_number: z.string().min(8),
  delivered_late: z.boolean(),
  cancel_reason: z.enum(cancelReasons),
  return_reason: z.enum(returnReasons),
  refund_amount: money.positive(),
  is_returned: z.literal(true),
};

/** The order's current state under the living store: status, its history, a version that every transition raises. */
const orderStateFields = {
  status: z.enum(orderStatuses).optional(),
  status_history: z.array(z.strictObject({ status: z.enum(orderStatuses), at: z.date() })).min(1).optional(),
  version: z.number().int().positive().optional(),
  updated_at: z.date().optional(),
  warehouse_id: orderChangeFields.warehouse_id.optional(),
  carrier: orderChangeFields.carrier.optional(),
  tracking_number: orderChangeFields.tracking_number.optional(),
  delivered_late: orderChangeFields.delivered_late.optional(),
  cancel_reason: orderChangeFields.cancel_reason.optional(),
  return_reason: orderChangeFields.return_reason.optional(),
  refund_amount: orderChangeFields.refund_amount.optional(),
};

export const transactionSchema = z
  .strictObject({
    _id: eventId,
    transaction_id: eventId,
    session_id: sessionId,
    user_id: userRef,
    items: z.array(lineItemSchema).min(1),
    item_count: z.number().int().positive(),
    subtotal: money.positive(),
    discount_amount: money,
    tax_amount: money,
    shipping_cost: money,
    final_amount: money.positive(),
    currency: z.literal('USD'),
    payment_method: z.enum(paymentMethods),
    user_snapshot: z.strictObject({
      country,
      region: z.string().min(1),
      customer_segment: z.enum(customerSegments),
      age: z.number().int().min(18).max(80),
    }),
    shipping_country: country,
    billing_country: country,
    ip_country: country,
    is_fraud: z.boolean(),
    anomaly_type: z.enum(anomalyTypes).nullable(),
    is_returned: z.boolean(),
    timestamp: z.date(),
    ...scenarioLabelFields,
    // The living store (absent with --lifecycle off): the order's current state, kept by its order_events.
    ...orderStateFields,
  })
  .superRefine((t, ctx) => {
    if (t._id !== t.transaction_id) ctx.addIssue({ code: 'custom', message: 'transaction_id must equal _id', path: ['transaction_id'] });
    let sub = 0;
    let count = 0;
    t.items.forEach((it, i) => {
      if (cents(it.unit_price) * it.quantity !== cents(it.line_total)) {
        ctx.addIssue({ code: 'custom', message: 'line_total must be quantity × unit_price', path: ['items', i, 'line_total'] });
      }
      sub += cents(it.line_total);
      count += it.quantity;
    });
    if (sub !== cents(t.subtotal)) ctx.addIssue({ code: 'custom', message: 'subtotal must be the sum of line totals', path: ['subtotal'] });
    if (count !== t.item_count) ctx.addIssue({ code: 'custom', message: 'item_count must be the sum of quantities', path: ['item_count'] });
    if (cents(t.subtotal) - cents(t.discount_amount) + cents(t.tax_amount) + cents(t.shipping_cost) !== cents(t.final_amount)) {
      ctx.addIssue({ code: 'custom', message: 'final_amount must equal subtotal - discount + tax + shipping', path: ['final_amount'] });
    }
    if (t.is_fraud !== (t.anomaly_type !== null)) ctx.addIssue({ code: 'custom', message: 'anomaly_type is set exactly when is_fraud', path: ['anomaly_type'] });
  });
export type Transaction = z.infer<typeof transactionSchema>;

export const userActivitySchema = z.strictObject({
  _id: eventId,
  session_id: sessionId,
  user_id: userRef,
  activity_type: z.enum(activityTypes),
  page: z.string().min(1),
  product_id: productRef.nullable(),
  /** How long the user stayed: on the page (page_view, review_submit), or the whole visit (logout). */
  duration_seconds: z.number().int().nonnegative().nullable(),
  device_type: z.enum(deviceTypes),
  browser: z.enum(browsers),
  traffic_source: z.enum(trafficSources),
  ip_address: z.ipv4(),
  timestamp: z.date(),
  ...scenarioLabelFields,
});
export type UserActivity = z.infer<typeof userActivitySchema>;

/** The stock ledger's rules for one update whose change is in field `field` (every profile's). */
export function checkStockMove(u: { previous_stock: number; new_stock: number; update_type: string }, change: number, field: string, ctx: z.RefinementCtx): void {
  if (u.previous_stock + change !== u.new_stock) ctx.addIssue({ code: 'custom', message: `new_stock must equal previous_stock + ${field}`, path: ['new_stock'] });
  if (!(u.update_type === 'sale' ? change < 0 : u.update_type === 'adjustment' || change > 0)) {
    ctx.addIssue({ code: 'custom', message: 'sales decrease stock, restocks and returns increase it', path: [field] });
  }
}

export const inventoryUpdateSchema = z
  .strictObject({
    _id: eventId,
    product_id: productRef,
    warehouse_id: z.string().regex(/^WH-\d+\.\d+$/),
    update_type: z.enum(inventoryUpdateTypes),
    previous_stock: z.number().int().nonnegative(),
    quantity_change: z.number().int(),
    new_stock: z.number().int().nonnegative(),
    reference_id: eventId.nullable(),
    timestamp: z.date(),
    ...scenarioLabelFields,
  })
  .superRefine((u, ctx) => checkStockMove(u, u.quantity_change, 'quantity_change', ctx));
export type InventoryUpdate = z.infer<typeof inventoryUpdateSchema>;

/**
 * One transition of an order (the append-only change log of the living store). The order
 * document holds the fold of its events: `status` = the last `to_status`, `version` = the last
 * `version` (1 at placement, +1 per transition), `status_history` = every (to_status, timestamp),
 * `updated_at` = the last timestamp, and each field of `changes` set on it.
 */
export const orderEventSchema = z
  .strictObject({
    _id: eventId,
    order_id: eventId,
    user_id: userRef,
    from_status: z.enum(orderStatuses).nullable(),
    to_status: z.enum(orderStatuses),
    version: z.number().int().positive(),
    changes: z.strictObject({
      warehouse_id: orderChangeFields.warehouse_id.optional(),
      carrier: orderChangeFields.carrier.optional(),
      tracking_number: orderChangeFields.tracking_number.optional(),
      delivered_late: orderChangeFields.delivered_late.optional(),
      cancel_reason: orderChangeFields.cancel_reason.optional(),
      return_reason: orderChangeFields.return_reason.optional(),
      refund_amount: orderChangeFields.refund_amount.optional(),
      is_returned: orderChangeFields.is_returned.optional(),
    }),
    timestamp: z.date(),
    ...scenarioLabelFields,
  })
  .refine((e) => (e.from_status === null) === (e.version === 1 && e.to_status === 'placed'), {
    message: 'only the placement (version 1) has no from_status',
    path: ['from_status'],
  });
export type OrderEvent = z.infer<typeof orderEventSchema>;

/** A product's price moved (repricing, a promotion starting or ending); the product's `price` follows. */
export const priceChangeSchema = z
  .strictObject({
    _id: eventId,
    product_id: productRef,
    category,
    old_price: money.positive(),
    new_price: money.positive(),
    reason: z.enum(priceChangeReasons),
    timestamp: z.date(),
    ...scenarioLabelFields,
  })
  .refine((c) => c.old_price !== c.new_price, { message: 'a price change changes the price', path: ['new_price'] });
export type PriceChange = z.infer<typeof priceChangeSchema>;

/** A review after a delivery; the product's `rating` and `review_count` follow. */
export const reviewSchema = z.strictObject({
  _id: eventId,
  order_id: eventId,
  user_id: userRef,
  product_id: productRef,
  category,
  rating: z.number().int().min(1).max(5),
  delivered_late: z.boolean(),
  timestamp: z.date(),
  ...scenarioLabelFields,
});
export type Review = z.infer<typeof reviewSchema>;

/** A user's segment or activity changed; the user document follows. */
export const userChangeSchema = z.strictObject({
  _id: eventId,
  user_id: userRef,
  change: z.enum(userChangeTypes),
  customer_segment: z.enum(customerSegments),
  is_active: z.boolean(),
  timestamp: z.date(),
  ...scenarioLabelFields,
});
export type UserChange = z.infer<typeof userChangeSchema>;

/** The schema of each event collection (the list itself is in shared/collections.ts). */
export const eventSchemas = {
  product_views: productViewSchema,
  cart_events: cartEventSchema,
  transactions: transactionSchema,
  user_activities: userActivitySchema,
  inventory_updates: inventoryUpdateSchema,
  order_events: orderEventSchema,
  price_changes: priceChangeSchema,
  reviews: reviewSchema,
  user_changes: userChangeSchema,
} as const satisfies Record<EventCollection, z.ZodType>;

export { eventCollections, type EventCollection };
export type EventDoc = ProductView | CartEvent | Transaction | UserActivity | InventoryUpdate | OrderEvent | PriceChange | Review | UserChange;
