import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderEnvExample } from '../src/config/env-example.js';
import { type SettingKey, settingsMeta } from '../src/config/settings.js';
import { collectionSpecs } from '../src/sinks/mongo/collections.js';
import { renderInitScript } from '../src/sinks/mongo/init-script.js';
import { root } from './helpers/cli.js';
import { abi, byName } from './helpers/profiles.js';

const read = (name: string) => readFileSync(join(root, name), 'utf8');

describe('committed generated files are current', () => {
  it('init-mongo.js equals what the tool creates (run `npm run generate` if this fails)', () => {
    expect(read('init-mongo.js')).toBe(renderInitScript(collectionSpecs(), abi.stored.collections));
  });

  it('.env.example lists every environment variable the tool reads (run `npm run generate`)', () => {
    const text = read('.env.example');
    expect(text).toBe(renderEnvExample());
    for (const key of Object.keys(settingsMeta) as SettingKey[]) {
      const env = settingsMeta[key].env;
      if (env) expect(text).toContain(`${env}=`);
    }
  });

  it('.env.example assigns nothing: every line is a comment, so a copy saved as .env runs on the defaults', () => {
    const assignments = read('.env.example')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(assignments).toEqual([]);
  });

  /** Runs init-mongo.js with stand-ins for mongosh's db and print; returns what it would create, by database. */
  function runInit(env: Record<string, string>) {
    const created: string[] = [];
    const indexes: string[] = [];
    const dbOf = (name: string) => ({
      getCollectionNames: () => [],
      createCollection: (coll: string, opts: { validator: unknown }) => {
        expect(opts.validator).toHaveProperty('$jsonSchema');
        created.push(`${name}.${coll}`);
      },
      runCommand: (cmd: { createIndexes?: string; indexes?: Array<{ name: string }> }) => {
        if (cmd.createIndexes) indexes.push(...(cmd.indexes ?? []).map((i) => `${name}.${cmd.createIndexes}.${i.name}`));
      },
    });
    new Function('db', 'print', 'process', read('init-mongo.js'))({ getSiblingDB: dbOf }, () => undefined, { env });
    return { created, indexes };
  }
  const names = (db: string, profile: 'ecom-etl' | 'adaptive-bi') => ({
    created: byName[profile].stored.collections.map((s) => `${db}.${s.name}`),
    indexes: byName[profile].stored.collections.flatMap((s) => s.indexes.map((i) => `${db}.${s.name}.${i.name}`)),
  });

  it('init-mongo.js is valid JavaScript that creates every collection and index, ours and the adaptive-bi profile’s', () => {
    const ours = names('ecommerce', 'ecom-etl');
    const abi = names('adaptive_bi', 'adaptive-bi');
    expect(runInit({})).toEqual({ created: [...ours.created, ...abi.created], indexes: [...ours.indexes, ...abi.indexes] });
    // The Adaptive-BI compose file names adaptive_bi as the database: only the profile's collections go there.
    expect(runInit({ MONGO_INITDB_DATABASE: 'adaptive_bi' })).toEqual(abi);
  });
});

