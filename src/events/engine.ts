import type { StoreCatalog } from '../catalog/store-catalog.js';
import type { Mix, Partition } from '../config/values.js';
import { TimeHeap } from '../shared/heap.js';
import { Rng, cumulative, mixSeed } from '../shared/rng.js';
import { Arrivals } from './arrivals.js';
import { type CartLine, addToCart, cartTotals, fitToStock, priceOrder } from './checkout.js';
import { Sides } from './sides.js';
import { type EventRenderer, type EventShape, type RenderedDoc, silentRenderer } from './facts.js';
import { Replenishment } from './replenishment.js';
import { FraudPlanner, fraudCart } from './fraud-planner.js';
import { CART, ORDER, type StepChooser, VIEW, stepChooser } from './mix-controller.js';
import { Population } from './population.js';
import { type EngineRecord, RecordSequence } from './record-sequence.js';
import { type AnomalyType, type CartEvent, type EventDoc, type InventoryUpdate, type ProductView, type UserActivity, paymentMethods } from './schemas.js';
import { LivingStore } from './living-store.js';
import { BotBurst } from './bot-burst.js';
import { ScenarioEffects } from './scenario-effects.js';
import { Shelf } from './shelf.js';
import { type Session, pageBetweenSteps, startVisit } from './visit.js';
import { StockLedger } from './stock-ledger.js';

export type { EngineRecord } from './record-sequence.js';

export interface EngineOptions<D extends RenderedDoc = EventDoc> {
  seed: number;
  partition: Partition;
  mix: Mix;
  fraudRate: number;
  dirtyRate: number;
  /** Where simulated time starts. */
  from: Date;
  /** Sessions a day of the whole store; default: what the population's visit rates give. */
  sessionsPerDay?: number;
  /**
   * Visits a second of this partition, as a steady Poisson process (live time at --rate); who
   * visits still follows the users' rates and local time of day. Absent: the population's own rate.
   */
  visitsPerSecond?: number;
  /** The profile's documents: what the engine's facts become. */
  events: EventShape<D>;
  /** The living store: orders move on after checkout, prices follow their schedule, reviews and user changes follow (off: insert-only). */
  lifecycle?: boolean;
  /** Labelled scenarios' windows in record time (traffic, conversion, sales, bots, payment outages). */
  scenarios?: ScenarioEffects['windows'];
}


/** Something that happens later in simulated time, because of what happened now. */
type Effect = { kind: 'return'; orderId: string; lines: CartLine[] } | { kind: 'restock'; product: number };

const secondMs = 1000;
const dayMs = 86_400_000;
/** A visit ends after this long at the latest (the long tail of session lengths is bounded). */
const maxSessionMs = 2 * 3_600_000;
const viewTypeWeights = cumulative([70, 15, 10, 5]);
const viewKinds: ReadonlyArray<ProductView['event_type']> = ['view', 'search', 'filter', 'compare'];
const paymentWeights = cumulative([42, 18, 20, 10, 6, 4]);

/**
 * The session state machine of one partition of the store. Visits arrive from the
 * population (each user at their segment's rate, in their own local time, once signed up),
 * then view, change their carts, check out or abandon, and leave; each step is spaced by a
 * dwell time, so what a visit contains fits inside how long it lasts. Returns and restocks
 * happen days later, in time order with everything else. The visit, the shelf (what is picked
 * and its price), the mix (or funnel) chooser, fraud planner, checkout money, stock ledger and
 * the record sequence (ids, dirty records) are their own modules.
 *
 * Deterministic: the same options give the same record sequence with the same timestamps.
 * Records are stamped with simulated time plus an offset (0 in a backfill; in live time the
 * run maps simulated time onto the wall clock with it, run/pacer.ts), so a visit's records
 * are as far apart as its steps, whichever clock it runs on.
 *
 * What happens is told to the profile's renderer as facts (a visit started, a product viewed,
 * an order placed, ...); the records are what it renders, in sequence order.
 */
export class EventEngine<D extends RenderedDoc = EventDoc> {
  private readonly rng: Rng;
  private readonly arrivals: Arrivals;
  private readonly sessionPrefix: string;
  private readonly ledger: StockLedger;
  private readonly chooser: StepChooser;
  private readonly fraud: FraudPlanner;
  private readonly population: Population;
  private readonly shelf: Shelf;
  /** Visits in progress, by the simulated time of their next step. */
  private readonly steps = new TimeHeap<Session>();
  /** Delayed consequences, by the simulated time they happen at. */
  private readonly effects = new TimeHeap<Effect>();
  private readonly replenishment: Replenishment;
  private readonly living?: LivingStore<D>;
  private readonly scenarios?: ScenarioEffects;
  private readonly sides = new Sides();
  /** Where facts go: the profile's renderer, or nowhere while warming up. */
  private renderer: EventRenderer<D>;
  /** Where rendered records queue up, with their ids and sequence numbers. */
  private readonly out: RecordSequence<D>;
  private sessionCount = 0;
  /** Simulated time of the step being processed. */
  private sim: number;
  private nextArrivalAt: number;
  /** Timestamp of the records being emitted. */
  private now = 0;
  /** Added to simulated time to stamp records (live time: where simulated time is on the wall clock). */
  private offset = 0;

