import type { z } from 'zod';
import { abiCatalogDoubles } from '../catalog/adaptive-bi.js';
import type { ProfileName } from '../shared/profiles.js';
import { withDoubles } from '../shared/exact-double.js';
import { abiEventDoubles, abiEventSchemas } from './adaptive-bi.js';
import { type EventCollection, eventSchemas } from './schemas.js';

/** The schema every event record of a profile is validated with, by collection. */
export function recordSchemas(profile: ProfileName): Partial<Record<EventCollection, z.ZodType>> {
  return profile === 'adaptive-bi' ? abiEventSchemas : eventSchemas;
}

const abiDoubles: Record<string, readonly string[]> = { ...abiCatalogDoubles, ...abiEventDoubles };

/**
 * A document as its profile's validators type it: numbers they require to be BSON doubles
 * become doubles even when whole (ours has no such rule: documents pass unchanged).
 */
export function typedForProfile<T extends Record<string, unknown>>(profile: ProfileName, collection: string, doc: T): T {
  if (profile === 'ecom-etl') return doc;
  const paths = abiDoubles[collection];
  return paths && paths.length > 0 ? withDoubles(doc, paths) : doc;
}
