import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/load.js';
import { EtlError } from '../src/errors.js';
import { runCli } from './helpers/cli.js';
import { WirePeer } from './helpers/wire-peer.js';

// Issue 27, item 1: the database a connection string names is the one written to, and every
// "into …" line names the database actually used.

const tmpRoot = mkdtempSync(join(tmpdir(), 'etl-db-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function load(flags: Record<string, unknown>, env: Record<string, string> = {}, file?: string) {
  const cwd = mkdtempSync(join(tmpRoot, 'case-'));
  if (file !== undefined) writeFileSync(join(cwd, '.env'), file);
  return loadSettings({ command: 'seed', flags, env, cwd });
}

const shopUri = 'mongodb://127.0.0.1:27777/shop?directConnection=true';

describe('which database: --db / MONGODB_DATABASE, else the one the URI names, else the default', () => {
  const _ = (name: string, flags: Record<string, unknown>, env: Record<string, string>, file: string | undefined, db: string, source: string) =>
    it(name, () => {
      const cfg = load(flags, env, file);
      expect([cfg.settings.db, cfg.sources.db]).toEqual([db, source]);
    });
  _('--uri naming shop', { uri: shopUri }, {}, undefined, 'shop', 'uri');
  _('MONGODB_URI naming shop', {}, { MONGODB_URI: shopUri }, undefined, 'shop', 'uri');
  _('a URI without a database', { uri: 'mongodb://127.0.0.1:27777/?directConnection=true' }, {}, undefined, 'ecommerce', 'default');
  _('under --profile adaptive-bi the URI’s database still wins over the profile’s default', { uri: shopUri, profile: 'adaptive-bi' }, {}, undefined, 'shop', 'uri');
  _('mongodb+srv with a database', { uri: 'mongodb+srv://cluster0.example.net/sales?retryWrites=true' }, {}, undefined, 'sales', 'uri');
  _('--db wins over the URI', { uri: shopUri, db: 'other' }, {}, undefined, 'other', 'flag');
  _('MONGODB_DATABASE wins over MONGODB_URI, both in the environment', {}, { MONGODB_URI: shopUri, MONGODB_DATABASE: 'other' }, undefined, 'other', 'env');
  _('a typed --uri wins over MONGODB_DATABASE from the environment', { uri: shopUri }, { MONGODB_DATABASE: 'other' }, undefined, 'shop', 'uri');
  _('MONGODB_URI in the environment wins over MONGODB_DATABASE in the file', {}, { MONGODB_URI: shopUri }, 'MONGODB_DATABASE=other\n', 'shop', 'uri');
  _('/admin names the authentication database, not a target', { uri: 'mongodb://root:pw@127.0.0.1:27777/admin' }, {}, undefined, 'ecommerce', 'default');

  it('a database name MongoDB refuses, in the URI: exit 2, one line naming it', () => {
    let err: unknown;
    try {
      load({ uri: 'mongodb://u:hunter2@127.0.0.1:27777/my.db' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EtlError);
    const e = err as EtlError;
    expect([e.code, e.exitCode]).toEqual(['CONFIG_INVALID', 2]);
    expect(e.message).toMatch(/^Invalid database in --uri: "my\.db" must be 1-63 characters .* Example: --uri mongodb:\/\/localhost:27017\/ecommerce$/);
    expect(e.message).not.toContain('hunter2');
  });
});

describe('through the real driver (wire peer): writes go to the URI’s database and the lines say so', () => {
  let peer: WirePeer | undefined;
  afterEach(async () => {
    await peer?.stop();
    peer = undefined;
  });

  it('etl seed / etl stream --uri mongodb://…/shop: every command is sent to shop; "into …" names it', async () => {
    peer = new WirePeer();
    await peer.start();
    const uri = `mongodb://127.0.0.1:${peer.port}/shop?directConnection=true&serverSelectionTimeoutMS=1000`;
    const cwd = mkdtempSync(join(tmpRoot, 'peer-'));
    const seed = await runCli(['seed', '--uri', uri, '--products', '20', '--users', '50'], { cwd });
    expect(seed.code, seed.stderr).toBe(0);
    expect(seed.stdout).toMatch(new RegExp(`Seeded .* into mongodb://127\\.0\\.0\\.1:${peer.port}/shop\\?\\S* \\(database shop\\)`));
    const stream = await runCli(['stream', '--uri', uri, '--from', '2026-01-01', '--limit', '200', '--seed', '3'], { cwd });
    expect(stream.code, stream.stderr).toBe(0);
    expect(stream.stdout).toMatch(/Streaming into mongodb:\/\/\S+ \(database shop\)/);
    const writes = peer.bodies.filter((b) => 'insert' in b || 'update' in b || 'createIndexes' in b || 'create' in b);
    expect(writes.length).toBeGreaterThan(0);
    expect(new Set(writes.map((b) => b.$db))).toEqual(new Set(['shop']));
    expect(peer.ids('products')).toHaveLength(20);
  });
});
