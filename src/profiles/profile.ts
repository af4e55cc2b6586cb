import type { CatalogProfile } from '../catalog/profile.js';
import type { EventShape } from '../events/facts.js';
import type { StatsPlan } from '../reporting/stats.js';
import type { ProfileName } from '../shared/profiles.js';
import type { StoredDocuments } from '../sinks/types.js';

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
  /**
   * Records of all its collections that one unit of --batch-size stands for: 1 (records) unless
   * its service counts one collection per unit and writes the others in proportion.
   */
  readonly recordsPerBatchUnit?: number;
}
