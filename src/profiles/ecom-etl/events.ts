import { categories, customerSegments } from '../../catalog/reference.js';
import { type StoreCatalog, productIdOf, regionNames, userIdOf } from '../../catalog/store-catalog.js';
import { ourDirtyFields } from '../../events/dirty.js';
import type { ScenarioEffects } from '../../events/scenario-effects.js';
import type { ScenarioName } from '../../scenarios/spec.js';
import type {
  ActivityHappened,
  CartChanged,
  EventRenderer,
  EventShape,
  OrderChanged,
  OrderPlaced,
  PriceChanged,
  ProductViewed,
  Reviewed,
  RenderOutput,
  StockMoved,
  UserChanged,
  Visit,
  VisitEnded,
  VisitStarted,
} from '../../events/facts.js';
import {
  type CartEvent,
  type EventDoc,
  type InventoryUpdate,
  type OrderEvent,
  type PriceChange,
  type ProductView,
  type Review,
  type Transaction,
  type UserActivity,
  type UserChange,
  eventCollections,
  eventSchemas,
} from '../../events/schemas.js';

type Out = RenderOutput<EventDoc>;

/**
 * The id strings of the users and products last rendered, by index (a slot per index modulo
 * the size): a visit's records share its user's id and mostly a few products', so most ids are
 * formatted once instead of once per record, and records in flight share their id strings.
 */
class RecentIds {
  private readonly index = new Int32Array(4096).fill(-1);
  private readonly ids: string[] = new Array<string>(4096).fill('');
  constructor(private readonly format: (i: number) => string) {}
  of(i: number): string {
    const slot = i & 4095;
    if (this.index[slot] === i) return this.ids[slot];
    this.index[slot] = i;
    return (this.ids[slot] = this.format(i));
  }
}

/** ecom-etl's own documents: one record per fact, in its five event collections. */
export class EcomEtlRenderer implements EventRenderer<EventDoc> {
  private readonly users: RecentIds;
  private readonly products: RecentIds;

  constructor(
    private readonly catalog: StoreCatalog,
    /** Labelled scenarios (issue 25): the records they touch carry their names. */
    private readonly scenarios?: ScenarioEffects,
  ) {
    this.users = new RecentIds((u) => userIdOf(catalog, u));
    this.products = new RecentIds((p) => productIdOf(catalog, p));
  }

  /**
   * The scenarios that touch a record made at `at`: a visit's records in a black-friday; a bot's
   * in a bot-burst; records of a flash sale's category (`product`, or any of `products`) during
   * it; checkouts, abandoned carts and orders (`payment`) during a payment outage.
   */
  private labels(at: number, visit: Visit | null, product: number | null, payment = false, products?: readonly { product: number }[]): ScenarioName[] | undefined {
    const s = this.scenarios!;
    let labels: ScenarioName[] | undefined;
    if (visit && s.on('black-friday', at)) (labels ??= []).push('black-friday');
    const sale = s.saleAt(at);
    if (sale) {
      const cat = this.catalog.productCategory;
      if ((product !== null && cat[product] === sale.category) || products?.some((l) => cat[l.product] === sale.category)) (labels ??= []).push('flash-sale');
    }
    if (visit?.bot && s.on('bot-burst', at)) (labels ??= []).push('bot-burst');
    if (payment && s.on('payment-outage', at)) (labels ??= []).push('payment-outage');
    return labels;
  }

  visitStarted(f: VisitStarted, out: Out): void {
    this.activityDoc(f.visit, 'login', '/login', null, null, f.at, out);
  }

  visitEnded(f: VisitEnded, out: Out): void {
    this.activityDoc(f.visit, 'logout', '/logout', null, f.seconds, f.at, out);
  }

  activity(f: ActivityHappened, out: Out): void {
    this.activityDoc(f.visit, f.type, f.page, f.product, f.seconds, f.at, out);
  }

  productViewed(f: ProductViewed, out: Out): void {
    const c = this.catalog;
    const doc: ProductView = {
      _id: out.nextId(),
      session_id: f.visit.id,
      user_id: this.users.of(f.visit.user),
      event_type: f.kind,
      product_id: this.products.of(f.product),
      category: categories[c.productCategory[f.product]].name,
      price_shown: f.priceCents / 100,
      search_query: f.searchQuery,
      compared_product_id: f.compared === null ? null : this.products.of(f.compared),
      duration_seconds: f.seconds,
      device_type: f.visit.device,
      timestamp: new Date(f.at),
    };
    if (this.scenarios) {
      const labels = this.labels(f.at, f.visit, f.product);
      // A schema drift: from its start on, the producer calls the price displayed_price.
      if (this.scenarios.on('schema-drift', f.at)) {
        doc.displayed_price = doc.price_shown;
        delete doc.price_shown;
        doc.scenarios = [...(labels ?? []), 'schema-drift'];
      } else if (labels) doc.scenarios = labels;
    }
    out.emit('product_views', doc);
  }

  cartChanged(f: CartChanged, out: Out): void {
    const doc: CartEvent = {
      _id: out.nextId(),
      session_id: f.visit.id,
      user_id: this.users.of(f.visit.user),
      event_type: f.type,
      product_id: f.product === null ? null : this.products.of(f.product),
      quantity: f.qty,
      unit_price: f.unitCents === null ? null : f.unitCents / 100,
      cart_items: f.cartItems,
      cart_value: f.cartValueCents / 100,
      timestamp: new Date(f.at),
    };
    if (this.scenarios) {
      const labels = this.labels(f.at, f.visit, f.product, f.type === 'checkout' || f.type === 'abandon');
      if (labels) doc.scenarios = labels;
    }
    out.emit('cart_events', doc);
  }