describe('docker-compose.yml', () => {
  const compose = parseYaml(read('docker-compose.yml')) as {
    services: Record<string, { image: string; environment: Record<string, string>; volumes: string[]; healthcheck: { test: string[] } }>;
  };
  const mongo = compose.services.mongodb;

  it('runs the current MongoDB major with a healthcheck', () => {
    expect(mongo.image).toMatch(/^mongo:8/);
    expect(mongo.healthcheck.test.join(' ')).toContain('ping');
  });

  it('mounts the generated init-mongo.js into the init directory', () => {
    expect(mongo.volumes).toContain('./init-mongo.js:/docker-entrypoint-initdb.d/init-mongo.js:ro');
  });

  it('takes credentials from the environment, never hard-coded', () => {
    expect(mongo.environment.MONGO_INITDB_ROOT_USERNAME).toMatch(/^\$\{MONGO_ROOT_USERNAME:\?/);
    expect(mongo.environment.MONGO_INITDB_ROOT_PASSWORD).toMatch(/^\$\{MONGO_ROOT_PASSWORD:\?/);
  });

  it('every variable it reads is listed in .env.example', () => {
    const used = [...read('docker-compose.yml').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    const example = read('.env.example');
    for (const v of new Set(used)) expect(example, v).toMatch(new RegExp(`^#? ?${v}=`, 'm'));
  });

  it('the README’s docker compose lines match it: same credentials variables, published port and auth database', () => {
    const readme = read('README.md');
    const block = /```sh\n(export MONGO_ROOT_USERNAME=.*?)```/s.exec(readme)?.[1] ?? '';
    expect(block).toContain('docker compose up -d');
    const user = /MONGO_ROOT_USERNAME=(\S+)/.exec(block)?.[1];
    const password = /MONGO_ROOT_PASSWORD=(\S+)/.exec(block)?.[1];
    const uri = /MONGODB_URI="([^"]+)"/.exec(block)?.[1] ?? '';
    const port = /^\$\{MONGO_PORT:-(\d+)\}:27017$/.exec((mongo as unknown as { ports: string[] }).ports[0])?.[1];
    expect(uri).toBe(`mongodb://${user}:${password}@localhost:${port}/?authSource=admin`);
  });
});

describe('generated files', () => {
  it('name the npm script that makes them, and that script exists', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    for (const file of ['init-mongo.js', '.env.example']) {
      const named = /`npm run ([\w:-]+)`/.exec(read(file).split('\n')[0])?.[1];
      expect(named, file).toBeDefined();
      expect(Object.keys(scripts), file).toContain(named);
    }
  });
});

describe('validators derived from the zod schemas', () => {
  it('use MongoDB $jsonSchema keywords only', () => {
    // MongoDB's $jsonSchema keywords (draft 4 with bsonType; no type/format/$ref/multipleOf...).
    const allowed = new Set(['additionalItems', 'additionalProperties', 'allOf', 'anyOf', 'bsonType', 'dependencies', 'description', 'enum', 'exclusiveMaximum', 'exclusiveMinimum', 'items', 'maximum', 'maxItems', 'maxLength', 'maxProperties', 'minimum', 'minItems', 'minLength', 'minProperties', 'not', 'oneOf', 'pattern', 'patternProperties', 'properties', 'required', 'title', 'uniqueItems']);
    const used = new Set<string>();
    const walk = (node: unknown, namesOnly: boolean): void => {
      if (Array.isArray(node)) return node.forEach((n) => walk(n, false));
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (!namesOnly) used.add(k);
        walk(v, !namesOnly && (k === 'properties' || k === 'patternProperties'));
      }
    };
    for (const spec of collectionSpecs()) {
      walk(spec.validator.$jsonSchema, false);
      // The server refuses fields zod refuses: no extra top-level fields, and _id is declared.
      expect(spec.validator.$jsonSchema.additionalProperties, spec.name).toBe(false);
      expect(Object.keys(spec.validator.$jsonSchema.properties as object), spec.name).toContain('_id');
    }
    expect([...used].filter((k) => !allowed.has(k))).toEqual([]);
    const products = collectionSpecs().find((s) => s.name === 'products')!;
    const schema = products.validator.$jsonSchema as { required: string[]; properties: Record<string, { bsonType: unknown }> };
    expect(schema.required).toContain('product_id');
    expect(schema.properties.created_at.bsonType).toBe('date');
  });

  it('every collection of docs/DESIGN.md has a unique business key or time index', () => {
    const names = collectionSpecs().map((s) => s.name);
    expect(names).toEqual(['products', 'users', 'product_views', 'cart_events', 'transactions', 'user_activities', 'inventory_updates', 'order_events', 'price_changes', 'reviews', 'user_changes', 'dead_letters', 'etl_runs']);
    const users = collectionSpecs().find((s) => s.name === 'users')!;
    expect(users.indexes.filter((i) => i.unique).map((i) => Object.keys(i.key)[0])).toEqual(['user_id', 'email']);
  });
});
