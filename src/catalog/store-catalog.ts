import { EtlError } from '../errors.js';
import { categories, countries, customerSegments, genders, idNumber, productId, userId } from './reference.js';
import type { Product, User } from './schemas.js';
import { cumulative } from '../shared/rng.js';
import { visitsPerMonth } from './visit-rates.js';

/**
 * The catalog as the event engine needs it: flat columns indexed by number, built once while
 * the catalog is read, so that per-event work is array lookups and no document is kept. The
 * numeric columns live in SharedArrayBuffers: worker threads share one copy (a 10 M-user
 * catalog is about 300 MB, whatever the number of workers). Ids are packed as their numbers
 * (`USR_0000042` → 42); product names and brands stay strings (a catalog has at most a few
 * hundred thousand products).
 */
export interface StoreCatalog {
  productCount: number;
  productNumber: Int32Array;
  productNames: string[];
  productBrands: string[];
  /** Index into `categories`. */
  productCategory: Uint8Array;
  basePriceCents: Int32Array;
  costCents: Int32Array;
  /** Rating × 10 (0-50). */
  productRating: Uint8Array;
  initialStock: Int32Array;
  /** Popularity (review count based) as cumulative weights. */
  productPopularity: Float64Array;
  /** Product indexes per category (for preferred-category browsing). */
  byCategory: Int32Array[];
  /** Cheapest and most expensive few percent (card testing, high value fraud). */
  cheapest: Int32Array;
  priciest: Int32Array;

  userCount: number;
  userNumber: Int32Array;
  /** Index into `countries`. */
  userCountry: Uint8Array;
  /** Index into `regionNames`. */
  userRegion: Uint8Array;
  userSegment: Uint8Array;
  /** Index into `genders`. */
  userGender: Uint8Array;
  userAge: Uint8Array;
  userPreferred: Uint8Array;
  /** Index into `timeZones`: the zone of the user's region (local time of their activity). */
  userZone: Uint8Array;
  /** When the user signed up (ms): they act only after it. */
  userSignupMs: Float64Array;
  /** Users in order of (zone, signup): `zoneStart[z] .. zoneStart[z + 1]` are zone z's. */
  zoneOrder: Int32Array;
  zoneStart: Int32Array;
  /** Signup time of `zoneOrder[i]`, and the running sum of visits a day within its zone. */
  zoneSignupMs: Float64Array;
  zoneCumRate: Float64Array;
}

/** Every region of the reference data, as `userRegion` indexes them. */
export const regionNames: readonly string[] = countries.flatMap((c) => c.regions.map((r) => r.name));
/** Every time zone of the reference data, sorted, as `userZone` indexes them. */
export const timeZones: readonly string[] = [...new Set(countries.flatMap((c) => c.regions.map((r) => r.timeZone)))].sort();

const categoryIndex = new Map(categories.map((c, i) => [c.name, i]));
const countryIndex = new Map(countries.map((c, i) => [c.code, i]));
const segmentIndex = new Map<string, number>(customerSegments.map((s, i) => [s, i]));
const genderIndex = new Map<string, number>(genders.map((g, i) => [g, i]));
/** `country|region` → the region's index in `regionNames` and its zone's in `timeZones`. */
const regionOf = new Map<string, { region: number; zone: number }>(
  countries.flatMap((c) => c.regions.map((r) => [`${c.code}|${r.name}`, { region: regionNames.indexOf(r.name), zone: timeZones.indexOf(r.timeZone) }] as const)),
);
const segmentRate = customerSegments.map((s) => visitsPerMonth[s] / 30);

/** When the first user of the catalog signed up (ms): the earliest of each zone's, which are sorted by signup. */
export function firstSignupMs(c: StoreCatalog): number {
  let first = Number.POSITIVE_INFINITY;
  for (let z = 0; z < timeZones.length; z++) if (c.zoneStart[z + 1] > c.zoneStart[z]) first = Math.min(first, c.zoneSignupMs[c.zoneStart[z]]);
  return first;
}

/** The user id of user index `u`. */
export function userIdOf(c: StoreCatalog, u: number): string {
  return userId(c.userNumber[u]);
}

