/**
 * Document profiles: whose shapes, ids and vocabularies the records take. `ecom-etl` is the
 * tool's own; `adaptive-bi` is the Adaptive-BI Phase 1 service's (seed design 000, docs/SEEDS.md), so that its
 * consumers work unchanged. The engine underneath is the same.
 */
import { bookkeepingCollections, catalogCollections, eventCollections } from './collections.js';

export const profileNames = ['ecom-etl', 'adaptive-bi'] as const;
export type ProfileName = (typeof profileNames)[number];

/** Event collections each profile writes, in report order. */
export const profileEventCollections = {
  'ecom-etl': eventCollections,
  'adaptive-bi': ['transactions', 'user_activities', 'inventory_updates'],
} as const satisfies Record<ProfileName, ReadonlyArray<(typeof eventCollections)[number]>>;

/** Every collection a profile's database holds: catalog, events, then the tool's bookkeeping. */
export function profileCollections(profile: ProfileName): string[] {
  return [...catalogCollections, ...profileEventCollections[profile], ...bookkeepingCollections];
}