  constructor(
    private readonly catalog: StoreCatalog,
    private readonly o: EngineOptions<D>,
  ) {
    const p = o.partition;
    this.rng = new Rng(mixSeed(o.seed, p.index, p.count, 0xe1));
    // This partition's warehouse holds its share of every product's stock.
    this.ledger = new StockLedger(catalog.initialStock, `WH-${p.index}.${p.count}`, p.index, p.count);
    this.chooser = stepChooser(o.mix);
    this.fraud = new FraudPlanner(o.fraudRate);
    this.population = new Population(catalog, { partitionCount: p.count, sessionsPerDay: o.sessionsPerDay });
    this.replenishment = new Replenishment(catalog.productCount);
    this.out = new RecordSequence<D>(o.seed, p, o.dirtyRate, o.events.dirtyFields, (product) => this.ledger.level(product));
    this.sessionPrefix = `SES-${this.out.idPrefix}`;
    this.now = this.sim = o.from.getTime();
    const stockBack = (product: number, qty: number, id: string) => this.inventory(product, 'return', qty, id);
    const host = { renderer: () => this.renderer, out: this.out };
    if (o.scenarios?.length) this.scenarios = new ScenarioEffects(o.scenarios, o.seed);
    this.renderer = o.events.renderer(catalog, p, this.scenarios);
    this.living = o.lifecycle ? new LivingStore(catalog, o.seed, p, this.sim, { ...host, stockBack }, this.scenarios) : undefined;
    this.sides.add(this.living);
    this.shelf = new Shelf(catalog, o.seed, this.rng, this.living?.prices, this.scenarios);
    for (const w of o.scenarios ?? []) if (w.name === 'bot-burst') this.sides.add(new BotBurst(w, catalog, o.seed, p, this.out.idPrefix, this.shelf, host, this.sim));
    this.arrivals = new Arrivals(this.population, new Rng(mixSeed(o.seed, p.index, p.count, 0xc1)), o.visitsPerSecond, this.scenarios);
    this.nextArrivalAt = this.arrivals.next(this.sim);
  }

  /** Sequence number the next record will get. */
  get sequence(): number {
    return this.out.sequence;
  }

  /**
   * Puts simulated time `offsetMs` later on the wall clock (a live run's start, a resume, a
   * rebase); records made but not yet taken move with it, so timestamps never go back.
   */
  moveClock(offsetMs: number): void {
    this.out.shiftQueued(offsetMs - this.offset);
    this.offset = offsetMs;
  }

  /** Current time of the engine as its records are stamped (simulated time + the clock's offset), ms. */
  get clockMs(): number {
    return this.sim + this.offset;
  }

  /** Simulated time of the step being processed, ms. */
  get simMs(): number {
    return this.sim;
  }

  /** Visits started so far. */
  get visits(): number {
    return this.sessionCount;
  }

  /**
   * The next `n` records, in sequence order. With `until` (ms), stops before the first record
   * stamped at or after it (the batch is then shorter than n).
   */
  take(n: number, until?: number): Array<EngineRecord<D>> {
    return this.out.take(n, until, () => this.step());
  }

  /**
   * Runs the simulation up to `untilMs` without emitting: the shop then (open visits, carts, returns
   * and restocks due) without its records. The sequence and, once `done` (last call), the mix start.
   */
  warmUp(untilMs: number, done = true): void {
    const renderer = this.renderer;
    this.renderer = silentRenderer;
    this.out.setWarmingUp(true);
    while (Math.min(this.nextArrivalAt, this.steps.peekAt(), this.effects.peekAt(), this.sides.nextAt) < untilMs) this.step();
    this.out.setWarmingUp(false);
    this.renderer = renderer;
    if (done) this.chooser.restart();
  }