/** The product id of product index `p`. */
export function productIdOf(c: StoreCatalog, p: number): string {
  return productId(c.productNumber[p]);
}

/** A catalog field as read: a Date from MongoDB, or relaxed Extended JSON from a file. */
function dateMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (v && typeof v === 'object' && '$date' in v) {
    const d = (v as { $date: unknown }).$date;
    if (typeof d === 'string') return Date.parse(d);
    if (typeof d === 'number') return d;
    if (d && typeof d === 'object' && '$numberLong' in d) return Number((d as { $numberLong: string }).$numberLong);
  }
  return Number.NaN;
}

/** A growable column; `reserve` sizes it exactly, in shared memory, when the count is known. */
class Column<T extends Int32Array | Uint8Array | Float64Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.data.length * 2, false);
    this.data[this.length++] = v;
  }
  /** Room for `n` more values, allocated once in shared memory (no copy at the end). */
  reserve(n: number): void {
    if (this.length + n > this.data.length) this.grow(this.length + n, true);
  }
  /** Appends many values at once. */
  pushAll(values: T): void {
    this.reserve(values.length);
    this.data.set(values, this.length);
    this.length += values.length;
  }
  private grow(capacity: number, shared: boolean): void {
    const Ctor = this.data.constructor as new (b: ArrayBufferLike) => T;
    const bigger = shared ? new Ctor(new SharedArrayBuffer(capacity * this.data.BYTES_PER_ELEMENT)) : this.make(capacity);
    bigger.set(this.data.subarray(0, this.length));
    this.data = bigger;
  }
  /** The values in shared memory, exactly as long as needed. */
  shared(): T {
    if (this.data.buffer instanceof SharedArrayBuffer && this.data.length === this.length) return this.data;
    const Ctor = this.data.constructor as new (b: ArrayBufferLike) => T;
    const out = new Ctor(new SharedArrayBuffer(this.data.BYTES_PER_ELEMENT * this.length));
    out.set(this.data.subarray(0, this.length));
    return out;
  }
}

const i32 = () => new Column<Int32Array>((n) => new Int32Array(n));
const u8 = () => new Column<Uint8Array>((n) => new Uint8Array(n));
const f64 = () => new Column<Float64Array>((n) => new Float64Array(n));

/** Checked, active users as columns: what a worker thread hands back after reading part of a file. */
export interface UserPart {
  read: number;
  number: Int32Array;
  country: Uint8Array;
  region: Uint8Array;
  segment: Uint8Array;
  gender: Uint8Array;
  age: Uint8Array;
  preferred: Uint8Array;
  zone: Uint8Array;
  signup: Float64Array;
}

/** Fields of a catalog document the engine reads: what a stored catalog is read with (projection). */
export const productFields = ['_id', 'product_id', 'name', 'category', 'brand', 'base_price', 'cost', 'stock_quantity', 'rating', 'review_count', 'is_active', 'rating_base'] as const;
export const userFields = ['_id', 'user_id', 'gender', 'country', 'region', 'customer_segment', 'age', 'signup_date', 'preferred_category', 'is_active', 'seeded'] as const;

/**
 * A catalog document as it was seeded: where the living store keeps it current in MongoDB, the
 * values it started from (`rating_base` of a reviewed product, `seeded` of a changed user) are
 * what the engine reads, so a resumed or later run regenerates what the first one did.
 */
function asSeeded(d: Record<string, unknown>): Record<string, unknown> {
  const base = (d.rating_base ?? d.seeded) as Record<string, unknown> | undefined;
  if (!base || typeof base !== 'object') return d;
  return 'count' in base ? { ...d, rating: base.rating, review_count: base.count } : { ...d, ...base };
}

/**
 * How a profile's stored catalog is read back into the engine's terms. `from` names the module
 * and export it is, so that a worker thread reading part of a file can load it.
 */
export interface CatalogReading {
  readonly from: { module: string; name: string };
  /** Fields of its documents the engine reads (the projection a stored catalog is read with). */
  readonly fields: { products: readonly string[]; users: readonly string[] };
  /** A stored document in our field names and vocabulary (ours: as it is). */
  product(stored: Record<string, unknown>): Record<string, unknown>;
  user(stored: Record<string, unknown>): Record<string, unknown>;
  /** Its documents' `_id` must equal their product_id / user_id. */
  readonly idIsKey: boolean;
  /** What an id must look like, and whose catalog it looks like when it is another profile's. */
  idRule(kind: 'products' | 'users', id: unknown): string;
}

