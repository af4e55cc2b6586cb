import { bookkeepingCollections, catalogCollections } from '../../shared/collections.js';
import type { CollectionSpec, IndexSpec } from '../../sinks/mongo/collection-spec.js';
import { collectionSpecs } from '../../sinks/mongo/collections.js';

/**
 * The collections of the Adaptive-BI Phase 1 service exactly as its init-mongo.js declares them
 * (seed design 000; a test runs that file, copied into test/fixtures/seed-000-adaptive-bi-phase1.txt, and compares): validators, and the indexes of its
 * init-mongo.js and streaming_etl.py, with the names the server gives them there (so a database
 * that service set up is recognised as already set up). Then the few the tool's own queries use.
 */

const field = (key: string, order: 1 | -1 = 1, unique = false): IndexSpec => ({ name: `${key}_${order}`, key: { [key]: order }, ...(unique ? { unique } : {}) });

const abiValidators: Record<string, { $jsonSchema: Record<string, unknown> }> = {
  transactions: {
    $jsonSchema: {
      bsonType: 'object',
      required: ['transaction_id', 'user_id', 'product_id', 'timestamp', 'final_amount'],
      properties: {
        transaction_id: { bsonType: 'string' },
        user_id: { bsonType: 'string' },
        product_id: { bsonType: 'string' },
        quantity: { bsonType: 'int', minimum: 1 },
        unit_price: { bsonType: 'double', minimum: 0 },
        total_amount: { bsonType: 'double', minimum: 0 },
        final_amount: { bsonType: 'double', minimum: 0 },
        timestamp: { bsonType: 'date' },
        is_fraud: { bsonType: 'bool' },
        is_returned: { bsonType: 'bool' },
      },
    },
  },
  user_activities: {
    $jsonSchema: {
      bsonType: 'object',
      required: ['activity_id', 'user_id', 'activity_type', 'timestamp'],
      properties: {
        activity_id: { bsonType: 'string' },
        user_id: { bsonType: 'string' },
        activity_type: {
          bsonType: 'string',
          enum: ['page_view', 'search', 'add_to_cart', 'remove_from_cart', 'wishlist_add', 'review_submit', 'login', 'logout'],
        },
        timestamp: { bsonType: 'date' },
        duration_seconds: { bsonType: 'int', minimum: 0 },
      },
    },
  },
  inventory_updates: {
    $jsonSchema: {
      bsonType: 'object',
      required: ['update_id', 'product_id', 'timestamp', 'new_stock'],
      properties: {
        update_id: { bsonType: 'string' },
        product_id: { bsonType: 'string' },
        previous_stock: { bsonType: 'int', minimum: 0 },
        new_stock: { bsonType: 'int', minimum: 0 },
        stock_change: { bsonType: 'int' },
        timestamp: { bsonType: 'date' },
        update_type: { bsonType: 'string', enum: ['restock', 'sale', 'adjustment', 'return'] },
      },
    },
  },
  products: {
    $jsonSchema: {
      bsonType: 'object',
      required: ['product_id', 'name', 'category', 'base_price'],
      properties: {
        product_id: { bsonType: 'string' },
        name: { bsonType: 'string' },
        category: { bsonType: 'string' },
        base_price: { bsonType: 'double', minimum: 0 },
        cost: { bsonType: 'double', minimum: 0 },
        stock_quantity: { bsonType: 'int', minimum: 0 },
        rating: { bsonType: 'double', minimum: 0, maximum: 5 },
      },
    },
  },
  users: {
    $jsonSchema: {
      bsonType: 'object',
      required: ['user_id', 'email', 'first_name', 'last_name'],
      properties: {
        user_id: { bsonType: 'string' },
        email: { bsonType: 'string' },
        first_name: { bsonType: 'string' },
        last_name: { bsonType: 'string' },
        age: { bsonType: 'int', minimum: 18, maximum: 120 },
        total_spent: { bsonType: 'double', minimum: 0 },
        is_active: { bsonType: 'bool' },
      },
    },
  },
};

/** Its indexes (init-mongo.js, then streaming_etl.py's setup_collections), then ours. */
const abiIndexes: Record<string, IndexSpec[]> = {
  products: [field('product_id', 1, true), field('category'), field('brand')],
  users: [field('user_id', 1, true), field('email', 1, true), field('customer_segment'), field('country')],
  transactions: [
    field('timestamp', -1),
    field('user_id'),
    field('product_id'),
    field('category'),
    field('is_fraud'),
    // Ours: an order's lines, and a visit's.
    field('order_id'),
    field('session_id'),
  ],
  user_activities: [field('timestamp', -1), field('user_id'), field('activity_type'), field('session_id')],
  inventory_updates: [
    field('timestamp', -1),
    field('product_id'),
    field('update_type'),
    // Ours: etl stats' low-stock figure reads the latest update per product and warehouse in this order.
    { name: 'product_warehouse_time', key: { product_id: 1, warehouse_id: 1, timestamp: -1, _id: -1 } },
  ],
};

/** Every collection of its database: its own as its design declares them, our bookkeeping beside them. */
export function abiCollectionSpecs(eventCollections: readonly string[]): CollectionSpec[] {
  const ours = collectionSpecs();
  return [...catalogCollections, ...eventCollections, ...bookkeepingCollections].map((name) =>
    name in abiValidators ? { name, validator: abiValidators[name], indexes: abiIndexes[name] } : ours.find((o) => o.name === name)!,
  );
}
