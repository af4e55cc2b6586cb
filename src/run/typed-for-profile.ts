import { abiCatalogDoubles } from '../catalog/adaptive-bi.js';
import type { ProfileName } from '../shared/profiles.js';
import { withDoubles } from '../shared/exact-double.js';
import { abiEventDoubles } from '../profiles/adaptive-bi/events.js';

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