/** Documents in our terms (what our generator makes, and ecom-etl's own catalog): read as they are. */
export const ourTerms: CatalogReading = {
  from: { module: import.meta.url, name: 'ourTerms' },
  fields: { products: productFields, users: userFields },
  product: asSeeded,
  user: asSeeded,
  idIsKey: true,
  idRule: (kind) => (kind === 'products' ? 'product_id: must be PRD_ and 6 digits, equal to _id' : 'user_id: must be USR_ and 7 digits, equal to _id'),
};

const remedy = 'Re-create it with `etl seed --reset` (or `etl seed` into an empty --out directory).';

/**
 * Builds the engine's catalog one document at a time, keeping only the columns it needs.
 *
 * What a stored catalog must satisfy: every field the engine reads is checked as strictly as
 * the catalog's zod schema checks it — canonical ids equal to `_id`, a known category,
 * country, region of that country and segment, prices and stock in range, an age of 18-80,
 * a signup date, `is_active` a boolean. Fields the engine does not read (names of users,
 * emails, ...) are not checked. A document that fails is a CATALOG_INVALID error naming it.
 */
export class CatalogBuilder {
  private readonly pNumber = i32();
  private readonly pCategory = u8();
  private readonly pPrice = i32();
  private readonly pCost = i32();
  private readonly pRating = u8();
  private readonly pStock = i32();
  private readonly pPopularity = f64();
  private readonly pNames: string[] = [];
  private readonly pBrands: string[] = [];
  private readonly uNumber = i32();
  private readonly uCountry = u8();
  private readonly uRegion = u8();
  private readonly uSegment = u8();
  private readonly uGender = u8();
  private readonly uAge = u8();
  private readonly uPreferred = u8();
  private readonly uZone = u8();
  private readonly uSignup = f64();
  private productsRead = 0;
  private usersRead = 0;

  /**
   * @param reading how the profile's documents are read (in the engine's terms)
   * @param where the catalog's location, for error messages
   */
  constructor(
    readonly reading: CatalogReading,
    private readonly where = 'the catalog',
  ) {}

  private invalid(kind: string, doc: Record<string, unknown>, why: string): never {
    // An ObjectId read from a file as plain JSON is {"$oid": …}: its key names the document then.
    const name = doc._id !== null && typeof doc._id === 'object' ? `${String(doc.product_id ?? doc.user_id)} (_id ${JSON.stringify(doc._id)})` : String(doc._id);
    throw new EtlError('CATALOG_INVALID', `The stored ${kind} document ${name} in ${this.where} is not a valid catalog document (${why}). ${remedy}`);
  }

  /** @throws EtlError CATALOG_INVALID naming the document */
  addProduct(stored: Record<string, unknown>): void {
    this.productsRead++;
    const p = this.reading.product(stored);
    const n = idNumber(p.product_id, 'PRD_', productId);
    // Its own documents (and what data_generator.py stored) may have any _id: the product_id is the key.
    if (n < 0 || (this.reading.idIsKey && p._id !== p.product_id)) this.invalid('products', stored, this.reading.idRule('products', stored.product_id));
    const category = categoryIndex.get(p.category as string);
    if (category === undefined) this.invalid('products', stored, `category: not one of ${categories.length} known categories`);
    const price = p.base_price;
    if (typeof price !== 'number' || !(price > 0) || price > 1_000_000) this.invalid('products', stored, 'base_price: must be a positive number');
    const cost = p.cost;
    if (typeof cost !== 'number' || !(cost >= 0) || cost > 1_000_000) this.invalid('products', stored, 'cost: must be a number >= 0');
    const stock = p.stock_quantity;
    if (!Number.isInteger(stock) || (stock as number) < 0) this.invalid('products', stored, 'stock_quantity: must be a whole number >= 0');
    const rating = p.rating;
    const reviews = p.review_count;
    if (typeof rating !== 'number' || rating < 0 || rating > 5 || !Number.isInteger(reviews) || (reviews as number) < 0) this.invalid('products', stored, 'rating/review_count out of range');
    if (typeof p.name !== 'string' || p.name === '' || typeof p.brand !== 'string' || p.brand === '') this.invalid('products', stored, 'name/brand: must be non-empty strings');
    if (typeof p.is_active !== 'boolean') this.invalid('products', stored, 'is_active: must be true or false');
    if (!p.is_active) return;
    this.pNumber.push(n);
    this.pCategory.push(category!);
    this.pPrice.push(Math.round(price * 100));
    this.pCost.push(Math.round(cost * 100));
    this.pRating.push(Math.round(rating * 10));
    this.pStock.push(stock as number);
    this.pPopularity.push(1 + Math.sqrt(reviews as number) * rating);
    this.pNames.push(p.name);
    this.pBrands.push(p.brand);
  }

