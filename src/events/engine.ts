import { categories, customerSegments } from '../catalog/reference.js';
import type { Mix, Partition } from '../config/values.js';
import { TimeHeap } from '../shared/heap.js';
import { Rng, cumulative, mixSeed } from '../shared/rng.js';
import { type CartLine, dynamicPriceCents, priceOrder } from './checkout.js';
import { AdaptiveBiShaper, abiDirtyFields, type ShapeContext, type ShapeTools } from './adaptive-bi.js';
import { type DirtyFields, type DirtyKind, corrupt, pickDirtyKind } from './dirty.js';
import { type FraudPlan, FraudPlanner } from './fraud-planner.js';
import { idPrefix, uuidMaker } from './ids.js';
import type { ProfileName } from '../shared/profiles.js';
import { CART, ORDER, type StepChooser, VIEW, stepChooser } from './mix-controller.js';
import { Population } from './population.js';
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
import { StockLedger } from './stock-ledger.js';
import { type StoreCatalog, productIdOf, regionNames, userIdOf } from '../catalog/store-catalog.js';

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
  /** Backfill start: events are stamped with simulated time from here. Absent: real time. */
  from?: Date;
  /** Sessions a day of the whole store; default: what the population's visit rates give. */
  sessionsPerDay?: number;
  /** Wall clock for real-time mode (tests inject one). */
  wall?: () => number;
  /** Whose document shapes the records take (default: ours). */
  profile?: ProfileName;
}

/** What a record is about, beyond the record: the profile's shaper may need it. */
interface EmitContext {
  s?: Session;
  lines?: CartLine[];
  product?: number | null;
  previousQty?: number;
}

interface Session {
  id: string;
  user: number;
  device: (typeof deviceTypes)[number];
  browser: (typeof browsers)[number];
  source: (typeof trafficSources)[number];
  ip: string;
  /** Simulated time the visit started (login). */
  startedAt: number;
  stepsLeft: number;
  /** The visit is over: its next turn is the logout. */
  leaving: boolean;
  viewed: number[];
  cart: CartLine[];
  fraud: FraudPlan | null;
}

/** Something that happens later in simulated time, because of what happened now. */
type Effect = { kind: 'return'; orderId: string; lines: CartLine[] } | { kind: 'restock'; product: number };

const reorderPoint = 10;
/** Where the simulation of a real-time stream starts (a Monday, after every catalog signup). */
const realTimeOrigin = Date.UTC(2026, 0, 5);
const priceEpochSessions = 500;
const secondMs = 1000;
const dayMs = 86_400_000;
/** A visit ends after this long at the latest (the long tail of session lengths is bounded). */
const maxSessionMs = 2 * 3_600_000;
const deviceWeights = cumulative([45, 45, 10]);
const browserWeights = cumulative([48, 26, 8, 8, 4, 6]);
const sourceWeights = cumulative([30, 28, 12, 10, 12, 8]);
const viewTypeWeights = cumulative([70, 15, 10, 5]);
const paymentWeights = cumulative([42, 18, 20, 10, 6, 4]);

/**
 * The session state machine of one partition of the store. Visits arrive from the
 * population (each user at their segment's rate, in their own local time, once signed up),
 * then view, change their carts, check out or abandon, and leave; each step is spaced by a
 * dwell time, so what a visit contains fits inside how long it lasts. Returns and restocks
 * happen days later, in time order with everything else. The mix (or funnel) chooser, fraud
 * planner, checkout money and stock ledger are their own modules.
 *
 * Deterministic: the same options give the same record sequence, and in a backfill the same
 * timestamps too. In real time the simulation runs from a fixed origin and records are
 * stamped with the wall clock at generation (the record rate is --rate's); delayed effects
 * come due in simulated time there too, so a return or a restock follows as many records
 * later as it would in a backfill.
 */
