import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, runCli } from './helpers/cli.js';
import { eventFiles, readDocs } from './helpers/files.js';
import { WirePeer } from './helpers/wire-peer.js';

// Issue 27: what a newcomer met in their first ten minutes, replayed as they ran it.

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'etl-newcomer-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
const ticks = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((o) => o.type === 'tick');
/** Text as a terminal lays it out: a cursor sent back to column 1 starts the line again (progress bars). */
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[1?G/g, '\n').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
const ids = (out: string) => eventFiles.flatMap((c) => readDocs(out, c).map((d) => String(d._id)));

describe('resume says what works and never moves a checkpoint back', () => {
  it('after Ctrl-C the hint, pasted, continues the same run into the same place with its bounds', async () => {
    const out = tmp();
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 1500);
    const first = await runCli(['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-02-01', '--rate', '4000', '--limit', '20000', '--seed', '1234'], { signal: stop.signal });
    expect(first.code, first.stderr).toBe(0);
    const hint = /continue with:\n([\s\S]+)$/.exec(first.stdout.trim())?.[1];
    expect(hint).toBeDefined();
    const argv = hint!.replace(/\\\n/g, ' ').trim().split(/\s+/);
    expect(argv.slice(0, 3)).toEqual(['npx', 'etl', 'stream']);
    expect(argv).toEqual(expect.arrayContaining(['--resume', '--seed', '1234', '--sink', 'jsonl', '--out', out, '--limit', '20000']));
    const held = ids(out).length;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(20_000);
    const resumed = await runCli([...argv.slice(2).filter((a, i, all) => !(a === '--rate' || all[i - 1] === '--rate')), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(ids(out)).toHaveLength(20_000);
    expect(new Set(ids(out)).size).toBe(20_000);
  });

  it('the hint names a --dotenv file the run read its target from', async () => {
    const dir = tmp();
    const out = join(dir, 'res');
    writeFileSync(join(dir, 'staging.env'), `ETL_SINK=jsonl\nETL_OUT=${out}\n`);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 1200);
    const r = await runCli(['--dotenv', 'staging.env', 'stream', '--from', '2026-02-01', '--rate', '4000', '--limit', '20000', '--seed', '5'], { cwd: dir, signal: stop.signal });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.replace(/\\\n\s*/g, '')).toMatch(/npx etl stream --resume --seed 5 --dotenv \S*staging\.env /);
  });

  it('--resume without --limit keeps the recorded run’s --limit (a total), instead of running forever', async () => {
    const out = tmp();
    const args = ['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-02-01', '--seed', '77', '--quiet'];
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 800);
    expect((await runCli([...args, '--limit', '60000', '--rate', '20000'], { signal: stop.signal })).code).toBe(0);
    const r = await runCli([...args, '--resume', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((lastJson(r.stdout).checkpoint as Record<string, number>)['0.1']).toBe(60_000);
    expect(ids(out)).toHaveLength(60_000);
  });

  it('--resume --limit below the checkpoint is refused (exit 2) and the checkpoint stays where it was', async () => {
    const out = tmp();
    const args = ['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-02-01', '--seed', '78'];
    expect((await runCli([...args, '--limit', '3000', '--quiet'])).code).toBe(0);
    const r = await runCli([...args, '--resume', '--limit', '100']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--limit is the total of the run.*above 3000/);
    // The refused run recorded nothing: the run's checkpoint is still 3,000.
    const runs = readFileSync(join(out, 'etl_runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { checkpoint: Record<string, number> });
    expect(runs.at(-1)!.checkpoint['0.1']).toBe(3000);
    const again = await runCli([...args, '--resume', '--limit', '5000', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const s = lastJson(again.stdout);
    expect((s.checkpoint as Record<string, number>)['0.1']).toBe(5000);
    // It continued after 3,000: nothing written again.
    for (const c of Object.values((s.counts as { collections: Record<string, { duplicates: number }> }).collections)) expect(c.duplicates).toBe(0);
    expect(ids(out)).toHaveLength(5000);
  });
});

describe('an outage shows as one', () => {
  it('ticks say "waiting for the server" with the retries, the summary counts them, and --rate does not burst after it', async () => {
    const peer = new WirePeer();
    await peer.start();
    try {
      expect((await runCli(['seed', '--uri', peer.uri(), '--db', 'shop', '--quiet'])).code).toBe(0);
      let armed = true;
      peer.use((cmd, p) => {
        if (armed && cmd.name === 'insert' && p.received.filter((c) => c.name === 'insert').length > 20) {
          armed = false;
          void p.refuseFor(4000);
          return { cut: true };
        }
        return undefined;
      });
      const r = await runCli(['stream', '--uri', peer.uri(), '--db', 'shop', '--seed', '5', '--rate', '1000', '--duration', '9s', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const all = ticks(r.stdout);
      const waiting = all.filter((t) => t.waiting);
      expect(waiting.length).toBeGreaterThanOrEqual(2);
      expect((waiting.at(-1)!.waiting as { retries: number }).retries).toBeGreaterThan(0);
      const summary = lastJson(r.stdout) as { failedMs: number; counts: { retries: number }; lost: number };
      expect(summary.lost).toBe(0);
      expect(summary.counts.retries).toBeGreaterThan(0);
      expect(summary.failedMs).toBeGreaterThanOrEqual(2000);
      // The rate is held, not made up: no second generates a burst of what fell due in the outage.
      for (const t of all) expect(t.rate as number).toBeLessThan(1800);
    } finally {
      await peer.stop();
    }
  });
});

describe('every line fits the terminal', () => {
  for (const columns of [60, 80, 100]) {
    it(`etl stream at ${columns} columns: ticks, bar, header and summary`, async () => {
      const out = tmp();
      const r = await runCli(['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-02-01', '--rate', '20000', '--limit', '50000', '--seed', '3', '--dirty-rate', '0.01'], { columns, env: { FORCE_COLOR: '1' } });
      expect(r.code, r.stderr).toBe(0);
      const lines = plain(`${r.stdout}\n${r.stderr}`).split(/[\r\n]/);
      expect(lines.filter((l) => l.includes('rec/s')).length).toBeGreaterThan(1);
      for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(columns);
      // The summary table's rows are whole (not wrapped at a space).
      for (const name of ['inventory_updates', 'total']) expect(lines.some((l) => new RegExp(`^${name}( +[\\d,]+){4}$`).test(l)), name).toBe(true);
      // Measured figures are shown, and no bar shows a placeholder.
      expect(lines.some((l) => /rec\/s │ dead \d+ │ retries \d+/.test(l))).toBe(true);
      expect(r.stderr).not.toMatch(/\{elapsed\}|\{remaining\}/);
    });
  }

  it('--help of every command fits 80 columns (words are never broken by the terminal)', () => {
    for (const cmd of [[], ['seed'], ['stream'], ['stats'], ['schedule']]) {
      const r = spawnSync(process.execPath, [bin, ...cmd, '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH, NO_COLOR: '1' } });
      expect(r.status).toBe(0);
      for (const l of r.stdout.split('\n')) expect(l.length, `${cmd.join(' ')}: ${l}`).toBeLessThanOrEqual(80);
    }
  });
});

describe('the progress bar', () => {
  it('of a --duration run estimates what is left of it: time since generating started plus the estimate is the duration (a live warm-up comes before)', async () => {
    const r = await runCli(['stream', '--sink', 'null', '--rate', '300', '--duration', '5s', '--seed', '2'], { columns: 100, env: { FORCE_COLOR: '1' } });
    expect(r.code, r.stderr).toBe(0);
    const seconds = (v: string) => (v.endsWith(' ms') ? parseFloat(v) / 1000 : parseFloat(v));
    const frames = [...plain(r.stderr).matchAll(/(\d+)% \| ([\d.]+ m?s) \| ETA ([\d.]+ m?s)/g)].map((m) => ({ percent: Number(m[1]), elapsed: seconds(m[2]), eta: seconds(m[3]) }));
    const later = frames.filter((f) => f.percent >= 20 && f.percent < 100);
    expect(later.length).toBeGreaterThan(2);
    for (const f of later) expect(Math.abs(f.elapsed + f.eta - 5), JSON.stringify(f)).toBeLessThan(0.6);
  });
});

describe('--rate population', () => {
  it('says what pace the catalog gives, and its ticks show the wall-clock time (not the next visit due)', async () => {
    const r = await runCli(['stream', '--sink', 'null', '--rate', 'population', '--duration', '2s', '--seed', '4'], { columns: 100 });
    expect(r.code, r.stderr).toBe(0);
    const text = plain(`${r.stdout}\n${r.stderr}`);
    expect(text.replace(/\s+/g, ' ')).toMatch(/--rate population: the catalog's [\d,]+ active users visit [\d.e-]+ times a second, ~[\d.e-]+ records a second/);
    const times = [...text.matchAll(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) │/gm)].map((m) => Date.parse(`${m[1].replace(' ', 'T')}Z`));
    expect(times.length).toBeGreaterThan(0);
    for (const t of times) expect(Math.abs(Date.now() - t)).toBeLessThan(10_000);
  });
});

describe('backfills and pacing', () => {
  it('a backfill with --from and no end stops at now, never in the future', async () => {
    const out = tmp();
    const from = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const started = Date.now();
    const r = await runCli(['stream', '--sink', 'jsonl', '--out', out, '--from', from, '--seed', '8', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(/Ctrl-C to stop/);
    let newest = 0;
    for (const c of eventFiles) for (const d of readDocs(out, c)) newest = Math.max(newest, new Date(d.timestamp as Date).getTime());
    expect(newest).toBeGreaterThan(started - 86_400_000);
    expect(newest).toBeLessThanOrEqual(Date.now());
  });

  it('--speed paces smoothly: records every second, and the run ends on time', async () => {
    const started = Date.now();
    const r = await runCli(['stream', '--sink', 'null', '--from', '2026-01-01', '--speed', '3600', '--duration', '4s', '--seed', '1', '--json']);
    const elapsed = Date.now() - started;
    expect(r.code, r.stderr).toBe(0);
    const counts = ticks(r.stdout).map((t) => Object.values(t.delta as Record<string, { generated: number }>).reduce((a, c) => a + c.generated, 0));
    expect(counts.length).toBeGreaterThanOrEqual(3);
    expect(counts.filter((n) => n > 0).length).toBeGreaterThanOrEqual(counts.length - 1);
    expect(elapsed).toBeLessThan(7000);
  });
});

describe('doubtful input is named once', () => {
  it('--workers above the core count says so once, and Node prints no listener warning', () => {
    const r = spawnSync(process.execPath, [bin, 'stream', '--sink', 'null', '--from', '2026-02-01', '--limit', '4000', '--workers', '16', '--seed', '2'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NO_COLOR: '1' },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const all = r.stdout + r.stderr;
    expect(all.match(/--workers 16 is more than the \d+ cores/g)).toHaveLength(1);
    expect(all).not.toMatch(/MaxListenersExceededWarning/);
  });

  it('etl schedule --max-jobs: the last job announces no next one; job lines carry the time', async () => {
    const out = tmp();
    const r = await runCli(['schedule', '--cron', '* * * * * *', '--max-jobs', '2', '--limit', '200', '--sink', 'jsonl', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const jobs = r.stdout.split('\n').filter((l) => /[✔✘■] job \d /.test(l));
    expect(jobs).toHaveLength(2);
    for (const l of jobs) expect(l).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ /);
    expect(jobs[0]).toMatch(/next at/);
    expect(jobs[1]).not.toMatch(/next at/);
    expect(readFileSync(join(out, 'etl_runs.jsonl'), 'utf8').length).toBeGreaterThan(0);
  });
});
