import { categories } from '../catalog/reference.js';
import type { StoreCatalog } from '../catalog/store-catalog.js';
import type { Partition } from '../config/values.js';
import { TimeHeap } from '../shared/heap.js';
import { Rng, cumulative, mixSeed } from '../shared/rng.js';
import type { CartLine } from './checkout.js';
import type { EventRenderer, OrderChanges, RenderOutput, RenderedDoc } from './facts.js';
import { PriceSchedule, type ScheduledChange } from './price-schedule.js';
import type { ScenarioEffects } from './scenario-effects.js';
import { type OrderStatus, carriers, returnReasons } from './schemas.js';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** An order after checkout, while something can still happen to it; queued itself for its next transition. */
interface TrackedOrder {
  kind: 'transition';
  id: string;
  user: number;
  lines: readonly CartLine[];
  totalCents: number;
  fraud: boolean;
  /** Where it ships to (country code). */
  shipTo: string;
  warehouse: string;
  status: OrderStatus;
  version: number;
  late: boolean;
  /** The transition it is queued for. */
  to: OrderStatus;
  changes: OrderChanges;
}

type Happening =
  | TrackedOrder
  | { kind: 'return_window'; order: TrackedOrder }
  | { kind: 'review_window'; order: TrackedOrder }
  | { kind: 'price'; product: number; change: ScheduledChange }
  | { kind: 'users'; from: number };

/** A transition that sets nothing but status and version (one object, shared). */
const noChanges: OrderChanges = Object.freeze({});
/** The start of a tracking number, by carrier. */
const carrierCodes: Record<(typeof carriers)[number], string> = { UPS: '1Z', FedEx: 'FX', DHL: 'JD', USPS: '94', national_post: 'NP' };
const usCarriers = ['UPS', 'FedEx', 'USPS'] as const;

/** Days in transit by the country shipped to: [usual fastest, promised]; anything later is late. */
const transitDays: Record<string, [number, number]> = {
  US: [2, 5], CA: [3, 6], GB: [2, 4], DE: [2, 4], FR: [2, 4], ES: [2, 5], JP: [2, 4], AU: [3, 7],
  IN: [3, 8], BR: [5, 12], MX: [4, 9], AE: [3, 6], SA: [3, 7], ZA: [5, 10], NG: [6, 14], EG: [5, 11], KE: [6, 12],
};
/** Share of deliveries that come after the promised day (carriers' late tail). */
const lateChance = 0.1;
/** Share of delivered orders returned, by category (US online retail returns 14.5-17.6 % of sales: clothing most, groceries rarely). */
const returnRateByCategory: Record<string, number> = {
  Electronics: 0.13, Clothing: 0.26, 'Home & Garden': 0.1, 'Sports & Outdoors': 0.11, Books: 0.04,
  Beauty: 0.07, 'Toys & Games': 0.09, 'Food & Grocery': 0.03, Automotive: 0.08, Health: 0.05,
};
/** Star ratings 1-5 after an on-time delivery (J-shaped: most five, then one) and after a late one (~1.7 lower on average). */
const onTimeStars = cumulative([11, 4, 8, 19, 58]);
const lateStars = cumulative([45, 12, 15, 13, 15]);
/** A customer reviews a delivered order with this probability. */
const reviewChance = 0.3;
/** Spending (cents, in the run, as one partition sees it) that moves a user up from new, regular, premium. */
const upgradeAtCents = [15_000, 100_000, 400_000];
/** A user who has not visited for this long (one partition's view) is marked inactive. */
const churnAfterMs = 90 * dayMs;

/** What the living store asks of the engine: where facts go, and stock that comes back. */
export interface LivingHost<D extends RenderedDoc> {
  renderer(): EventRenderer<D>;
  readonly out: RenderOutput<D>;
  /** A returned order's goods are back on this partition's shelf. */
  stockBack(product: number, qty: number, orderId: string): void;
}

/**
 * The living store (issue 23): what happens after a checkout, and to the catalog, on the
 * simulated clock. An order moves placed → paid → packed → shipped → delivered (a payment may
 * fail, a customer may cancel before packing, a fraud review may cancel), may be returned and
 * refunded weeks later, and may be reviewed; prices follow a deterministic schedule (this
 * partition announces the changes of the products it owns, so each is written once); users
 * are upgraded by what they spend and marked inactive after long absence (by the partition
 * that owns them). Each outcome is drawn when it happens, from a generator of its own, so the
 * shoppers' own draws are those of a store without it.
 */
export class LivingStore<D extends RenderedDoc> {
  private readonly rng: Rng;
  private readonly queue = new TimeHeap<Happening>();
  readonly prices: PriceSchedule;
  private readonly lastVisit: Float64Array;
  private readonly spentCents: Float64Array;
  private readonly segment: Uint8Array;
  private readonly active: Uint8Array;