  /** Generates and discards records up to (excluding) sequence `seq` (resume). */
  skipTo(seq: number): void {
    while (this.sequence < seq) this.take(Math.min(10_000, seq - this.sequence));
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Processes the earliest thing that happens next: a delayed effect, a new visit, or a visit's next step. */
  private step(): void {
    const nextVisit = Math.min(this.nextArrivalAt, this.steps.peekAt());
    const side = this.sides.first();
    if (side && side.nextAt <= nextVisit && side.nextAt < this.effects.peekAt()) {
      this.now = (this.sim = side.nextAt) + this.offset;
      return side.step(this.sim, this.now);
    }
    if (this.effects.size > 0 && this.effects.peekAt() <= nextVisit) {
      this.sim = this.effects.peekAt();
      const effect = this.effects.pop()!;
      this.now = this.sim + this.offset;
      this.apply(effect);
      return;
    }
    if (this.nextArrivalAt <= this.steps.peekAt()) {
      this.sim = this.nextArrivalAt;
      this.now = this.sim + this.offset;
      this.nextArrivalAt = this.arrivals.next(this.sim);
      this.arrive(this.startSession());
      return;
    }
    this.sim = this.steps.peekAt();
    const s = this.steps.pop()!;
    this.now = this.sim + this.offset;
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

  private apply(e: Effect): void {
    if (e.kind === 'return') {
      for (const l of e.lines) this.inventory(l.product, 'return', l.qty, e.orderId);
    } else {
      this.inventory(e.product, 'restock', this.replenishment.arrives(e.product, this.sim, this.rng), null);
    }
  }

  // ---- visits -------------------------------------------------------------------------------

  private startSession(): Session {
    this.sessionCount++;
    const fraud = this.fraud.plan(this.rng);
    return startVisit(this.rng, this.sessionPrefix + this.sessionCount.toString(36), this.population.pickUser(this.sim, this.rng), this.sim, fraud);
  }

  private arrive(s: Session): void {
    this.renderer.visitStarted({ visit: s, at: this.now, sim: this.sim }, this.out);
    this.living?.visited(s.user, this.sim, this.now);
    this.schedule(s, this.rng.between(2, 15));
  }

  private leave(s: Session): void {
    if (s.cart.length > 0) this.cartEvent(s, 'abandon', null, 0, null);
    this.renderer.visitEnded({ visit: s, seconds: Math.round((this.sim - s.startedAt) / secondMs), at: this.now, sim: this.sim }, this.out);
    this.fraud.ended(s.fraud);
  }

  /** A normal shopper's step; returns how long it takes and whether the visit ends after it. */
  private shopStep(s: Session): { seconds: number; ends: boolean } {
    const r = this.rng;
    if (r.chance(0.06)) return { seconds: this.extraActivity(s), ends: false };
    s.stepsLeft--;
    const kind = this.chooser.choose(r, s.cart.length === 0, this.scenarios?.conversion(this.now));
    let seconds: number;
    let ends = false;
    if (kind === VIEW) seconds = this.view(s);
    else if (kind === CART || s.cart.length === 0) seconds = this.cartChange(s);
    else if (this.scenarios?.abandonsCheckout(this.now, r)) {
      this.cartEvent(s, 'abandon', null, 0, null); // a payment outage: the shopper gives up at checkout
      s.cart = [];
      seconds = r.between(10, 60);
    } else {
      this.checkout(s, null);
      seconds = r.between(20, 120);
      ends = this.chooser.endsAfterOrder(r);
    }
    return { seconds, ends: ends || s.stepsLeft <= 0 };
  }

  private fraudStep(s: Session): { seconds: number; ends: boolean } {
    const plan = s.fraud!;
    const r = this.rng;
    if (s.cart.length === 0) {
      for (const [product, qty] of fraudCart(plan, r, this.catalog, () => this.shelf.popular())) this.addToCart(s, product, qty);
      return { seconds: r.between(3, 20), ends: false };
    }
    this.checkout(s, plan.type);
    this.fraud.placed(plan);
    return { seconds: r.between(5, 30), ends: plan.ordersLeft <= 0 };
  }

  // ---- facts --------------------------------------------------------------------------------

  /** A product view; the shopper looks at it for its `duration_seconds`, which is the step's length. */
  private view(s: Session, product?: number): number {
    const r = this.rng;
    const p = product ?? this.shelf.browse(s.user, this.now);
    const type = r.weighted(viewTypeWeights);
    const name = this.catalog.productNames[p];
    const seconds = Math.min(600, Math.max(2, Math.round(r.exp(40))));
    const priceCents = this.shelf.priceCents(p, this.sessionCount, this.now);
    const searchQuery = type === 1 ? name.slice(name.lastIndexOf(' ') + 1).toLowerCase() : null;
    const compared = type === 3 ? this.shelf.popular() : null;
    this.chooser.record(VIEW);
    this.renderer.productViewed({ visit: s, kind: viewKinds[type], product: p, priceCents, searchQuery, compared, seconds, at: this.now, sim: this.sim }, this.out);
    if (s.viewed.length >= 8) s.viewed.shift();
    s.viewed.push(p);
    if (r.chance(0.03)) this.activity(s, 'wishlist_add', '/wishlist', p, null);
    return seconds;
  }

  /** Adds, removes or changes a cart line; returns the step's length. */
  private cartChange(s: Session): number {
    const r = this.rng;
    if (s.cart.length === 0 || r.chance(0.6)) {
      const p = s.viewed.length > 0 && r.chance(0.8) ? s.viewed[r.int(s.viewed.length)] : this.shelf.browse(s.user, this.now);
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
    const line = addToCart(s.cart, p, wanted, this.ledger.level(p), () => this.shelf.priceCents(p, this.sessionCount, this.now));
    if (line) this.cartEvent(s, 'add', p, line.added, line.unitCents);
  }

  private cartEvent(s: Session, type: CartEvent['event_type'], product: number | null, qty: number, unitCents: number | null, previousQty?: number): void {
    // At checkout the cart became the order: it holds nothing now.
    const { items, valueCents } = type === 'checkout' ? { items: 0, valueCents: 0 } : cartTotals(s.cart);
    this.chooser.record(CART);
    this.renderer.cartChanged({ visit: s, type, product, qty, unitCents, cartItems: items, cartValueCents: valueCents, previousQty, at: this.now, sim: this.sim }, this.out);
  }

  /** Checkout: exactly the cart becomes an order; stock moves; the cart is emptied. A return comes days later. */
  private checkout(s: Session, anomaly: AnomalyType | null): void {
    const r = this.rng;
    const c = this.catalog;
    // Another shopper of this warehouse may have bought the last units since the add.
    fitToStock(s.cart, (p) => this.ledger.level(p), (line, before) => this.cartEvent(s, before === undefined ? 'remove' : 'update_quantity', line.product, line.qty, line.unitCents, before));
    if (s.cart.length === 0) return;
    const lines = s.cart;
    s.cart = [];
    // The living catalog: an order is charged the prices in force at checkout.
    if (this.living) for (const l of lines) l.unitCents = this.shelf.priceCents(l.product, this.sessionCount, this.now);
    this.cartEvent(s, 'checkout', null, lines.reduce((a, l) => a + l.qty, 0), null);
    const orderId = this.out.nextId();
    const money = priceOrder(lines, s.user, c, anomaly, r, this.scenarios?.couponShare(this.now));
    // Drawn with or without the living store, so that the shoppers' draws are the same.
    const returned = anomaly === null && r.chance(0.06) && !this.living;
    const tracked = this.living !== undefined && this.renderer !== silentRenderer;
    const payment = anomaly === 'card_testing' ? 'credit_card' : paymentMethods[r.weighted(paymentWeights)];
    this.chooser.record(ORDER);
    this.fraud.ordered(anomaly);
    this.renderer.orderPlaced({ visit: s, orderId, lines, money, payment, anomaly, returned, tracked, at: this.now, sim: this.sim }, this.out);
    // An order whose record --dirty-rate corrupted is in dead letters, not in the store: nothing follows it.
    if (tracked && !this.out.corrupted(orderId)) this.living!.placed({ id: orderId, user: s.user, lines, totalCents: money.total, fraud: anomaly !== null, shipTo: money.shipTo.code, warehouse: this.ledger.warehouse }, this.sim, this.now);
    for (const l of lines) {
      this.inventory(l.product, 'sale', -l.qty, orderId);
      const restockIn = this.replenishment.sold(l.product, l.qty, this.ledger.level(l.product), this.sim, r);
      if (restockIn !== undefined) this.effects.push(this.sim + restockIn, { kind: 'restock', product: l.product });
    }
    // The goods come back 1-30 days later.
    if (returned) this.effects.push(this.sim + dayMs + r.int(29 * dayMs), { kind: 'return', orderId, lines });
    if (r.chance(0.01)) {
      const p = this.shelf.popular();
      const change = Math.max(-this.ledger.level(p), r.between(-5, 5));
      if (change !== 0) this.inventory(p, 'adjustment', change, null);
    }
  }

  private inventory(p: number, type: InventoryUpdate['update_type'], change: number, reference: string | null): void {
    const { previous, next } = this.ledger.move(p, change);
    this.renderer.stockMoved({ product: p, warehouse: this.ledger.warehouse, type, previous, change, next, reference, at: this.now, sim: this.sim }, this.out);
  }

  private activity(s: Session, type: Exclude<UserActivity['activity_type'], 'login' | 'logout'>, page: string, product: number | null, seconds: number | null): void {
    this.renderer.activity({ visit: s, type, page, product, seconds, at: this.now, sim: this.sim }, this.out);
  }

  /** A page view or a review between shopping steps; returns how long the user stays on it. */
  private extraActivity(s: Session): number {
    const a = pageBetweenSteps(this.rng, s);
    this.activity(s, a.type, a.page, a.product, a.seconds);
    return a.seconds;
  }
}
