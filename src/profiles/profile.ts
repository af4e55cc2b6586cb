import type { EventShape } from '../events/facts.js';
import type { ProfileName } from '../shared/profiles.js';

/**
 * A document profile: whose shapes, ids and vocabularies the records take, as one
 * implementation of each stage's small interface. The command resolves it once
 * (`loadProfile`); the stages get the parts, never the name.
 */
export interface Profile {
  readonly name: ProfileName;
  /** Event documents: the engine's facts rendered, their schemas and what --dirty-rate breaks. */
  readonly events: EventShape;
}
