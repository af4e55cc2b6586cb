import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventCollections } from '../src/shared/collections.js';
import { bin, killWhen, root, runBin } from './helpers/cli.js';
import { readDocs, readLines, sortedLines } from './helpers/files.js';

// Issue 25's done-criterion through the built CLI, into jsonl: a one-week backfill with a
// black-friday on day 5, 1 % of the records late by up to 10 minutes and 0.5 % delivered twice,
// on two workers, with the answer key; `etl verify` agrees; a run killed at a random moment and
// resumed writes what one run writes and still agrees (an altered order: test/verify.e2e.test.ts).

const tmp = () => mkdtempSync(join(tmpdir(), 'etl-scenarios-'));
const args = (out: string) => [
  'stream', '--sink', 'jsonl', '--out', out, '--from', '2026-01-01', '--to', '2026-01-08', '--mix', 'realistic', '--seed', '12', '--workers', '2', '--answers',
  '--scenario', 'black-friday@4d+1d', '--scenario', 'late-arrivals:share=0.01,max=10m', '--scenario', 'duplicate-delivery:share=0.005', '--quiet',
];
const seed = (out: string) => expect(runBin(['seed', '--sink', 'jsonl', '--out', out, '--products', '300', '--users', '8000', '--quiet']).code).toBe(0);
const ms = (d: unknown) => (d instanceof Date ? d.getTime() : Date.parse(String((d as { $date?: string }).$date ?? d)));

describe('scenarios and the answer key through the CLI (issue 25)', () => {
  it('late records follow later ones, repeats are in the files, verify agrees, also after a kill and --resume (test/verify.e2e.test.ts alters an order)', async () => {
    const whole = tmp();
    seed(whole);
    expect(runBin(args(whole)).code).toBe(0);
    const verified = runBin(['verify', '--from', whole]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^agrees: [\d,]+ windows/);

    let late = 0;
    let repeated = 0;
    for (const c of eventCollections) {
      const docs = readDocs(whole, c);
      const seen = new Set<string>();
      let latest = -Infinity;
      for (const d of docs) {
        const t = ms(d.timestamp);
        if (seen.has(String(d._id))) repeated++;
        seen.add(String(d._id));
        if (d.ingested_at !== undefined) {
          late++;
          expect(latest, `${c} ${String(d._id)} is written after a later record`).toBeGreaterThan(t);
          expect(ms(d.ingested_at) - t).toBeGreaterThan(0);
          expect(ms(d.ingested_at) - t).toBeLessThanOrEqual(600_000);
        }
        latest = Math.max(latest, t);
      }
    }
    expect(late).toBeGreaterThan(100);
    expect(repeated).toBeGreaterThan(50);

    // Killed mid-run at a moment drawn per run (once 10–70 % of the views are written: a time
    // could come after the run is over), then resumed.
    const cut = tmp();
    seed(cut);
    const views = readDocs(whole, 'product_views').length;
    const killAt = Math.floor(views * (0.1 + Math.random() * 0.6));
    const child = spawn(process.execPath, [bin, ...args(cut)], { cwd: root, stdio: 'ignore' });
    expect((await killWhen(child, () => readLines(cut, 'product_views').length >= killAt)).signal).toBe('SIGKILL');
    expect(runBin([...args(cut), '--resume']).code).toBe(0);
    for (const c of eventCollections) expect(sortedLines(cut, c), c).toEqual(sortedLines(whole, c));
    const again = runBin(['verify', '--from', cut]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toBe(verified.stdout.replace(whole, cut));
  }, 300_000);

  it('a run cut by its --limit twice and resumed holds, labels and repeats what one run does, in a sparse store (late records decided as a longer run would)', () => {
    const base = ['stream', '--sink', 'jsonl', '--from', '2026-01-01', '--to', '2026-01-05', '--seed', '31', '--sessions-per-day', '300', '--answers', '--scenario', 'late-arrivals:share=0.05,max=30m', '--scenario', 'duplicate-delivery:share=0.01', '--quiet'];
    const whole = tmp();
    const cut = tmp();
    for (const d of [whole, cut]) expect(runBin(['seed', '--sink', 'jsonl', '--out', d, '--quiet']).code).toBe(0);
    expect(runBin([...base, '--out', whole, '--limit', '12000']).code).toBe(0);
    expect(runBin([...base, '--out', cut, '--limit', '5000']).code).toBe(0);
    expect(runBin([...base, '--out', cut, '--limit', '8000', '--resume']).code).toBe(0);
    expect(runBin([...base, '--out', cut, '--limit', '12000', '--resume']).code).toBe(0);
    for (const c of [...eventCollections, 'dead_letters']) expect(sortedLines(cut, c), c).toEqual(sortedLines(whole, c));
    const a = runBin(['verify', '--from', whole]);
    const b = runBin(['verify', '--from', cut]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(b.stdout).toBe(a.stdout.replace(whole, cut));
  }, 120_000);
});
