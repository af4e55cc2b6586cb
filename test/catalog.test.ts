import { describe, expect, it } from 'vitest';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { countries, countryByCode, categories, customerSegments } from '../src/catalog/reference.js';
import { productSchema, userSchema } from '../src/catalog/schemas.js';

describe('catalog invariants', () => {
  const gen = new CatalogGenerator(7);
  const products = gen.products(0, 5000);
  const users = gen.users(0, 20000);

  it('every product and user passes its schema', () => {
    for (const p of products) expect(productSchema.safeParse(p).success).toBe(true);
    for (const u of users) expect(userSchema.safeParse(u).success).toBe(true);
  });

  it('cost is below base_price and stock is never negative', () => {
    for (const p of products) {
      expect(p.cost).toBeLessThan(p.base_price);
      expect(p.stock_quantity).toBeGreaterThanOrEqual(0);
    }
  });

  it('ids are sequential and unique, emails unique', () => {
    expect(products.map((p) => p.product_id).slice(0, 3)).toEqual(['PRD_000001', 'PRD_000002', 'PRD_000003']);
    expect(new Set(products.map((p) => p.product_id)).size).toBe(products.length);
    expect(new Set(users.map((u) => u.user_id)).size).toBe(users.length);
    expect(new Set(users.map((u) => u.email)).size).toBe(users.length);
  });

  it('regions belong to their country and ages are 18-80', () => {
    for (const u of users) {
      const region = countryByCode.get(u.country)?.regions.find((r) => r.name === u.region);
      expect(region, `${u.country} ${u.region}`).toBeDefined();
      expect(region!.cities).toContain(u.city);
      expect(u.age).toBeGreaterThanOrEqual(18);
      expect(u.age).toBeLessThanOrEqual(80);
    }
  });

  it('no city appears under two countries (in the users or in the reference data)', () => {
    const countriesOf = new Map<string, Set<string>>();
    for (const u of users) countriesOf.set(u.city, (countriesOf.get(u.city) ?? new Set()).add(u.country));
    expect(countriesOf.size).toBeGreaterThan(50);
    expect([...countriesOf.entries()].filter(([, cs]) => cs.size > 1)).toEqual([]);
    const reference = new Map<string, string>();
    for (const c of countries) {
      for (const r of c.regions) {
        for (const city of r.cities) {
          expect(reference.get(city) ?? c.code, city).toBe(c.code);
          reference.set(city, c.code);
        }
      }
    }
  });

  it('distributions are realistic: weighted categories, countries and segments', () => {
    const share = <T>(xs: T[], pick: (x: T) => string, key: string) => xs.filter((x) => pick(x) === key).length / xs.length;
    // Electronics is the heaviest category (18 of 100), Health among the lightest (5 of 100).
    expect(share(products, (p) => p.category, 'Electronics')).toBeGreaterThan(0.15);
    expect(share(products, (p) => p.category, 'Health')).toBeLessThan(0.08);
    expect(new Set(products.map((p) => p.category)).size).toBe(categories.length);
    // The US is the heaviest country (34 of 109); every country with a weight has users, the Middle East's and Africa's too.
    expect(share(users, (u) => u.country, 'US')).toBeGreaterThan(0.28);
    expect(new Set(users.map((u) => u.country))).toEqual(new Set(countries.filter((c) => c.weight > 0).map((c) => c.code)));
    for (const code of ['AE', 'SA', 'ZA', 'NG', 'EG', 'KE']) expect(countryByCode.get(code)?.weight, code).toBeGreaterThan(0);
    expect(share(users, (u) => u.customer_segment, 'regular')).toBeGreaterThan(share(users, (u) => u.customer_segment, 'vip'));
    expect(new Set(users.map((u) => u.customer_segment))).toEqual(new Set(customerSegments));
    const ages = users.map((u) => u.age).sort((a, b) => a - b);
    const median = ages[Math.floor(ages.length / 2)];
    expect(median).toBeGreaterThanOrEqual(28);
    expect(median).toBeLessThanOrEqual(45);
    // Log-uniform prices: the median product is much cheaper than the mean.
    const prices = products.map((p) => p.base_price).sort((a, b) => a - b);
    const mean = prices.reduce((a, b) => a + b, 0) / prices.length;
    expect(prices[Math.floor(prices.length / 2)]).toBeLessThan(mean);
  });
});

describe('catalog determinism', () => {
  it('same seed gives identical documents; another seed gives others', () => {
    const a = new CatalogGenerator(11).users(0, 2000);
    const b = new CatalogGenerator(11).users(0, 2000);
    const c = new CatalogGenerator(12).users(0, 2000);
    expect(b).toEqual(a);
    expect(c.map((u) => u.email)).not.toEqual(a.map((u) => u.email));
  });

  it('a document does not depend on the chunk it is generated in', () => {
    const whole = new CatalogGenerator(3).products(0, 3000);
    const g = new CatalogGenerator(3);
    const pieces = [...g.products(0, 777), ...g.products(777, 1500), ...g.products(2277, 723)];
    expect(pieces).toEqual(whole);
  });
});