export class EventEngine {
  private readonly rng: Rng;
  private readonly dirtyRng: Rng;
  private readonly arrivalRng: Rng;
  private readonly prefix: string;
  private readonly sessionPrefix: string;
  private readonly ledger: StockLedger;
  private readonly chooser: StepChooser;
  private readonly fraud: FraudPlanner;
  private readonly population: Population;
  private readonly wall: () => number;
  /** Visits in progress, by the simulated time of their next step. */
  private readonly steps = new TimeHeap<Session>();
  /** Delayed consequences, by the simulated time they happen at. */
  private readonly effects = new TimeHeap<Effect>();
  /** Products with a restock on its way. */
  private readonly restocking: Uint8Array;
  /** Present under a profile other than ours: turns each record into that profile's records. */
  private readonly shaper: AdaptiveBiShaper | null;
  private readonly shapeTools: ShapeTools;
  private readonly dirtyFields: DirtyFields | undefined;
  private queue: EngineRecord[] = [];
  private head = 0;
  private nextSeq = 0;
  private sessionCount = 0;
  /** Simulated time of the step being processed. */
  private sim: number;
  private nextArrivalAt: number;
  /** Timestamp of the records being emitted. */
  private now = 0;

  constructor(
    private readonly catalog: StoreCatalog,
    private readonly o: EngineOptions,
  ) {
    const p = o.partition;
    this.rng = new Rng(mixSeed(o.seed, p.index, p.count, 0xe1));
    this.dirtyRng = new Rng(mixSeed(o.seed, p.index, p.count, 0xd1));
    this.arrivalRng = new Rng(mixSeed(o.seed, p.index, p.count, 0xc1));
    this.wall = o.wall ?? Date.now;
    this.prefix = idPrefix(o.seed, p);
    this.sessionPrefix = `SES-${this.prefix}`;
    // This partition's warehouse holds its share of every product's stock.
    this.ledger = new StockLedger(catalog.initialStock, `WH-${p.index}.${p.count}`, p.index, p.count);
    this.chooser = stepChooser(o.mix);
    this.fraud = new FraudPlanner(o.fraudRate);
    this.population = new Population(catalog, { partitionCount: p.count, sessionsPerDay: o.sessionsPerDay });
    this.restocking = new Uint8Array(catalog.productCount);
    this.shaper = o.profile === 'adaptive-bi' ? new AdaptiveBiShaper(catalog, p.index) : null;
    this.dirtyFields = o.profile === 'adaptive-bi' ? abiDirtyFields : undefined;
    const uuidOf = uuidMaker(o.seed, p);
    this.shapeTools = {
      nextId: () => this.newId(),
      uuid: (id) => uuidOf(this.seqOf(id)),
      stockOf: (product) => this.ledger.level(product),
    };
    // In real time the simulation runs from a fixed origin, so that everything but the
    // timestamps (the wall clock) repeats for the same seed, whenever the stream is started.
    this.sim = o.from ? o.from.getTime() : realTimeOrigin;
    this.now = this.sim;
    this.nextArrivalAt = this.population.nextArrival(this.sim, this.arrivalRng);
  }

  /** Sequence number the next record will get. */
  get sequence(): number {
    return this.nextSeq - (this.queue.length - this.head);
  }

