import type { CollectionSpec } from './collections.js';

/**
 * Renders init-mongo.js: a mongosh script for the official image's
 * /docker-entrypoint-initdb.d/ that creates the same validators and indexes as `etl`.
 */
export function renderInitScript(specs: readonly CollectionSpec[]): string {
  const body = JSON.stringify(specs, null, 2);
  return `// init-mongo.js — GENERATED from src/sinks/mongo/collections.ts by \`npm run generate\`. Do not edit:
// a test fails when this file differs from what the tool itself creates.
//
// The official mongo image runs this once, with mongosh, on a fresh data volume
// (docker-compose.yml mounts it into /docker-entrypoint-initdb.d/).
const dbName = (typeof process !== 'undefined' && process.env.MONGO_INITDB_DATABASE) || 'ecommerce';
const target = db.getSiblingDB(dbName);
const specs = ${body};

const existing = new Set(target.getCollectionNames());
for (const spec of specs) {
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
print('ecom-etl: ' + specs.length + ' collections ready in ' + dbName);
`;
}
