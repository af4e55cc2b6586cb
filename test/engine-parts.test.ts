import { describe, expect, it } from 'vitest';
import { countries } from '../src/catalog/reference.js';
import { type CartLine, dynamicPriceCents, priceOrder } from '../src/events/checkout.js';
import { FraudPlanner } from '../src/events/fraud-planner.js';
import { CART, MixController, ORDER, VIEW } from '../src/events/mix-controller.js';
import { StockLedger } from '../src/events/stock-ledger.js';
import type { StoreCatalog } from '../src/catalog/store-catalog.js';
import { Rng } from '../src/shared/rng.js';
import { testCatalog } from './helpers/engine.js';

describe('MixController', () => {
  const table: Array<[string, [number, number, number], [number, number, number], [number, number, number]]> = [
    // name, counts so far, target (views, cart, orders), expected weights
    ['nothing yet: the target shares, plus a floor', [0, 0, 0], [0.6, 0.3, 0.1], [0.6 + 2.4, 0.3 + 1.2, 0.1 + 0.4]],
    ['views ahead: only the floor for views', [10, 0, 0], [0.6, 0.3, 0.1], [0 + 2.4, 3.3 + 1.2, 1.1 + 0.4]],
    ['a kind with target 0 is never drawn', [5, 5, 0], [0.5, 0.5, 0], [0.5 + 2, 0.5 + 2, 0]],
  ];
  for (const [name, counts, target, weights] of table) {
    it(name, () => {
      const m = new MixController({ views: target[0], cart: target[1], orders: target[2] });
      counts.forEach((n, k) => {
        for (let i = 0; i < n; i++) m.record(k as 0 | 1 | 2);
      });
      m.weights().forEach((w, k) => expect(w).toBeCloseTo(weights[k], 9));
    });
  }

  it('the long-run mix converges to the target within half a point', () => {
    const m = new MixController({ views: 0.6, cart: 0.3, orders: 0.1 });
    const rng = new Rng(3);
    for (let i = 0; i < 100_000; i++) m.record(m.choose(rng));
    const total = m.counts[VIEW] + m.counts[CART] + m.counts[ORDER];
    expect(Math.abs(m.counts[VIEW] / total - 0.6)).toBeLessThan(0.005);
    expect(Math.abs(m.counts[CART] / total - 0.3)).toBeLessThan(0.005);
    expect(Math.abs(m.counts[ORDER] / total - 0.1)).toBeLessThan(0.005);
  });
});

describe('FraudPlanner', () => {
  /** Visits that each place their planned orders (honest visits place one). */
  function simulate(rate: number, visits: number): FraudPlanner {
    const f = new FraudPlanner(rate);
    const rng = new Rng(11);
    for (let v = 0; v < visits; v++) {
      const plan = f.plan(rng);
      if (!plan) {
        f.ordered(null);
        continue;
      }
      while (plan.ordersLeft > 0) {
        f.ordered(plan.type);
        f.placed(plan);
      }
      f.ended(plan);
    }
    return f;
  }
  for (const rate of [0, 0.005, 0.02, 0.1, 0.3]) {
    it(`fraud share tracks --fraud-rate ${rate} within half a point`, () => {
      expect(Math.abs(simulate(rate, 50_000).share - rate)).toBeLessThan(0.005);
    });
  }

  it('orders planned but not placed stop counting when the visit ends', () => {
    const f = new FraudPlanner(0.5);
    const rng = new Rng(1);
    const plan = f.plan(rng)!;
    expect(plan).not.toBeNull();
    // While the plan is pending, no second one is made for the next visit.
    expect(f.plan(rng)).toBeNull();
    f.ended(plan);
    expect(f.plan(rng)).not.toBeNull();
  });

  it('burst and card testing plan several orders, the others one', () => {
    const f = new FraudPlanner(1);
    const rng = new Rng(5);
    for (let i = 0; i < 200; i++) {
      const p = f.plan(rng)!;
      if (p.type === 'order_burst') expect(p.ordersLeft).toBeGreaterThanOrEqual(3);
      else if (p.type === 'card_testing') expect(p.ordersLeft).toBeGreaterThanOrEqual(5);
      else expect(p.ordersLeft).toBe(1);
      f.ended(p);
    }
  });
});

