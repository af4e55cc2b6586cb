import { describe, expect, it } from 'vitest';
import type { CartEvent, InventoryUpdate, Transaction } from '../src/events/schemas.js';
import { eventSchemas } from '../src/events/schemas.js';
import type { EngineRecord } from '../src/events/engine.js';
import { parseId } from '../src/events/ids.js';
import { engine, generate, liveEngine, testCatalog } from './helpers/engine.js';
import { planLiveRate } from '../src/events/live-rate.js';
import { ecomEtlEvents } from '../src/profiles/ecom-etl/events.js';
import type { UserActivity } from '../src/events/schemas.js';

const cents = (x: number) => Math.round(x * 100);
const of = <T>(recs: EngineRecord[], c: string) => recs.filter((r) => r.collection === c).map((r) => r.doc as unknown as T);

/** Shares of views, cart events and orders are each within 3 points of the target mix. */
function expectMix(recs: EngineRecord[], mix: { views: number; cart: number; orders: number }): void {
  const v = of(recs, 'product_views').length;
  const c = of(recs, 'cart_events').length;
  const o = of(recs, 'transactions').length;
  const total = v + c + o;
  expect(Math.abs(v / total - mix.views)).toBeLessThan(0.03);
  expect(Math.abs(c / total - mix.cart)).toBeLessThan(0.03);
  expect(Math.abs(o / total - mix.orders)).toBeLessThan(0.03);
}

describe('event engine on 300,000 records (backfill, seed 1)', () => {
  const recs = generate(300_000);

  it('the default mix is within 3 points of 60/30/10', () => {
    expectMix(recs, { views: 0.6, cart: 0.3, orders: 0.1 });
    // Activity and inventory records come along with the mix.
    expect(of(recs, 'user_activities').length).toBeGreaterThan(0);
    expect(of(recs, 'inventory_updates').length).toBeGreaterThan(0);
  });

  it('the fraud share is within 0.5 points of --fraud-rate, with every anomaly type labelled', () => {
    const txns = of<Transaction>(recs, 'transactions');
    const fraud = txns.filter((t) => t.is_fraud);
    expect(Math.abs(fraud.length / txns.length - 0.02)).toBeLessThan(0.005);
    expect(new Set(fraud.map((t) => t.anomaly_type))).toEqual(new Set(['high_value', 'high_quantity', 'order_burst', 'country_mismatch', 'card_testing']));
    for (const t of txns) expect(t.is_fraud).toBe(t.anomaly_type !== null);
    const mismatch = fraud.filter((t) => t.anomaly_type === 'country_mismatch');
    for (const t of mismatch) expect(t.shipping_country).not.toBe(t.user_snapshot.country);
  });

  it('every order contains exactly what was in its session’s cart at checkout', () => {
    const carts = new Map<string, Map<string, { qty: number; price: number }>>();
    const lastCheckout = new Map<string, Map<string, { qty: number; price: number }>>();
    for (const r of recs) {
      if (r.collection === 'cart_events') {
        const e = r.doc as CartEvent;
        const cart = carts.get(e.session_id) ?? new Map();
        carts.set(e.session_id, cart);
        if (e.event_type === 'add') {
          const line = cart.get(e.product_id!);
          cart.set(e.product_id!, { qty: (line?.qty ?? 0) + e.quantity, price: line?.price ?? e.unit_price! });
        } else if (e.event_type === 'remove') cart.delete(e.product_id!);
        else if (e.event_type === 'update_quantity') cart.set(e.product_id!, { qty: e.quantity, price: e.unit_price! });
        else if (e.event_type === 'checkout') {
          lastCheckout.set(e.session_id, cart);
          carts.set(e.session_id, new Map());
          expect(e.cart_items).toBe(0);
        }
        const items = [...cart.values()].reduce((a, l) => a + l.qty, 0);
        if (e.event_type !== 'checkout') expect(e.cart_items).toBe(items);
        expect(e.quantity).toBeGreaterThanOrEqual(0);
      } else if (r.collection === 'transactions') {
        const t = r.doc as Transaction;
        const cart = lastCheckout.get(t.session_id);
        expect(cart, `checkout before ${t._id}`).toBeDefined();
        expect(new Map(t.items.map((i) => [i.product_id, { qty: i.quantity, price: i.unit_price }]))).toEqual(cart);
        lastCheckout.delete(t.session_id);
      }
    }
  });

  it('amounts are consistent to the cent and prices stay within ±20 % of base', () => {
    for (const t of of<Transaction>(recs, 'transactions')) {
      const sub = t.items.reduce((a, i) => a + cents(i.unit_price) * i.quantity, 0);
      expect(cents(t.subtotal)).toBe(sub);
      expect(cents(t.final_amount)).toBe(cents(t.subtotal) - cents(t.discount_amount) + cents(t.tax_amount) + cents(t.shipping_cost));
      for (const i of t.items) {
        expect(i.unit_price).toBeGreaterThanOrEqual(Math.floor(i.base_price * 0.8 * 100) / 100);
        expect(i.unit_price).toBeLessThanOrEqual(Math.ceil(i.base_price * 1.2 * 100) / 100);
      }
    }
  });

  it('stock never goes negative and every update chains: new = previous + change', () => {
    const level = new Map<string, number>();
    for (const u of of<InventoryUpdate>(recs, 'inventory_updates')) {
      expect(u.new_stock).toBe(u.previous_stock + u.quantity_change);
      expect(u.new_stock).toBeGreaterThanOrEqual(0);
      const key = `${u.warehouse_id}/${u.product_id}`;
      if (level.has(key)) expect(u.previous_stock).toBe(level.get(key));
      level.set(key, u.new_stock);
    }
  });

  it('sales match orders: one sale per order line, for its quantity', () => {
    const sales = new Map<string, number>();
    for (const u of of<InventoryUpdate>(recs, 'inventory_updates')) {
      if (u.update_type === 'sale') sales.set(`${u.reference_id}/${u.product_id}`, -u.quantity_change);
    }
    for (const t of of<Transaction>(recs, 'transactions')) for (const i of t.items) expect(sales.get(`${t._id}/${i.product_id}`)).toBe(i.quantity);
  });

  it('timestamps inside a session never go backwards; sessions start with login', () => {
    const last = new Map<string, number>();
    const first = new Map<string, string>();
    let backwards = 0;
    for (const r of recs) {
      const d = r.doc as { session_id?: string; timestamp: Date; activity_type?: string };
      if (!d.session_id) continue;
      const t = d.timestamp.getTime();
      if (t < (last.get(d.session_id) ?? 0)) backwards++;
      last.set(d.session_id, t);
      if (!first.has(d.session_id)) first.set(d.session_id, d.activity_type ?? r.collection);
    }
    expect(backwards).toBe(0);
    expect(last.size).toBeGreaterThan(1000);
    expect(new Set(first.values())).toEqual(new Set(['login']));
  });

  it('every clean record passes its schema; sequence numbers are gapless', () => {
    expect(recs.filter((r, i) => r.seq !== i || parseId(r.doc._id)?.seq !== i)).toEqual([]);
    const invalid = recs.filter((r) => !eventSchemas[r.collection].safeParse(r.doc).success);
    expect(invalid).toEqual([]);
  });
});

