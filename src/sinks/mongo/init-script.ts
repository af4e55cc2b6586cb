import type { CollectionSpec } from './collection-spec.js';

/**
 * Renders init-mongo.js: a mongosh script for the official image's
 * /docker-entrypoint-initdb.d/ that creates the same validators and indexes as `etl`: ours in
 * MONGO_INITDB_DATABASE (default `ecommerce`), and the adaptive-bi profile's in `adaptive_bi`.
 */
export function renderInitScript(specs: readonly CollectionSpec[], abiSpecs: readonly CollectionSpec[]): string {
  return `// init-mongo.js — GENERATED from src/sinks/mongo/collections.ts by \`npm run generate\`. Do not edit:
// a test fails when this file differs from what the tool itself creates.
//
// The official mongo image runs this once, with mongosh, on a fresh data volume
// (docker-compose.yml mounts it into /docker-entrypoint-initdb.d/). It prepares two databases:
// ecom-etl's own (MONGO_INITDB_DATABASE, default ecommerce) and adaptive_bi, the database of
// \`--profile adaptive-bi\` (the Adaptive-BI Phase 1 service's validators and indexes).
const dbName = (typeof process !== 'undefined' && process.env.MONGO_INITDB_DATABASE) || 'ecommerce';
const specs = ${JSON.stringify(specs, null, 2)};
const abiSpecs = ${JSON.stringify(abiSpecs, null, 2)};

function prepare(name, list) {
  const target = db.getSiblingDB(name);
  const existing = new Set(target.getCollectionNames());
  for (const spec of list) {
    if (existing.has(spec.name)) {
      target.runCommand({ collMod: spec.name, validator: spec.validator, validationLevel: 'strict', validationAction: 'error' });
    } else {
      target.createCollection(spec.name, { validator: spec.validator, validationLevel: 'strict', validationAction: 'error' });
    }
    target.runCommand({
      createIndexes: spec.name,
      indexes: spec.indexes.map((i) => (i.unique ? { name: i.name, key: i.key, unique: true } : { name: i.name, key: i.key })),
    });
  }
  print('ecom-etl: ' + list.length + ' collections ready in ' + name);
}

// A compose file that names adaptive_bi as its database (as that service's does) gets only the profile's.
if (dbName !== 'adaptive_bi') prepare(dbName, specs);
prepare('adaptive_bi', abiSpecs);
`;
}
