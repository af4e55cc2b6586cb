import type { Profile } from '../profile.js';
import { ecomEtlEvents } from './events.js';

/** ecom-etl's own documents (multi-line orders with items[], separate views, cart and activity collections). */
export const profile: Profile = {
  name: 'ecom-etl',
  events: ecomEtlEvents,
};