describe('checkout money', () => {
  const base = testCatalog();
  /** The test catalog with one user set to a country and segment. */
  const withUser = (country: string, segment: number): StoreCatalog => {
    const userCountry = Uint8Array.from(base.userCountry);
    const userSegment = Uint8Array.from(base.userSegment);
    userCountry[0] = countries.findIndex((c) => c.code === country);
    userSegment[0] = segment;
    return { ...base, userCountry, userSegment };
  };
  const lines = (...pairs: Array<[number, number]>): CartLine[] => pairs.map(([qty, unitCents], i) => ({ product: i, qty, unitCents }));

  const table: Array<[string, string, number, CartLine[], { subtotal: number; discount: number; tax: number; shipping: number }]> = [
    // vip (segment 3): 10 % off; US tax 7 %; US shipping free from $50.
    ['vip in the US, above free shipping', 'US', 3, lines([2, 2_500], [1, 1_000]), { subtotal: 6_000, discount: 600, tax: 378, shipping: 0 }],
    ['premium in Germany, below free shipping', 'DE', 2, lines([1, 2_000]), { subtotal: 2_000, discount: 100, tax: 361, shipping: 499 }],
    ['vip in Japan, one cheap line', 'JP', 3, lines([3, 333]), { subtotal: 999, discount: 100, tax: 90, shipping: 699 }],
  ];
  for (const [name, country, segment, cart, want] of table) {
    it(name, () => {
      const o = priceOrder(cart, 0, withUser(country, segment), null, new Rng(1));
      expect(o).toMatchObject(want);
      expect(o.total).toBe(want.subtotal - want.discount + want.tax + want.shipping);
      expect(o.itemCount).toBe(cart.reduce((a, l) => a + l.qty, 0));
      expect(o.items.reduce((a, i) => a + Math.round(i.line_total * 100), 0)).toBe(o.subtotal);
      expect([o.shipTo.code, o.billTo.code, o.ipFrom.code]).toEqual([country, country, country]);
    });
  }

  it('a country_mismatch fraud ships and connects from elsewhere, and is taxed where it ships', () => {
    const cat = withUser('US', 3);
    for (let seed = 0; seed < 50; seed++) {
      const o = priceOrder(lines([1, 10_000]), 0, cat, 'country_mismatch', new Rng(seed));
      expect(o.shipTo.code).not.toBe('US');
      expect(o.ipFrom.code).not.toBe('US');
      expect(o.tax).toBe(Math.round((o.subtotal - o.discount) * o.shipTo.taxRate));
    }
  });

  it('dynamic prices stay within ±20 % of base and repeat for the same (seed, product, epoch)', () => {
    for (let p = 0; p < 500; p++) {
      const price = dynamicPriceCents(7, 10_000, p, 3);
      expect(price).toBeGreaterThanOrEqual(8_000);
      expect(price).toBeLessThanOrEqual(12_000);
      expect(dynamicPriceCents(7, 10_000, p, 3)).toBe(price);
    }
  });
});

describe('StockLedger', () => {
  it('partitions split each product’s stock with nothing lost', () => {
    const initial = [0, 1, 7, 100, 101];
    const parts = [0, 1, 2].map((i) => new StockLedger(initial, `WH-${i}.3`, i, 3));
    initial.forEach((s, p) => expect(parts.reduce((a, l) => a + l.level(p), 0)).toBe(s));
  });

  it('every movement is recorded as previous + change = new, chained', () => {
    const ledger = new StockLedger([50], 'WH-0.1', 0, 1);
    const moves: Array<[string, number]> = [['sale', -20], ['sale', -25], ['restock', 300], ['return', 2], ['adjustment', -7]];
    let expected = 50;
    for (const [type, change] of moves) {
      expect(ledger.move(0, change), type).toEqual({ previous: expected, next: expected + change });
      expected += change;
    }
    expect(ledger.level(0)).toBe(expected);
  });
});

