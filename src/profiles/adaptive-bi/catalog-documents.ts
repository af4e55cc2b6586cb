import { z } from 'zod';
import { plainNumber } from '../../shared/exact-double.js';
import { Rng, mixSeed } from '../../shared/rng.js';
import type { PopulationWeights } from '../../catalog/population.js';
import { type CustomerSegment, catalogWindow, categories, countries, countryByCode, customerSegments, genders, idNumber, productId, userId } from '../../catalog/reference.js';
import { type Product, type User, money } from '../../catalog/schemas.js';

/**
 * The catalog of the Adaptive-BI Phase 1 service (seed design 000, docs/SEEDS.md: its data_generator.py): its ids,
 * vocabularies and fields, and the way back to the engine's reference data. The store
 * underneath is ours (same generator, same engine); only the documents' outside changes.
 */

// ---- vocabularies: ours → theirs (and back where a stored catalog is read) -------------------

/** Its ten categories; three of ours have shorter names there. */
const categoryNameOf: Record<string, string> = {
  'Sports & Outdoors': 'Sports',
  'Toys & Games': 'Toys',
  'Food & Grocery': 'Food',
};
export const abiCategories = categories.map((c) => categoryNameOf[c.name] ?? c.name);

/**
 * Its countries (config.py COUNTRIES) by our country code; then countries of the Middle East and
 * Africa, two of its world regions that none of its ten lies in (its data_generator.py drew the
 * region apart from the country; here every region has users of a country in it).
 */
const countryNameOf: Record<string, string> = {
  US: 'USA',
  CA: 'Canada',
  GB: 'UK',
  DE: 'Germany',
  FR: 'France',
  JP: 'Japan',
  AU: 'Australia',
  BR: 'Brazil',
  IN: 'India',
  CN: 'China',
  AE: 'UAE',
  SA: 'Saudi Arabia',
  ZA: 'South Africa',
  NG: 'Nigeria',
  EG: 'Egypt',
  KE: 'Kenya',
};
export const abiCountries = Object.values(countryNameOf);

/**
 * Its world regions (config.py REGIONS). data_generator.py draws a region independently of the
 * country (a user in the USA and Africa); what it meant is the country's region.
 */
export const abiRegions = ['North America', 'Europe', 'Asia Pacific', 'South America', 'Middle East', 'Africa'] as const;
const worldRegionOf: Record<string, (typeof abiRegions)[number]> = {
  US: 'North America',
  CA: 'North America',
  GB: 'Europe',
  DE: 'Europe',
  FR: 'Europe',
  JP: 'Asia Pacific',
  AU: 'Asia Pacific',
  IN: 'Asia Pacific',
  CN: 'Asia Pacific',
  BR: 'South America',
  AE: 'Middle East',
  SA: 'Middle East',
  ZA: 'Africa',
  NG: 'Africa',
  EG: 'Africa',
  KE: 'Africa',
  // Not among its users (weight 0 below), named for completeness.
  ES: 'Europe',
  MX: 'North America',
};

/** Its three segments; ours has four. Budget shoppers are our occasional ones (new); vip is not drawn. */
export const abiSegments = ['Premium', 'Regular', 'Budget'] as const;
const segmentNameOf: Record<CustomerSegment, (typeof abiSegments)[number]> = { new: 'Budget', regular: 'Regular', premium: 'Premium', vip: 'Premium' };

export const abiGenders = ['Male', 'Female', 'Other'] as const;
const genderNameOf: Record<(typeof genders)[number], (typeof abiGenders)[number]> = { male: 'Male', female: 'Female', non_binary: 'Other', undisclosed: 'Other' };

const reverse = <K extends string, V extends string>(m: Record<K, V>): Map<string, K> => {
  const out = new Map<string, K>();
  for (const [k, v] of Object.entries(m) as Array<[K, V]>) if (!out.has(v)) out.set(v, k);
  return out;
};
const categoryFrom = new Map(abiCategories.map((name, i) => [name, categories[i].name]));
const countryFrom = reverse(countryNameOf);
const segmentFrom = reverse(segmentNameOf);

export function abiCategory(ours: string): string {
  return categoryNameOf[ours] ?? ours;
}
export function abiCountry(code: string): string {
  return countryNameOf[code] ?? code;
}
export function abiWorldRegion(code: string): (typeof abiRegions)[number] {
  return worldRegionOf[code] ?? 'Africa';
}
export function abiSegment(ours: CustomerSegment): (typeof abiSegments)[number] {
  return segmentNameOf[ours];
}
export function abiGender(ours: (typeof genders)[number]): (typeof abiGenders)[number] {
  return genderNameOf[ours];
}

/** Its ids: `PRD_0001` (4 digits at least), `USR_000001` (6). */
export function abiProductId(n: number): string {
  return `PRD_${String(n).padStart(4, '0')}`;
}
export function abiUserId(n: number): string {
  return `USR_${String(n).padStart(6, '0')}`;
}
/**
 * Who its users are. data_generator.py draws countries, genders and segments uniformly; these
 * are the same vocabularies with a real store's proportions.
 */
