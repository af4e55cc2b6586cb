import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { productSchema, userSchema } from '../src/catalog/schemas.js';
import { corrupt, dirtyKinds } from '../src/events/dirty.js';
import type { EventCollection } from '../src/events/schemas.js';
import { compileTest } from '../src/validation/compile.js';
import { reasonsOf, validatorOf } from '../src/validation/validate.js';
import { abiEngine, engine } from './helpers/engine.js';
import { abi, ours } from './helpers/profiles.js';

type Doc = Record<string, unknown>;

/** Records of every collection of both profiles, and catalog documents, each with its schema. */
function samples(): Array<{ name: string; schema: z.ZodType; doc: Doc; collection?: EventCollection; profile?: typeof ours }> {
  const out: ReturnType<typeof samples> = [];
  for (const [profile, records] of [
    [ours, engine({ fraudRate: 0.2 }).take(600)],
    [abi, abiEngine({ fraudRate: 0.2 }).take(600)],
  ] as const) {
    for (const r of records) {
      out.push({ name: `${profile.name} ${r.collection}`, schema: profile.events.schemas[r.collection]!, doc: r.doc as Doc, collection: r.collection, profile });
    }
  }
  // The living store's records (order events, price changes, reviews, user changes, orders with their state), up to 80 of each.
  const living = new Map<string, number>();
  for (const r of engine({ fraudRate: 0.2, lifecycle: true, sessionsPerDay: 40_000 }).take(30_000)) {
    const n = living.get(r.collection) ?? 0;
    if (n >= 80 || (r.collection !== 'transactions' && !['order_events', 'price_changes', 'reviews', 'user_changes'].includes(r.collection))) continue;
    living.set(r.collection, n + 1);
    out.push({ name: `ecom-etl ${r.collection} (living store)`, schema: ours.events.schemas[r.collection]!, doc: r.doc as Doc, collection: r.collection, profile: ours });
  }
  const g = new CatalogGenerator(7);
  for (const doc of g.products(0, 40)) out.push({ name: 'products', schema: productSchema, doc: doc as unknown as Doc });
  for (const doc of g.users(0, 40)) out.push({ name: 'users', schema: userSchema, doc: doc as unknown as Doc });
  // Catalog documents as the living store keeps them in MongoDB (price, rating sums, per-partition review marks).
  const [product] = g.products(40, 1);
  out.push({
    name: 'products (living store)',
    schema: productSchema,
    doc: { ...product, price: 12.5, price_updated_at: new Date(0), rating_base: { rating: 4.1, count: 12 }, review_stars: 9, review_seq: { p0_1: 4, p1_2: 7 } } as unknown as Doc,
  });
  const [user] = g.users(40, 1);
  out.push({ name: 'users (living store)', schema: userSchema, doc: { ...user, updated_at: new Date(0), seeded: { customer_segment: 'new', is_active: true } } as unknown as Doc });
  return out;
}

/** Every path to a value inside the document: object keys and array indexes, nested. */
function pathsOf(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) value.forEach((v, i) => (out.push([...prefix, i]), pathsOf(v, [...prefix, i], out)));
  else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      pathsOf(v, [...prefix, k], out);
    }
  }
  return out;
}

/** Values a mutation may put somewhere: every JavaScript type, the edges of numbers and dates, and near misses of the value that was there. */
const replacement = fc.oneof(
  fc.string(),
  fc.constantFrom('', ' ', 'USD', 'USR_0000001', 'PRD_000001', 'PRD_1', 'view', 'checkout', 'credit_card', 'US', '1.2.3.4', '256.1.1.1', 'a@b.co', 'SES-1-0.1-a', '1-0.1-z'),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 0.01, -0.01, 0.005, 1e21, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, -Infinity, 18, 80, 81, 17),
  fc.boolean(),
  fc.constantFrom(null, undefined),
  fc.date({ noInvalidDate: false }),
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
  fc.bigInt(),
);

type Mutation = { at: number; kind: 'set' | 'delete' | 'nudge' | 'extraKey' | 'empty'; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('set', 'delete', 'nudge', 'extraKey', 'empty'),
  value: replacement,
});

