import { describe, expect, it } from 'vitest';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { countryByCode } from '../src/catalog/reference.js';
import type { User } from '../src/catalog/schemas.js';
import type { Mix } from '../src/config/values.js';
import type { EngineRecord } from '../src/events/engine.js';
import type { InventoryUpdate, ProductView, Transaction, UserActivity } from '../src/events/schemas.js';
import { buildStoreCatalog } from '../src/catalog/store-catalog.js';
import { defaultMix, engine } from './helpers/engine.js';

// How the population behaves, checked on the records alone (not the engine's counters),
// against the catalog documents and the reference geography: traffic from the users, local
// time, signups, session timing, delayed returns, the realistic funnel.

const realistic: Mix = { views: 0, cart: 0, orders: 0, preset: 'realistic' };
const day = 86_400_000;

function world(products: number, users: number, seed = 1) {
  const g = new CatalogGenerator(seed);
  const userDocs = g.users(0, users);
  return { users: userDocs, catalog: buildStoreCatalog(g.products(0, products), userDocs) };
}

function backfill(w: ReturnType<typeof world>, from: string, days: number, mix: Mix = realistic): EngineRecord[] {
  const e = engine({ seed: 1, mix, from: new Date(from) }, w.catalog);
  const until = Date.parse(from) + days * day;
  const out: EngineRecord[] = [];
  for (;;) {
    const batch = e.take(50_000, until);
    out.push(...batch);
    if (batch.length < 50_000) return out;
  }
}

const of = <T>(recs: EngineRecord[], c: string) => recs.filter((r) => r.collection === c).map((r) => r.doc as unknown as T);
const logins = (recs: EngineRecord[]) => of<UserActivity>(recs, 'user_activities').filter((a) => a.activity_type === 'login');

/** Local hour of a moment in a zone, from Intl directly (not the engine's offset cache). */
const localHour = (t: Date, timeZone: string) => Number(new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(t));

describe('realistic shoppers (--mix realistic), 30 days of 10,000 users', () => {
  const w = world(1000, 10_000);
  const recs = backfill(w, '2026-03-01T00:00:00Z', 30);
  const txns = of<Transaction>(recs, 'transactions');
  const usersById = new Map<string, User>(w.users.map((u) => [u.user_id, u]));

  it('is at least 300,000 records', () => {
    expect(recs.length).toBeGreaterThanOrEqual(300_000);
  });

  it('converts 2-5 % of visits, abandons 60-80 % of carts, and buyers order 1-4 times a month', () => {
    const visits = new Set(logins(recs).map((a) => a.session_id));
    const ordered = new Set(txns.map((t) => t.session_id));
    const conversion = ordered.size / visits.size;
    console.log(`[realism] ${visits.size} visits, conversion ${(100 * conversion).toFixed(2)} %`);
    expect(conversion).toBeGreaterThanOrEqual(0.02);
    expect(conversion).toBeLessThanOrEqual(0.05);
    const carts = recs.filter((r) => r.collection === 'cart_events').map((r) => r.doc as unknown as { event_type: string });
    const checkouts = carts.filter((c) => c.event_type === 'checkout').length;
    const abandoned = carts.filter((c) => c.event_type === 'abandon').length;
    const abandonment = abandoned / (abandoned + checkouts);
    expect(abandonment).toBeGreaterThanOrEqual(0.6);
    expect(abandonment).toBeLessThanOrEqual(0.8);
    const buyers = new Set(txns.map((t) => t.user_id));
    const perBuyer = txns.length / buyers.size;
    console.log(`[realism] abandonment ${(100 * abandonment).toFixed(1)} %, ${perBuyer.toFixed(2)} orders per buying user per month`);
    expect(perBuyer).toBeGreaterThanOrEqual(1);
    expect(perBuyer).toBeLessThanOrEqual(4);
  });

  it('no visit views for longer than it lasts; lengths are minutes, with a bounded tail; logout says how long', () => {
    const bySession = new Map<string, { start: number; end?: number; logout?: number; viewing: number }>();
    for (const a of of<UserActivity>(recs, 'user_activities')) {
      const s = bySession.get(a.session_id) ?? { start: 0, viewing: 0 };
      if (a.activity_type === 'login') s.start = a.timestamp.getTime();
      if (a.activity_type === 'logout') {
        s.end = a.timestamp.getTime();
        s.logout = a.duration_seconds ?? -1;
      }
      bySession.set(a.session_id, s);
    }
    for (const v of of<ProductView>(recs, 'product_views')) bySession.get(v.session_id)!.viewing += v.duration_seconds;
    const ended = [...bySession.values()].filter((s) => s.end !== undefined);
    expect(ended.length).toBeGreaterThan(10_000);
    let tooLong = 0;
    let disagree = 0;
    for (const s of ended) {
      const lengthS = (s.end! - s.start) / 1000;
      if (s.viewing > lengthS) tooLong++;
      if (Math.abs(s.logout! - lengthS) > 1) disagree++;
    }
    expect(tooLong).toBe(0);
    expect(disagree).toBe(0);
    const lengths = ended.map((s) => (s.end! - s.start) / 1000).sort((a, b) => a - b);
    const median = lengths[lengths.length >> 1];
    console.log(`[realism] session length median ${(median / 60).toFixed(1)} min, max ${(lengths.at(-1)! / 60).toFixed(0)} min`);
    expect(median).toBeGreaterThan(60);
    expect(median).toBeLessThan(30 * 60);
    expect(lengths.at(-1)!).toBeLessThanOrEqual(2.5 * 3600);
  });

  it('every return comes 1-31 days after its order, from the same warehouse', () => {
    const orderAt = new Map(txns.map((t) => [t.transaction_id, t.timestamp.getTime()]));
    const returns = of<InventoryUpdate>(recs, 'inventory_updates').filter((u) => u.update_type === 'return');
    expect(returns.length).toBeGreaterThan(20);
    for (const r of returns) {
      const gap = r.timestamp.getTime() - orderAt.get(r.reference_id!)!;
      expect(gap).toBeGreaterThanOrEqual(day);
      expect(gap).toBeLessThanOrEqual(31 * day);
    }
  });

  it('orders ship, bill and connect from the user’s own country, except country-mismatch fraud', () => {
    for (const t of txns) {
      const home = usersById.get(t.user_id)!.country;
      if (t.anomaly_type === 'country_mismatch') expect(t.ip_country).not.toBe(home);
      else expect([t.shipping_country, t.billing_country, t.ip_country]).toEqual([home, home, home]);
    }
  });
});

