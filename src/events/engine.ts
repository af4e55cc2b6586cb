import { categories, customerSegments } from '../catalog/reference.js';
import type { Mix, Partition } from '../config/values.js';
import { type Clock, RealClock, SimulatedClock } from './clock.js';
import { type DirtyKind, corrupt, pickDirtyKind } from './dirty.js';
import { type CartLine, dynamicPriceCents, priceOrder } from './checkout.js';
import { type FraudPlan, FraudPlanner } from './fraud-planner.js';
import { idPrefix } from './ids.js';
import { CART, MixController, ORDER, VIEW } from './mix-controller.js';
import { StockLedger } from './stock-ledger.js';
import { Rng, cumulative, mixSeed } from '../shared/rng.js';
import {
  type AnomalyType,
  type CartEvent,
  type EventCollection,
  type EventDoc,
  type InventoryUpdate,
  type ProductView,
  type Transaction,
  type UserActivity,
  browsers,
  deviceTypes,
  paymentMethods,
  trafficSources,
} from './schemas.js';
import type { StoreCatalog } from './store-catalog.js';

/** One generated record with its place in the partition's sequence. */
export interface EngineRecord {
  collection: EventCollection;
  doc: EventDoc;
  seq: number;
  /** Set when --dirty-rate corrupted this record on purpose. */
  dirty: DirtyKind | null;
}

export interface EngineOptions {
  seed: number;
  partition: Partition;
  mix: Mix;
  fraudRate: number;
  dirtyRate: number;
  /** Backfill start: simulated clock. Absent: real time. */
  from?: Date;
  /** Session steps per second of the whole store at average activity (simulated clock). */
  storeStepsPerSecond?: number;
  /** Wall clock for real-time mode (tests inject one). */
  wall?: () => number;
}

interface Session {
  id: string;
  user: number;
  device: (typeof deviceTypes)[number];
  browser: (typeof browsers)[number];
  source: (typeof trafficSources)[number];
  ip: string;
  loggedIn: boolean;
  stepsLeft: number;
  viewed: number[];
  cart: CartLine[];
  fraud: FraudPlan | null;
}

const activeSessions = 64;
const reorderPoint = 10;
const priceEpochSessions = 500;
const deviceWeights = cumulative([45, 45, 10]);
const browserWeights = cumulative([48, 26, 8, 8, 4, 6]);
const sourceWeights = cumulative([30, 28, 12, 10, 12, 8]);
const viewTypeWeights = cumulative([70, 15, 10, 5]);
const paymentWeights = cumulative([42, 18, 20, 10, 6, 4]);

/**
 * The session state machine of one partition of the store: visits arrive, view, change their
 * carts, check out or abandon, and leave, emitting views, cart events, orders, user activity
 * and inventory records (labelled fraud and, optionally, corrupted records). The mix
 * controller, fraud planner, checkout money and stock ledger are their own modules.
 * Deterministic: the same options give the same record sequence, and in a backfill the same
 * timestamps too.
 */
export class EventEngine {
  private readonly rng: Rng;
  private readonly dirtyRng: Rng;
  private readonly clock: Clock;
  private readonly prefix: string;
  private readonly sessionPrefix: string;
  private readonly ledger: StockLedger;
  private readonly mix: MixController;
  private readonly fraud: FraudPlanner;
  private readonly sessions: Session[] = [];
  private queue: EngineRecord[] = [];
  private head = 0;
  private nextSeq = 0;
  private sessionCount = 0;
  private now = 0;

  constructor(
    private readonly catalog: StoreCatalog,
    private readonly o: EngineOptions,
  ) {
    const p = o.partition;
    this.rng = new Rng(mixSeed(o.seed, p.index, p.count, 0xe1));
    this.dirtyRng = new Rng(mixSeed(o.seed, p.index, p.count, 0xd1));
    const clockRng = new Rng(mixSeed(o.seed, p.index, p.count, 0xc1));
    const stepsPerSecond = (o.storeStepsPerSecond ?? 12) / p.count;
    this.clock = o.from ? new SimulatedClock(o.from, clockRng, stepsPerSecond) : new RealClock(o.wall);
    this.prefix = idPrefix(o.seed, p);
    this.sessionPrefix = `SES-${this.prefix}`;
    // This partition's warehouse holds its share of every product's stock.
    this.ledger = new StockLedger(catalog.initialStock, `WH-${p.index}.${p.count}`, p.index, p.count);
    this.mix = new MixController(o.mix);
    this.fraud = new FraudPlanner(o.fraudRate);
    for (let i = 0; i < activeSessions; i++) this.sessions.push(this.startSession());
  }