describe('determinism and ids', () => {
  const key = (r: EngineRecord) => JSON.stringify(r.doc);

  it('a backfill repeats byte for byte for the same seed, and differs for another seed', () => {
    const a = generate(50_000).map(key);
    expect(generate(50_000).map(key)).toEqual(a);
    const other = generate(50_000, { seed: 2 }).map(key);
    expect(other.filter((x, i) => x === a[i]).length).toBe(0);
  });

  it('record k does not depend on how the stream is cut into batches', () => {
    const whole = generate(20_000).map(key);
    const e = engine();
    const pieces: string[] = [];
    for (const n of [1, 999, 5000, 3, 13_997]) pieces.push(...e.take(n).map(key));
    expect(pieces).toEqual(whole);
  });

  it('in live time only the timestamps depend on when the stream runs: the offset moves them and nothing else', () => {
    const origin = Date.parse('2026-05-05T10:00:00Z');
    const strip = (r: EngineRecord) => JSON.stringify({ ...r.doc, timestamp: 0 });
    const a = liveEngine(origin, 3).take(20_000);
    const later = liveEngine(origin, 3);
    const offset = 7 * 86_400_000 + 1234;
    later.moveClock(offset);
    const b = later.take(20_000);
    expect(b.map(strip)).toEqual(a.map(strip));
    b.forEach((r, i) => expect((r.doc.timestamp as Date).getTime() - (a[i].doc.timestamp as Date).getTime()).toBe(offset));
  });

  it("in live time restocks and returns come due in simulated time, days later: at the users' own rate a long run keeps selling", () => {
    const origin = Date.parse('2026-05-05T10:00:00Z');
    const e = engine({ from: new Date(origin - 30 * 60_000) });
    e.warmUp(origin);
    const recs = e.take(600_000);
    expect((recs.at(-1)!.doc.timestamp as Date).getTime() - origin).toBeGreaterThan(7 * 86_400_000);
    const tail = recs.slice(-100_000);
    const orders = tail.filter((r) => r.collection === 'transactions').length;
    const shopping = tail.filter((r) => ['product_views', 'cart_events', 'transactions'].includes(r.collection)).length;
    expect(orders / shopping).toBeGreaterThan(0.08);
    expect(tail.some((r) => r.collection === 'inventory_updates' && (r.doc as InventoryUpdate).update_type === 'restock')).toBe(true);
    expect(tail.some((r) => r.collection === 'inventory_updates' && (r.doc as InventoryUpdate).update_type === 'return')).toBe(true);
  });

  it('no duplicate _id across 4 partitions, and each partition is its own warehouse', () => {
    const ids = new Set<string>();
    let total = 0;
    for (let index = 0; index < 4; index++) {
      const recs = generate(50_000, { partition: { index, count: 4 } });
      for (const r of recs) ids.add(r.doc._id);
      total += recs.length;
      const warehouses = new Set(recs.filter((r) => r.collection === 'inventory_updates').map((r) => (r.doc as InventoryUpdate).warehouse_id));
      expect(warehouses).toEqual(new Set([`WH-${index}.4`]));
    }
    expect(ids.size).toBe(total);
  });

  it('skipTo continues exactly where a run left off (resume)', () => {
    const whole = generate(30_000).map(key);
    const e = engine();
    e.skipTo(12_345);
    expect(e.take(30_000 - 12_345).map(key)).toEqual(whole.slice(12_345));
  });
});