describe('LocalTime', () => {
  it('gives the local hour and weekday Intl gives, across daylight-saving changes, in every zone of the reference data', async () => {
    const { LocalTime } = await import('../src/events/local-time.js');
    const { timeZones } = await import('../src/catalog/store-catalog.js');
    const local = new LocalTime(timeZones);
    const rng = new Rng(9);
    const from = Date.UTC(2025, 0, 1);
    for (let i = 0; i < 4000; i++) {
      // Minutes apart in runs (the way the engine asks), jumping around two years.
      const t = from + Math.floor(rng.next() * 730 * 86_400_000) - (i % 2) * 60_000;
      const z = i % timeZones.length;
      const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: timeZones[z], hourCycle: 'h23', hour: 'numeric', weekday: 'short' }).formatToParts(t).map((p) => [p.type, p.value]));
      const want = { hour: Number(parts.hour), weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday) };
      expect(local.at(z, t), `${timeZones[z]} ${new Date(t).toISOString()}`).toEqual(want);
    }
    // Every hour (and a minute past) of the days around the 2026 changes, in every zone.
    const fresh = new LocalTime(timeZones);
    for (const day of ['2026-03-07', '2026-03-28', '2026-04-04', '2026-10-03', '2026-10-24', '2026-10-31']) {
      for (let h = 0; h < 72; h++) {
        for (const t of [Date.parse(`${day}T00:00:00Z`) + h * 3_600_000, Date.parse(`${day}T00:00:00Z`) + h * 3_600_000 + 60_000]) {
          for (let z = 0; z < timeZones.length; z++) {
            const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone: timeZones[z], hourCycle: 'h23', hour: 'numeric' }).format(t));
            expect(fresh.at(z, t).hour, `${timeZones[z]} ${new Date(t).toISOString()}`).toBe(hour);
          }
        }
      }
    }
  });

  it('keeps the offsets of the week-by-week rule while the clock walks forward, jumps ahead and goes back', async () => {
    const { LocalTime } = await import('../src/events/local-time.js');
    const { timeZones } = await import('../src/catalog/store-catalog.js');
    // The rule spelt out, with nothing cached but Intl's answers: a week whose ends agree has
    // that offset throughout; in a week whose ends differ, the offset at the start of each UTC hour.
    const hourMs = 3_600_000;
    const weekMs = 168 * hourMs;
    const answers = new Map<string, number>();
    const formats = timeZones.map((timeZone) => new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }));
    const offsetAt = (z: number, at: number): number => {
      const key = `${z}@${at}`;
      let offset = answers.get(key);
      if (offset === undefined) {
        const p = Object.fromEntries(formats[z].formatToParts(at).map((x) => [x.type, x.value]));
        offset = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - at;
        answers.set(key, offset);
      }
      return offset;
    };
    const rule = (z: number, t: number): number => {
      const week = Math.floor(t / weekMs) * weekMs;
      const first = offsetAt(z, week);
      return first === offsetAt(z, week + weekMs) ? first : offsetAt(z, Math.floor(t / hourMs) * hourMs);
    };
    const rng = new Rng(26);
    const from = Date.UTC(2025, 9, 1);
    for (let z = 0; z < timeZones.length; z++) {
      const local = new LocalTime(timeZones);
      let t = from;
      // Forward in steps of up to 5 hours for two years, with a jump back a season now and then.
      for (let i = 0; i < 7000; i++) {
        t += Math.floor(rng.next() * 5 * hourMs);
        if (i % 1500 === 1499) t -= 120 * 24 * hourMs;
        const offset = rule(z, t);
        expect(local.offset(z, t), `${timeZones[z]} ${new Date(t).toISOString()}`).toBe(offset);
        const d = new Date(t + offset);
        expect(local.hourOfWeek(z, t)).toBe(d.getUTCDay() * 24 + d.getUTCHours());
      }
    }
  });
});