  /** Sequence number the next record will get. */
  get sequence(): number {
    return this.nextSeq - (this.queue.length - this.head);
  }

  /** Current (simulated or wall) time of the engine, ms. */
  get clockMs(): number {
    return this.clock.now();
  }

  /**
   * The next `n` records, in sequence order. With `until` (ms), stops before the first record
   * stamped at or after it (the batch is then shorter than n).
   */
  take(n: number, until?: number): EngineRecord[] {
    const out: EngineRecord[] = [];
    while (out.length < n) {
      if (this.head >= this.queue.length) {
        this.queue = [];
        this.head = 0;
        this.step();
        continue;
      }
      const rec = this.queue[this.head];
      if (until !== undefined && (rec.doc.timestamp as Date).getTime() >= until) break;
      this.head++;
      out.push(rec);
    }
    return out;
  }

  /** Generates and discards records up to (excluding) sequence `seq` (resume). */
  skipTo(seq: number): void {
    while (this.sequence < seq) this.take(Math.min(10_000, seq - this.sequence));
  }

  private emit(collection: EventCollection, doc: EventDoc): void {
    let dirty: DirtyKind | null = null;
    if (this.o.dirtyRate > 0 && this.dirtyRng.next() < this.o.dirtyRate) {
      dirty = corrupt(collection, doc as unknown as Record<string, unknown>, pickDirtyKind(this.dirtyRng));
    }
    this.queue.push({ collection, doc, seq: this.nextSeq - 1, dirty });
  }

  private newId(): string {
    return this.prefix + (this.nextSeq++).toString(36);
  }

  // ---- sessions -------------------------------------------------------------------------

  private startSession(): Session {
    const r = this.rng;
    const c = this.catalog;
    this.sessionCount++;
    const fraud = this.fraud.plan(r);
    return {
      id: this.sessionPrefix + this.sessionCount.toString(36),
      user: r.int(c.userCount),
      device: deviceTypes[r.weighted(deviceWeights)],
      browser: browsers[r.weighted(browserWeights)],
      source: trafficSources[r.weighted(sourceWeights)],
      ip: `${r.between(11, 223)}.${r.int(256)}.${r.int(256)}.${r.between(1, 254)}`,
      loggedIn: false,
      stepsLeft: 2 + Math.round(r.exp(9)),
      viewed: [],
      cart: [],
      fraud,
    };
  }

  /** One step of one active session at the next clock tick. */
  private step(): void {
    this.now = this.clock.tick();
    const i = this.rng.int(this.sessions.length);
    const s = this.sessions[i];
    if (!s.loggedIn) {
      this.arrive(s);
      return;
    }
    const ended = s.fraud ? this.fraudStep(s) : this.shopStep(s);
    if (ended) {
      this.leave(s);
      this.sessions[i] = this.startSession();
    }
  }

  private arrive(s: Session): void {
    s.loggedIn = true;
    this.activity(s, 'login', '/login', null);
  }

  private leave(s: Session): void {
    if (s.cart.length > 0) this.cartEvent(s, 'abandon', null, 0, null);
    this.activity(s, 'logout', '/logout', null);
    this.fraud.ended(s.fraud);
  }

  /** A normal shopper: the mix controller picks views, cart changes or an order. Returns true when the visit ends. */
  private shopStep(s: Session): boolean {
    const r = this.rng;
    if (r.chance(0.06)) {
      this.extraActivity(s);
      return false;
    }
    s.stepsLeft--;
    const kind = this.mix.choose(r);
    if (kind === VIEW) this.view(s);
    else if (kind === CART || s.cart.length === 0) this.cartChange(s);
    else {
      this.checkout(s, null);
      if (r.chance(0.6)) return true;
    }
    return s.stepsLeft <= 0;
  }

