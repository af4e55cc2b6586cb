import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/load.js';
import { type CommandName, type SettingKey, settingsMeta } from '../src/config/settings.js';
import { root, runCli } from './helpers/cli.js';

// Issue 27, item 2: `.env.example` invites a copy to `.env`; the copy must not break the
// README's examples, nor carry one profile's database into the other.

const tmpRoot = mkdtempSync(join(tmpdir(), 'etl-envx-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

/** A working directory holding the repository's .env.example as its .env. */
function withCopiedExample(): string {
  const dir = mkdtempSync(join(tmpRoot, 'cwd-'));
  copyFileSync(join(root, '.env.example'), join(dir, '.env'));
  return dir;
}

describe('.env.example copied to .env', () => {
  it('still documents every variable the tool reads, with its default', () => {
    const text = readFileSync(join(root, '.env.example'), 'utf8');
    for (const key of Object.keys(settingsMeta) as SettingKey[]) {
      const { env, default: value } = settingsMeta[key];
      if (env && value !== undefined) expect(text, env).toMatch(new RegExp(`^# ${env}=${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      else if (env) expect(text, env).toMatch(new RegExp(`^# ${env}=`, 'm'));
    }
  });

  it('sets nothing: under either profile, every setting of every command is its default', () => {
    const cwd = withCopiedExample();
    for (const command of ['seed', 'stream', 'stats', 'schedule'] satisfies CommandName[]) {
      const flags = command === 'schedule' ? { cron: '* * * * *', limit: '10' } : {};
      const cfg = loadSettings({ command, flags, env: {}, cwd });
      expect(cfg.envFile).toBe(join(cwd, '.env'));
      const given = Object.entries(cfg.sources).filter(([key, source]) => source !== 'default' && source !== 'unset' && !(key in flags));
      expect(given, command).toEqual([]);
    }
    expect(loadSettings({ command: 'seed', flags: { profile: 'adaptive-bi' }, env: {}, cwd }).settings.db).toBe('adaptive_bi');
    expect(loadSettings({ command: 'seed', flags: {}, env: { ETL_PROFILE: 'adaptive-bi' }, cwd }).settings.db).toBe('adaptive_bi');
    expect(loadSettings({ command: 'seed', flags: {}, env: {}, cwd }).settings.db).toBe('ecommerce');
  });

  // The README's examples, each bounded to about a second (live streams pace 500 records a
  // second by default) and kept off MongoDB.
  const examples: Array<[string, (out: string) => string[]]> = [
    ['etl seed', (out) => ['seed', '--sink', 'jsonl', '--out', out]],
    ['etl stream --sink jsonl --out ./data --rate 2000 --duration 5s', (out) => ['stream', '--sink', 'jsonl', '--out', out, '--rate', '2000', '--duration', '1s']],
    ['etl stream --sink null --rate 2000 --limit 100', () => ['stream', '--sink', 'null', '--rate', '2000', '--limit', '100']],
    ['etl stream --from 2026-01-01 --to 2026-01-08', () => ['stream', '--sink', 'null', '--from', '2026-01-01', '--to', '2026-01-08', '--limit', '2000']],
    ['etl stream --dirty-rate 0.01 --limit 100000', () => ['stream', '--sink', 'null', '--dirty-rate', '0.01', '--limit', '500']],
    ['etl seed --profile adaptive-bi', (out) => ['seed', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', out]],
    ['etl stream --profile adaptive-bi', (out) => ['stream', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', out, '--duration', '1s']],
    ['etl stats', (out) => ['stats', '--from', out]],
  ];
  it('the README’s examples run: exit 0 each', async () => {
    const cwd = withCopiedExample();
    const outs = { 'ecom-etl': join(cwd, 'data'), 'adaptive-bi': join(cwd, 'abi') };
    for (const [example, args] of examples) {
      const r = await runCli(args(example.includes('adaptive-bi') ? outs['adaptive-bi'] : outs['ecom-etl']), { cwd });
      expect(r.code, `${example}\n${r.stderr}`).toBe(0);
    }
  });
});