const countryWeightOf: Record<string, number> = { US: 30, CN: 14, IN: 10, GB: 9, DE: 8, JP: 8, FR: 6, CA: 6, BR: 5, AU: 4, AE: 2, SA: 2, ZA: 2, NG: 2, EG: 1, KE: 1 };
export const abiPopulation: PopulationWeights = {
  country: countries.map((c) => countryWeightOf[c.code] ?? 0),
  segment: customerSegments.map((s) => ({ new: 30, regular: 50, premium: 20, vip: 0 })[s]),
  gender: genders.map((g) => ({ female: 48, male: 48, non_binary: 4, undisclosed: 0 })[g]),
};

// ---- documents --------------------------------------------------------------------------------

const oneDecimal = z.number().multipleOf(0.1);

export const abiProductSchema = z.strictObject({
  _id: z.string().regex(/^PRD_\d{4,}$/),
  product_id: z.string().regex(/^PRD_\d{4,}$/),
  name: z.string().min(1),
  category: z.enum(abiCategories as [string, ...string[]]),
  base_price: money.positive(),
  cost: money.positive(),
  brand: z.string().min(1),
  description: z.string().min(1).max(200),
  weight: z.number().positive().multipleOf(0.01),
  dimensions: z.strictObject({ length: oneDecimal.positive(), width: oneDecimal.positive(), height: oneDecimal.positive() }),
  stock_quantity: z.number().int().nonnegative(),
  rating: z.number().min(1).max(5).multipleOf(0.1),
  review_count: z.number().int().nonnegative(),
  created_at: z.date(),
  /** Ours (not in data_generator.py): an inactive product is not sold. */
  is_active: z.boolean(),
});
export type AbiProduct = z.infer<typeof abiProductSchema>;

export const abiUserSchema = z
  .strictObject({
    _id: z.string().regex(/^USR_\d{6,}$/),
    user_id: z.string().regex(/^USR_\d{6,}$/),
    email: z.email(),
    first_name: z.string().min(1),
    last_name: z.string().min(1),
    age: z.number().int().min(18).max(80),
    gender: z.enum(abiGenders),
    country: z.enum(abiCountries as [string, ...string[]]),
    region: z.enum(abiRegions),
    /** Ours: the state or province (where the user's local time comes from) and the city. */
    state: z.string().min(1),
    city: z.string().min(1),
    signup_date: z.date(),
    customer_segment: z.enum(abiSegments),
    total_orders: z.number().int().nonnegative(),
    total_spent: money,
    preferred_category: z.enum(abiCategories as [string, ...string[]]),
    is_active: z.boolean(),
  })
  .refine((u) => u.region === abiWorldRegion(countryFrom.get(u.country) ?? ''), { message: 'region must be the country’s world region', path: ['region'] })
  .refine((u) => countryByCode.get(countryFrom.get(u.country) ?? '')?.regions.some((r) => r.name === u.state) ?? false, { message: 'state must belong to country', path: ['state'] })
  .refine((u) => (u.total_orders === 0) === (u.total_spent === 0), { message: 'total_spent is 0 exactly when total_orders is', path: ['total_spent'] });
export type AbiUser = z.infer<typeof abiUserSchema>;

const kindDetails = 0xab1;
const descriptionOpeners = ['Built for everyday use', 'A customer favourite', 'Designed with care', 'Made to last', 'Great value', 'Our best seller in its range'];
const descriptionClosers = ['Ships in recyclable packaging.', 'Backed by a one-year warranty.', 'Easy returns within 30 days.', 'Rated highly by our shoppers.', 'Available while stocks last.'];
/** Weight (kg) of a product by category (ours, by index): light books, heavy furniture. */
const weightRange: ReadonlyArray<readonly [number, number]> = [
  [0.1, 5],
  [0.1, 2],
  [0.5, 25],
  [0.2, 15],
  [0.2, 2],
  [0.05, 1],
  [0.1, 4],
  [0.1, 3],
  [0.3, 12],
  [0.05, 3],
];

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/** A product of our catalog as data_generator.py writes one (description, weight and dimensions drawn per product). */
export function toAbiProduct(p: Product, seed: number): AbiProduct {
  const n = Number(p.product_id.slice(4));
  const r = new Rng(mixSeed(seed, kindDetails, n));
  const ci = Math.max(0, categories.findIndex((c) => c.name === p.category));
  const [lo, hi] = weightRange[ci];
  const description = `${p.name}. ${descriptionOpeners[r.int(descriptionOpeners.length)]}: ${p.category.toLowerCase()} from ${p.brand}. ${descriptionClosers[r.int(descriptionClosers.length)]}`;
  const id = abiProductId(n);
  return {
    _id: id,
    product_id: id,
    name: p.name,
    category: abiCategory(p.category),
    base_price: p.base_price,
    cost: p.cost,
    brand: p.brand,
    description: description.slice(0, 200),
    weight: Math.max(0.01, round(lo + r.next() * (hi - lo), 2)),
    dimensions: { length: round(5 + r.next() * 45, 1), width: round(5 + r.next() * 25, 1), height: round(2 + r.next() * 18, 1) },
    stock_quantity: p.stock_quantity,
    rating: p.rating,
    review_count: p.review_count,
    created_at: p.created_at,
    is_active: p.is_active,
  };
}