/** Applies one mutation at the `at`-th path (modulo); `nudge` moves a number or string a little (a cent, a sign, a character). */
function mutate(doc: Doc, m: Mutation): void {
  const paths = pathsOf(doc);
  if (m.kind === 'extraKey' || paths.length === 0) {
    const containers = [[], ...paths].filter((p) => {
      const v = p.reduce<unknown>((o, k) => (o as Doc)[k as string], doc);
      return v !== null && typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v);
    });
    const target = containers[m.at % containers.length].reduce<unknown>((o, k) => (o as Doc)[k as string], doc) as Doc;
    target[typeof m.value === 'string' && m.value ? m.value : 'extra'] = m.value;
    return;
  }
  const path = paths[m.at % paths.length];
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Doc)[k as string], doc) as Doc & unknown[];
  const key = path[path.length - 1] as string;
  const old = parent[key];
  switch (m.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return;
    case 'set':
      parent[key] = m.value;
      return;
    case 'empty':
      parent[key] = Array.isArray(old) ? [] : typeof old === 'string' ? '' : typeof old === 'number' ? 0 : {};
      return;
    case 'nudge': {
      const step = [0.01, -0.01, 1, -1, 0.001, 0.5][Math.abs(Number(m.at)) % 6];
      if (typeof old === 'number') parent[key] = Math.round((old + step) * 1000) / 1000;
      else if (typeof old === 'string') parent[key] = m.at % 2 ? `${old}x` : old.slice(1);
      else if (old instanceof Date) parent[key] = new Date(old.getTime() + step * 1000);
      else parent[key] = m.value;
    }
  }
}

/** What zod says of a value: undefined when valid, else its issues as reasons. */
function zodSays(schema: z.ZodType, doc: unknown) {
  const r = schema.safeParse(doc);
  return r.success ? undefined : reasonsOf(r.error);
}

describe('validation compiled from the zod schemas', () => {
  const pool = samples();
  const tests = new Map(pool.map((s) => [s.schema, compileTest(s.schema)]));

  it('compiles every schema of both profiles and the catalog (none is left to zod alone)', () => {
    for (const [schema, test] of tests) expect(test, String(pool.find((s) => s.schema === schema)?.name)).toBeTypeOf('function');
  });

  it('accepts every record the engines generate, as zod does', () => {
    for (const s of pool) {
      expect(zodSays(s.schema, s.doc), s.name).toBeUndefined();
      expect(tests.get(s.schema)!(s.doc), s.name).toBe(true);
      expect(validatorOf(s.schema)(s.doc)).toBeUndefined();
    }
  });

  it('rejects every kind of dirty record, with the reasons zod gives', () => {
    let rejected = 0;
    for (const s of pool) {
      if (!s.collection || !s.profile) continue;
      for (const kind of dirtyKinds) {
        const doc = structuredClone(s.doc);
        corrupt(s.collection, doc, kind, s.profile.events.dirtyFields);
        const want = zodSays(s.schema, doc);
        expect(tests.get(s.schema)!(doc), `${s.name} ${kind}`).toBe(want === undefined);
        expect(validatorOf(s.schema)(doc), `${s.name} ${kind}`).toEqual(want);
        if (want) rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(pool.length);
  });

  it('agrees with zod on randomly mutated records: the same verdict, the same issue paths and messages', () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (pick, mutations) => {
        const s = pool[pick % pool.length];
        const doc = structuredClone(s.doc);
        for (const m of mutations) mutate(doc, m);
        const want = zodSays(s.schema, doc);
        if (want) seen.rejected++;
        else seen.accepted++;
        expect(tests.get(s.schema)!(doc)).toBe(want === undefined);
        expect(validatorOf(s.schema)(doc)).toEqual(want);
      }),
      { numRuns: 4000, seed: 26 },
    );
    // Both verdicts were exercised (a mutation may leave a record valid: a nudged count, an equal value).
    expect(seen.accepted).toBeGreaterThan(50);
    expect(seen.rejected).toBeGreaterThan(2000);
  });

  it('agrees with zod on values of any shape', () => {
    const schemas = [...tests.keys()];
    fc.assert(
      fc.property(fc.nat(), fc.anything({ withDate: true, withBigInt: true, withNullPrototype: true, withSparseArray: true }), (pick, value) => {
        const schema = schemas[pick % schemas.length];
        expect(tests.get(schema)!(value)).toBe(schema.safeParse(value).success);
      }),
      { numRuns: 1000, seed: 26 },
    );
  });

  it('keys that are not plain identifiers (quotes, backslashes, line separators, ${, backticks, digits, accents) are read as the keys they are', () => {
    const odd = ['a"b', 'c\\d', '\u2028x', '${x}', '`', 'constructor', '0', 'é', "it's", ''];
    const shape = Object.fromEntries(odd.map((k, i) => [k, i % 2 === 0 ? z.string() : z.number()]));
    const good = Object.fromEntries(odd.map((k, i) => [k, i % 2 === 0 ? 's' : i]));
    for (const schema of [z.object(shape), z.strictObject(shape)]) {
      const test = compileTest(schema)!;
      expect(test).toBeTypeOf('function');
      const values: unknown[] = [good, { ...good, extra: 1 }, {}, null, []];
      // Each key alone of the wrong type, and each key missing: the test must look at that very key.
      for (const k of odd) values.push({ ...good, [k]: typeof good[k] === 'string' ? 1 : 's' }, Object.fromEntries(Object.entries(good).filter(([key]) => key !== k)));
      for (const v of values) expect(test(v), JSON.stringify(v)).toBe(schema.safeParse(v).success);
      expect(test(good)).toBe(true);
    }
  });
});