  constructor(
    private readonly catalog: StoreCatalog,
    private readonly seed: number,
    private readonly partition: Partition,
    from: number,
    private readonly host: LivingHost<D>,
    /** Flash sales (their price changes) and payment outages (orders whose payment fails). */
    private readonly scenarios?: ScenarioEffects,
  ) {
    const p = partition;
    this.rng = new Rng(mixSeed(seed, p.index, p.count, 0xf1));
    this.prices = new PriceSchedule(seed, catalog.basePriceCents, catalog.productNumber, scenarios?.sales, catalog.productCategory);
    const users = catalog.userCount;
    this.lastVisit = new Float64Array(users);
    // When each user last came before the run is not known: up to the churn threshold ago.
    for (let u = p.index; u < users; u += p.count) this.lastVisit[u] = from - (mixSeed(seed, u, 0x1a57) / 4294967296) * this.churnAfter();
    this.spentCents = new Float64Array(users);
    this.segment = Uint8Array.from(catalog.userSegment);
    this.active = new Uint8Array(users).fill(1);
    // Each product this partition owns announces its next price change when it comes.
    for (let p = partition.index; p < catalog.productCount; p += partition.count) this.schedulePrice(p, from);
    this.queue.push(from, { kind: 'users', from });
  }

  /** Simulated time of the next happening (Infinity: none). */
  get nextAt(): number {
    return this.queue.peekAt();
  }

  /** One partition sees 1/count of a user's visits and orders: thresholds scale with it. */
  private churnAfter(): number {
    return churnAfterMs * this.partition.count;
  }

  private owns(i: number): boolean {
    return i % this.partition.count === this.partition.index;
  }

  /** A visit started: an inactive user the partition owns comes back. */
  visited(user: number, sim: number, at: number): void {
    if (!this.owns(user)) return;
    this.lastVisit[user] = sim;
    if (this.active[user] === 0) this.userChanged(user, 'reactivated', 1, at, sim);
  }

  /** An order was placed at simulated time `sim` (rendered as placed); its lifecycle starts. */
  placed(o: { id: string; user: number; lines: readonly CartLine[]; totalCents: number; fraud: boolean; shipTo: string; warehouse: string }, sim: number, at: number): void {
    const order: TrackedOrder = {
      kind: 'transition',
      id: o.id,
      user: o.user,
      lines: o.lines,
      totalCents: o.totalCents,
      fraud: o.fraud,
      shipTo: o.shipTo,
      warehouse: o.warehouse,
      status: 'placed',
      version: 1,
      late: false,
      to: 'placed',
      changes: noChanges,
    };
    this.host.renderer().orderChanged?.({ orderId: order.id, user: order.user, from: null, to: 'placed', version: 1, changes: noChanges, at, sim }, this.host.out);
    // Payment is authorised (or declined) within seconds.
    const failed = this.rng.chance(order.fraud ? 0.3 : 0.01) || this.scenarios?.outage(at) !== undefined;
    this.next(order, sim, this.rng.between(2, 30) * 1000, failed ? 'cancelled' : 'paid', failed ? { cancel_reason: 'payment_failed' } : noChanges);
    if (this.owns(o.user)) this.spent(o.user, o.totalCents, at, sim);
  }

  /** Processes the earliest happening, at simulated time `sim` (records stamped `at`). */
  step(sim: number, at: number): void {
    const h = this.queue.pop()!;
    switch (h.kind) {
      case 'transition':
        return this.transition(h, h.to, h.changes, sim, at);
      case 'return_window':
        return this.returnWindow(h.order, sim);
      case 'review_window':
        return this.reviewWindow(h.order, at, sim);
      case 'price':
        this.host.renderer().priceChanged?.({ product: h.product, oldCents: h.change.oldCents, newCents: h.change.newCents, reason: h.change.reason, at, sim }, this.host.out);
        return this.schedulePrice(h.product, h.change.at + 1);
      case 'users':
        return this.sweepUsers(h.from, at, sim);
    }
  }

  private next(order: TrackedOrder, sim: number, delayMs: number, to: OrderStatus, changes: OrderChanges): void {
    order.to = to;
    order.changes = changes;
    this.queue.push(sim + Math.max(1000, Math.round(delayMs)), order);
  }

