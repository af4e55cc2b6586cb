// The English build alone: the package's index loads every locale (~32 MB more in each thread).
import { faker } from '@faker-js/faker/locale/en';
import {
  type CustomerSegment,
  catalogWindow,
  categories,
  countries,
  customerSegments,
  emailDomains,
  genders,
  productId,
  userId,
} from './reference.js';
import { Rng, mixSeed } from '../shared/rng.js';
import { type PopulationWeights, defaultPopulation } from './population.js';
import type { Product, User } from './schemas.js';

/**
 * Catalog generation with @faker-js/faker. Faker is re-seeded for every block of
 * `blockSize` documents from (seed, kind, block), so document n is the same whatever
 * chunk size it is written in, and chunks can be generated independently.
 */
const blockSize = 1024;
const kindProducts = 0x50;
const kindUsers = 0x55;
const kindPools = 0xb0;

function weightedIndex(weights: readonly number[], r: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = r * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i];
    if (x < 0) return i;
  }
  return weights.length - 1;
}

const categoryWeights = categories.map((c) => c.weight);

function roundCents(x: number): number {
  return Math.round(x * 100) / 100;
}

function asciiSlug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

/** Seed-dependent pools drawn once with faker: brands per category, and names for users. */
interface Pools {
  brands: string[][];
  femaleFirst: string[];
  maleFirst: string[];
  last: string[];
}

const namePool = 4000;

export class CatalogGenerator {
  // One instance per thread serves every generator: each draw follows, synchronously, the seed
  // of its block (or of the pools), so no generator sees another's state.
  private readonly faker = faker;
  private readonly pools: Pools;

  constructor(
    readonly seed: number,
    private readonly population: PopulationWeights = defaultPopulation,
  ) {
    this.faker.seed([seed, kindPools]);
    this.pools = {
      brands: categories.map(() => {
        const n = 6 + this.faker.number.int(8);
        const set = new Set<string>();
        while (set.size < n) set.add(this.faker.company.name().split(/[ ,]/)[0]);
        return [...set];
      }),
      femaleFirst: Array.from({ length: namePool }, () => this.faker.person.firstName('female')),
      maleFirst: Array.from({ length: namePool }, () => this.faker.person.firstName('male')),
      last: Array.from({ length: namePool }, () => this.faker.person.lastName()),
    };
  }

  /** Products number `start + 1` .. `start + count` (1-based ids). */
  products(start: number, count: number): Product[] {
    const out: Product[] = new Array(count);
    const f = this.faker;
    const from = catalogWindow.from.getTime();
    const span = catalogWindow.to.getTime() - from;
    let block = -1;
    for (let i = 0; i < count; i++) {
      const n = start + i;
      const b = Math.floor(n / blockSize);
      if (b !== block) {
        block = b;
        f.seed([this.seed, kindProducts, b]);
        for (let skip = b * blockSize; skip < n; skip++) this.drawProduct(skip + 1, from, span);
      }
      out[i] = this.drawProduct(n + 1, from, span);
    }
    return out;
  }

  private drawProduct(number: number, from: number, span: number): Product {
    const f = this.faker;
    const ci = weightedIndex(categoryWeights, f.number.float());
    const cat = categories[ci];
    // Log-uniform prices: many cheap items, a long tail of expensive ones.
    const raw = Math.exp(Math.log(cat.minPrice) + f.number.float() * (Math.log(cat.maxPrice) - Math.log(cat.minPrice)));
    const base = Math.max(1.99, Math.floor(raw) + 0.99);
    const cost = Math.min(roundCents(base * (0.35 + f.number.float() * 0.4)), roundCents(base - 0.01));
    const brands = this.pools.brands[ci];
    const brand = brands[f.number.int(brands.length - 1)];
    const noun = cat.nouns[f.number.int(cat.nouns.length - 1)];
    const id = productId(number);
    return {
      _id: id,
      product_id: id,
      name: `${brand} ${f.commerce.productAdjective()} ${noun}`,
      category: cat.name,
      brand,
      base_price: roundCents(base),
      cost,
      stock_quantity: f.datatype.boolean(0.03) ? 0 : 5 + f.number.int(495),
      rating: Math.round((1 + 4 * Math.sqrt(f.number.float())) * 10) / 10,
      review_count: Math.floor(Math.pow(f.number.float(), 3) * 5000),
      created_at: new Date(from + Math.floor(f.number.float() * span / 1000) * 1000),
      is_active: !f.datatype.boolean(0.02),
    };
  }

  /**
   * Users number `start + 1` .. `start + count` (1-based ids). Names come from the
   * faker-drawn pools, places from the reference geography; per-user choices use the fast
   * seeded PRNG (millions of users).
   */
  users(start: number, count: number): User[] {
    const out: User[] = new Array(count);
    const from = catalogWindow.from.getTime();
    const span = catalogWindow.to.getTime() - from;
    let block = -1;
    let rng = new Rng(0);
    for (let i = 0; i < count; i++) {
      const n = start + i;
      const b = Math.floor(n / blockSize);
      if (b !== block) {
        block = b;
        rng = new Rng(mixSeed(this.seed, kindUsers, b));
        for (let skip = b * blockSize; skip < n; skip++) this.drawUser(rng, skip + 1, from, span);
      }
      out[i] = this.drawUser(rng, n + 1, from, span);
    }
    return out;
  }

  private drawUser(r: Rng, number: number, from: number, span: number): User {
    const pools = this.pools;
    const weights = this.population;
    const gender = genders[weightedIndex(weights.gender, r.next())];
    const firstPool = gender === 'female' ? pools.femaleFirst : gender === 'male' ? pools.maleFirst : r.chance(0.5) ? pools.femaleFirst : pools.maleFirst;
    const first = firstPool[r.int(firstPool.length)];
    const last = pools.last[r.int(pools.last.length)];
    const country = countries[weightedIndex(weights.country, r.next())];
    const region = country.regions[r.int(country.regions.length)];
    const city = region.cities[r.int(region.cities.length)];
    // Ages 18-80, most shoppers 25-45: the mean of two uniforms gives a triangle peaking at 35.
    const age = Math.min(80, Math.max(18, Math.round(18 + ((r.next() + r.next()) / 2) * 34 + (r.chance(0.2) ? r.int(29) : 0))));
    const segment: CustomerSegment = customerSegments[weightedIndex(weights.segment, r.next())];
    const id = userId(number);
    // The user number makes the address unique by construction, whatever names repeat.
    const email = `${asciiSlug(first) || 'user'}.${asciiSlug(last) || 'shopper'}.${number}@${emailDomains[r.int(emailDomains.length)]}`;
    return {
      _id: id,
      user_id: id,
      email,
      first_name: first,
      last_name: last,
      age,
      gender,
      country: country.code,
      region: region.name,
      city,
      signup_date: new Date(from + Math.floor((r.next() * span) / 1000) * 1000),
      customer_segment: segment,
      preferred_category: categories[weightedIndex(categoryWeights, r.next())].name,
      is_active: !r.chance(0.08),
    };
  }
}
