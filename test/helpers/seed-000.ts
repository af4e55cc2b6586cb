import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { root } from './cli.js';

/**
 * The Adaptive-BI Phase 1 design (seed design 000) as its own files declare it: the
 * init-mongo.js it ships is run here with a recording stand-in for mongosh's `db`, so tests
 * compare against what that script would create — never a re-typed copy. The parts the tests
 * read are copied verbatim into a fixture (its source: test/fixtures/README.md), so a clone
 * needs nothing beside it.
 */

export const seed000Path = join(root, 'test', 'fixtures', 'seed-000-adaptive-bi-phase1.txt');

/** The body of the code block that follows `## File: <name>` in the design. */
export function seed000File(name: string): string {
  const text = readFileSync(seed000Path, 'utf8');
  const heading = text.indexOf(`## File: ${name}`);
  if (heading < 0) throw new Error(`${name} is not in ${seed000Path} (it holds only what the tests read: test/fixtures/README.md)`);
  const open = text.indexOf('```', heading);
  const bodyStart = text.indexOf('\n', open) + 1;
  const close = text.indexOf('\n```', bodyStart);
  return text.slice(bodyStart, close);
}

export interface DeclaredIndex {
  key: Record<string, 1 | -1>;
  unique: boolean;
}

export interface Seed000Schema {
  database: string;
  validators: Record<string, { $jsonSchema: Record<string, unknown> }>;
  indexes: Record<string, DeclaredIndex[]>;
}

/** Runs the design's init-mongo.js against a recorder: the database, validators and indexes it creates. */
export function seed000InitMongo(): Seed000Schema {
  const out: Seed000Schema = { database: '', validators: {}, indexes: {} };
  const dbNamed = (database: string): unknown =>
    new Proxy(
      {},
      {
        get(_t, prop: string) {
          if (prop === 'getSiblingDB') return (name: string) => dbNamed(name);
          if (prop === 'createCollection') {
            return (name: string, opts: { validator: { $jsonSchema: Record<string, unknown> } }) => {
              out.database = database;
              out.validators[name] = opts.validator;
            };
          }
          return {
            createIndex: (key: Record<string, 1 | -1>, opts?: { unique?: boolean }) => {
              (out.indexes[prop] ??= []).push({ key, unique: opts?.unique === true });
            },
          };
        },
      },
    );
  // JSON round trip: plain objects of this realm (the script's are of the vm's).
  runInNewContext(seed000File('data_streaming/init-mongo.js'), { db: dbNamed('test'), print: () => undefined });
  return JSON.parse(JSON.stringify(out)) as Seed000Schema;
}
