import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/load.js';
import { EtlError } from '../src/errors.js';
import { runCli } from './helpers/cli.js';

const tmpRoot = mkdtempSync(join(tmpdir(), 'etl-cfg-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
const emptyDir = () => mkdtempSync(join(tmpRoot, 'case-'));

/** The day the issue was reported: dates after it are in the future. */
const now = new Date('2026-11-30T12:00:00Z');

function load(command: 'seed' | 'stream' | 'schedule', flags: Record<string, unknown>, env: Record<string, string> = {}, cwd = emptyDir()) {
  return loadSettings({ command, flags, env, cwd, now });
}

/** A directory whose .env holds these lines. */
function withEnvFile(text: string): string {
  const dir = emptyDir();
  writeFileSync(join(dir, '.env'), text);
  return dir;
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
    expect(failure(() => load('stream', { rate: '100', interval: '5' })).message).toMatch(/--rate 100 and --interval 5 both pace/);
    expect(failure(() => load('stream', { to: '2026-01-02' })).message).toMatch(/--to .* needs --from/);
    expect(failure(() => load('stream', { from: '2026-01-02', to: '2026-01-01' })).message).toMatch(/must be after --from/);
    expect(failure(() => load('stream', { speed: '10' })).message).toMatch(/--speed 10 applies to a backfill/);
  });

  it('--rate population: the users\' own rate, live only; other words are refused naming both choices (issue 22)', () => {
    expect(load('stream', { rate: 'population' }).settings.rate).toBe('population');
    expect(load('stream', { rate: '250' }).settings.rate).toBe(250);
    expect(failure(() => load('stream', { rate: 'population', from: '2026-01-01' })).message).toBe(
      "--rate population is for a live stream: a backfill follows the users' own rate already (leave --rate out, or --speed 1 for real time)",
    );
    expect(failure(() => load('stream', { rate: 'fast' })).message).toMatch(/^Invalid --rate: "fast" must be a number of records a second, or population/);
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

describe('a value from the environment or a file never overrules a flag (issue 27)', () => {
  it('--rate typed with ETL_INTERVAL in .env or the environment: the rate wins, the interval is its default again', () => {
    for (const [env, cwd] of [[{}, withEnvFile('ETL_INTERVAL=1\n')], [{ ETL_INTERVAL: '5' }, emptyDir()]] as const) {
      const cfg = load('stream', { rate: '2000' }, env, cwd);
      expect(cfg.settings.rate).toBe(2000);
      expect([cfg.settings.interval, cfg.sources.interval]).toEqual([1, 'default']);
    }
  });

  it('--interval typed with ETL_RATE in the environment: the interval paces', () => {
    const cfg = load('stream', { interval: '5' }, { ETL_RATE: '100' });
    expect([cfg.settings.rate, cfg.sources.rate, cfg.settings.interval]).toEqual([undefined, 'unset', 5]);
  });

  it('the same for the other pairs that cannot both hold', () => {
    // --speed typed, ETL_RATE in the file: a paced backfill by speed.
    const speed = load('stream', { speed: '10', from: '2026-01-01' }, {}, withEnvFile('ETL_RATE=100\n')).settings;
    expect([speed.speed, speed.rate]).toEqual([10, undefined]);
    // --rate typed, ETL_SPEED in the environment: no "--speed applies to a backfill" either.
    expect(load('stream', { rate: '100' }, { ETL_SPEED: '10' }).settings.speed).toBeUndefined();
    // --sink stdout typed, ETL_WORKERS=4: one worker.
    expect(load('stream', { sink: 'stdout' }, { ETL_WORKERS: '4' }).settings.workers).toBe(1);
    // --json typed, ETL_SINK=stdout in the file: where records go never falls back silently, an error names both.
    expect(failure(() => load('seed', { json: true }, {}, withEnvFile('ETL_SINK=stdout\n'))).message).toMatch(/--json and ETL_SINK=stdout .* both write to stdout/);
    expect(failure(() => load('stream', { workers: '4' }, { ETL_SINK: 'stdout' })).message).toMatch(/ETL_SINK=stdout .* writes one ordered stream but --workers 4/);
  });

  it('between the environment and the file, the environment wins', () => {
    const cfg = load('stream', {}, { ETL_RATE: '100' }, withEnvFile('ETL_INTERVAL=5\n'));
    expect([cfg.settings.rate, cfg.sources.interval]).toEqual([100, 'default']);
  });

  it('given at the same level they are still an error: one line naming both values, exit 2', () => {
    const _ = (flags: Record<string, unknown>, env: Record<string, string>, cwd: string, message: RegExp) => {
      const err = failure(() => load('stream', flags, env, cwd));
      expect([err.code, err.exitCode]).toEqual(['CONFIG_INVALID', 2]);
      expect(err.message).toMatch(message);
      expect(err.message.split('\n')).toHaveLength(1);
    };
    _({ rate: '2000', interval: '1' }, {}, emptyDir(), /^--rate 2000 and --interval 1 both pace the stream: use --rate N alone/);
    _({}, { ETL_RATE: '100', ETL_INTERVAL: '5' }, emptyDir(), /^ETL_RATE=100 \(environment\) and ETL_INTERVAL=5 \(environment\)/);
    const dir = withEnvFile('ETL_SINK=stdout\nETL_WORKERS=3\n');
    _({}, {}, dir, new RegExp(`^ETL_SINK=stdout \\(in ${join(dir, '.env')}\\) writes one ordered stream but ETL_WORKERS=3`));
    _({ speed: '10', rate: '5', from: '2026-01-01' }, {}, emptyDir(), /^--speed 10 and --rate 5 both pace the run/);
  });

  it('the issue’s run: .env with ETL_INTERVAL=1, `etl stream --sink null --rate 2000 --limit 100` exits 0; both as flags exits 2', async () => {
    const cwd = withEnvFile('ETL_INTERVAL=1\n');
    const ok = await runCli(['stream', '--sink', 'null', '--rate', '2000', '--limit', '100', '--json'], { cwd });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout.trim().split('\n').pop()!)).toMatchObject({ type: 'summary' });
    const both = await runCli(['stream', '--sink', 'null', '--rate', '2000', '--interval', '1', '--limit', '100'], { cwd });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--rate 2000 and --interval 1/);
  });

  it('a MONGODB_DATABASE naming the other profile’s database gives way to a profile typed as a flag; any other name stays', () => {
    // The lines an older .env.example had, copied as .env.
    const old = withEnvFile('ETL_PROFILE=ecom-etl\nMONGODB_DATABASE=ecommerce\nETL_INTERVAL=1\n');
    expect(load('seed', { profile: 'adaptive-bi' }, {}, old).settings.db).toBe('adaptive_bi');
    expect(load('seed', { profile: 'ecom-etl' }, { MONGODB_DATABASE: 'adaptive_bi' }).settings.db).toBe('ecommerce');
    expect(load('seed', { profile: 'adaptive-bi' }, {}, withEnvFile('MONGODB_DATABASE=shop\n')).settings.db).toBe('shop');
    // Typed, or at the same level as the profile, it is what the user asked for.
    expect(load('seed', { profile: 'adaptive-bi', db: 'ecommerce' }).settings.db).toBe('ecommerce');
    expect(load('seed', {}, { ETL_PROFILE: 'adaptive-bi', MONGODB_DATABASE: 'ecommerce' }).settings.db).toBe('ecommerce');
  });
});