/** Orders a month before the catalog's end, by segment (ours): history for total_orders/total_spent. */
const pastOrdersPerMonth: Record<CustomerSegment, number> = { new: 0.15, regular: 0.35, premium: 0.6, vip: 1 };
const pastOrderValue: Record<CustomerSegment, number> = { new: 45, regular: 70, premium: 120, vip: 200 };

/** A user of our catalog as data_generator.py writes one (its totals drawn from the user's tenure and segment). */
export function toAbiUser(u: User, seed: number): AbiUser {
  const n = Number(u.user_id.slice(4));
  const r = new Rng(mixSeed(seed, kindDetails + 1, n));
  const months = Math.max(0, (catalogWindow.to.getTime() - u.signup_date.getTime()) / (30 * 86_400_000));
  const expected = months * pastOrdersPerMonth[u.customer_segment];
  const orders = Math.min(50, Math.floor(expected * (0.5 + r.next())));
  let spentCents = 0;
  for (let i = 0; i < orders; i++) spentCents += Math.round(pastOrderValue[u.customer_segment] * (0.4 + r.exp(0.6)) * 100);
  const id = abiUserId(n);
  return {
    _id: id,
    user_id: id,
    email: u.email,
    first_name: u.first_name,
    last_name: u.last_name,
    age: u.age,
    gender: abiGender(u.gender) as AbiUser['gender'],
    country: abiCountry(u.country),
    region: abiWorldRegion(u.country) as AbiUser['region'],
    state: u.region,
    city: u.city,
    signup_date: u.signup_date,
    customer_segment: abiSegment(u.customer_segment) as AbiUser['customer_segment'],
    total_orders: orders,
    total_spent: spentCents / 100,
    preferred_category: abiCategory(u.preferred_category),
    is_active: u.is_active,
  };
}

/** Fields of its catalog documents that are BSON doubles in its validators (whole values too), and ours beside them. */
export const abiCatalogDoubles = {
  products: ['base_price', 'cost', 'rating', 'weight', 'dimensions.length', 'dimensions.width', 'dimensions.height'],
  users: ['total_spent'],
} as const;

// ---- reading a stored catalog back into the engine's terms -----------------------------------

/** Fields of its catalog documents the engine reads (a stored catalog is read with this projection). */
export const abiProductFields = ['_id', 'product_id', 'name', 'category', 'brand', 'base_price', 'cost', 'stock_quantity', 'rating', 'review_count', 'is_active'] as const;
export const abiUserFields = ['_id', 'user_id', 'gender', 'country', 'state', 'customer_segment', 'age', 'signup_date', 'preferred_category', 'is_active'] as const;

const plain = plainNumber;

/**
 * A stored product of its shape in our terms, for the engine's catalog checks (which then name
 * what is wrong). Also reads what data_generator.py itself stored: no `is_active` means active.
 */
export function fromAbiProduct(d: Record<string, unknown>): Record<string, unknown> {
  const n = idNumber(d.product_id, 'PRD_', abiProductId);
  // Only its own vocabulary is read: anything else stays unknown, and the engine's checks name it.
  const id = n < 0 ? null : productId(n);
  return {
    _id: id,
    product_id: id,
    name: d.name,
    category: categoryFrom.get(d.category as string) ?? null,
    brand: d.brand,
    base_price: plain(d.base_price),
    cost: plain(d.cost),
    stock_quantity: plain(d.stock_quantity),
    rating: plain(d.rating),
    review_count: plain(d.review_count),
    is_active: d.is_active ?? true,
  };
}

/**
 * A stored user of its shape in our terms. A user data_generator.py stored has no `state`: the
 * country's regions are taken in turn by user number (so local time still follows the country).
 */
export function fromAbiUser(d: Record<string, unknown>): Record<string, unknown> {
  const n = idNumber(d.user_id, 'USR_', abiUserId);
  const id = n < 0 ? null : userId(n);
  const code = countryFrom.get(d.country as string) ?? null;
  const country = code === null ? undefined : countryByCode.get(code);
  const state = d.state ?? (country ? country.regions[Math.max(n, 0) % country.regions.length].name : undefined);
  const gender = abiGenders.indexOf(d.gender as (typeof abiGenders)[number]);
  return {
    _id: id,
    user_id: id,
    gender: gender < 0 ? null : (['male', 'female', 'non_binary'] as const)[gender],
    country: code,
    region: state,
    customer_segment: segmentFrom.get(d.customer_segment as string) ?? null,
    age: plain(d.age),
    signup_date: d.signup_date,
    preferred_category: categoryFrom.get(d.preferred_category as string) ?? null,
    is_active: d.is_active ?? true,
  };
}
