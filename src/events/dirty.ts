import type { Rng } from '../shared/rng.js';
import type { EventCollection } from './schemas.js';

/**
 * Deliberate corruption for --dirty-rate: each kind breaks a record so that its schema
 * must reject it (the dead-letter path is exercised, nothing corrupt is written).
 */
export const dirtyKinds = ['missing_field', 'wrong_type', 'negative_amount', 'broken_arithmetic'] as const;
export type DirtyKind = (typeof dirtyKinds)[number];

type Mutable = Record<string, unknown>;

/** Per collection: a field whose absence its schema refuses, and a field that must be a number (or date). */
export interface DirtyFields {
  required: Partial<Record<EventCollection, string>>;
  numeric: Partial<Record<EventCollection, string>>;
}

const requiredField: Record<EventCollection, string> = {
  product_views: 'product_id',
  cart_events: 'session_id',
  transactions: 'user_id',
  user_activities: 'activity_type',
  inventory_updates: 'warehouse_id',
  order_events: 'order_id',
  price_changes: 'new_price',
  reviews: 'rating',
  user_changes: 'user_id',
};

const numericField: Record<EventCollection, string> = {
  product_views: 'duration_seconds',
  cart_events: 'quantity',
  transactions: 'final_amount',
  user_activities: 'timestamp',
  inventory_updates: 'quantity_change',
  order_events: 'version',
  price_changes: 'old_price',
  reviews: 'rating',
  user_changes: 'timestamp',
};

/** What --dirty-rate breaks in ecom-etl's own documents. */
export const ourDirtyFields: DirtyFields = { required: requiredField, numeric: numericField };

/** Corrupts `doc` in place in the way `kind` names (falling back where a kind has no meaning). */
export function corrupt(collection: EventCollection, doc: Mutable, kind: DirtyKind, fields: DirtyFields): DirtyKind {
  switch (kind) {
    case 'missing_field':
      delete doc[fields.required[collection]!];
      return kind;
    case 'wrong_type':
      doc[fields.numeric[collection]!] = String(doc[fields.numeric[collection]!] ?? 'n/a');
      return kind;
    case 'negative_amount':
      if (collection === 'transactions') doc.final_amount = -Math.abs(doc.final_amount as number) - 0.01;
      else if (collection === 'product_views') doc.price_shown = -Math.abs(doc.price_shown as number) - 0.01;
      else if (collection === 'cart_events') doc.cart_value = -Math.abs(doc.cart_value as number) - 0.01;
      else if (collection === 'inventory_updates') doc.new_stock = -1 - (doc.new_stock as number);
      else return corrupt(collection, doc, 'missing_field', fields);
      return kind;
    case 'broken_arithmetic':
      if (collection === 'transactions') doc.final_amount = Math.round(((doc.final_amount as number) + 0.37) * 100) / 100;
      else if (collection === 'inventory_updates') doc.new_stock = (doc.new_stock as number) + 1;
      else return corrupt(collection, doc, 'wrong_type', fields);
      return kind;
  }
}

export function pickDirtyKind(rng: Rng): DirtyKind {
  return dirtyKinds[rng.int(dirtyKinds.length)];
}
