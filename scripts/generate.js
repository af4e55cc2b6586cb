// Writes the generated files that are committed: init-mongo.js and .env.example
// (run via `npm run generate`; tests fail when the committed copies are stale).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectionSpecs } from '../dist/sinks/mongo/collections.js';
import { loadProfile } from '../dist/profiles/index.js';
import { renderInitScript } from '../dist/sinks/mongo/init-script.js';
import { renderEnvExample } from '../dist/config/env-example.js';

const here = (name) => fileURLToPath(new URL(`../${name}`, import.meta.url));
writeFileSync(here('init-mongo.js'), renderInitScript(collectionSpecs(), (await loadProfile('adaptive-bi')).stored.collections));
writeFileSync(here('.env.example'), renderEnvExample());
console.log('wrote init-mongo.js and .env.example');
