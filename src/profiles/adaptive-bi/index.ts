import { abiCatalogDoubles } from './catalog-documents.js';
import type { Profile } from '../profile.js';
import { abiCatalog } from './catalog.js';
import { abiCollectionSpecs } from './collections.js';
import { abiEventDoubles, abiEvents, abiRecordsPerBatchUnit } from './events.js';
import { abiStatsPlan } from './stats.js';
import { catalogWindow } from '../../catalog/reference.js';
import type { StoredId } from '../../sinks/types.js';

/**
 * Its `_id`s are ObjectIds, as its service's driver gave them, but made from the record
 * (sinks/object-ids.ts): an event's lead with its timestamp's second; a catalog document's
 * with the end of the catalog's window (after every created_at and signup_date), then its
 * number, so `_id` order is product_id / user_id order.
 */
const catalogIds: StoredId = { from: 'key', at: Math.floor(catalogWindow.to.getTime() / 1000) };
const eventIds: StoredId = { from: 'record', time: 'timestamp' };

/** The Adaptive-BI Phase 1 service's documents (seeds/000), so that its consumers work unchanged. */
export const profile: Profile = {
  name: 'adaptive-bi',
  catalog: abiCatalog,
  events: abiEvents,
  stats: abiStatsPlan,
  // BATCH_SIZE counts transactions; 3 activities and 1/5 inventory update come with each.
  recordsPerBatchUnit: abiRecordsPerBatchUnit,
  stored: {
    eventCollections: abiEvents.collections,
    doubles: { ...abiCatalogDoubles, ...abiEventDoubles },
    collections: abiCollectionSpecs(abiEvents.collections),
    objectIds: { products: catalogIds, users: catalogIds, ...Object.fromEntries(abiEvents.collections.map((c) => [c, eventIds])) },
  },
};
