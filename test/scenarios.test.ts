import { describe, expect, it } from 'vitest';
import { productIdOf } from '../src/catalog/store-catalog.js';
import { categories } from '../src/catalog/reference.js';
import { type EngineRecord, EventEngine } from '../src/events/engine.js';
import { PriceSchedule } from '../src/events/price-schedule.js';
import { ScenarioEffects } from '../src/events/scenario-effects.js';
import { type EventDoc, type PriceChange, type ProductView, type Transaction, eventSchemas } from '../src/events/schemas.js';
import { ecomEtlEvents } from '../src/profiles/ecom-etl/events.js';
import { parseScenario, resolveScenarios } from '../src/scenarios/spec.js';
import { runCli } from './helpers/cli.js';
import { testCatalog } from './helpers/engine.js';

const dayMs = 86_400_000;
const hourMs = 3_600_000;
const from = Date.parse('2026-01-01T00:00:00Z');
const realistic = { views: 0, cart: 0, orders: 0, preset: 'realistic' as const };

const spec = (text: string) => {
  const s = parseScenario(text);
  if (typeof s === 'string') throw new Error(s);
  return s;
};

function backfill(days: number, scenarios: string[], lifecycle = true): Array<EngineRecord<EventDoc>> {
  const catalog = testCatalog(300, 10_000);
  const e = new EventEngine(catalog, {
    seed: 3,
    partition: { index: 0, count: 1 },
    mix: realistic,
    fraudRate: 0.02,
    dirtyRate: 0,
    from: new Date(from),
    events: ecomEtlEvents,
    lifecycle,
    scenarios: resolveScenarios(scenarios.map(spec), from),
  });
  const out: Array<EngineRecord<EventDoc>> = [];
  for (;;) {
    const batch = e.take(20_000, from + days * dayMs);
    out.push(...batch);
    if (batch.length < 20_000) return out;
  }
}

const docs = <T,>(recs: Array<EngineRecord<EventDoc>>, c: string) => recs.filter((r) => r.collection === c).map((r) => r.doc as unknown as T);
const at = (d: { timestamp: Date }) => d.timestamp.getTime();

