import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { allFigures, store, writeStore } from '../helpers/living-store.js';

const uri = inject('mongoUri');
const reason = inject('mongoSkipReason');

// The living store's pipelines ($sort + $last, $max over dates and nulls, $subtract of dates)
// give on the server what mingo gives over the same documents written to files.
describe.skipIf(!uri)(`etl stats living store on MongoDB${uri ? '' : ` (skipped: ${reason})`}`, () => {
  const db = `etl_it_living_${process.pid}_${Date.now()}`;
  const root = mkdtempSync(join(tmpdir(), 'etl-it-living-'));
  let client: MongoClient;

  beforeAll(async () => {
    client = await MongoClient.connect(uri);
    for (const [c, docs] of Object.entries(store)) await client.db(db).collection(c).insertMany(docs as never[]);
  });
  afterAll(async () => {
    await client?.db(db).dropDatabase();
    await client?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('the same figures from MongoDB as from --from DIR, over all the data and over a window', async () => {
    const dir = writeStore(join(root, 'living'), store);
    for (const window of [[], ['--since', '10d']]) {
      const fromDb = await runCli(['stats', '--uri', uri, '--db', db, '--json', ...window]);
      const fromDir = await runCli(['stats', '--from', dir, '--json', ...window]);
      expect(fromDb.code, fromDb.stderr).toBe(0);
      expect(JSON.parse(fromDb.stdout).livingStore).toEqual(JSON.parse(fromDir.stdout).livingStore);
    }
    expect(JSON.parse((await runCli(['stats', '--uri', uri, '--db', db, '--json'])).stdout).livingStore).toEqual(allFigures);
  });
});
