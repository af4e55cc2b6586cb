import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productSchema, userSchema } from '../src/catalog/schemas.js';
import { fromJsonLine } from '../src/sinks/jsonl-files.js';
import { runBin, runCli } from './helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'etl-seed-'));
const md5 = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');

describe('etl seed (the built binary, as a user runs it)', () => {
  it('writes exactly the requested valid, unique documents, byte-identical on a second run', () => {
    const out = tmp();
    const args = ['seed', '--sink', 'jsonl', '--out', out, '--products', '1000', '--users', '10000', '--seed', '7'];
    const first = runBin(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Seeded 11,000 documents/);
    // The documents, and the engine's columns of them (a stream reads those instead of parsing).
    expect(readdirSync(out).sort()).toEqual(['catalog.columns', 'products.jsonl', 'users.jsonl']);
    const products = readFileSync(join(out, 'products.jsonl'), 'utf8').trimEnd().split('\n').map(fromJsonLine);
    const users = readFileSync(join(out, 'users.jsonl'), 'utf8').trimEnd().split('\n').map(fromJsonLine);
    expect(products).toHaveLength(1000);
    expect(users).toHaveLength(10000);
    expect(new Set(products.map((p) => p._id)).size).toBe(1000);
    expect(new Set(users.map((u) => u.email)).size).toBe(10000);
    for (const p of products) expect(productSchema.safeParse(p).success).toBe(true);
    for (const u of users) expect(userSchema.safeParse(u).success).toBe(true);
    const before = [md5(join(out, 'products.jsonl')), md5(join(out, 'users.jsonl'))];

    const second = runBin(args);
    expect(second.code).toBe(0);
    expect([md5(join(out, 'products.jsonl')), md5(join(out, 'users.jsonl'))]).toEqual(before);
  });

  it('--json prints one summary object on stdout and human text on stderr', async () => {
    const r = await runCli(['seed', '--sink', 'null', '--products', '10', '--users', '20', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]);
    expect(summary).toMatchObject({ type: 'summary', command: 'seed', seed: 42, counts: { products: { generated: 10, written: 10 }, users: { generated: 20, written: 20 } } });
    expect(r.stderr).toMatch(/Seeded 30 documents/);
  });

  it('--sink stdout writes NDJSON records to stdout and the summary to stderr', async () => {
    const r = await runCli(['seed', '--sink', 'stdout', '--products', '3', '--users', '2']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.collection)).toEqual(['products', 'products', 'products', 'users', 'users']);
    expect(lines[3].doc.signup_date.$date).toMatch(/^\d{4}-/);
    expect(r.stderr).toMatch(/Seeded 5 documents/);
  });

  it('--version prints the package version; --help lists every command option', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(runBin(['--version']).stdout.trim()).toBe(pkg.version);
    const help = runBin(['seed', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--products', '--users', '--seed', '--reset', '--sink', '--out', '--uri', '--json']) expect(help.stdout).toContain(flag);
  });

  it('an unwritable --out is a clear error, exit 2', () => {
    const r = runBin(['seed', '--sink', 'jsonl', '--out', '/etc/hostname/data']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot write to --out "\/etc\/hostname\/data" \(ENOTDIR\)/);
  });
});

describe('embedded MongoDB when no mongod can be obtained', () => {
  it('fails within seconds with exit 2 and the remedies, no stack trace', () => {
    const started = Date.now();
    const r = runBin(['seed'], {
      env: {
        ETL_DATA_DIR: join(tmp(), 'db'),
        // Nowhere to download from (a closed port) and an empty cache: the offline case, whatever this machine has.
        MONGOMS_DOWNLOAD_URL: 'http://127.0.0.1:9/mongodb-linux-x86_64-ubuntu2204-8.2.6.tgz',
        MONGOMS_USE_HTTP: 'true',
        MONGOMS_DOWNLOAD_DIR: tmp(),
        MONGOMS_PREFER_GLOBAL_PATH: 'false',
      },
      timeout: 30_000,
    });
    expect(r.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.stderr).toMatch(/no mongod binary could be obtained .*ECONNREFUSED/);
    expect(r.stderr).toMatch(/MONGODB_URI/);
    expect(r.stderr).toMatch(/docker compose up -d/);
    expect(r.stderr).toMatch(/MONGOMS_SYSTEM_BINARY/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