  /** @throws EtlError CATALOG_INVALID naming the document */
  addUser(stored: Record<string, unknown>): void {
    this.usersRead++;
    const u = this.reading.user(stored);
    const n = idNumber(u.user_id, 'USR_', userId);
    if (n < 0 || (this.reading.idIsKey && u._id !== u.user_id)) this.invalid('users', stored, this.reading.idRule('users', stored.user_id));
    const country = countryIndex.get(u.country as string);
    if (country === undefined) this.invalid('users', stored, 'country: not a known country code');
    const place = regionOf.get(`${u.country as string}|${u.region as string}`);
    if (place === undefined) this.invalid('users', stored, 'region: must belong to country');
    const segment = segmentIndex.get(u.customer_segment as string);
    if (segment === undefined) this.invalid('users', stored, 'customer_segment: not a known segment');
    const gender = genderIndex.get(u.gender as string);
    if (gender === undefined) this.invalid('users', stored, 'gender: not a known gender');
    const age = u.age;
    if (!Number.isInteger(age) || (age as number) < 18 || (age as number) > 80) this.invalid('users', stored, 'age: must be a whole number from 18 to 80');
    const signup = dateMs(u.signup_date);
    if (!Number.isFinite(signup)) this.invalid('users', stored, 'signup_date: must be a date');
    const preferred = categoryIndex.get(u.preferred_category as string);
    if (preferred === undefined) this.invalid('users', stored, 'preferred_category: not a known category');
    if (typeof u.is_active !== 'boolean') this.invalid('users', stored, 'is_active: must be true or false');
    if (!u.is_active) return;
    this.uNumber.push(n);
    this.uCountry.push(country!);
    this.uRegion.push(place!.region);
    this.uSegment.push(segment!);
    this.uGender.push(gender!);
    this.uAge.push(age as number);
    this.uPreferred.push(preferred!);
    this.uZone.push(place!.zone);
    this.uSignup.push(signup);
  }

  /** The user columns built so far (for a builder that read part of a file in a worker thread). */
  userPart(): UserPart {
    return {
      read: this.usersRead,
      number: this.uNumber.data.slice(0, this.uNumber.length),
      country: this.uCountry.data.slice(0, this.uCountry.length),
      region: this.uRegion.data.slice(0, this.uRegion.length),
      segment: this.uSegment.data.slice(0, this.uSegment.length),
      gender: this.uGender.data.slice(0, this.uGender.length),
      age: this.uAge.data.slice(0, this.uAge.length),
      preferred: this.uPreferred.data.slice(0, this.uPreferred.length),
      zone: this.uZone.data.slice(0, this.uZone.length),
      signup: this.uSignup.data.slice(0, this.uSignup.length),
    };
  }

  /** Makes room for `n` more users at once (their columns then need no copy at the end). */
  reserveUsers(n: number): void {
    for (const c of [this.uNumber, this.uCountry, this.uRegion, this.uSegment, this.uGender, this.uAge, this.uPreferred, this.uZone, this.uSignup]) c.reserve(n);
  }