  private fraudStep(s: Session): boolean {
    const plan = s.fraud!;
    const r = this.rng;
    const c = this.catalog;
    if (s.cart.length === 0) {
      if (plan.type === 'high_value') {
        const n = r.between(2, 4);
        for (let k = 0; k < n; k++) this.addToCart(s, c.priciest[r.int(c.priciest.length)], r.between(1, 2));
      } else if (plan.type === 'high_quantity') {
        this.addToCart(s, this.popularProduct(), r.between(20, 50));
      } else if (plan.type === 'card_testing') {
        this.addToCart(s, c.cheapest[r.int(c.cheapest.length)], 1);
      } else {
        this.addToCart(s, this.popularProduct(), r.between(1, 2));
      }
      return false;
    }
    this.checkout(s, plan.type);
    this.fraud.placed(plan);
    return plan.ordersLeft <= 0;
  }

  // ---- records ----------------------------------------------------------------------------

  private popularProduct(): number {
    return this.rng.weighted(this.catalog.productPopularity);
  }

  private browseProduct(s: Session): number {
    const r = this.rng;
    const c = this.catalog;
    if (r.chance(0.45)) {
      const list = c.byCategory[c.userPreferred[s.user]];
      if (list.length > 0) return list[r.int(list.length)];
    }
    return this.popularProduct();
  }

  private priceCents(product: number): number {
    return dynamicPriceCents(this.o.seed, this.catalog.basePriceCents[product], product, Math.floor(this.sessionCount / priceEpochSessions));
  }

  private view(s: Session): void {
    const r = this.rng;
    const c = this.catalog;
    const p = this.browseProduct(s);
    const type = r.weighted(viewTypeWeights);
    const name = c.productNames[p];
    const doc: ProductView = {
      _id: this.newId(),
      session_id: s.id,
      user_id: c.userIds[s.user],
      event_type: type === 0 ? 'view' : type === 1 ? 'search' : type === 2 ? 'filter' : 'compare',
      product_id: c.productIds[p],
      category: categories[c.productCategory[p]].name,
      price_shown: this.priceCents(p) / 100,
      search_query: type === 1 ? name.slice(name.lastIndexOf(' ') + 1).toLowerCase() : null,
      compared_product_id: type === 3 ? c.productIds[this.popularProduct()] : null,
      duration_seconds: Math.round(r.exp(40)),
      device_type: s.device,
      timestamp: new Date(this.now),
    };
    this.mix.record(VIEW);
    this.emit('product_views', doc);
    if (s.viewed.length >= 8) s.viewed.shift();
    s.viewed.push(p);
    if (r.chance(0.03)) this.activity(s, 'wishlist_add', '/wishlist', p);
  }

  private cartChange(s: Session): void {
    const r = this.rng;
    if (s.cart.length === 0 || r.chance(0.6)) {
      const p = s.viewed.length > 0 && r.chance(0.8) ? s.viewed[r.int(s.viewed.length)] : this.browseProduct(s);
      this.addToCart(s, p, r.chance(0.8) ? 1 : r.between(2, 3));
      return;
    }
    const li = r.int(s.cart.length);
    const line = s.cart[li];
    if (r.chance(0.45)) {
      s.cart.splice(li, 1);
      this.cartEvent(s, 'remove', line.product, line.qty, line.unitCents);
    } else {
      const qty = line.qty === 1 ? 2 : r.chance(0.5) ? line.qty - 1 : line.qty + 1;
      const newQty = Math.min(qty, Math.max(1, this.ledger.level(line.product)));
      line.qty = newQty;
      this.cartEvent(s, 'update_quantity', line.product, newQty, line.unitCents);
    }
  }

  private addToCart(s: Session, p: number, wanted: number): void {
    if (this.ledger.level(p) === 0) this.inventory(p, 'restock', this.rng.between(100, 400), null);
    const qty = Math.max(1, Math.min(wanted, this.ledger.level(p)));
    const existing = s.cart.find((l) => l.product === p);
    if (existing) {
      existing.qty = Math.min(existing.qty + qty, Math.max(qty, this.ledger.level(p)));
      this.cartEvent(s, 'add', p, qty, existing.unitCents);
    } else {
      const line = { product: p, qty, unitCents: this.priceCents(p) };
      s.cart.push(line);
      this.cartEvent(s, 'add', p, qty, line.unitCents);
    }
  }