describe('a backfill cannot start in the future (issue 27)', () => {
  it('--from after now: exit 2, one line naming the value and the fix', () => {
    const err = failure(() => load('stream', { from: '2027-06-01' }));
    expect([err.code, err.exitCode]).toEqual(['CONFIG_INVALID', 2]);
    expect(err.message).toBe('--from 2027-06-01 is in the future (now is 2026-11-30T12:00Z): a backfill replays the past. Give an earlier date, e.g. --from 2026-11-23, or leave --from out to stream live');
    expect(failure(() => load('stream', {}, { ETL_FROM: '2026-11-30T13:00Z' })).message).toMatch(/^ETL_FROM=2026-11-30T13:00Z \(environment\) is in the future/);
  });

  it('a --from today or earlier is a backfill as before; --to must still follow it', () => {
    expect(load('stream', { from: '2026-11-30' }).settings.from?.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(failure(() => load('stream', { from: '2026-11-01', to: '2026-11-01' })).message).toBe('--to 2026-11-01 must be after --from 2026-11-01: give a --to later than --from');
  });

  it('through the CLI (the real clock): exit 2, no work', async () => {
    const r = await runCli(['stream', '--sink', 'null', '--limit', '10', '--from', '2099-06-01'], { cwd: emptyDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --from 2099-06-01 is in the future/);
    expect(r.stdout).toBe('');
  });
});

describe('--mix names all three parts or a preset (issue 27)', () => {
  const _ = (mix: string, message: RegExp) =>
    it(`refuses ${mix}`, () => {
      const err = failure(() => load('stream', { mix }));
      expect([err.code, err.exitCode]).toEqual(['CONFIG_INVALID', 2]);
      expect(err.message).toMatch(message);
      expect(err.message.split('\n')).toHaveLength(1);
      expect(err.message).toMatch(/Example: --mix views=60,cart=30,orders=10$/);
    });
  _('views=50,cart=30', /^Invalid --mix: "views=50,cart=30" is missing orders: name all three of views, cart and orders \(orders=0 for none\), or use "realistic"/);
  _('cart=30,orders=10', /is missing views:/);
  _('views=1', /is missing cart and orders:/);

  it('accepts all three (orders=0 included) and the preset', () => {
    expect(load('stream', { mix: 'views=50,cart=30,orders=0' }).settings.mix).toEqual({ views: 0.625, cart: 0.375, orders: 0 });
    expect(load('stream', { mix: 'realistic' }).settings.mix.preset).toBe('realistic');
  });
});