  /** Appends users another builder checked (in file order). */
  addUserPart(part: UserPart): void {
    this.usersRead += part.read;
    this.uNumber.pushAll(part.number);
    this.uCountry.pushAll(part.country);
    this.uRegion.pushAll(part.region);
    this.uSegment.pushAll(part.segment);
    this.uGender.pushAll(part.gender);
    this.uAge.pushAll(part.age);
    this.uPreferred.pushAll(part.preferred);
    this.uZone.pushAll(part.zone);
    this.uSignup.pushAll(part.signup);
  }

  /**
   * The finished catalog, in shared memory.
   * @throws EtlError CATALOG_INVALID when no product or no user can be sold to.
   */
  finish(): StoreCatalog {
    const productCount = this.pNumber.length;
    const userCount = this.uNumber.length;
    if (productCount === 0) throw new EtlError('CATALOG_INVALID', `The stored catalog in ${this.where} has no active product (${this.productsRead} products read). ${remedy}`);
    if (userCount === 0) throw new EtlError('CATALOG_INVALID', `The stored catalog in ${this.where} has no active user (${this.usersRead} users read). ${remedy}`);
    const category = this.pCategory.data;
    const price = this.pPrice.data;
    const byCat: number[][] = categories.map(() => []);
    for (let i = 0; i < productCount; i++) byCat[category[i]].push(i);
    const order = Array.from({ length: productCount }, (_, i) => i).sort((a, b) => price[a] - price[b] || a - b);
    const tail = Math.max(1, Math.ceil(productCount * 0.05));
    const signup = this.uSignup.data;
    const zone = this.uZone.data;
    const segment = this.uSegment.data;
    // The population's index: users by (zone, signup), with running visit rates per zone.
    const byZone = Int32Array.from({ length: userCount }, (_, i) => i).sort((a, b) => zone[a] - zone[b] || signup[a] - signup[b] || a - b);
    const zoneOrder = new Int32Array(new SharedArrayBuffer(4 * userCount));
    const zoneSignupMs = new Float64Array(new SharedArrayBuffer(8 * userCount));
    const zoneCumRate = new Float64Array(new SharedArrayBuffer(8 * userCount));
    const zoneStart = new Int32Array(new SharedArrayBuffer(4 * (timeZones.length + 1)));
    let z = 0;
    let sum = 0;
    for (let i = 0; i < userCount; i++) {
      const u = byZone[i];
      while (z <= zone[u]) {
        zoneStart[z++] = i;
        sum = 0;
      }
      zoneOrder[i] = u;
      zoneSignupMs[i] = signup[u];
      zoneCumRate[i] = sum += segmentRate[segment[u]];
    }
    while (z <= timeZones.length) zoneStart[z++] = userCount;
    return {
      productCount,
      productNumber: this.pNumber.shared(),
      productNames: this.pNames,
      productBrands: this.pBrands,
      productCategory: this.pCategory.shared(),
      basePriceCents: this.pPrice.shared(),
      costCents: this.pCost.shared(),
      productRating: this.pRating.shared(),
      initialStock: this.pStock.shared(),
      productPopularity: cumulative(Array.from(this.pPopularity.data.subarray(0, productCount))),
      byCategory: byCat.map((l) => Int32Array.from(l)),
      cheapest: Int32Array.from(order.slice(0, tail)),
      priciest: Int32Array.from(order.slice(-tail)),
      userCount,
      userNumber: this.uNumber.shared(),
      userCountry: this.uCountry.shared(),
      userRegion: this.uRegion.shared(),
      userSegment: this.uSegment.shared(),
      userGender: this.uGender.shared(),
      userAge: this.uAge.shared(),
      userPreferred: this.uPreferred.shared(),
      userZone: this.uZone.shared(),
      userSignupMs: this.uSignup.shared(),
      zoneOrder,
      zoneStart,
      zoneSignupMs,
      zoneCumRate,
    };
  }
}

/**
 * Builds the engine's catalog from catalog documents (active products and users only).
 * @throws EtlError CATALOG_INVALID for a document the engine cannot use, or when no product or no user can be sold to.
 */
export function buildStoreCatalog(products: readonly Product[], users: readonly User[]): StoreCatalog {
  const b = new CatalogBuilder(ourTerms);
  for (const p of products) b.addProduct(p as unknown as Record<string, unknown>);
  for (const u of users) b.addUser(u as unknown as Record<string, unknown>);
  return b.finish();
}