describe('local time', () => {
  it('in every country with at least 500 orders, the busiest local hour is between 10:00 and 22:00 (one week, default mix)', () => {
    const w = world(1000, 10_000);
    const usersById = new Map<string, User>(w.users.map((u) => [u.user_id, u]));
    const txns = of<Transaction>(backfill(w, '2026-03-01T00:00:00Z', 7, defaultMix), 'transactions');
    const byCountry = new Map<string, number[]>();
    for (const t of txns) {
      const u = usersById.get(t.user_id)!;
      const zone = countryByCode.get(u.country)!.regions.find((r) => r.name === u.region)!.timeZone;
      const hours = byCountry.get(u.country) ?? new Array<number>(24).fill(0);
      hours[localHour(t.timestamp, zone)]++;
      byCountry.set(u.country, hours);
    }
    const checked = [...byCountry.entries()].filter(([, h]) => h.reduce((a, b) => a + b, 0) >= 500);
    console.log(`[realism] ${txns.length} orders; countries with >= 500: ${checked.map(([c]) => c).join(', ')}`);
    expect(checked.length).toBeGreaterThanOrEqual(3);
    for (const [country, hours] of checked) {
      const busiest = hours.indexOf(Math.max(...hours));
      expect(busiest, `${country}: ${hours.join(',')}`).toBeGreaterThanOrEqual(10);
      expect(busiest, country).toBeLessThanOrEqual(22);
      // The small hours are quiet.
      expect(hours[3] * 3, `${country}: ${hours.join(',')}`).toBeLessThan(hours[busiest]);
    }
  });
});

describe('users act only after they exist', () => {
  it('a backfill from 2023-06-01: no event before the user’s signup, and new users appear as they sign up', () => {
    const w = world(200, 5000);
    const signup = new Map(w.users.map((u) => [u.user_id, u.signup_date.getTime()]));
    const recs = backfill(w, '2023-06-01T00:00:00Z', 14, defaultMix);
    expect(recs.length).toBeGreaterThan(1000);
    let early = 0;
    for (const r of recs) {
      const user = (r.doc as { user_id?: string }).user_id;
      if (user && (r.doc.timestamp as Date).getTime() < signup.get(user)!) early++;
    }
    expect(early).toBe(0);
    // Users who signed up during the window show up in it.
    const windowStart = Date.parse('2023-06-01T00:00:00Z');
    const newcomers = new Set(logins(recs).map((a) => a.user_id).filter((u) => signup.get(u)! >= windowStart));
    expect(newcomers.size).toBeGreaterThan(0);
  });

  it('a window before every signup starts at the first signup', () => {
    const w = world(50, 300);
    const first = Math.min(...w.users.filter((u) => u.is_active).map((u) => u.signup_date.getTime()));
    const recs = backfill(w, '2019-01-01T00:00:00Z', 800, defaultMix).slice(0, 100);
    expect(recs.length).toBeGreaterThan(0);
    expect((recs[0].doc.timestamp as Date).getTime()).toBeGreaterThanOrEqual(first);
  });
});

describe('traffic comes from the population', () => {
  it('10× the users is ≈ 10× the visits over the same window (default mix)', () => {
    const small = logins(backfill(world(200, 1000, 3), '2026-03-02T00:00:00Z', 7, defaultMix)).length;
    const large = logins(backfill(world(200, 10_000, 3), '2026-03-02T00:00:00Z', 7, defaultMix)).length;
    console.log(`[realism] one week: ${small} visits for 1,000 users, ${large} for 10,000`);
    expect(large / small).toBeGreaterThan(8);
    expect(large / small).toBeLessThan(12);
  });

  it('--sessions-per-day sets the total', () => {
    const w = world(200, 1000, 3);
    const e = engine({ seed: 1, mix: defaultMix, from: new Date('2026-03-02T00:00:00Z'), sessionsPerDay: 2000 }, w.catalog);
    const recs = e.take(10_000_000, Date.parse('2026-03-09T00:00:00Z'));
    const perDay = logins(recs).length / 7;
    expect(perDay).toBeGreaterThan(1800);
    expect(perDay).toBeLessThan(2200);
  });
});
