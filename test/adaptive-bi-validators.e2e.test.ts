// Slow (100,000 documents of each collection through BSON and a $jsonSchema evaluator): `npm test` runs it, `npm run test:fast` leaves it out.
import { describe, expect, it } from 'vitest';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { CatalogBuilder, buildStoreCatalog, type StoreCatalog } from '../src/catalog/store-catalog.js';
import { PartitionPipeline } from '../src/run/partition.js';
import type { Profile } from '../src/profiles/index.js';
import { typedDocs } from '../src/sinks/encoding.js';
import { fromJsonLine, toJsonLine } from '../src/sinks/jsonl-files.js';
import type { Doc, Sink, StoredDocuments, WriteResult } from '../src/sinks/types.js';
import { throughBson, violations } from './helpers/bson-json-schema.js';
import { abiJob as job } from './helpers/abi.js';
import { seed000InitMongo } from './helpers/seed-000.js';
import { abi, ours } from './helpers/profiles.js';

const design = seed000InitMongo();

/** A sink that checks every document it is given against the design's own validator, after a BSON round trip. */
class ValidatorSink implements Sink {
  readonly name = 'null' as const;
  readonly target = 'validator check';
  readonly seen: Record<string, number> = {};
  readonly refused: Record<string, number> = {};
  readonly examples: string[] = [];
  constructor(
    private readonly validators: Record<string, { $jsonSchema: Record<string, unknown> }>,
    /** The profile's documents: a sink encodes what it writes (BSON doubles) itself. */
    private readonly stored: StoredDocuments,
  ) {}
  async open(): Promise<void> {}
  async reset(): Promise<void> {}
  async close(): Promise<void> {}
  check(collection: string, doc: object): void {
    const validator = this.validators[collection];
    if (!validator) return;
    this.seen[collection] = (this.seen[collection] ?? 0) + 1;
    const wrong = violations(validator.$jsonSchema, throughBson(doc));
    if (wrong.length > 0) {
      this.refused[collection] = (this.refused[collection] ?? 0) + 1;
      if (this.examples.length < 5) this.examples.push(`${collection}: ${wrong.join('; ')}`);
    }
  }
  async write(collection: string, docs: Doc[]): Promise<WriteResult> {
    for (const d of typedDocs(this.stored, collection, docs)) this.check(collection, d);
    return { written: docs.length, duplicates: 0, rejected: [], retries: 0 };
  }
}

/** The engine's catalog built the way `etl stream` reads a stored one: from the documents' JSON lines. */
async function storedCatalog(profile: Profile, products: number, users: number): Promise<StoreCatalog> {
  const shape = await profile.catalog.shape(42);
  const b = new CatalogBuilder(profile.catalog.reading, 'test');
  const line = (collection: string, d: Record<string, unknown>) => JSON.parse(toJsonLine(typedDocs(profile.stored, collection, [d as Doc])[0])) as Record<string, unknown>;
  for (const p of shape.products(0, products)) b.addProduct(line('products', p));
  for (const u of shape.users(0, users)) b.addUser(line('users', u));
  return b.finish();
}

describe('--profile adaptive-bi: documents its validators accept', () => {
  const validators = design.validators;

  it('accepts 100,000 products and 100,000 users of the profile after a BSON round trip', async () => {
    const shape = await abi.catalog.shape(11);
    const sink = new ValidatorSink(validators, abi.stored);
    for (let start = 0; start < 100_000; start += 20_000) {
      for (const collection of ['products', 'users'] as const) {
        const docs = collection === 'products' ? shape.products(start, 20_000) : shape.users(start, 20_000);
        for (const d of docs) {
          expect(shape.schema[collection].safeParse(d).success).toBe(true);
          sink.check(collection, typedDocs(abi.stored, collection, [d as Doc])[0]);
        }
      }
    }
    expect(sink.examples).toEqual([]);
    expect(sink.seen).toEqual({ products: 100_000, users: 100_000 });
  }, 120_000);

  it('accepts ≥ 100,000 of each event collection, as the stream pipeline writes them', async () => {
    const sink = new ValidatorSink(validators, abi.stored);
    const p = new PartitionPipeline(await storedCatalog(abi, 2000, 20_000), abi, sink, job('adaptive-bi', 700_000), new AbortController().signal);
    const r = await p.run();
    expect(r.reason).toBe('limit');
    expect(p.counters.unexpectedRejects).toBe(0);
    expect(sink.examples).toEqual([]);
    expect(sink.refused).toEqual({});
    // At its pace (1 transaction : 3 activities : 1/5 inventory update) 700,000 records hold a third as many inventory updates.
    for (const c of ['transactions', 'user_activities']) expect(sink.seen[c], c).toBeGreaterThanOrEqual(100_000);
    expect(sink.seen.inventory_updates).toBeGreaterThanOrEqual(30_000);
  }, 300_000);

  it('the same check refuses our own documents: it can fail', async () => {
    const sink = new ValidatorSink(validators, ours.stored);
    const g = new CatalogGenerator(11);
    for (const d of g.products(0, 2000)) sink.check('products', d);
    for (const d of g.users(0, 2000)) sink.check('users', d);
    const catalog = buildStoreCatalog(g.products(0, 200), g.users(0, 2000));
    await new PartitionPipeline(catalog, ours, sink, job('ecom-etl', 20_000), new AbortController().signal).run();
    // No product_id / activity_id / update_id at the top level: every event document is refused.
    for (const c of ['transactions', 'user_activities', 'inventory_updates']) expect(sink.refused[c], c).toBe(sink.seen[c]);
    // Whole ratings (4.0) go out as int32 where its validator wants a double.
    expect(sink.refused.products).toBeGreaterThan(0);
    expect(sink.examples.join('\n')).toMatch(/rating: bsonType "double", got int|product_id: required|activity_id: required|update_id: required/);
  }, 60_000);

  it('a whole amount is a double in BSON and in the jsonl line, where ours would be an int32', () => {
    const doc = { price: 5, ratio: 5.5, count: 3 };
    const [inventory] = typedDocs(abi.stored, 'inventory_updates', [{ _id: 'x', cost_per_unit: 5, previous_stock: 3 }]);
    const typed = throughBson(inventory);
    expect(violations({ bsonType: 'object', properties: { cost_per_unit: { bsonType: 'double' }, previous_stock: { bsonType: 'int' } } }, typed)).toEqual([]);
    expect(violations({ bsonType: 'object', properties: { price: { bsonType: 'double' } } }, throughBson(doc))).toEqual(['price: bsonType "double", got int']);
    const line = toJsonLine(inventory);
    expect(line).toBe('{"_id":"x","cost_per_unit":{"$numberDouble":"5.0"},"previous_stock":3}\n');
    expect(fromJsonLine(line)).toEqual({ _id: 'x', cost_per_unit: 5, previous_stock: 3 });
  });
});

