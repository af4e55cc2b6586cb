import type { Profile } from '../profile.js';
import { abiEvents } from './events.js';

/** The Adaptive-BI Phase 1 service's documents (seeds/000), so that its consumers work unchanged. */
export const profile: Profile = {
  name: 'adaptive-bi',
  events: abiEvents,
};
