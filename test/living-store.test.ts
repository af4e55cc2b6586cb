import { describe, expect, it } from 'vitest';
import { productIdOf } from '../src/catalog/store-catalog.js';
import { PriceSchedule } from '../src/events/price-schedule.js';
import { type EngineRecord, EventEngine } from '../src/events/engine.js';
import { type EventDoc, type OrderEvent, type PriceChange, type ProductView, type Review, type Transaction, eventSchemas } from '../src/events/schemas.js';
import { ecomEtlEvents } from '../src/profiles/ecom-etl/events.js';
import { defaultMix, engine, testCatalog } from './helpers/engine.js';

const dayMs = 86_400_000;
const realistic = { views: 0, cart: 0, orders: 0, preset: 'realistic' as const };
const from = new Date('2026-01-01T00:00:00Z');

/** Every record of a backfill of `days` days (lifecycle on), with the catalog it ran over. */
function backfill(days: number, partition = { index: 0, count: 1 }, catalog = testCatalog(500, 10_000)): Array<EngineRecord<EventDoc>> {
  const e = new EventEngine(catalog, { seed: 7, partition, mix: realistic, fraudRate: 0.02, dirtyRate: 0, from, events: ecomEtlEvents, lifecycle: true });
  const out: Array<EngineRecord<EventDoc>> = [];
  const until = from.getTime() + days * dayMs;
  for (;;) {
    const batch = e.take(20_000, until);
    out.push(...batch);
    if (batch.length < 20_000) return out;
  }
}

const of = <T,>(recs: Array<EngineRecord<EventDoc>>, c: string) => recs.filter((r) => r.collection === c).map((r) => r.doc as unknown as T);

/** The allowed moves of an order (the lifecycle's state machine). */
const allowed: Record<string, string[]> = {
  placed: ['paid', 'cancelled'],
  paid: ['packed', 'cancelled'],
  packed: ['shipped'],
  shipped: ['delivered'],
  delivered: ['return_requested'],
  return_requested: ['returned'],
  returned: ['refunded'],
};

