import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StoreCatalog } from '../src/catalog/store-catalog.js';
import { readStoredCatalog } from '../src/run/catalog-read.js';
import { defaultCatalog, loadCatalog } from '../src/run/catalog-source.js';
import { seedCatalog } from '../src/run/seed.js';
import { JsonlSink } from '../src/sinks/jsonl.js';
import type { Doc, Sink } from '../src/sinks/types.js';
import { EtlError } from '../src/errors.js';
import { columnsFileName, readColumns } from '../src/sinks/jsonl-columns.js';
import { abi, ours } from './helpers/profiles.js';

/** A target as loadCatalog meets it: its writes as given, its catalog read as given (nothing by default). */
function catalogTarget(target: string, write: Sink['write'], eachDocument: NonNullable<Sink['catalog']>['eachDocument'] = async () => undefined): Sink {
  return { name: 'mongo', target, open: async () => undefined, reset: async () => undefined, close: async () => undefined, write, catalog: { eachDocument } };
}

/** A write's answer: every document stored. */
const allStored = (docs: unknown) => ({ written: (docs as Doc[]).length, duplicates: 0, rejected: [], retries: 0 });

/** Every column as plain arrays, to compare two catalogs whole. */
const plain = (c: StoreCatalog) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : Array.isArray(v) ? v.map((x) => (ArrayBuffer.isView(x) ? Array.from(x as Int32Array) : x)) : v]));

async function seeded(profile = ours, products = 120, users = 1500): Promise<{ dir: string; sink: JsonlSink }> {
  const dir = mkdtempSync(join(tmpdir(), 'etl-columns-'));
  const sink = new JsonlSink(dir, profile.stored);
  await sink.open();
  await seedCatalog({ profile, seed: 42, products, users, reset: false, chunkSize: 500, sink });
  return { dir, sink };
}

