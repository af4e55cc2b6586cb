import { ecomEtlStatsPlan } from '../../reporting/stats.js';
import { collectionSpecs } from '../../sinks/mongo/collections.js';
import type { Profile } from '../profile.js';
import { ecomEtlCatalog } from './catalog.js';
import { ecomEtlEvents } from './events.js';
import { ecomEtlFolds } from './folds.js';

/** ecom-etl's own documents (multi-line orders with items[], separate views, cart and activity collections). */
export const profile: Profile = {
  name: 'ecom-etl',
  catalog: ecomEtlCatalog,
  events: ecomEtlEvents,
  // Its validators type numbers as "number": no field needs to be a double.
  stats: ecomEtlStatsPlan,
  stored: { eventCollections: ecomEtlEvents.collections, doubles: {}, collections: collectionSpecs() },
  folds: ecomEtlFolds,
};