  private transition(order: TrackedOrder, to: OrderStatus, changes: OrderChanges, sim: number, at: number): void {
    const r = this.rng;
    const from = order.status;
    order.status = to;
    order.version++;
    this.host.renderer().orderChanged?.({ orderId: order.id, user: order.user, from, to, version: order.version, changes, at, sim }, this.host.out);
    switch (to) {
      case 'paid': {
        if (order.fraud && r.chance(0.4)) return this.next(order, sim, (0.5 + r.next() * 5.5) * hourMs, 'cancelled', { cancel_reason: 'fraud_review' });
        // Packed within hours; now and then the customer cancels first.
        const packIn = Math.min(72 * hourMs, hourMs + r.exp(7 * hourMs));
        if (r.chance(0.008)) return this.next(order, sim, packIn * (0.1 + 0.8 * r.next()), 'cancelled', { cancel_reason: 'customer_request' });
        return this.next(order, sim, packIn, 'packed', { warehouse_id: order.warehouse });
      }
      case 'packed': {
        const carrier = order.shipTo === 'US' ? usCarriers[r.int(3)] : carriers[r.int(carriers.length)];
        const tracking = `${carrierCodes[carrier]}${r.u32().toString(36).toUpperCase().padStart(7, '0')}${r.between(10, 99)}`;
        return this.next(order, sim, (2 + r.next() * 34) * hourMs, 'shipped', { carrier, tracking_number: tracking });
      }
      case 'shipped': {
        const [fastest, promised] = transitDays[order.shipTo] ?? [4, 9];
        let days = fastest + r.next() * (promised - fastest);
        if (r.chance(lateChance)) days = promised + 1 + r.next() * 9;
        order.late = days > promised;
        return this.next(order, sim, days * dayMs, 'delivered', { delivered_late: order.late });
      }
      case 'delivered':
        // Whether it comes back, or gets a review, is decided when the customer does so.
        if (!order.fraud) {
          this.queue.push(sim + (1 + r.next() * 19) * dayMs, { kind: 'return_window', order });
          this.queue.push(sim + (2 + r.next() * 12) * dayMs, { kind: 'review_window', order });
        }
        return;
      case 'return_requested':
        return this.next(order, sim, (3 + r.next() * 7) * dayMs, 'returned', { is_returned: true });
      case 'returned':
        // The goods arrive back: they are on the shelf again.
        for (const l of order.lines) this.host.stockBack(l.product, l.qty, order.id);
        return this.next(order, sim, (1 + r.next() * 4) * dayMs, 'refunded', { refund_amount: order.totalCents / 100 });
      default:
        // Settled (cancelled, refunded): nothing follows.
        order.changes = noChanges;
        return;
    }
  }

  private returnWindow(order: TrackedOrder, sim: number): void {
    const r = this.rng;
    const category = categories[this.catalog.productCategory[order.lines[0].product]].name;
    if (!r.chance((returnRateByCategory[category] ?? 0.08) + (order.late ? 0.05 : 0))) return;
    const reason = order.late && r.chance(0.4) ? 'arrived_late' : returnReasons[r.int(category === 'Clothing' ? 4 : 3)];
    this.next(order, sim, 0, 'return_requested', { return_reason: reason });
  }

  private reviewWindow(order: TrackedOrder, at: number, sim: number): void {
    const r = this.rng;
    if (!r.chance(reviewChance)) return;
    const line = order.lines[r.int(order.lines.length)];
    const rating = 1 + r.weighted(order.late ? lateStars : onTimeStars);
    this.host.renderer().reviewed?.({ orderId: order.id, user: order.user, product: line.product, rating, late: order.late, at, sim }, this.host.out);
  }

  /** Queues the product's first price change at or after `from`. */
  private schedulePrice(p: number, from: number): void {
    const change = this.prices.nextChange(p, from, Infinity);
    if (change) this.queue.push(change.at, { kind: 'price', product: p, change });
  }

  /** Once a day: users this partition owns who have been away too long become inactive. */
  private sweepUsers(from: number, at: number, sim: number): void {
    const limit = from - this.churnAfter();
    for (let u = this.partition.index; u < this.lastVisit.length; u += this.partition.count) {
      if (this.active[u] === 1 && this.lastVisit[u] < limit) this.userChanged(u, 'churned', 0, at, sim);
    }
    this.queue.push((Math.floor(from / dayMs) + 1) * dayMs, { kind: 'users', from: (Math.floor(from / dayMs) + 1) * dayMs });
  }

  private spent(user: number, cents: number, at: number, sim: number): void {
    this.spentCents[user] += cents;
    let seg = this.segment[user];
    while (seg < upgradeAtCents.length && this.spentCents[user] >= upgradeAtCents[seg] / this.partition.count) seg++;
    if (seg !== this.segment[user]) {
      this.segment[user] = seg;
      this.userChanged(user, 'segment_upgrade', 1, at, sim);
    }
  }

  private userChanged(user: number, change: 'segment_upgrade' | 'churned' | 'reactivated', active: number, at: number, sim: number): void {
    this.active[user] = active;
    this.host.renderer().userChanged?.({ user, change, segment: this.segment[user], active: active === 1, at, sim }, this.host.out);
  }
}