  /** Current time of the engine (simulated in a backfill, wall otherwise), ms. */
  get clockMs(): number {
    return this.o.from ? this.sim : Math.max(this.now, this.wall());
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
      // A record --dirty-rate corrupted may have no usable timestamp: the records around it decide.
      const at = rec.doc.timestamp;
      if (until !== undefined && at instanceof Date && at.getTime() >= until) break;
      this.head++;
      out.push(rec);
    }
    return out;
  }

  /** Generates and discards records up to (excluding) sequence `seq` (resume). */
  skipTo(seq: number): void {
    while (this.sequence < seq) this.take(Math.min(10_000, seq - this.sequence));
  }

  /** The sequence number of one of this engine's record ids. */
  private seqOf(id: string): number {
    return parseInt(id.slice(this.prefix.length), 36);
  }

  /**
   * Queues a record (its id is the latest allocated). Under a profile the shaper turns it into
   * that profile's records: several (each with the next id), or none (its id is given back, so
   * sequence numbers stay gapless).
   */
  private emit(collection: EventCollection, doc: EventDoc, at: EmitContext = {}): void {
    if (!this.shaper) {
      this.push(collection, doc, this.nextSeq - 1);
      return;
    }
    const context: ShapeContext = { session: at.s, sim: this.sim, lines: at.lines, product: at.product, previousQty: at.previousQty };
    const shaped = this.shaper.shape(collection, doc, context, this.shapeTools);
    if (shaped.length === 0 && this.seqOf(doc._id) === this.nextSeq - 1) this.nextSeq--;
    for (const r of shaped) this.push(r.collection, r.doc, this.seqOf(r.doc._id));
  }

  private push(collection: EventCollection, doc: EventDoc, seq: number): void {
    let dirty: DirtyKind | null = null;
    if (this.o.dirtyRate > 0 && this.dirtyRng.next() < this.o.dirtyRate) {
      dirty = corrupt(collection, doc as unknown as Record<string, unknown>, pickDirtyKind(this.dirtyRng), this.dirtyFields);
    }
    this.queue.push({ collection, doc, seq, dirty });
  }

  private newId(): string {
    return this.prefix + (this.nextSeq++).toString(36);
  }

  /** The timestamp of something happening at simulated time `sim`. */
  private stamp(sim: number): number {
    return this.o.from ? sim : Math.max(this.now, this.wall());
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Processes the earliest thing that happens next: a delayed effect, a new visit, or a visit's next step. */
  private step(): void {
    const nextVisit = Math.min(this.nextArrivalAt, this.steps.peekAt());
    if (this.effects.size > 0 && this.effects.peekAt() <= nextVisit) {
      this.sim = this.effects.peekAt();
      const effect = this.effects.pop()!;
      this.now = this.stamp(this.sim);
      this.apply(effect);
      return;
    }
    if (this.nextArrivalAt <= this.steps.peekAt()) {
      this.sim = this.nextArrivalAt;
      this.now = this.stamp(this.sim);
      this.nextArrivalAt = this.population.nextArrival(this.sim, this.arrivalRng);
      this.arrive(this.startSession());
      return;
    }
    this.sim = this.steps.peekAt();
    const s = this.steps.pop()!;
    this.now = this.stamp(this.sim);
    if (s.leaving) {
      this.leave(s);
      return;
    }
    const dwell = s.fraud ? this.fraudStep(s) : this.shopStep(s);
    if (dwell.ends || this.sim - s.startedAt + dwell.seconds * secondMs >= maxSessionMs) s.leaving = true;
    this.schedule(s, dwell.seconds);
  }

  private schedule(s: Session, seconds: number): void {
    this.steps.push(this.sim + seconds * secondMs, s);
  }

  /** Schedules a delayed effect `delayMs` of simulated time after now. */
  private later(delayMs: number, effect: Effect): void {
    this.effects.push(this.sim + delayMs, effect);
  }

  private apply(e: Effect): void {
    if (e.kind === 'return') {
      for (const l of e.lines) this.inventory(l.product, 'return', l.qty, e.orderId);
    } else {
      this.restocking[e.product] = 0;
      this.inventory(e.product, 'restock', this.rng.between(100, 400), null);
    }
  }

  // ---- visits -------------------------------------------------------------------------------

  private startSession(): Session {
    const r = this.rng;
    this.sessionCount++;
    const fraud = this.fraud.plan(r);
    return {
      id: this.sessionPrefix + this.sessionCount.toString(36),
      user: this.population.pickUser(this.sim, r),
      device: deviceTypes[r.weighted(deviceWeights)],
      browser: browsers[r.weighted(browserWeights)],
      source: trafficSources[r.weighted(sourceWeights)],
      ip: `${r.between(11, 223)}.${r.int(256)}.${r.int(256)}.${r.between(1, 254)}`,
      startedAt: this.sim,
      stepsLeft: 2 + Math.round(r.exp(9)),
      leaving: false,
      viewed: [],
      cart: [],
      fraud,
    };
  }

  private arrive(s: Session): void {
    this.activity(s, 'login', '/login', null, null);
    this.schedule(s, this.rng.between(2, 15));
  }

  private leave(s: Session): void {
    if (s.cart.length > 0) this.cartEvent(s, 'abandon', null, 0, null);
    this.activity(s, 'logout', '/logout', null, Math.round((this.sim - s.startedAt) / secondMs));
    this.fraud.ended(s.fraud);
  }

  /** A normal shopper's step; returns how long it takes and whether the visit ends after it. */
  private shopStep(s: Session): { seconds: number; ends: boolean } {
    const r = this.rng;
    if (r.chance(0.06)) return { seconds: this.extraActivity(s), ends: false };
    s.stepsLeft--;
    const kind = this.chooser.choose(r, s.cart.length === 0);
    let seconds: number;
    let ends = false;
    if (kind === VIEW) seconds = this.view(s);
    else if (kind === CART || s.cart.length === 0) seconds = this.cartChange(s);
    else {
      this.checkout(s, null);
      seconds = r.between(20, 120);
      ends = this.chooser.endsAfterOrder(r);
    }
    return { seconds, ends: ends || s.stepsLeft <= 0 };
  }

  private fraudStep(s: Session): { seconds: number; ends: boolean } {
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
      return { seconds: r.between(3, 20), ends: false };
    }
    this.checkout(s, plan.type);
    this.fraud.placed(plan);
    return { seconds: r.between(5, 30), ends: plan.ordersLeft <= 0 };
  }

  // ---- records ------------------------------------------------------------------------------

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

  /** A product view; the shopper looks at it for its `duration_seconds`, which is the step's length. */
  private view(s: Session, product?: number): number {
    const r = this.rng;
    const c = this.catalog;
    const p = product ?? this.browseProduct(s);
    const type = r.weighted(viewTypeWeights);
    const name = c.productNames[p];
    const seconds = Math.min(600, Math.max(2, Math.round(r.exp(40))));
    const doc: ProductView = {
      _id: this.newId(),
      session_id: s.id,
      user_id: userIdOf(c, s.user),
      event_type: type === 0 ? 'view' : type === 1 ? 'search' : type === 2 ? 'filter' : 'compare',
      product_id: productIdOf(c, p),
      category: categories[c.productCategory[p]].name,
      price_shown: this.priceCents(p) / 100,
      search_query: type === 1 ? name.slice(name.lastIndexOf(' ') + 1).toLowerCase() : null,
      compared_product_id: type === 3 ? productIdOf(c, this.popularProduct()) : null,
      duration_seconds: seconds,
      device_type: s.device,
      timestamp: new Date(this.now),
    };
    this.chooser.record(VIEW);
    this.emit('product_views', doc, { s, product: p });
    if (s.viewed.length >= 8) s.viewed.shift();
    s.viewed.push(p);
    if (r.chance(0.03)) this.activity(s, 'wishlist_add', '/wishlist', p, null);
    return seconds;
  }

  /** Adds, removes or changes a cart line; returns the step's length. */
  private cartChange(s: Session): number {
    const r = this.rng;
    if (s.cart.length === 0 || r.chance(0.6)) {
      const p = s.viewed.length > 0 && r.chance(0.8) ? s.viewed[r.int(s.viewed.length)] : this.browseProduct(s);
      // Out of stock in this warehouse: the shopper only looks at it (a restock is on its way).
      if (this.ledger.level(p) === 0) return this.view(s, p);
      this.addToCart(s, p, r.chance(0.8) ? 1 : r.between(2, 3));
      return r.between(5, 40);
    }
    const li = r.int(s.cart.length);
    const line = s.cart[li];
    if (r.chance(0.45)) {
      s.cart.splice(li, 1);
      this.cartEvent(s, 'remove', line.product, line.qty, line.unitCents);
    } else {
      const qty = line.qty === 1 ? 2 : r.chance(0.5) ? line.qty - 1 : line.qty + 1;
      const newQty = Math.min(qty, Math.max(1, this.ledger.level(line.product)));
      const before = line.qty;
      line.qty = newQty;
      this.cartEvent(s, 'update_quantity', line.product, newQty, line.unitCents, before);
    }
    return r.between(5, 40);
  }

  private addToCart(s: Session, p: number, wanted: number): void {
    const available = this.ledger.level(p);
    if (available === 0) return;
    const qty = Math.max(1, Math.min(wanted, available));
    const existing = s.cart.find((l) => l.product === p);
    if (existing) {
      existing.qty = Math.min(existing.qty + qty, Math.max(qty, available));
      this.cartEvent(s, 'add', p, qty, existing.unitCents);
    } else {
      const line = { product: p, qty, unitCents: this.priceCents(p) };
      s.cart.push(line);
      this.cartEvent(s, 'add', p, qty, line.unitCents);
    }
  }

  private cartEvent(s: Session, type: CartEvent['event_type'], product: number | null, qty: number, unitCents: number | null, previousQty?: number): void {
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
      user_id: userIdOf(this.catalog, s.user),
      event_type: type,
      product_id: product === null ? null : productIdOf(this.catalog, product),
      quantity: qty,
      unit_price: unitCents === null ? null : unitCents / 100,
      cart_items: items,
      cart_value: value / 100,
      timestamp: new Date(this.now),
    };
    this.chooser.record(CART);
    this.emit('cart_events', doc, { s, product, previousQty });
  }

  /** Checkout: exactly the cart becomes an order; stock moves; the cart is emptied. A return comes days later. */
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
        const before = line.qty;
        line.qty = available;
        this.cartEvent(s, 'update_quantity', line.product, available, line.unitCents, before);
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
      user_id: userIdOf(c, u),
      items: money.items,
      item_count: money.itemCount,
      subtotal: money.subtotal / 100,
      discount_amount: money.discount / 100,
      tax_amount: money.tax / 100,
      shipping_cost: money.shipping / 100,
      final_amount: money.total / 100,
      currency: 'USD',
      payment_method: anomaly === 'card_testing' ? 'credit_card' : paymentMethods[r.weighted(paymentWeights)],
      user_snapshot: { country: money.home.code, region: regionNames[c.userRegion[u]], customer_segment: customerSegments[c.userSegment[u]], age: c.userAge[u] },
      shipping_country: money.shipTo.code,
      billing_country: money.billTo.code,
      ip_country: money.ipFrom.code,
      is_fraud: anomaly !== null,
      anomaly_type: anomaly,
      is_returned: returned,
      timestamp: new Date(this.now),
    };
    this.chooser.record(ORDER);
    this.fraud.ordered(anomaly);
    this.emit('transactions', doc, { s, lines });
    for (const l of lines) {
      this.inventory(l.product, 'sale', -l.qty, txnId);
      // Below the reorder point: a restock arrives after a lead time of 1-3 days.
      if (this.ledger.level(l.product) < reorderPoint && !this.restocking[l.product]) {
        this.restocking[l.product] = 1;
        this.later(dayMs + r.int(2 * dayMs), { kind: 'restock', product: l.product });
      }
    }
    // The goods come back 1-30 days later.
    if (returned) this.later(dayMs + r.int(29 * dayMs), { kind: 'return', orderId: txnId, lines });
    if (r.chance(0.01)) {
      const p = this.popularProduct();
      const change = Math.max(-this.ledger.level(p), r.between(-5, 5));
      if (change !== 0) this.inventory(p, 'adjustment', change, null);
    }
  }

  private inventory(p: number, type: InventoryUpdate['update_type'], change: number, reference: string | null): void {
    this.emit('inventory_updates', this.ledger.move(this.newId(), productIdOf(this.catalog, p), p, type, change, reference, new Date(this.now)), { product: p });
  }

  private activity(s: Session, type: UserActivity['activity_type'], page: string, product: number | null, seconds: number | null): void {
    const doc: UserActivity = {
      _id: this.newId(),
      session_id: s.id,
      user_id: userIdOf(this.catalog, s.user),
      activity_type: type,
      page,
      product_id: product === null ? null : productIdOf(this.catalog, product),
      duration_seconds: seconds,
      device_type: s.device,
      browser: s.browser,
      traffic_source: s.source,
      ip_address: s.ip,
      timestamp: new Date(this.now),
    };
    this.emit('user_activities', doc, { s, product });
  }

  /** A page view or a review between shopping steps; returns how long the user stays on it. */
  private extraActivity(s: Session): number {
    const r = this.rng;
    if (s.viewed.length > 0 && r.chance(0.25)) {
      const seconds = r.between(30, 180);
      this.activity(s, 'review_submit', '/reviews/new', s.viewed[r.int(s.viewed.length)], seconds);
      return seconds;
    }
    const pages = ['/', '/deals', '/account', '/orders', '/help', '/categories'];
    const seconds = r.between(5, 90);
    this.activity(s, 'page_view', pages[r.int(pages.length)], null, seconds);
    return seconds;
  }
}