  private cartEvent(s: Session, type: CartEvent['event_type'], product: number | null, qty: number, unitCents: number | null): void {
    let items = 0;
    let value = 0;
    if (type !== 'checkout') {
      for (const l of s.cart) {
        items += l.qty;
        value += l.qty * l.unitCents;
      }
    }
    const doc: CartEvent = {
      _id: this.newId(),
      session_id: s.id,
      user_id: this.catalog.userIds[s.user],
      event_type: type,
      product_id: product === null ? null : this.catalog.productIds[product],
      quantity: qty,
      unit_price: unitCents === null ? null : unitCents / 100,
      cart_items: items,
      cart_value: value / 100,
      timestamp: new Date(this.now),
    };
    this.mix.record(CART);
    this.emit('cart_events', doc);
  }

  /** Checkout: exactly the cart becomes an order; stock moves; the cart is emptied. */
  private checkout(s: Session, anomaly: AnomalyType | null): void {
    const r = this.rng;
    const c = this.catalog;
    // Another shopper of this warehouse may have bought the last units since the add.
    for (let i = s.cart.length - 1; i >= 0; i--) {
      const line = s.cart[i];
      const available = this.ledger.level(line.product);
      if (available >= line.qty) continue;
      if (available === 0) {
        s.cart.splice(i, 1);
        this.cartEvent(s, 'remove', line.product, line.qty, line.unitCents);
      } else {
        line.qty = available;
        this.cartEvent(s, 'update_quantity', line.product, available, line.unitCents);
      }
    }
    if (s.cart.length === 0) return;
    const lines = s.cart;
    s.cart = [];
    this.cartEvent(s, 'checkout', null, lines.reduce((a, l) => a + l.qty, 0), null);

    const txnId = this.newId();
    const u = s.user;
    const money = priceOrder(lines, u, c, anomaly, r);
    const returned = anomaly === null && r.chance(0.06);
    const doc: Transaction = {
      _id: txnId,
      transaction_id: txnId,
      session_id: s.id,
      user_id: c.userIds[u],
      items: money.items,
      item_count: money.itemCount,
      subtotal: money.subtotal / 100,
      discount_amount: money.discount / 100,
      tax_amount: money.tax / 100,
      shipping_cost: money.shipping / 100,
      final_amount: money.total / 100,
      currency: 'USD',
      payment_method: anomaly === 'card_testing' ? 'credit_card' : paymentMethods[r.weighted(paymentWeights)],
      user_snapshot: { country: money.home.code, region: c.userRegion[u], customer_segment: customerSegments[c.userSegment[u]], age: c.userAge[u] },
      shipping_country: money.shipTo.code,
      billing_country: money.billTo.code,
      ip_country: money.ipFrom.code,
      is_fraud: anomaly !== null,
      anomaly_type: anomaly,
      is_returned: returned,
      timestamp: new Date(this.now),
    };
    this.mix.record(ORDER);
    this.fraud.ordered(anomaly);
    this.emit('transactions', doc);
    for (const l of lines) {
      this.inventory(l.product, 'sale', -l.qty, txnId);
      if (this.ledger.level(l.product) < reorderPoint) this.inventory(l.product, 'restock', r.between(100, 400), null);
    }
    if (returned) for (const l of lines) this.inventory(l.product, 'return', l.qty, txnId);
    if (r.chance(0.01)) {
      const p = this.popularProduct();
      const change = Math.max(-this.ledger.level(p), r.between(-5, 5));
      if (change !== 0) this.inventory(p, 'adjustment', change, null);
    }
  }

  private inventory(p: number, type: InventoryUpdate['update_type'], change: number, reference: string | null): void {
    this.emit('inventory_updates', this.ledger.move(this.newId(), this.catalog.productIds[p], p, type, change, reference, new Date(this.now)));
  }

  private activity(s: Session, type: UserActivity['activity_type'], page: string, product: number | null): void {
    const doc: UserActivity = {
      _id: this.newId(),
      session_id: s.id,
      user_id: this.catalog.userIds[s.user],
      activity_type: type,
      page,
      product_id: product === null ? null : this.catalog.productIds[product],
      device_type: s.device,
      browser: s.browser,
      traffic_source: s.source,
      ip_address: s.ip,
      timestamp: new Date(this.now),
    };
    this.emit('user_activities', doc);
  }

  private extraActivity(s: Session): void {
    const r = this.rng;
    if (s.viewed.length > 0 && r.chance(0.25)) {
      this.activity(s, 'review_submit', '/reviews/new', s.viewed[r.int(s.viewed.length)]);
    } else {
      const pages = ['/', '/deals', '/account', '/orders', '/help', '/categories'];
      this.activity(s, 'page_view', pages[r.int(pages.length)], null);
    }
  }
}