describe('--scenario values', () => {
  it('parses names, parameters (with their defaults) and windows after the run start or at a date', () => {
    expect(spec('black-friday')).toMatchObject({ name: 'black-friday', afterMs: 0, params: { traffic: 6, conversion: 2, coupons: 0.6 } });
    expect(spec('late-arrivals:share=0.02,max=5m@4d+2h')).toMatchObject({ name: 'late-arrivals', afterMs: 4 * dayMs, durationMs: 2 * hourMs, params: { share: 0.02, max: 300_000 } });
    expect(spec('flash-sale:category=Books@2026-11-27T08:00+02:00+6h')).toMatchObject({ startMs: Date.parse('2026-11-27T06:00:00Z'), durationMs: 6 * hourMs, params: { category: 'Books' } });
    const [w] = resolveScenarios([spec('payment-outage@90m+30m')], from);
    expect([w.fromMs - from, w.toMs - w.fromMs]).toEqual([90 * 60_000, 30 * 60_000]);
    expect(resolveScenarios([spec('schema-drift@2026-01-03')], from)[0].toMs).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses what is not a scenario, a parameter it does not take, a bad value or start, with the fix in the message', () => {
    const bad: Array<[string, RegExp]> = [
      ['black-monday', /not a scenario: use one of black-friday, /],
      ['black-friday:speed=2', /not a parameter of black-friday: give traffic=…/],
      ['late-arrivals:share=1.5', /share from 0 to 1/],
      ['late-arrivals:max=ten', /duration like 10m/],
      ['bot-burst:bots=2.5', /whole number above 0/],
      ['schema-drift:x=1', /it takes none/],
      ['black-friday@soon', /must be a date like 2026-11-27/],
    ];
    for (const [text, message] of bad) expect(parseScenario(text), text).toMatch(message);
  });

  it('refuses through the CLI, exit 2, one line naming the value and the fix (a flash sale of no category included)', async () => {
    for (const [value, message] of [
      ['black-monday', /Invalid --scenario: "black-monday" is not a scenario: use one of/],
      ['black-monday:x=1@2026-01-01', /Invalid --scenario: "black-monday:x=1@2026-01-01" names "black-monday", which is not a scenario: use one of/],
      ['flash-sale:category=Electronic', /category=Electronic is not a category of the catalog: use one of Electronics, /],
    ] as const) {
      const r = await runCli(['stream', '--sink', 'null', '--from', '2026-01-01', '--limit', '10', '--scenario', value]);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('scenarios in the engine (issue 25)', () => {
  const recs = backfill(9, ['black-friday@7d+1d', 'flash-sale:category=Electronics@2d+6h', 'bot-burst:rate=2@1d+1h', 'payment-outage@4d+6h', 'schema-drift@204h']);
  const orders = docs<Transaction>(recs, 'transactions');

  it('keeps every record valid, labelled by the scenarios that touch it', () => {
    for (const r of recs) expect(eventSchemas[r.collection].safeParse(r.doc).success, `${r.collection} ${r.doc._id}`).toBe(true);
    const labelled = recs.filter((r) => (r.doc as { scenarios?: string[] }).scenarios);
    expect(new Set(labelled.flatMap((r) => (r.doc as { scenarios: string[] }).scenarios))).toEqual(new Set(['black-friday', 'flash-sale', 'bot-burst', 'payment-outage', 'schema-drift']));
  });

  it('black-friday: orders per hour in its window ≥ 4× the same hours of the day before and of a run without it; labelled', () => {
    const bf = (o: Transaction) => at(o) >= from + 7 * dayMs && at(o) < from + 8 * dayMs;
    const dayBefore = orders.filter((o) => at(o) >= from + 6 * dayMs && at(o) < from + 7 * dayMs).length;
    const inside = orders.filter(bf);
    expect(inside.length).toBeGreaterThanOrEqual(4 * dayBefore);
    const plain = docs<Transaction>(backfill(9, []), 'transactions').filter(bf).length;
    expect(inside.length).toBeGreaterThanOrEqual(4 * plain);
    expect(inside.every((o) => o.scenarios?.includes('black-friday'))).toBe(true);
    expect(orders.filter((o) => !bf(o)).some((o) => o.scenarios?.includes('black-friday'))).toBe(false);
  });

  it('flash-sale: its category at the discount in every view, with price changes at its start and end', () => {
    const catalog = testCatalog(300, 10_000);
    const electronics = categories.findIndex((c) => c.name === 'Electronics');
    const sale = new ScenarioEffects(resolveScenarios([spec('flash-sale:category=Electronics@2d+6h')], from), 3).sales;
    const schedule = new PriceSchedule(3, catalog.basePriceCents, catalog.productNumber, sale, catalog.productCategory);
    const index = new Map(Array.from({ length: catalog.productCount }, (_, p) => [productIdOf(catalog, p), p]));
    for (const v of docs<ProductView>(recs, 'product_views')) if (v.price_shown !== undefined) expect(Math.round(v.price_shown * 100)).toBe(schedule.priceCents(index.get(v.product_id)!, at(v)));
    const bounds = docs<PriceChange>(recs, 'price_changes').filter((c) => c.scenarios?.includes('flash-sale'));
    const products = catalog.byCategory[electronics].length;
    expect(bounds.filter((c) => at(c) === from + 2 * dayMs).length).toBe(products);
    expect(bounds.filter((c) => at(c) === from + 2 * dayMs + 6 * hourMs).length).toBe(products);
    const viewsInSale = docs<ProductView>(recs, 'product_views').filter((v) => at(v) >= from + 2 * dayMs && at(v) < from + 2 * dayMs + 6 * hourMs);
    expect(viewsInSale.filter((v) => v.category === 'Electronics').length / viewsInSale.length).toBeGreaterThan(0.4);
  });

  it('bot-burst: a few users on a few addresses view at its rate and never buy', () => {
    const bots = docs<ProductView>(recs, 'product_views').filter((v) => v.scenarios?.includes('bot-burst'));
    expect(bots.length).toBeGreaterThan(0.9 * 2 * 3600);
    expect(bots.length).toBeLessThan(1.1 * 2 * 3600);
    const users = new Set(bots.map((b) => b.user_id));
    expect(users.size).toBeLessThanOrEqual(3);
    const sessions = new Set(bots.map((b) => b.session_id));
    expect(docs<Transaction>(recs, 'transactions').some((o) => sessions.has(o.session_id))).toBe(false);
  });

  it('payment-outage: most checkouts abandoned, and every order placed in it cancelled for its payment', () => {
    const inOutage = (d: { timestamp: Date }) => at(d) >= from + 4 * dayMs && at(d) < from + 4 * dayMs + 6 * hourMs;
    const carts = docs<{ event_type: string; timestamp: Date; scenarios?: string[] }>(recs, 'cart_events').filter((c) => inOutage(c) && c.scenarios?.includes('payment-outage'));
    const abandoned = carts.filter((c) => c.event_type === 'abandon').length;
    const checkouts = carts.filter((c) => c.event_type === 'checkout').length;
    expect(abandoned).toBeGreaterThan(checkouts);
    const placed = new Set(orders.filter(inOutage).map((o) => o._id));
    const events = docs<{ order_id: string; to_status: string; changes: { cancel_reason?: string } }>(recs, 'order_events');
    for (const id of placed) expect(events.find((e) => e.order_id === id && e.to_status !== 'placed')).toMatchObject({ to_status: 'cancelled', changes: { cancel_reason: 'payment_failed' } });
  });

  it('schema-drift: from its start, views carry displayed_price instead of price_shown', () => {
    const views = docs<ProductView>(recs, 'product_views');
    const drift = from + 8 * dayMs + 12 * hourMs;
    expect(views.filter((v) => at(v) < drift).every((v) => v.price_shown !== undefined && v.displayed_price === undefined)).toBe(true);
    const after = views.filter((v) => at(v) >= drift);
    expect(after.length).toBeGreaterThan(100);
    expect(after.every((v) => v.price_shown === undefined && v.displayed_price !== undefined && v.scenarios?.includes('schema-drift'))).toBe(true);
  });

  it('changes nothing outside the windows: before the first scenario, the records are those of a run without scenarios', () => {
    const before = (rs: Array<EngineRecord<EventDoc>>) => rs.filter((r) => at(r.doc as { timestamp: Date }) < from + dayMs).map((r) => r.doc);
    expect(before(recs)).toEqual(before(backfill(1, [])));
  });
});