  orderPlaced(f: OrderPlaced, out: Out): void {
    const c = this.catalog;
    const u = f.visit.user;
    const money = f.money;
    const doc: Transaction = {
      _id: f.orderId,
      transaction_id: f.orderId,
      session_id: f.visit.id,
      user_id: this.users.of(u),
      items: money.items,
      item_count: money.itemCount,
      subtotal: money.subtotal / 100,
      discount_amount: money.discount / 100,
      tax_amount: money.tax / 100,
      shipping_cost: money.shipping / 100,
      final_amount: money.total / 100,
      currency: 'USD',
      payment_method: f.payment,
      user_snapshot: { country: money.home.code, region: regionNames[c.userRegion[u]], customer_segment: customerSegments[c.userSegment[u]], age: c.userAge[u] },
      shipping_country: money.shipTo.code,
      billing_country: money.billTo.code,
      ip_country: money.ipFrom.code,
      is_fraud: f.anomaly !== null,
      anomaly_type: f.anomaly,
      is_returned: f.returned,
      timestamp: new Date(f.at),
    };
    if (f.tracked) {
      // The living store: the order starts at placed; its order_events move it on.
      doc.status = 'placed';
      doc.status_history = [{ status: 'placed', at: doc.timestamp }];
      doc.version = 1;
      doc.updated_at = doc.timestamp;
    }
    if (this.scenarios) {
      const labels = this.labels(f.at, f.visit, null, true, f.lines);
      if (labels) doc.scenarios = labels;
    }
    out.emit('transactions', doc);
  }

  stockMoved(f: StockMoved, out: Out): void {
    const doc: InventoryUpdate = {
      _id: out.nextId(),
      product_id: this.products.of(f.product),
      warehouse_id: f.warehouse,
      update_type: f.type,
      previous_stock: f.previous,
      quantity_change: f.change,
      new_stock: f.next,
      reference_id: f.reference,
      timestamp: new Date(f.at),
    };
    out.emit('inventory_updates', doc);
  }

  orderChanged(f: OrderChanged, out: Out): void {
    const doc: OrderEvent = {
      _id: out.nextId(),
      order_id: f.orderId,
      user_id: this.users.of(f.user),
      from_status: f.from,
      to_status: f.to,
      version: f.version,
      changes: f.changes,
      timestamp: new Date(f.at),
    };
    if (this.scenarios && f.changes.cancel_reason === 'payment_failed' && this.scenarios.on('payment-outage', f.at)) doc.scenarios = ['payment-outage'];
    out.emit('order_events', doc);
  }

  priceChanged(f: PriceChanged, out: Out): void {
    const doc: PriceChange = {
      _id: out.nextId(),
      product_id: this.products.of(f.product),
      category: categories[this.catalog.productCategory[f.product]].name,
      old_price: f.oldCents / 100,
      new_price: f.newCents / 100,
      reason: f.reason,
      timestamp: new Date(f.at),
    };
    if (this.scenarios && f.reason !== 'repricing') {
      // A flash sale's start or end (its bounds are price changes of its category).
      const at = f.reason === 'promotion_end' ? f.at - 1 : f.at;
      if (this.scenarios.saleAt(at)?.category === this.catalog.productCategory[f.product]) doc.scenarios = ['flash-sale'];
    }
    out.emit('price_changes', doc);
  }

  reviewed(f: Reviewed, out: Out): void {
    const doc: Review = {
      _id: out.nextId(),
      order_id: f.orderId,
      user_id: this.users.of(f.user),
      product_id: this.products.of(f.product),
      category: categories[this.catalog.productCategory[f.product]].name,
      rating: f.rating,
      delivered_late: f.late,
      timestamp: new Date(f.at),
    };
    out.emit('reviews', doc);
  }

  userChanged(f: UserChanged, out: Out): void {
    const doc: UserChange = {
      _id: out.nextId(),
      user_id: this.users.of(f.user),
      change: f.change,
      customer_segment: customerSegments[f.segment],
      is_active: f.active,
      timestamp: new Date(f.at),
    };
    out.emit('user_changes', doc);
  }

  private activityDoc(v: Visit, type: UserActivity['activity_type'], page: string, product: number | null, seconds: number | null, at: number, out: Out): void {
    const doc: UserActivity = {
      _id: out.nextId(),
      session_id: v.id,
      user_id: this.users.of(v.user),
      activity_type: type,
      page,
      product_id: product === null ? null : this.products.of(product),
      duration_seconds: seconds,
      device_type: v.device,
      browser: v.browser,
      traffic_source: v.source,
      ip_address: v.ip,
      timestamp: new Date(at),
    };
    if (this.scenarios) {
      const labels = this.labels(at, v, product);
      if (labels) doc.scenarios = labels;
    }
    out.emit('user_activities', doc);
  }
}

export const ecomEtlEvents: EventShape<EventDoc> = {
  collections: eventCollections,
  schemas: eventSchemas,
  renderer: (catalog, _partition, scenarios) => new EcomEtlRenderer(catalog, scenarios),
  dirtyFields: ourDirtyFields,
  labels: {
    product_views: 'views',
    cart_events: 'cart',
    transactions: 'orders',
    user_activities: 'activity',
    inventory_updates: 'inventory',
    order_events: 'order events',
    price_changes: 'price changes',
    reviews: 'reviews',
    user_changes: 'user changes',
  },
};
