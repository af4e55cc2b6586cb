import type { z } from 'zod';
import type { StoreCatalog } from '../catalog/store-catalog.js';
import type { Partition } from '../config/values.js';
import type { CartLine, PricedOrder } from './checkout.js';
import type { DirtyFields } from './dirty.js';
import type { ScenarioEffects } from './scenario-effects.js';
import type { AnomalyType, CartEvent, EventCollection, InventoryUpdate, OrderEvent, OrderStatus, PriceChange, ProductView, Transaction, UserActivity, UserChange, browsers, deviceTypes, trafficSources } from './schemas.js';

/**
 * What the engine says happened, in the store's terms (catalog indexes, cents, simulated
 * time), before any profile's document shape: a visit started or ended, a product viewed, a
 * cart changed, an order placed with its lines and money, stock moved, an activity. A
 * profile's renderer turns each fact into that profile's records.
 */

/** The visit a fact happens in, as far as a renderer may read it. */
export interface Visit {
  readonly id: string;
  /** User index in the catalog. */
  readonly user: number;
  readonly device: (typeof deviceTypes)[number];
  readonly browser: (typeof browsers)[number];
  readonly source: (typeof trafficSources)[number];
  readonly ip: string;
  /** Simulated time the visit started (ms). */
  readonly startedAt: number;
  /** A bot of a bot-burst scenario. */
  readonly bot?: boolean;
}

/** When a fact happens: the records' timestamp, and the simulated time (they differ by the offset in live time). */
interface When {
  /** Timestamp of the records (ms). */
  at: number;
  /** Simulated time (ms): how long the visit has lasted. */
  sim: number;
}

export interface VisitStarted extends When {
  visit: Visit;
}

export interface VisitEnded extends When {
  visit: Visit;
  /** How long the visit lasted, whole seconds. */
  seconds: number;
}

/** A page the shopper spent time on between shopping steps, a wishlist add or a review. */
export interface ActivityHappened extends When {
  visit: Visit;
  type: Exclude<UserActivity['activity_type'], 'login' | 'logout'>;
  page: string;
  product: number | null;
  seconds: number | null;
}

export interface ProductViewed extends When {
  visit: Visit;
  kind: ProductView['event_type'];
  product: number;
  /** The price the shopper saw. */
  priceCents: number;
  searchQuery: string | null;
  compared: number | null;
  seconds: number;
}

export interface CartChanged extends When {
  visit: Visit;
  type: CartEvent['event_type'];
  product: number | null;
  qty: number;
  unitCents: number | null;
  /** The cart after the change (0 at checkout: it became the order). */
  cartItems: number;
  cartValueCents: number;
  /** A line's quantity before an update_quantity. */
  previousQty?: number;
}

export interface OrderPlaced extends When {
  visit: Visit;
  /** The order's id (the engine's: stock moves and returns refer to it). */
  orderId: string;
  lines: readonly CartLine[];
  money: PricedOrder;
  payment: Transaction['payment_method'];
  anomaly: AnomalyType | null;
  /** Without the living store: decided at checkout that it comes back (its stock returns days later). */
  returned: boolean;
  /** The living store follows the order (its state fields start at placed; order_events tell the rest). */
  tracked: boolean;
}

/** What an order transition sets on the order besides its status and version. */
export type OrderChanges = OrderEvent['changes'];

/** An order moved from one status to the next (from null: placed). */
export interface OrderChanged extends When {
  orderId: string;
  user: number;
  from: OrderStatus | null;
  to: OrderStatus;
  version: number;
  changes: OrderChanges;
}

/** A product's price changed (the living catalog's schedule). */
export interface PriceChanged extends When {
  product: number;
  oldCents: number;
  newCents: number;
  reason: PriceChange['reason'];
}

/** A customer reviewed a product of a delivered order. */
export interface Reviewed extends When {
  orderId: string;
  user: number;
  product: number;
  rating: number;
  late: boolean;
}

/** A user's segment or activity changed. */
export interface UserChanged extends When {
  user: number;
  change: UserChange['change'];
  /** Index in customerSegments. */
  segment: number;
  active: boolean;
}

export interface StockMoved extends When {
  product: number;
  warehouse: string;
  type: InventoryUpdate['update_type'];
  previous: number;
  change: number;
  next: number;
  /** The order a sale or a return belongs to. */
  reference: string | null;
}

/** A rendered record: some profile's document, with the string _id of the partition's sequence. */
export interface RenderedDoc {
  _id: string;
  [field: string]: unknown;
}

/** What a renderer may ask of the engine, and where its records go. */
export interface RenderOutput<D extends RenderedDoc> {
  /** A fresh record id: the next in the partition's sequence. */
  nextId(): string;
  /** A UUID derived from a record id, unique as the id is. */
  uuid(id: string): string;
  /** This partition's stock of a product now. */
  stockOf(product: number): number;
  /** Queues a record (its _id one this output gave). */
  emit(collection: EventCollection, doc: D): void;
}

/**
 * One profile's documents for the engine's facts. Each method emits zero or more records,
 * taking each record's id from `out.nextId()` when it emits it (an order's first record takes
 * the order's id), so that the sequence has no gaps.
 */
export interface EventRenderer<D extends RenderedDoc = RenderedDoc> {
  visitStarted(f: VisitStarted, out: RenderOutput<D>): void;
  visitEnded(f: VisitEnded, out: RenderOutput<D>): void;
  activity(f: ActivityHappened, out: RenderOutput<D>): void;
  productViewed(f: ProductViewed, out: RenderOutput<D>): void;
  cartChanged(f: CartChanged, out: RenderOutput<D>): void;
  orderPlaced(f: OrderPlaced, out: RenderOutput<D>): void;
  stockMoved(f: StockMoved, out: RenderOutput<D>): void;
  /** The living store's facts: a profile that renders none of them writes insert-only records. */
  orderChanged?(f: OrderChanged, out: RenderOutput<D>): void;
  priceChanged?(f: PriceChanged, out: RenderOutput<D>): void;
  reviewed?(f: Reviewed, out: RenderOutput<D>): void;
  userChanged?(f: UserChanged, out: RenderOutput<D>): void;
}

/** Facts told to nobody: warming up, nothing before a live stream's origin is output. */
export const silentRenderer: EventRenderer<never> = {
  visitStarted: () => undefined,
  visitEnded: () => undefined,
  activity: () => undefined,
  productViewed: () => undefined,
  cartChanged: () => undefined,
  orderPlaced: () => undefined,
  stockMoved: () => undefined,
};

/** A profile's event documents: its collections, how facts become them, what checks them and what --dirty-rate breaks in them. */
export interface EventShape<D extends RenderedDoc = RenderedDoc> {
  /** The event collections it writes, in report order. */
  collections: readonly EventCollection[];
  /** A renderer for one partition of the store. */
  renderer(catalog: StoreCatalog, partition: Partition, scenarios?: ScenarioEffects): EventRenderer<D>;
  /** The schema each record is validated with, by collection. */
  schemas: Partial<Record<EventCollection, z.ZodType>>;
  dirtyFields: DirtyFields;
  /**
   * A profile whose renderer keeps its collections in fixed proportion to one of them (its
   * service's pace): a visit's records are that collection's records × `records` (live-rate.ts).
   */
  paceBy?: { collection: EventCollection; records: number };
  /** What a progress line calls each collection's records ("orders", "order lines"), in report order. */
  labels: Partial<Record<EventCollection, string>>;
}
