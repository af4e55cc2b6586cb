import { EtlError } from '../errors.js';
import { categories, countries, countryByCode, customerSegments, type CustomerSegment } from '../catalog/reference.js';
import type { Product, User } from '../catalog/schemas.js';
import { cumulative } from '../shared/rng.js';

/**
 * The catalog as the event engine needs it: flat arrays indexed by number, built once,
 * so that per-event work is array lookups and no document is touched.
 */
export interface StoreCatalog {
  productCount: number;
  productIds: string[];
  productNames: string[];
  productBrands: string[];
  /** Index into `categories`. */
  productCategory: Uint8Array;
  basePriceCents: Int32Array;
  initialStock: Int32Array;
  /** Popularity (review count based) as cumulative weights. */
  productPopularity: Float64Array;
  /** Product indexes per category (for preferred-category browsing). */
  byCategory: Int32Array[];
  /** Cheapest and most expensive few percent (card testing, high value fraud). */
  cheapest: Int32Array;
  priciest: Int32Array;

  userCount: number;
  userIds: string[];
  userCountry: Uint8Array;
  userRegion: string[];
  userSegment: Uint8Array;
  userAge: Uint8Array;
  /** Index into `timeZones`: the zone of the user's region (local time of their activity). */
  userZone: Uint8Array;
  /** When the user signed up (ms): they act only after it. */
  userSignupMs: Float64Array;
  /** The IANA time zones users live in. */
  timeZones: string[];
  userPreferred: Uint8Array;
}

const categoryIndex = new Map(categories.map((c, i) => [c.name, i]));
const countryIndex = new Map(countries.map((c, i) => [c.code, i]));
const segmentIndex = new Map<CustomerSegment, number>(customerSegments.map((s, i) => [s, i]));

/** The time zone a user lives in: their region's (a region unknown to the reference data: the country's first). */
function zoneOf(u: User): string {
  const country = countryByCode.get(u.country)!;
  return (country.regions.find((r) => r.name === u.region) ?? country.regions[0]).timeZone;
}

/**
 * Builds the engine's catalog from catalog documents (active products and users only).
 * @throws EtlError CATALOG_INVALID when no product or no user can be sold to.
 */
export function buildStoreCatalog(products: readonly Product[], users: readonly User[]): StoreCatalog {
  const ps = products.filter((p) => p.is_active && categoryIndex.has(p.category));
  const us = users.filter((u) => u.is_active && countryByCode.has(u.country));
  const remedy = 'Re-create it with `etl seed --reset` (or `etl seed` into an empty --out directory).';
  if (ps.length === 0) throw new EtlError('CATALOG_INVALID', `The stored catalog has no active product in a known category (${products.length} products read). ${remedy}`);
  if (us.length === 0) throw new EtlError('CATALOG_INVALID', `The stored catalog has no active user in a known country (${users.length} users read). ${remedy}`);
  const timeZones = [...new Set(us.map(zoneOf))].sort();
  const zoneIndex = new Map(timeZones.map((z, i) => [z, i]));
  const byCat: number[][] = categories.map(() => []);
  ps.forEach((p, i) => byCat[categoryIndex.get(p.category)!].push(i));
  const order = ps.map((_, i) => i).sort((a, b) => ps[a].base_price - ps[b].base_price || a - b);
  const tail = Math.max(1, Math.ceil(ps.length * 0.05));
  return {
    productCount: ps.length,
    productIds: ps.map((p) => p.product_id),
    productNames: ps.map((p) => p.name),
    productBrands: ps.map((p) => p.brand),
    productCategory: Uint8Array.from(ps, (p) => categoryIndex.get(p.category)!),
    basePriceCents: Int32Array.from(ps, (p) => Math.round(p.base_price * 100)),
    initialStock: Int32Array.from(ps, (p) => p.stock_quantity),
    productPopularity: cumulative(ps.map((p) => 1 + Math.sqrt(p.review_count) * p.rating)),
    byCategory: byCat.map((l) => Int32Array.from(l)),
    cheapest: Int32Array.from(order.slice(0, tail)),
    priciest: Int32Array.from(order.slice(-tail)),
    userCount: us.length,
    userIds: us.map((u) => u.user_id),
    userCountry: Uint8Array.from(us, (u) => countryIndex.get(u.country)!),
    userRegion: us.map((u) => u.region),
    userSegment: Uint8Array.from(us, (u) => segmentIndex.get(u.customer_segment) ?? 0),
    userAge: Uint8Array.from(us, (u) => u.age),
    userZone: Uint8Array.from(us, (u) => zoneIndex.get(zoneOf(u))!),
    userSignupMs: Float64Array.from(us, (u) => u.signup_date.getTime()),
    timeZones,
    userPreferred: Uint8Array.from(us, (u) => categoryIndex.get(u.preferred_category) ?? 0),
  };
}