describe('time, mix and dirty data options', () => {
  it('live, after a warm-up that sold a small shop out, the records the stream emits keep the mix (what the warm-up made is not owed)', () => {
    // 100 products and 1,000 users at ~500 records a second: `etl stream` with its defaults.
    const catalog = testCatalog(100, 1000);
    const origin = Date.UTC(2026, 4, 5, 10);
    const e = engine({ from: new Date(origin - 30 * 60_000), visitsPerSecond: 40 }, catalog);
    e.warmUp(origin);
    const shop = e.take(30_000).filter((r) => ['product_views', 'cart_events', 'transactions'].includes(r.collection));
    const share = (c: string) => shop.filter((r) => r.collection === c).length / shop.length;
    expect(share('product_views')).toBeCloseTo(0.6, 1);
    expect(share('cart_events')).toBeCloseTo(0.3, 1);
    expect(share('transactions')).toBeCloseTo(0.1, 1);
  });

  it('a backfill stays inside --from/--to, in time order', () => {
    const from = new Date('2026-03-02T00:00:00Z');
    const to = new Date('2026-03-05T00:00:00Z');
    const e = engine({ from });
    const recs = e.take(5_000_000, to.getTime());
    expect(recs.length).toBeGreaterThan(5_000);
    expect(recs.length).toBeLessThan(5_000_000);
    let outside = 0;
    let backwards = 0;
    let last = 0;
    for (const r of recs) {
      const t = (r.doc.timestamp as Date).getTime();
      if (t < from.getTime() || t >= to.getTime()) outside++;
      if (t < last) backwards++;
      last = t;
    }
    expect(outside).toBe(0);
    expect(backwards).toBe(0);
  });

  it('follows a custom --mix', () => {
    const mix = { views: 0.5, cart: 0.35, orders: 0.15 };
    expectMix(generate(200_000, { mix }), mix);
  });

  it('--fraud-rate 0 gives no fraud; 0.1 gives 10 %', () => {
    expect(of<Transaction>(generate(100_000, { fraudRate: 0 }), 'transactions').some((t) => t.is_fraud)).toBe(false);
    const txns = of<Transaction>(generate(200_000, { fraudRate: 0.1 }), 'transactions');
    expect(Math.abs(txns.filter((t) => t.is_fraud).length / txns.length - 0.1)).toBeLessThan(0.005);
  });

  it('--dirty-rate corrupts that share; every dirty record fails its schema, every clean one passes', () => {
    const recs = generate(100_000, { dirtyRate: 0.05 });
    const dirty = recs.filter((r) => r.dirty !== null);
    expect(Math.abs(dirty.length / recs.length - 0.05)).toBeLessThan(0.005);
    expect(new Set(dirty.map((r) => r.dirty))).toEqual(new Set(['missing_field', 'wrong_type', 'negative_amount', 'broken_arithmetic']));
    const wrong = recs.filter((r) => eventSchemas[r.collection].safeParse(r.doc).success !== (r.dirty === null));
    expect(wrong).toEqual([]);
  });

  it('dirty records do not change the clean ones around them', () => {
    const clean = generate(20_000).map((r) => JSON.stringify(r.doc));
    const withDirty = generate(20_000, { dirtyRate: 0.1 });
    withDirty.forEach((r, i) => {
      if (r.dirty === null) expect(JSON.stringify(r.doc)).toBe(clean[i]);
    });
  });
});

