import { abiCatalogDoubles } from './catalog-documents.js';
import type { Profile } from '../profile.js';
import { abiCatalog } from './catalog.js';
import { abiCollectionSpecs } from './collections.js';
import { abiEventDoubles, abiEvents } from './events.js';
import { abiStatsPlan } from './stats.js';

/** The Adaptive-BI Phase 1 service's documents (seeds/000), so that its consumers work unchanged. */
export const profile: Profile = {
  name: 'adaptive-bi',
  catalog: abiCatalog,
  events: abiEvents,
  stats: abiStatsPlan,
  stored: { eventCollections: abiEvents.collections, doubles: { ...abiCatalogDoubles, ...abiEventDoubles }, collections: abiCollectionSpecs(abiEvents.collections) },
};
