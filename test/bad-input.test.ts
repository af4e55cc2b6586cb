import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { settingsMeta, type SettingKey } from '../src/config/settings.js';
import { runBin, runCli } from './helpers/cli.js';

const tmpRoot = mkdtempSync(join(tmpdir(), 'etl-bad-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
const tmp = () => mkdtempSync(join(tmpRoot, 'case-'));
/** No download, no binary: the embedded MongoDB fails fast wherever these tests run. */
const offline = (dir: string) => ({ MONGOMS_DOWNLOAD_URL: 'http://127.0.0.1:9/none.tgz', MONGOMS_DOWNLOAD_DIR: join(dir, 'bin'), ETL_DATA_DIR: join(dir, 'db') });
const stackTrace = /\n\s+at .+:\d+:\d+/;

/** Invalid values per setting: each must be refused before any work. */
const invalid: Partial<Record<SettingKey, string[]>> = {
  uri: ['localhost:27017', 'http://db:27017', 'mongodb://'],
  db: ['my.db', 'a/b', 'x'.repeat(70), 'has space'],
  sink: ['kafka', 'MONGO', ''],
  seed: ['-1', 'abc', '1.5', '99999999999'],
  products: ['-5', '0', 'ten', '1e3', '99999999999'],
  users: ['-1', '0', '2.5', '1000000000000'],
  chunkSize: ['0', '-3', 'big', '1000001'],
  rate: ['0', '-3', 'fast', '1e99'],
  interval: ['0', '-1', 'soon', '100000'],
  batchSize: ['0', '-1', 'abc', '100001'],
  duration: ['5 minutes', '0s', '-5s', '1y', '400d'],
  limit: ['0', '-10', 'all', '1.5'],
  workers: ['0', '65', 'two', '-1'],
  partition: ['4/4', '1/0', 'a/b', '-1/4', '2', '0/5000'],
  // 2099-06-01: a backfill cannot start in the future.
  from: ['2026-13-45', 'yesterday', '01/02/2026', '1800-01-01', '2099-06-01'],
  to: ['2026-02-30', 'tomorrow'],
  speed: ['0', '-2', 'warp'],
  sessionsPerDay: ['0', '-5', 'lots'],
  fraudRate: ['1.5', '-0.1', 'lots', '200%'],
  dirtyRate: ['2', '-1', 'some'],
  // A part left out is refused, not read as 0 (views=50,cart=30 once meant no orders at all).
  mix: ['views=60,carts=30', 'views=0,cart=0', 'views=60,cart=5,orders=10', 'garbage', 'views=1,views=2,cart=1', 'views=50,cart=30', 'cart=30,orders=10'],
  inFlight: ['0', '65', 'x'],
  cron: ['not a cron', '61 * * * *', '* * *'],
  timezone: ['Mars/Base', 'UTC+25'],
  maxJobs: ['0', '-1', 'many'],
  since: ['forever', '0m'],
};

/** A command that takes the setting, with the other arguments it needs to get that far (never the setting's own flag). */
function commandFor(key: SettingKey, out: string): string[] {
  const c = settingsMeta[key].commands;
  const own = settingsMeta[key].flag?.split(' ')[0];
  let args: string[];
  if (c.includes('global') || c.includes('stream')) args = ['stream', '--sink', 'null', '--limit', '10', '--out', out];
  else if (c.includes('seed')) args = ['seed', '--sink', 'null', '--out', out];
  else if (c.includes('schedule')) args = ['schedule', '--sink', 'null', '--limit', '10', '--cron', '* * * * *', '--out', out];
  else args = ['stats', '--from', out];
  const i = own ? args.indexOf(own) : -1;
  if (i >= 0) args.splice(i, 2);
  return args;
}

describe('every flag and environment variable refuses bad values: exit 2, one line naming it, nothing written', () => {
  for (const [key, values] of Object.entries(invalid) as Array<[SettingKey, string[]]>) {
    const meta = settingsMeta[key];
    for (const value of values) {
      // Boolean flags take no value on the command line; their bad values come from the environment.
      if (meta.flag && meta.flag.includes('<')) {
        const flag = meta.flag.split(' ')[0];
        it(`${flag} ${JSON.stringify(value)}`, async () => {
          const dir = tmp();
          const out = join(dir, 'out');
          const args = [...commandFor(key, out), flag, value];
          const r = await runCli(args, { cwd: dir, env: offline(dir) });
          expect(r.code, r.stderr).toBe(2);
          expect(r.stderr).toMatch(new RegExp(`${flag.replace(/-/g, '\\-')}`));
          expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
          expect(r.stderr).not.toMatch(stackTrace);
          expect(existsSync(out)).toBe(false);
        });
      }
      // An empty variable means "unset" (tested below), not a bad value.
      if (meta.env && value !== '') {
        it(`${meta.env}=${JSON.stringify(value)}`, async () => {
          const dir = tmp();
          const out = join(dir, 'out');
          const r = await runCli(commandFor(key, out), { cwd: dir, env: { ...offline(dir), [meta.env!]: value } });
          expect(r.code, r.stderr).toBe(2);
          expect(r.stderr).toContain(meta.env!);
          expect(r.stderr).not.toMatch(stackTrace);
          expect(existsSync(out)).toBe(false);
        });
      }
    }
  }

  it('an empty variable means unset: the default applies', async () => {
    const dir = tmp();
    const r = await runCli(['stream', '--limit', '10', '--json'], { cwd: dir, env: { ...offline(dir), ETL_SINK: 'null', ETL_WORKERS: '', ETL_FRAUD_RATE: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ type: 'summary', partitions: ['0.1'] });
  });

  it('a missing --dotenv file, through the built binary: exit 2, one line naming it', () => {
    const r = runBin(['--dotenv', '/missing/.env', 'stream', '--sink', 'null', '--limit', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: Cannot read --dotenv "/missing/.env" (ENOENT). Give an existing file, e.g. --dotenv .env');
  });

  it('a bad value in the env file is named with the file', async () => {
    const dir = tmp();
    writeFileSync(join(dir, '.env'), 'ETL_WORKERS=lots\n');
    const r = await runCli(['stream', '--sink', 'null', '--limit', '1'], { cwd: dir, env: offline(dir) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ETL_WORKERS \(in .*\.env\): "lots" must be a whole number/);
  });

  it('an unwritable --out is refused with exit 2 and nothing is written', async () => {
    const r = await runCli(['stream', '--sink', 'jsonl', '--out', '/etc/hostname/sub', '--limit', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot write to --out "\/etc\/hostname\/sub"/);
  });
});

describe('unknown flags: exit 2 with the flag meant', () => {
  // --env-file is Node's own option (README): etl's is --dotenv, too far in spelling for commander to suggest.
  const _ = (args: string[], expected: RegExp) =>
    it(`etl ${args.join(' ')}`, async () => {
      const dir = tmp();
      const r = await runCli(args, { cwd: dir, env: offline(dir) });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr).not.toMatch(stackTrace);
      expect(r.stdout).toBe('');
    });
  const dotenv = /^error: unknown option '--env-file' \(did you mean --dotenv <path>\? --env-file is Node's own option\)$/m;
  _(['stream', '--sink', 'null', '--limit', '1', '--env-file', '.env'], dotenv);
  _(['--env-file', '.env', 'seed', '--sink', 'null'], dotenv);
  _(['seed', '--sink', 'null', '--env-file=.env'], dotenv);
  _(['stream', '--env-file'], dotenv);
  _(['stream', '--sink', 'null', '--rates', '5'], /^error: unknown option '--rates' \(Did you mean --rate\?\)\n$/);
  _(['stream', '--sink', 'null', '--nope'], /^error: unknown option '--nope' \(run with --help for usage\)\n$/);
  _(['bogus'], /^error: unknown command 'bogus' \(run with --help for usage\)\n$/);
  _(['seed', '--dotenvs', 'x'], /\(Did you mean --dotenv\?\)/);
});

describe('random argument lists (fast-check)', () => {
  const words = [
    'seed', 'stream', 'stats', 'schedule', 'help', 'bogus',
    '--products', '--users', '--seed', '--sink', '--out', '--rate', '--interval', '--batch-size', '--duration', '--limit',
    '--workers', '--partition', '--from', '--to', '--speed', '--fraud-rate', '--dirty-rate', '--mix', '--resume', '--reset',
    '--json', '--quiet', '--no-color', '--cron', '--timezone', '--since', '--watch', '--uri', '--db', '--help', '--version', '--nope',
    '0', '1', '-1', '2', '100', '1e9', 'abc', '', ' ', '1/2', '0/1', '5/3', 'null', 'jsonl', 'stdout', 'mongo', '2026-01-01', '2026-99-01',
    '1s', '5m', '-3h', 'views=1,cart=1', 'views=60', '0.5', '150%', 'mongodb://u:p@127.0.0.1:9', 'mongodb://', '* * * * * *', 'UTC', '--',
  ];
  it('always ends with exit code 0, 1 or 2 and never prints a stack trace', async () => {
    const dir = tmp();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...words), { maxLength: 8 }), async (argv) => {
        // Anything that starts real work is stopped shortly after, as by Ctrl-C.
        const stop = new AbortController();
        const timer = setTimeout(() => stop.abort(), 150);
        const r = await runCli([...argv, '--out', join(dir, 'o')], { cwd: dir, env: offline(dir), signal: stop.signal }).finally(() => clearTimeout(timer));
        runs++;
        expect([0, 1, 2]).toContain(r.code);
        expect(r.stderr).not.toMatch(stackTrace);
        expect(r.stdout).not.toMatch(stackTrace);
      }),
      { numRuns: 80, seed: 20261122 },
    );
    console.log(`[bad-input] ${runs} random argument lists: every exit code in {0,1,2}, no stack trace`);
  }, 600_000);
});