describe('live time: a shop on the wall clock (issue 22), 90 s simulated at --rate 300 over 2,000 products and 100,000 users', () => {
  const catalog = testCatalog(2000, 100_000, 5);
  const origin = Date.parse('2026-11-30T16:30:00Z');
  const windowMs = 90_000;
  const options = { seed: 4, partition: { index: 0, count: 1 }, mix: { views: 0.7, cart: 0.2, orders: 0.1 }, fraudRate: 0.02, dirtyRate: 0, events: ecomEtlEvents };
  const plan = planLiveRate(catalog, { ...options, from: new Date(origin) }, 300);
  const e = liveEngine(origin, plan.visitsPerSecond, options, catalog);
  const recs = e.take(1_000_000, origin + windowMs);
  const at = (r: EngineRecord) => (r.doc.timestamp as Date).getTime();

  it('every record lies in the window, in time order', () => {
    expect(recs.length).toBeGreaterThan(0);
    for (let i = 0; i < recs.length; i++) {
      expect(at(recs[i])).toBeGreaterThanOrEqual(origin);
      expect(at(recs[i])).toBeLessThan(origin + windowMs);
      if (i > 0) expect(at(recs[i])).toBeGreaterThanOrEqual(at(recs[i - 1]));
    }
  });

  it('records a second average the rate asked for, within 15 %, from the first second on', () => {
    expect(Math.abs(recs.length / 90 - 300) / 300).toBeLessThan(0.15);
    const firstTen = recs.filter((r) => at(r) < origin + 10_000).length / 10;
    expect(Math.abs(firstTen - 300) / 300).toBeLessThan(0.3);
  });

  it("a visit's logout comes its duration_seconds after its login, and many visits are open at once", () => {
    const activities = of<UserActivity>(recs, 'user_activities');
    const login = new Map<string, number>();
    for (const a of activities) if (a.activity_type === 'login') login.set(a.session_id, a.timestamp.getTime());
    let both = 0;
    let matching = 0;
    for (const a of activities) {
      const start = a.activity_type === 'logout' ? login.get(a.session_id) : undefined;
      if (start === undefined) continue;
      both++;
      if (Math.abs((a.timestamp.getTime() - start) / 1000 - a.duration_seconds!) <= 1) matching++;
    }
    expect(both).toBeGreaterThan(10);
    expect(matching / both).toBeGreaterThanOrEqual(0.99);
    // Open visits, sampled each second: a visit is open from its first record to its last.
    const span = new Map<string, [number, number]>();
    for (const r of recs) {
      const sid = (r.doc as { session_id?: string }).session_id;
      if (!sid) continue;
      const s0 = span.get(sid);
      if (s0) s0[1] = at(r);
      else span.set(sid, [at(r), at(r)]);
    }
    const open: number[] = [];
    for (let t = origin; t < origin + windowMs; t += 1000) open.push([...span.values()].filter(([a, b]) => a <= t && b >= t).length);
    open.sort((a, b) => a - b);
    expect(open[open.length >> 1]).toBeGreaterThanOrEqual(10);
  });

  it('a fast rate is reached too: visits are not held to whole milliseconds apart (--rate 20000 on one partition)', () => {
    const fast = planLiveRate(catalog, { ...options, from: new Date(origin) }, 20_000);
    expect(fast.visitsPerSecond).toBeGreaterThan(1000);
    const f = engine({ ...options, from: new Date(origin), visitsPerSecond: fast.visitsPerSecond }, catalog);
    f.take(10_000_000, origin + 5000);
    // Visits started in 5 s of simulated time: the arrival rate asked for (Poisson noise ≈ 1 %).
    expect(Math.abs(f.visits / 5 - fast.visitsPerSecond) / fast.visitsPerSecond).toBeLessThan(0.05);
  });

  it('a rate far beyond what the users make on their own is flagged, with the catalog size that would make it', () => {
    expect(plan.ownVisitsPerSecond).toBeGreaterThan(0);
    const small = planLiveRate(testCatalog(200, 1000), { ...options, from: new Date(origin) }, 500);
    expect(small.realisticUsers).toBeGreaterThan(10 * 1000);
    const own = planLiveRate(testCatalog(200, 1000), { ...options, from: new Date(origin) }, 'population');
    expect(own.visitsPerSecond).toBe(own.ownVisitsPerSecond);
    expect(own.realisticUsers).toBeUndefined();
  });
});
