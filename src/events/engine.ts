import { categories, countries, customerSegments } from '../catalog/reference.js';
import type { Mix, Partition } from '../config/values.js';
import { type Clock, RealClock, SimulatedClock } from './clock.js';
import { type DirtyKind, corrupt, pickDirtyKind } from './dirty.js';
import { idPrefix } from './ids.js';
import { Rng, cumulative, mixSeed } from '../shared/rng.js';
import {
  type AnomalyType,
  type CartEvent,
  type EventCollection,
  type EventDoc,
  type InventoryUpdate,
  type LineItem,
  type ProductView,
  type Transaction,
  type UserActivity,
  anomalyTypes,
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

interface CartLine {
  product: number;
  qty: number;
  unitCents: number;
}

interface FraudPlan {
  type: AnomalyType;
  ordersLeft: number;
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
const segmentDiscount = [0, 0, 0.05, 0.1];
const mixKinds = 3;

/**
 * Generates whole shopping sessions for one partition of the store: views, cart changes,
 * orders with their inventory effects, user activity, labelled fraud and (optionally)
 * corrupted records. Deterministic: the same options give the same record sequence, and
 * in a backfill the same timestamps too.
 */
export class EventEngine {
  private readonly rng: Rng;
  private readonly dirtyRng: Rng;
  private readonly clock: Clock;
  private readonly prefix: string;
  private readonly sessionPrefix: string;
  private readonly warehouse: string;
  private readonly stock: Int32Array;
  private readonly sessions: Session[] = [];
  private readonly mixCounts = [0, 0, 0];
  private readonly mixTarget: number[];
  private queue: EngineRecord[] = [];
  private head = 0;
  private nextSeq = 0;
  private sessionCount = 0;
  private orders = 0;
  private fraudOrders = 0;
  private pendingFraudOrders = 0;
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
    this.warehouse = `WH-${p.index}.${p.count}`;
    // This partition's warehouse holds its share of every product's stock.
    this.stock = Int32Array.from(catalog.initialStock, (s) => Math.floor(s / p.count) + (p.index < s % p.count ? 1 : 0));
    this.mixTarget = [o.mix.views, o.mix.cart, o.mix.orders];
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
    let fraud: FraudPlan | null = null;
    if (this.o.fraudRate > 0 && this.fraudOrders + this.pendingFraudOrders < this.o.fraudRate * (this.orders + 1)) {
      const type = anomalyTypes[r.int(anomalyTypes.length)];
      const ordersLeft = type === 'order_burst' ? r.between(3, 6) : type === 'card_testing' ? r.between(5, 10) : 1;
      fraud = { type, ordersLeft };
      this.pendingFraudOrders += ordersLeft;
    }
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
    if (s.fraud) this.pendingFraudOrders -= s.fraud.ordersLeft;
  }

  /** A normal shopper: the mix controller picks views, cart changes or an order. Returns true when the visit ends. */
  private shopStep(s: Session): boolean {
    const r = this.rng;
    if (r.chance(0.06)) {
      this.extraActivity(s);
      return false;
    }
    s.stepsLeft--;
    const kind = this.chooseKind();
    if (kind === 0) this.view(s);
    else if (kind === 1 || s.cart.length === 0) this.cartChange(s);
    else {
      this.checkout(s, null);
      if (r.chance(0.6)) return true;
    }
    return s.stepsLeft <= 0;
  }

  /** Proportional controller: kinds behind their target share get more weight, so the long-run mix converges. */
  private chooseKind(): number {
    const counts = this.mixCounts;
    const total = counts[0] + counts[1] + counts[2] + 1;
    let sum = 0;
    const w = [0, 0, 0];
    for (let k = 0; k < mixKinds; k++) {
      const t = this.mixTarget[k];
      w[k] = t > 0 ? Math.max(0, t * total - counts[k]) + t * 4 : 0;
      sum += w[k];
    }
    let x = this.rng.next() * sum;
    for (let k = 0; k < mixKinds; k++) {
      x -= w[k];
      if (x < 0) return k;
    }
    return 0;
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
    plan.ordersLeft--;
    this.pendingFraudOrders--;
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

  /** Dynamic price within ±20 % of base; changes every few hundred sessions, same for everyone meanwhile. */
  private priceCents(product: number): number {
    const epoch = Math.floor(this.sessionCount / priceEpochSessions);
    const f = 0.8 + 0.4 * (mixSeed(this.o.seed, product, epoch) / 4294967296);
    return Math.max(1, Math.round(this.catalog.basePriceCents[product] * f));
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
    this.mixCounts[0]++;
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
      const newQty = Math.min(qty, Math.max(1, this.stock[line.product]));
      line.qty = newQty;
      this.cartEvent(s, 'update_quantity', line.product, newQty, line.unitCents);
    }
  }

  private addToCart(s: Session, p: number, wanted: number): void {
    if (this.stock[p] === 0) this.inventory(p, 'restock', this.rng.between(100, 400), null);
    const qty = Math.max(1, Math.min(wanted, this.stock[p]));
    const existing = s.cart.find((l) => l.product === p);
    if (existing) {
      existing.qty = Math.min(existing.qty + qty, Math.max(qty, this.stock[p]));
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
    this.mixCounts[1]++;
    this.emit('cart_events', doc);
  }

  /** Checkout: exactly the cart becomes an order; stock moves; the cart is emptied. */
  private checkout(s: Session, anomaly: AnomalyType | null): void {
    const r = this.rng;
    const c = this.catalog;
    // Another shopper of this warehouse may have bought the last units since the add.
    for (let i = s.cart.length - 1; i >= 0; i--) {
      const line = s.cart[i];
      const available = this.stock[line.product];
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
    const home = countries[c.userCountry[u]];
    let subtotal = 0;
    let count = 0;
    const items: LineItem[] = lines.map((l) => {
      const cat = categories[c.productCategory[l.product]];
      subtotal += l.qty * l.unitCents;
      count += l.qty;
      return {
        product_id: c.productIds[l.product],
        product_name: c.productNames[l.product],
        category: cat.name,
        brand: c.productBrands[l.product],
        base_price: c.basePriceCents[l.product] / 100,
        quantity: l.qty,
        unit_price: l.unitCents / 100,
        line_total: (l.qty * l.unitCents) / 100,
      };
    });
    const segment = c.userSegment[u];
    const rate = segmentDiscount[segment] || (r.chance(0.1) ? 0.15 : 0);
    const discount = Math.round(subtotal * rate);
    let shipTo = home;
    let billTo = home;
    let ipFrom = home;
    if (anomaly === 'country_mismatch') {
      const other = () => {
        let x = countries[r.int(countries.length)];
        while (x === home) x = countries[r.int(countries.length)];
        return x;
      };
      shipTo = other();
      billTo = r.chance(0.5) ? home : other();
      ipFrom = other();
    }
    const tax = Math.round((subtotal - discount) * shipTo.taxRate);
    const shipping = subtotal >= shipTo.freeShippingFromCents ? 0 : shipTo.shippingCents;
    const final = subtotal - discount + tax + shipping;
    const returned = anomaly === null && r.chance(0.06);
    const doc: Transaction = {
      _id: txnId,
      transaction_id: txnId,
      session_id: s.id,
      user_id: c.userIds[u],
      items,
      item_count: count,
      subtotal: subtotal / 100,
      discount_amount: discount / 100,
      tax_amount: tax / 100,
      shipping_cost: shipping / 100,
      final_amount: final / 100,
      currency: 'USD',
      payment_method: anomaly === 'card_testing' ? 'credit_card' : paymentMethods[r.weighted(paymentWeights)],
      user_snapshot: { country: home.code, region: c.userRegion[u], customer_segment: customerSegments[segment], age: c.userAge[u] },
      shipping_country: shipTo.code,
      billing_country: billTo.code,
      ip_country: ipFrom.code,
      is_fraud: anomaly !== null,
      anomaly_type: anomaly,
      is_returned: returned,
      timestamp: new Date(this.now),
    };
    this.mixCounts[2]++;
    this.orders++;
    if (anomaly) this.fraudOrders++;
    this.emit('transactions', doc);
    for (const l of lines) {
      this.inventory(l.product, 'sale', -l.qty, txnId);
      if (this.stock[l.product] < reorderPoint) this.inventory(l.product, 'restock', r.between(100, 400), null);
    }
    if (returned) for (const l of lines) this.inventory(l.product, 'return', l.qty, txnId);
    if (r.chance(0.01)) {
      const p = this.popularProduct();
      const change = Math.max(-this.stock[p], r.between(-5, 5));
      if (change !== 0) this.inventory(p, 'adjustment', change, null);
    }
  }

  private inventory(p: number, type: InventoryUpdate['update_type'], change: number, reference: string | null): void {
    const previous = this.stock[p];
    const next = previous + change;
    this.stock[p] = next;
    const doc: InventoryUpdate = {
      _id: this.newId(),
      product_id: this.catalog.productIds[p],
      warehouse_id: this.warehouse,
      update_type: type,
      previous_stock: previous,
      quantity_change: change,
      new_stock: next,
      reference_id: reference,
      timestamp: new Date(this.now),
    };
    this.emit('inventory_updates', doc);
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
