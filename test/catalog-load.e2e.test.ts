import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abiPopulation } from '../src/profiles/adaptive-bi/catalog-documents.js';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { EtlError } from '../src/errors.js';
import { CatalogBuilder, type StoreCatalog, buildStoreCatalog } from '../src/catalog/store-catalog.js';
import { loadCatalog } from '../src/run/catalog-source.js';
import { JsonlSink } from '../src/sinks/jsonl.js';
import { readUsersParallel } from '../src/sinks/jsonl-catalog.js';
import { runCli } from './helpers/cli.js';
import { abi, ours } from './helpers/profiles.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'etl-catalog-'));

/** Every column as plain arrays, to compare two catalogs whole. */
const plain = (c: StoreCatalog) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : Array.isArray(v) ? v.map((x) => (ArrayBuffer.isView(x) ? Array.from(x as Int32Array) : x)) : v]));

describe('reading a stored catalog into columns', () => {
  it('a jsonl catalog large enough to be read on every core gives exactly the columns of the documents it was made from', async () => {
    const dir = tmp();
    expect((await runCli(['seed', '--sink', 'jsonl', '--out', dir, '--products', '300', '--users', '120000', '--quiet'])).code).toBe(0);
    const loaded = await loadCatalog(new JsonlSink(dir, ours.stored), ours);
    expect(loaded.source).toBe('stored');
    expect(loaded.read).toEqual({ products: 300, users: 120_000 });
    const g = new CatalogGenerator(42);
    expect(plain(loaded.catalog)).toEqual(plain(buildStoreCatalog(g.products(0, 300), g.users(0, 120_000))));
    // Its columns are in shared memory: worker threads get one copy.
    expect(loaded.catalog.userNumber.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(loaded.catalog.zoneCumRate.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('any number of threads cuts the file at line boundaries: every user once, in file order', async () => {
    const dir = tmp();
    expect((await runCli(['seed', '--sink', 'jsonl', '--out', dir, '--products', '10', '--users', '997', '--quiet'])).code).toBe(0);
    const one = new CatalogBuilder(ours.catalog.reading);
    for (const line of readFileSync(join(dir, 'users.jsonl'), 'utf8').trim().split('\n')) one.addUser(JSON.parse(line));
    for (const threads of [2, 3, 7]) {
      const b = new CatalogBuilder(ours.catalog.reading);
      expect(await readUsersParallel(join(dir, 'users.jsonl'), b, dir, threads)).toBe(997);
      expect(b.userPart()).toEqual(one.userPart());
    }
  });

  it('an adaptive-bi catalog read on every core gives the columns of the same store in our terms', async () => {
    const dir = tmp();
    expect((await runCli(['seed', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', dir, '--products', '300', '--users', '100000', '--quiet'])).code).toBe(0);
    // Large enough for the parallel reader (its documents are longer than ours).
    expect(readFileSync(join(dir, 'users.jsonl')).length).toBeGreaterThan(32 << 20);
    const loaded = await loadCatalog(new JsonlSink(dir, abi.stored), abi);
    expect(loaded.read).toEqual({ products: 300, users: 100_000 });
    const g = new CatalogGenerator(42, abiPopulation);
    expect(plain(loaded.catalog)).toEqual(plain(buildStoreCatalog(g.products(0, 300), g.users(0, 100_000))));
  });

  it('a stored user the engine cannot use is a CATALOG_INVALID error naming the document (exit 2)', async () => {
    const dir = tmp();
    expect((await runCli(['seed', '--sink', 'jsonl', '--out', dir, '--products', '10', '--users', '50', '--quiet'])).code).toBe(0);
    const path = join(dir, 'users.jsonl');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const bad = JSON.parse(lines[7]);
    bad.region = 'Bavaria';
    bad.country = 'US';
    lines[7] = JSON.stringify(bad);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const err = (await loadCatalog(new JsonlSink(dir, ours.stored), ours).catch((e: unknown) => e)) as EtlError;
    expect(err).toBeInstanceOf(EtlError);
    expect(err.code).toBe('CATALOG_INVALID');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(new RegExp(`users document ${bad._id} .*region: must belong to country`));
    const r = await runCli(['stream', '--sink', 'jsonl', '--out', dir, '--limit', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CATALOG_INVALID|not a valid catalog document/);
  });

  it('a line that is not JSON in the middle of a large users file is CATALOG_INVALID too; a torn last line is skipped', async () => {
    const dir = tmp();
    expect((await runCli(['seed', '--sink', 'jsonl', '--out', dir, '--products', '10', '--users', '200', '--quiet'])).code).toBe(0);
    const path = join(dir, 'users.jsonl');
    appendFileSync(path, '{"_id":"USR_0000201","user_id":"USR_00');
    const b = new CatalogBuilder(ours.catalog.reading);
    expect(await readUsersParallel(path, b, dir, 3)).toBe(200);
    writeFileSync(path, readFileSync(path, 'utf8').replace('\n{"_id":"USR_0000100"', '\nnot json\n{"_id":"USR_0000100"'));
    const err = (await readUsersParallel(path, new CatalogBuilder(ours.catalog.reading), dir, 3).catch((e: unknown) => e)) as EtlError;
    expect(err.code).toBe('CATALOG_INVALID');
    expect(err.message).toMatch(/not JSON/);
  });
});

describe('seeding a large catalog on every core', () => {
  it('writes exactly the bytes one thread would (validated, relaxed Extended JSON), in order', async () => {
    const { toJsonLine, flatJsonLine } = await import('../src/sinks/jsonl-files.js');
    const dir = tmp();
    const r = await runCli(['seed', '--sink', 'jsonl', '--out', dir, '--products', '1000', '--users', '200000', '--seed', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const g = new CatalogGenerator(5);
    const users = g.users(0, 200_000);
    const expected = users.map((u) => toJsonLine(u)).join('');
    expect(readFileSync(join(dir, 'users.jsonl'), 'utf8') === expected).toBe(true);
    expect(readFileSync(join(dir, 'products.jsonl'), 'utf8')).toBe(g.products(0, 1000).map((p) => toJsonLine(p)).join(''));
    // The fast serializer is the same relaxed Extended JSON, dates included (with and without milliseconds).
    for (const d of [new Date('2025-10-20T20:27:46Z'), new Date('2025-10-20T20:27:46.123Z'), new Date('1960-01-01T00:00:00Z')]) {
      expect(flatJsonLine({ _id: 'x', at: d, n: 1.5, ok: true, none: null })).toBe(toJsonLine({ _id: 'x', at: d, n: 1.5, ok: true, none: null }));
    }
  });
});
