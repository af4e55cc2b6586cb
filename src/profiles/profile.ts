import type { CatalogProfile } from '../catalog/profile.js';
import type { EventShape } from '../events/facts.js';
import type { StatsPlan } from '../reporting/stats.js';
import type { ProfileName } from '../shared/profiles.js';
import type { Partition } from '../config/values.js';
import type { DocUpdate, StoredDocuments } from '../sinks/types.js';

/**
 * A document profile: whose shapes, ids and vocabularies the records take, as one
 * implementation of each stage's small interface. The command resolves it once
 * (`loadProfile`); the stages get the parts, never the name.
 */
export interface Profile {
  readonly name: ProfileName;
  /** Catalog documents: who the users are, the documents' shape, and how a stored catalog is read back. */
  readonly catalog: CatalogProfile;
  /** Event documents: the engine's facts rendered, their schemas and what --dirty-rate breaks. */
  readonly events: EventShape;
  /** How targets store its documents: its collections' validators and indexes, BSON doubles. */
  readonly stored: StoredDocuments;
  /** Where `etl stats` finds what it counts in its documents. */
  readonly stats: StatsPlan;
  /** The living store: change logs whose records keep documents of another collection current, by collection. */
  readonly folds?: Readonly<Record<string, Fold>>;
  /**
   * Records of all its collections that one unit of --batch-size stands for: 1 (records) unless
   * its service counts one collection per unit and writes the others in proportion.
   */
  readonly recordsPerBatchUnit?: number;
}

/**
 * How the records of a change log (order_events, price_changes, ...) keep the documents of
 * another collection current where a target keeps documents (`Sink.update`): each record
 * implies one idempotent update, applied after the record is stored, in sequence order.
 */
export interface Fold {
  /** The collection whose documents follow. */
  readonly into: string;
  /** The update a stored record implies (null: none, e.g. an order's placement, which is its insert). */
  update(doc: { _id: string; [field: string]: unknown }, seq: number, partition: Partition): DocUpdate | null;
}

/** What the counts call the updates of a collection (they reconcile as records do). */
export const updatesOf = (collection: string): string => `${collection}:updates`;
