import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/load.js';
import { EtlError } from '../src/errors.js';
import { runCli } from './helpers/cli.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'etl-cfg-'));

function load(command: 'seed' | 'stream', flags: Record<string, unknown>, env: Record<string, string> = {}, cwd = emptyDir()) {
  return loadSettings({ command, flags, env, cwd });
}

function failure(fn: () => unknown): EtlError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EtlError) return err;
    throw err;
  }
  throw new Error('expected an EtlError');
}

describe('config precedence: flag > environment > env file > default', () => {
  const _ = (name: string, flags: Record<string, unknown>, env: Record<string, string>, file: string | undefined, expected: number, source: string) =>
    it(name, () => {
      const dir = emptyDir();
      if (file !== undefined) writeFileSync(join(dir, '.env'), file);
      const cfg = load('seed', flags, env, dir);
      expect(cfg.settings.products).toBe(expected);
      expect(cfg.sources.products).toBe(source);
    });
  _('default only', {}, {}, undefined, 100, 'default');
  _('env file beats default', {}, {}, 'ETL_PRODUCTS=7\n', 7, 'env-file');
  _('environment beats env file', {}, { ETL_PRODUCTS: '8' }, 'ETL_PRODUCTS=7\n', 8, 'env');
  _('flag beats environment', { products: '9' }, { ETL_PRODUCTS: '8' }, 'ETL_PRODUCTS=7\n', 9, 'flag');

  it('reads --dotenv instead of .env', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, '.env'), 'ETL_USERS=5\n');
    writeFileSync(join(dir, 'other.env'), 'ETL_USERS=6\nMONGODB_DATABASE=shop\n');
    const cfg = load('seed', { dotenv: 'other.env' }, {}, dir);
    expect(cfg.settings.users).toBe(6);
    expect(cfg.settings.db).toBe('shop');
  });

  it('ETL_ENV_FILE names the file when --dotenv does not; --dotenv wins', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'a.env'), 'ETL_USERS=5\n');
    writeFileSync(join(dir, 'b.env'), 'ETL_USERS=6\n');
    expect(load('seed', {}, { ETL_ENV_FILE: 'a.env' }, dir).settings.users).toBe(5);
    expect(load('seed', { dotenv: 'b.env' }, { ETL_ENV_FILE: 'a.env' }, dir).settings.users).toBe(6);
  });

  it('a missing --dotenv or ETL_ENV_FILE file is an error (exit 2) naming it, a missing default .env is not', () => {
    const err = failure(() => load('seed', { dotenv: 'nope.env' }));
    expect(err.code).toBe('ENV_FILE_UNREADABLE');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^Cannot read --dotenv "nope.env" \(ENOENT\)/);
    expect(failure(() => load('seed', {}, { ETL_ENV_FILE: 'gone.env' })).message).toMatch(/^Cannot read ETL_ENV_FILE "gone.env"/);
    expect(load('seed', {}).envFile).toBeUndefined();
  });

  it('ignores flags a command does not take', () => {
    expect(load('seed', { rate: 'abc' }).settings.rate).toBeUndefined();
  });
});

describe('every kind of bad value stops before work with one line naming it', () => {
  const cases: Array<[string, 'seed' | 'stream', Record<string, unknown>, Record<string, string>, RegExp]> = [
    ['negative count', 'seed', { products: '-5' }, {}, /--products: "-5" must be at least 1/],
    ['zero count', 'seed', { users: '0' }, {}, /--users: "0" must be at least 1/],
    ['non-numeric env', 'stream', {}, { ETL_BATCH_SIZE: 'abc' }, /ETL_BATCH_SIZE \(environment\): "abc" must be a whole number/],
    ['fraction where integer', 'seed', { products: '1.5' }, {}, /--products: "1.5" must be a whole number/],
    ['huge', 'seed', { users: '1000000000000' }, {}, /--users: .* must be at most 100,000,000/],
    ['seed too large', 'seed', { seed: '99999999999' }, {}, /--seed/],
    ['unknown sink', 'seed', { sink: 'kafka' }, {}, /--sink: "kafka" must be one of mongo, jsonl, stdout, null/],
    ['bad database name', 'seed', { db: 'my.db' }, {}, /--db: "my.db"/],
    ['unparsable uri', 'seed', { uri: 'localhost:27017' }, {}, /--uri: "localhost:27017" is not a valid MongoDB connection string/],
    ['uri with a bad port', 'seed', { uri: 'mongodb://db:notaport' }, {}, /--uri: "mongodb:\/\/db:notaport" is not a valid/],
    ['uri port out of range', 'seed', { uri: 'mongodb://db:99999' }, {}, /--uri: "mongodb:\/\/db:99999" is not a valid/],
    ['bad duration', 'stream', { duration: '5 minutes' }, {}, /--duration: "5 minutes" must be a duration like 30s/],
    ['zero duration', 'stream', { duration: '0s' }, {}, /--duration: "0s" must be longer than 0/],
    ['bad date', 'stream', { from: '2026-13-45' }, {}, /--from: "2026-13-45"/],
    ['bad partition', 'stream', { partition: '4/4' }, {}, /--partition: "4\/4" must be I\/N/],
    ['bad mix', 'stream', { mix: 'views=60,carts=30' }, {}, /--mix: "views=60,carts=30" must be "realistic" or look like/],
    ['fraud rate above 1', 'stream', { fraudRate: '1.5' }, {}, /--fraud-rate: "1.5" must be at most 1/],
    ['negative rate', 'stream', { rate: '-3' }, {}, /--rate: "-3" must be greater than 0/],
    ['too many workers', 'stream', { workers: '1000' }, {}, /--workers: "1000" must be at most 64/],
    ['env file value', 'stream', {}, {}, /ETL_LIMIT \(in .*\.env\): "lots"/],
  ];
  for (const [name, command, flags, env, message] of cases) {
    it(name, () => {
      const dir = emptyDir();
      if (name === 'env file value') writeFileSync(join(dir, '.env'), 'ETL_LIMIT=lots\n');
      const err = failure(() => load(command, flags, env, dir));
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.exitCode).toBe(2);
      expect(err.message).toMatch(message);
      expect(err.message.split('\n')).toHaveLength(1);
      expect(err.message).toMatch(/Example: /);
    });
  }

  it('never prints the password of a bad connection string', () => {
    const err = failure(() => load('seed', { uri: 'mongodb://alice:hunter2@' }));
    expect(err.message).not.toContain('hunter2');
    expect(err.message).toContain('alice:****@');
  });

  it('rejects contradictory stream settings', () => {
    expect(failure(() => load('stream', { rate: '100', interval: '5' })).message).toMatch(/--rate and --interval/);
    expect(failure(() => load('stream', { to: '2026-01-02' })).message).toMatch(/--to .* needs --from/);
    expect(failure(() => load('stream', { from: '2026-01-02', to: '2026-01-01' })).message).toMatch(/must be after --from/);
    expect(failure(() => load('stream', { speed: '10' })).message).toMatch(/--speed 10 applies to a backfill/);
  });

  it('accepts the connection strings MongoDB users write', () => {
    for (const uri of ['mongodb://localhost', 'mongodb://u:p@h1:27017,h2:27018/db?replicaSet=rs0', 'mongodb+srv://cluster0.example.net/?retryWrites=true', 'mongodb://[::1]:27017']) {
      expect(load('seed', { uri }).settings.uri).toBe(uri);
    }
  });

  it('parses good values into types', () => {
    const s = load('stream', { duration: '1.5m', from: '2026-01-01', partition: '1/4', mix: 'views=6,cart=3,orders=1', fraudRate: '2%' }).settings;
    expect(s.duration).toBe(90_000);
    expect(s.from?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(s.partition).toEqual({ index: 1, count: 4 });
    expect(s.mix.views).toBeCloseTo(0.6);
    expect(s.fraudRate).toBeCloseTo(0.02);
  });
});