describe('the living store (issue 23)', () => {
  // One 60-day realistic backfill over 10,000 users, shared by the checks below.
  const recs = backfill(60);
  const orders = of<Transaction>(recs, 'transactions');
  const events = of<OrderEvent>(recs, 'order_events');
  const byOrder = new Map<string, OrderEvent[]>();
  for (const e of events) (byOrder.get(e.order_id) ?? byOrder.set(e.order_id, []).get(e.order_id)!).push(e);
  const end = from.getTime() + 60 * dayMs;

  it('writes valid records: every one passes its schema', () => {
    for (const r of recs) expect(eventSchemas[r.collection].safeParse(r.doc).success, `${r.collection} ${r.doc._id}`).toBe(true);
    expect(events.length).toBeGreaterThan(orders.length * 4);
  });

  it('moves every order through valid transitions with increasing timestamps and versions', () => {
    expect(orders.length).toBeGreaterThan(1000);
    for (const o of orders) {
      expect(o.status).toBe('placed');
      expect(o.is_returned).toBe(false);
      const list = byOrder.get(o._id)!;
      expect(list[0]).toMatchObject({ from_status: null, to_status: 'placed', version: 1 });
      expect(list[0].timestamp.getTime()).toBe(o.timestamp.getTime());
      for (let i = 1; i < list.length; i++) {
        expect(allowed[list[i - 1].to_status]).toContain(list[i].to_status);
        expect(list[i].from_status).toBe(list[i - 1].to_status);
        expect(list[i].version).toBe(i + 1);
        expect(list[i].timestamp.getTime()).toBeGreaterThan(list[i - 1].timestamp.getTime());
      }
    }
    // No event of an order that was not placed in the run.
    const placed = new Set(orders.map((o) => o._id));
    expect(events.every((e) => placed.has(e.order_id))).toBe(true);
  });

  it('settles orders, delivers in days, cancels and returns at real-world rates', () => {
    const old = orders.filter((o) => o.timestamp.getTime() < end - 30 * dayMs);
    const last = (o: Transaction) => byOrder.get(o._id)!.at(-1)!.to_status;
    const settled = old.filter((o) => ['delivered', 'cancelled', 'return_requested', 'returned', 'refunded'].includes(last(o)));
    expect(settled.length / old.length).toBeGreaterThanOrEqual(0.9);
    const days: number[] = [];
    let delivered = 0;
    let returned = 0;
    let cancelled = 0;
    for (const o of orders) {
      const list = byOrder.get(o._id)!;
      const d = list.find((e) => e.to_status === 'delivered');
      if (d) {
        delivered++;
        days.push((d.timestamp.getTime() - o.timestamp.getTime()) / dayMs);
      }
      if (list.some((e) => e.to_status === 'returned')) returned++;
      if (list.some((e) => e.to_status === 'cancelled')) cancelled++;
    }
    days.sort((a, b) => a - b);
    const median = days[Math.floor(days.length / 2)];
    expect(median).toBeGreaterThanOrEqual(2);
    expect(median).toBeLessThanOrEqual(10);
    expect(cancelled / orders.length).toBeGreaterThanOrEqual(0.005);
    expect(cancelled / orders.length).toBeLessThanOrEqual(0.05);
    expect(returned / delivered).toBeGreaterThanOrEqual(0.05);
    expect(returned / delivered).toBeLessThanOrEqual(0.2);
  });

  it('puts returned goods back on the shelf when they arrive, not at checkout', () => {
    const returns = of<{ reference_id: string; timestamp: Date; update_type: string }>(recs, 'inventory_updates').filter((u) => u.update_type === 'return');
    const arrived = new Map(events.filter((e) => e.to_status === 'returned').map((e) => [e.order_id, e.timestamp.getTime()]));
    expect(returns.length).toBeGreaterThan(0);
    for (const u of returns) expect(u.timestamp.getTime()).toBe(arrived.get(u.reference_id));
  });

  it('shows, in every view, cart event and order, the price in force at its time', () => {
    const catalog = testCatalog(500, 10_000);
    const schedule = new PriceSchedule(7, catalog.basePriceCents, catalog.productNumber);
    const byId = new Map(Array.from({ length: catalog.productCount }, (_, p) => [productIdOf(catalog, p), p]));
    const index = (id: string) => byId.get(id)!;
    for (const v of of<ProductView>(recs, 'product_views')) expect(Math.round(v.price_shown! * 100)).toBe(schedule.priceCents(index(v.product_id), v.timestamp.getTime()));
    for (const o of orders) for (const it of o.items) expect(Math.round(it.unit_price * 100)).toBe(schedule.priceCents(index(it.product_id), o.timestamp.getTime()));
    const changes = of<PriceChange>(recs, 'price_changes');
    expect(changes.length).toBeGreaterThan(100);
    for (const c of changes) {
      const p = index(c.product_id);
      expect(Math.round(c.new_price * 100)).toBe(schedule.priceCents(p, c.timestamp.getTime()));
      expect(Math.round(c.old_price * 100)).toBe(schedule.priceCents(p, c.timestamp.getTime() - 1));
    }
  });

  it('has reviews J-shaped, lower after a late delivery', () => {
    const reviews = of<Review>(recs, 'reviews');
    expect(reviews.length).toBeGreaterThan(100);
    const mean = (rs: Review[]) => rs.reduce((a, r) => a + r.rating, 0) / rs.length;
    const late = reviews.filter((r) => r.delivered_late);
    const onTime = reviews.filter((r) => !r.delivered_late);
    expect(onTime.filter((r) => r.rating === 5).length / onTime.length).toBeGreaterThan(0.5);
    expect(onTime.filter((r) => r.rating === 1).length).toBeGreaterThan(onTime.filter((r) => r.rating === 2).length);
    expect(mean(onTime) - mean(late)).toBeGreaterThan(1);
  });

  it('announces each price change once across partitions', () => {
    const catalog = testCatalog(500, 10_000);
    const ids = (recs: Array<EngineRecord<EventDoc>>) => of<PriceChange>(recs, 'price_changes').map((c) => `${c.product_id}@${c.timestamp.toISOString()}`);
    const one = ids(backfill(10, { index: 0, count: 1 }, catalog));
    const two = [...ids(backfill(10, { index: 0, count: 2 }, catalog)), ...ids(backfill(10, { index: 1, count: 2 }, catalog))];
    expect(new Set(two).size).toBe(two.length);
    expect(two.sort()).toEqual(one.sort());
  });

  it('is deterministic, and --lifecycle off gives the insert-only records of before', () => {
    const a = backfill(3).map((r) => r.doc);
    const b = backfill(3).map((r) => r.doc);
    expect(b).toEqual(a);
    const off = engine({ mix: defaultMix }).take(3000);
    expect(off.every((r) => !('status' in r.doc))).toBe(true);
    expect(off.some((r) => r.collection === 'order_events' || r.collection === 'price_changes')).toBe(false);
  });
});
