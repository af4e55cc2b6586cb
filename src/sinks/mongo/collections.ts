import { z } from 'zod';
import { productSchema, userSchema } from '../../catalog/schemas.js';
import { eventSchemas } from '../../events/schemas.js';
import { deadLetterSchema, runRecordSchema } from '../../shared/records.js';
import type { CollectionSpec, IndexSpec, MongoJsonSchema } from './collection-spec.js';

/**
 * The one definition of every collection: its zod schema (from which the server-side
 * $jsonSchema validator is derived) and its indexes. The tool's setup and the generated
 * init-mongo.js both read this.
 */


const ts = (field = 'timestamp'): Record<string, -1> => ({ [field]: -1 });

const definitions: Array<{ name: string; schema: z.ZodType; indexes: IndexSpec[] }> = [
  {
    name: 'products',
    schema: productSchema,
    indexes: [
      { name: 'product_id_unique', key: { product_id: 1 }, unique: true },
      { name: 'category_price', key: { category: 1, base_price: 1 } },
      { name: 'stock_quantity', key: { stock_quantity: 1 } },
    ],
  },
  {
    name: 'users',
    schema: userSchema,
    indexes: [
      { name: 'user_id_unique', key: { user_id: 1 }, unique: true },
      { name: 'email_unique', key: { email: 1 }, unique: true },
      { name: 'country_region', key: { country: 1, region: 1 } },
      { name: 'segment', key: { customer_segment: 1 } },
    ],
  },
  {
    name: 'product_views',
    schema: eventSchemas.product_views,
    indexes: [
      { name: 'time', key: ts() },
      { name: 'user_time', key: { user_id: 1, ...ts() } },
      { name: 'product_time', key: { product_id: 1, ...ts() } },
      { name: 'category_time', key: { category: 1, ...ts() } },
      { name: 'session', key: { session_id: 1 } },
    ],
  },
  {
    name: 'cart_events',
    schema: eventSchemas.cart_events,
    indexes: [
      { name: 'time', key: ts() },
      { name: 'user_time', key: { user_id: 1, ...ts() } },
      { name: 'type_time', key: { event_type: 1, ...ts() } },
      { name: 'session', key: { session_id: 1 } },
    ],
  },
  {
    name: 'transactions',
    schema: eventSchemas.transactions,
    indexes: [
      { name: 'time', key: ts() },
      { name: 'user_time', key: { user_id: 1, ...ts() } },
      { name: 'fraud_time', key: { is_fraud: 1, ...ts() } },
      { name: 'product', key: { 'items.product_id': 1 } },
      { name: 'category', key: { 'items.category': 1 } },
      { name: 'country_time', key: { 'user_snapshot.country': 1, ...ts() } },
      { name: 'session', key: { session_id: 1 } },
      { name: 'status_time', key: { status: 1, ...ts() } },
    ],
  },
  {
    name: 'user_activities',
    schema: eventSchemas.user_activities,
    indexes: [
      { name: 'time', key: ts() },
      { name: 'user_time', key: { user_id: 1, ...ts() } },
      { name: 'type_time', key: { activity_type: 1, ...ts() } },
      { name: 'session', key: { session_id: 1 } },
    ],
  },
  {
    name: 'inventory_updates',
    schema: eventSchemas.inventory_updates,
    indexes: [
      { name: 'time', key: ts() },
      { name: 'product_time', key: { product_id: 1, ...ts() } },
      { name: 'type_time', key: { update_type: 1, ...ts() } },
      // etl stats' low-stock figure reads the latest update per product and warehouse in this order.
      { name: 'product_warehouse_time', key: { product_id: 1, warehouse_id: 1, ...ts(), _id: -1 } },
    ],
  },
  {
    name: 'order_events',
    schema: eventSchemas.order_events,
    indexes: [
      { name: 'time', key: ts() },
      { name: 'order_version', key: { order_id: 1, version: 1 } },
      { name: 'status_time', key: { to_status: 1, ...ts() } },
    ],
  },
  {
    name: 'price_changes',
    schema: eventSchemas.price_changes,
    indexes: [
      { name: 'time', key: ts() },
      { name: 'product_time', key: { product_id: 1, ...ts() } },
    ],
  },
  {
    name: 'reviews',
    schema: eventSchemas.reviews,
    indexes: [
      { name: 'time', key: ts() },
      { name: 'product_time', key: { product_id: 1, ...ts() } },
      { name: 'order', key: { order_id: 1 } },
    ],
  },
  {
    name: 'user_changes',
    schema: eventSchemas.user_changes,
    indexes: [
      { name: 'time', key: ts() },
      { name: 'user_time', key: { user_id: 1, ...ts() } },
    ],
  },
  {
    name: 'dead_letters',
    schema: deadLetterSchema,
    indexes: [
      { name: 'time', key: ts('created_at') },
      { name: 'collection_time', key: { collection: 1, ...ts('created_at') } },
      { name: 'run', key: { run_id: 1 } },
    ],
  },
  {
    name: 'etl_runs',
    schema: runRecordSchema,
    indexes: [
      { name: 'started', key: ts('started_at') },
      { name: 'seed_started', key: { seed: 1, ...ts('started_at') } },
    ],
  },
];

// MongoDB's $jsonSchema is draft 4 with bsonType and without these keywords.
const unsupported = new Set(['$schema', 'format', 'default', 'definitions', '$defs', 'id', '$id', 'multipleOf']);
const typeToBson: Record<string, string | string[]> = {
  string: 'string',
  // "number" is MongoDB's alias for double, int, long and decimal: JS numbers arrive as int or double.
  number: 'number',
  // JS integers above 2^31 are stored as doubles, so integers are checked by range, not by BSON type.
  integer: 'number',
  boolean: 'bool',
  null: 'null',
  object: 'object',
  array: 'array',
};

/** Turns a draft-4 JSON Schema (from zod) into MongoDB's $jsonSchema dialect. */
export function toMongoJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toMongoJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: MongoJsonSchema = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (unsupported.has(key)) continue;
    if (key === 'type') {
      const types = Array.isArray(value) ? value : [value];
      const mapped = types.flatMap((t) => typeToBson[String(t)] ?? []);
      out.bsonType = mapped.length === 1 ? mapped[0] : [...new Set(mapped)];
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toMongoJsonSchema(v)]));
    } else {
      out[key] = toMongoJsonSchema(value);
    }
  }
  return out;
}

function validatorOf(schema: z.ZodType): { $jsonSchema: MongoJsonSchema } {
  const json = z.toJSONSchema(schema, {
    target: 'draft-04',
    io: 'output',
    unrepresentable: (ctx) => (ctx.zodSchema._zod.def.type === 'date' ? { bsonType: 'date' } : 'throw'),
  });
  return { $jsonSchema: toMongoJsonSchema(json) as MongoJsonSchema };
}

let cached: CollectionSpec[] | undefined;

/** ecom-etl's collections with their validators (derived from the zod schemas) and indexes, computed once. */
export function collectionSpecs(): CollectionSpec[] {
  cached ??= definitions.map((d) => ({ name: d.name, validator: validatorOf(d.schema), indexes: d.indexes }));
  return cached;
}