describe('catalog columns saved beside a jsonl catalog', () => {
  for (const profile of [ours, abi]) {
    it(`${profile.name}: the seed saves them, and they are the columns the files give when parsed`, async () => {
      const { dir, sink } = await seeded(profile);
      expect(existsSync(join(dir, columnsFileName))).toBe(true);
      const saved = await readColumns(dir, profile.catalog.reading);
      const parsed = await readStoredCatalog(sink, profile, dir);
      expect(saved?.read).toEqual(parsed.read);
      expect(plain(saved!.catalog)).toEqual(plain(parsed.catalog!));
      // One shared buffer: worker threads share the columns as they share a catalog built from the files.
      expect(saved!.catalog.userNumber.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(saved!.catalog.zoneCumRate.buffer).toBe(saved!.catalog.userNumber.buffer);
      const loaded = await loadCatalog(sink, profile);
      expect(loaded.source).toBe('stored');
      expect(plain(loaded.catalog)).toEqual(plain(parsed.catalog!));
    });
  }

  it('the same catalog seeded twice saves the same columns, byte for byte after the header', async () => {
    const a = await seeded();
    const b = await seeded();
    const payload = (dir: string) => {
      const bytes = readFileSync(join(dir, columnsFileName));
      const head = bytes.readUInt32LE(8);
      return bytes.subarray(Math.ceil((12 + head) / 8) * 8);
    };
    expect(payload(a.dir).equals(payload(b.dir))).toBe(true);
  });

  it('is ignored once a catalog file changed since (another size or time), and loading parses the files again and saves new columns', async () => {
    const { dir, sink } = await seeded();
    const users = join(dir, 'users.jsonl');
    const lines = readFileSync(users, 'utf8').trim().split('\n');
    writeFileSync(users, `${lines.slice(0, 1000).join('\n')}\n`);
    expect(await readColumns(dir, ours.catalog.reading)).toBeUndefined();
    const loaded = await loadCatalog(sink, ours);
    expect(loaded.read.users).toBe(1000);
    // Saved again for the files as they are now.
    expect((await readColumns(dir, ours.catalog.reading))?.read.users).toBe(1000);
    // Same size, another time: stale too.
    utimesSync(join(dir, 'products.jsonl'), new Date(), new Date(Date.now() + 5000));
    expect(await readColumns(dir, ours.catalog.reading)).toBeUndefined();
  });

  it('is ignored when its payload does not match its checksum, when it is torn, of another format or of another profile', async () => {
    const { dir } = await seeded();
    const path = join(dir, columnsFileName);
    const good = readFileSync(path);
    expect(await readColumns(dir, ours.catalog.reading)).toBeDefined();
    expect(await readColumns(dir, abi.catalog.reading)).toBeUndefined();
    const flipped = Buffer.from(good);
    flipped[flipped.length - 100] ^= 1;
    writeFileSync(path, flipped);
    expect(await readColumns(dir, ours.catalog.reading)).toBeUndefined();
    writeFileSync(path, good.subarray(0, good.length - 8));
    expect(await readColumns(dir, ours.catalog.reading)).toBeUndefined();
    writeFileSync(path, Buffer.from(good.toString('latin1').replace('"version":1', '"version":0'), 'latin1'));
    expect(await readColumns(dir, ours.catalog.reading)).toBeUndefined();
    writeFileSync(path, good);
    expect(await readColumns(dir, ours.catalog.reading)).toBeDefined();
    rmSync(path);
    expect(await readColumns(dir, ours.catalog.reading)).toBeUndefined();
    appendFileSync(path, 'ETLCOLS\n');
    expect(await readColumns(dir, ours.catalog.reading)).toBeUndefined();
  });

  it('a target that takes the seeded catalog and gives nothing back is seeded once, then named (CATALOG_INVALID, exit 2), not seeded for ever', async () => {
    let writes = 0;
    const forgetful = catalogTarget('a forgetful target', async (_collection, docs) => {
      writes++;
      return allStored(docs);
    });
    const err = (await loadCatalog(forgetful, ours, undefined, undefined, { readBackWaitsMs: [0, 5, 5] }).catch((e: unknown) => e)) as EtlError;
    expect(err).toBeInstanceOf(EtlError);
    expect(err.code).toBe('CATALOG_INVALID');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/cannot be read back whole: 0 of 100 products and 0 of 1000 users found after [\d.]+ s; check that the connection string reads from where it writes/);
    // One seed: the default catalog's products and users, written once.
    const once = writes;
    expect(once).toBeGreaterThan(0);
    await loadCatalog(forgetful, ours, undefined, undefined, { readBackWaitsMs: [0] }).catch(() => undefined);
    expect(writes).toBe(2 * once);
  });

  it('a catalog just seeded that reads back whole only after a while (a lagging secondary) is read again, not seeded again', async () => {
    const stored = new Map<string, Doc[]>();
    let reads = 0;
    let writes = 0;
    const lagging = catalogTarget(
      'a lagging target',
      async (collection, docs) => {
        writes++;
        stored.set(collection, [...(stored.get(collection) ?? []), ...(docs as Doc[])]);
        return allStored(docs);
      },
      // Nothing before the seed nor in the first read after it, then all the products but a
      // third of the users (half replicated), then all (products are read first in each).
      async (collection, _fields, each) => {
        if (collection === 'products') reads++;
        if (reads <= 2) return;
        const docs = stored.get(collection) ?? [];
        for (const doc of reads === 3 && collection === 'users' ? docs.slice(0, docs.length / 3) : docs) each(doc);
      },
    );
    const loaded = await loadCatalog(lagging, ours, undefined, undefined, { readBackWaitsMs: [0, 5, 5, 5] });
    expect(loaded.source).toBe('seeded');
    expect(loaded.read).toEqual({ products: defaultCatalog.products, users: defaultCatalog.users });
    expect(reads).toBe(4);
    const once = writes;
    expect(once).toBeGreaterThan(0);
    // The catalog it reads is the one seeded once.
    expect(stored.get('products')).toHaveLength(defaultCatalog.products);
  });

  it('a stop (Ctrl-C) ends the waits for a catalog that does not read back', async () => {
    const forgetful = catalogTarget('a forgetful target', async (_collection, docs) => allStored(docs));
    const stop = new AbortController();
    const began = Date.now();
    setTimeout(() => stop.abort(), 200);
    const err = (await loadCatalog(forgetful, ours, undefined, undefined, { readBackWaitsMs: [0, 60_000, 60_000], signal: stop.signal }).catch((e: unknown) => e)) as EtlError;
    expect(Date.now() - began).toBeLessThan(30_000);
    expect(err.code).toBe('CATALOG_INVALID');
  });

  it('a target that refuses the seeded catalog is named with what it refused', async () => {
    const refusing = catalogTarget('a refusing target', async (_collection, docs) => ({ written: 0, duplicates: 0, rejected: (docs as Doc[]).map((doc) => ({ doc, reasons: [{ path: '', code: 'x', message: 'refused' }] })), retries: 0 }));
    // All refused: no waiting for what cannot come (the waits given would take a minute).
    const began = Date.now();
    const err = (await loadCatalog(refusing, ours, undefined, undefined, { readBackWaitsMs: [0, 60_000] }).catch((e: unknown) => e)) as EtlError;
    expect(Date.now() - began).toBeLessThan(30_000);
    expect(err.code).toBe('CATALOG_INVALID');
    expect(err.message).toMatch(new RegExp(`the target refused ${defaultCatalog.products + defaultCatalog.users} of its documents \\(${defaultCatalog.products} products, ${defaultCatalog.users} users\\)`));
  });
});
