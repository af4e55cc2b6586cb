import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { root as repo, runCli } from './helpers/cli.js';

// Issue 27 item 8: after a one-week backfill `etl stats` showed its last hour, a file given
// to --from read as "No data yet" (exit 0), --watch refreshes carried no time; and issue 21/27:
// lines wider than an 80-column terminal.

const root = mkdtempSync(join(tmpdir(), 'etl-stats-window-'));
const week = join(root, 'week');
const dirty = join(root, 'dirty');
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Report {
  type: string;
  at?: string;
  window: { from: string; to: string; since: 'all' | number; data: { from: string; to: string }; hidesOlder: boolean } | null;
  collections: Array<{ name: string; count: number; oldest: string | null }>;
  sales: { orders: number };
}

const stats = async (args: string[], env: Record<string, string> = {}, dir = week) => {
  const r = await runCli(['stats', '--from', dir, ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const json = async (args: string[] = [], env: Record<string, string> = {}) => JSON.parse((await stats(['--json', ...args], env)).stdout) as Report;
const transactions = (r: Report) => r.collections.find((c) => c.name === 'transactions')!.count;
/** Lines longer than `columns` characters, with their lengths. */
const wide = (text: string, columns: number) => text.split('\n').filter((l) => [...l].length > columns).map((l) => `${[...l].length}: ${l}`);

const stream = async (args: string[]) => {
  const r = await runCli(['stream', '--sink', 'jsonl', '--quiet', ...args]);
  expect(r.code, r.stderr).toBe(0);
};

// A one-week backfill.
beforeAll(() => stream(['--out', week, '--from', '2026-01-01', '--to', '2026-01-08', '--seed', '3']));

describe('etl stats window', () => {
  it('without --since covers all the data: every order of a one-week backfill, and --json says so', async () => {
    const report = await json();
    expect(report.window).toMatchObject({ since: 'all', hidesOlder: false });
    const oldest = Math.min(...report.collections.filter((c) => c.oldest && c.name !== 'etl_runs' && c.name !== 'dead_letters').map((c) => Date.parse(c.oldest!)));
    expect(Date.parse(report.window!.from)).toBe(oldest);
    expect(report.window!.data.from).toBe(report.window!.from);
    expect(transactions(report)).toBeGreaterThan(200);
    expect(report.sales.orders).toBe(transactions(report));
    const text = (await stats([])).stdout;
    expect(text).toContain(`orders ${report.sales.orders.toLocaleString('en-US')}`);
    expect(text).toMatch(/^window: all the data, 2026-01-01 [\d:]+ → 2026-01-07 [\d:]+ UTC$/m);
    expect(text).not.toMatch(/hides older/);
  });

  it('--since T keeps its window and says, in one line, what it hides and how to see it', async () => {
    const report = await json(['--since', '1h']);
    expect(report.window).toMatchObject({ since: 3_600_000, hidesOlder: true });
    expect(Date.parse(report.window!.to) - Date.parse(report.window!.from)).toBe(3_600_000);
    expect(report.sales.orders).toBeLessThan(transactions(report));
    const text = (await stats(['--since', '1h'])).stdout;
    expect(text).toMatch(/^window: last 1h, 2026-01-07 [\d:]+ → 2026-01-07 [\d:]+ UTC$/m);
    expect(text).toMatch(/^hides older events \(from 2026-01-01 [\d:]+\): use --since 7d or omit --since$/m);
    // The suggested window does cover it all.
    const all = await json(['--since', '7d']);
    expect(all.window!.hidesOlder).toBe(false);
    expect(all.sales.orders).toBe(transactions(all));
    expect((await stats(['--since', '7d'])).stdout).not.toMatch(/hides older/);
  });

  it('a window from ETL_STATS_SINCE is named as such, with its own way out', async () => {
    const text = (await stats([], { ETL_STATS_SINCE: '2h' })).stdout;
    expect(text).toMatch(/^window: last 2h \(ETL_STATS_SINCE\), /m);
    expect(text).toMatch(/use --since 7d\s+or remove ETL_STATS_SINCE/);
  });
});

describe('etl stats --from refuses what is not a directory', () => {
  it('a file: exit 2, one line naming it and the directory to give instead', async () => {
    const file = join(week, 'transactions.jsonl');
    const r = await runCli(['stats', '--from', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toMatch(/No data yet/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`"${file}" is a file`);
    expect(r.stderr).toContain('etl stream --sink jsonl --out DIR');
    expect(r.stderr).toContain(`--from ${week}`);
  });

  it('a directory that does not exist: exit 2, one line naming it', async () => {
    const missing = join(root, 'missing');
    const r = await runCli(['stats', '--from', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`"${missing}" does not exist`);
    expect(r.stderr).toContain('etl stream --sink jsonl --out DIR');
  });
});

describe('etl stats fits the terminal', () => {
  it('piped (no terminal width): every line of the report and of --help fits 80 columns', async () => {
    // Dirty records, so the dead-letter tables are drawn too.
    await stream(['--out', dirty, '--from', '2026-01-01', '--limit', '5000', '--dirty-rate', '0.02', '--seed', '4']);
    for (const [dir, args] of [[week, []], [week, ['--since', '1h']], [dirty, []]] as const) {
      const text = (await stats([...args], {}, dir)).stdout;
      expect(text).toMatch(/Last runs\nrun\s+status\s+generated\s+written\s+reconciled\nrun-/);
      if (dir === dirty) expect(text).toMatch(/\ncollection\s+field\s+reason\s+count\n/);
      expect(wide(text, 80), `${dir} ${args.join(' ')}`).toEqual([]);
    }
    const help = await runCli(['stats', '--help']);
    expect(wide(help.stdout, 80)).toEqual([]);
    const empty = mkdtempSync(join(root, 'empty-'));
    expect(wide((await runCli(['stats', '--from', empty])).stdout, 80)).toEqual([]);
  });

  it('COLUMNS gives the width: wide shows every column of the runs table, narrow still fits', async () => {
    const text = (await stats([], { COLUMNS: '200' })).stdout;
    expect(text).toMatch(/\nrun\s+command\s+status\s+started\s+generated\s+written\s+dupes\s+dead\s+reconciled\n/);
    expect(wide(text, 200)).toEqual([]);
    expect(wide(text, 80).length).toBeGreaterThan(0);
    const narrow = (await stats([], { COLUMNS: '64' })).stdout;
    expect(wide(narrow, 64)).toEqual([]);
  });
});

/** Writes to a string and calls `onText` with all of it after each write. */
class Capture extends Writable {
  text = '';
  isTTY = false;
  constructor(private readonly onText: (text: string) => void) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void) {
    this.text += chunk.toString();
    this.onText(this.text);
    cb();
  }
}

/** `etl stats --watch` in-process, stopped (as by Ctrl-C) once `reports` reports are out, or after 30 s. */
async function watch(args: string[], reportsIn: (stdout: string) => number, reports = 2): Promise<{ code: number; stdout: string }> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), 30_000);
  const check = (text: string) => {
    if (reportsIn(text) >= reports) stop.abort();
  };
  const stdout = new Capture(check);
  const stderr = new Capture(() => {});
  try {
    const code = await main(['node', 'etl', 'stats', '--from', week, '--watch', ...args], { stdout, stderr, env: { NO_COLOR: '1' }, cwd: repo }, stop.signal);
    return { code, stdout: stdout.text };
  } finally {
    clearTimeout(timer);
  }
}

describe('etl stats --watch', () => {
  it('stamps every refresh with its time: a line in the text, "at" in each JSON object', async () => {
    const started = Date.now();
    const stamp = /^refreshed (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/gm;
    const [text, objects] = await Promise.all([
      watch([], (t) => t.split('ecom-etl stats — ').length - 1),
      watch(['--json'], (t) => t.split('\n').filter(Boolean).length),
    ]);
    expect(text.code).toBe(0);
    const reports = text.stdout.split('ecom-etl stats — ').slice(1);
    expect(reports).toHaveLength(2);
    const times = reports.map((r) => [...r.matchAll(stamp)].map((m) => Date.parse(`${m[1]}Z`)));
    for (const t of times) expect(t).toHaveLength(1);
    // Whole seconds: the first stamp may fall in the second before `started`.
    for (const [t] of times) expect(t).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    expect(times[1][0]).toBeGreaterThan(times[0][0]);

    expect(objects.code).toBe(0);
    const lines = objects.stdout.trim().split('\n').map((l) => JSON.parse(l) as Report);
    expect(lines).toHaveLength(2);
    for (const o of lines) {
      expect(o.type).toBe('stats');
      expect(Date.parse(o.at!)).toBeGreaterThanOrEqual(started);
      expect(o.window!.since).toBe('all');
    }
    expect(Date.parse(lines[1].at!)).toBeGreaterThan(Date.parse(lines[0].at!));
  });
});