describe('the CLI maps bad input to exit code 2 without a stack trace', () => {
  const _ = (args: string[], env: Record<string, string>, expected: RegExp) =>
    it(`etl ${args.join(' ')} ${Object.keys(env).join(' ')}`, async () => {
      const r = await runCli(args, { env, cwd: emptyDir() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    });
  _(['seed', '--products', '-5'], {}, /Invalid --products: "-5"/);
  _(['seed', '--sink', 'null'], { ETL_BATCH_SIZE: 'abc' }, /ETL_BATCH_SIZE/);
  _(['seed', '--uri', 'mongodb://u:pw123@'], {}, /--uri: "mongodb:\/\/u:\*\*\*\*@"/);
  _(['seed', '--no-such-flag'], {}, /unknown option '--no-such-flag'/);
  _(['nonsense'], {}, /unknown command 'nonsense'/);
});

describe('--profile adaptive-bi reads its service’s variable names', () => {
  it('STREAMING_INTERVAL, BATCH_SIZE, MAX_PRODUCTS, MAX_USERS from the environment and its .env; ours win; only under the profile', () => {
    const env = { STREAMING_INTERVAL: '2', BATCH_SIZE: '10', MAX_PRODUCTS: '37', MAX_USERS: '420' };
    const stream = load('stream', {}, { ETL_PROFILE: 'adaptive-bi', ...env });
    expect([stream.settings.interval, stream.settings.batchSize, stream.settings.db]).toEqual([2, 10, 'adaptive_bi']);
    expect(stream.sources.batchSize).toBe('profile-env');
    const seed = load('seed', { profile: 'adaptive-bi' }, env);
    expect([seed.settings.products, seed.settings.users]).toEqual([37, 420]);
    expect(load('seed', { profile: 'adaptive-bi' }, { ...env, ETL_PRODUCTS: '12' }).settings.products).toBe(12);
    expect(load('seed', { profile: 'adaptive-bi', products: '5' }, env).settings.products).toBe(5);
    const plain = load('stream', {}, env);
    expect([plain.settings.interval, plain.settings.batchSize, plain.settings.db]).toEqual([1, 500, 'ecommerce']);

    const cwd = emptyDir();
    writeFileSync(join(cwd, '.env'), 'BATCH_SIZE=25\nMONGODB_DATABASE=shop\n');
    const fromFile = load('stream', { profile: 'adaptive-bi' }, {}, cwd);
    expect([fromFile.settings.batchSize, fromFile.sources.batchSize, fromFile.settings.db]).toEqual([25, 'profile-env-file', 'shop']);
    // The environment's own name beats the file's, its name in the environment beats the file's too.
    expect(load('stream', { profile: 'adaptive-bi' }, { BATCH_SIZE: '30' }, cwd).settings.batchSize).toBe(30);
    expect(load('stream', { profile: 'adaptive-bi' }, { ETL_BATCH_SIZE: '40' }, cwd).settings.batchSize).toBe(40);
  });

  it('a bad value names the variable it came from', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, '.env'), 'MAX_USERS=lots\n');
    const err = failure(() => load('seed', { profile: 'adaptive-bi' }, {}, cwd));
    expect(err.message).toBe(`Invalid MAX_USERS (in ${join(cwd, '.env')}): "lots" must be a whole number. Example: MAX_USERS=100000`);
    expect(failure(() => load('seed', {}, { ETL_PROFILE: 'bi' })).message).toBe('Invalid ETL_PROFILE (environment): "bi" must be one of ecom-etl, adaptive-bi. Example: ETL_PROFILE=adaptive-bi');
  });
});
