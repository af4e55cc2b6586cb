import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/shared/rng.js';
import { bin, root, runBin } from './helpers/cli.js';
import { deadLetterCore, eventFiles, readLines, sortedLines } from './helpers/files.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'etl-crash-'));

describe('crash consistency: SIGKILL at 20 random moments, --resume after each', () => {
  it('every line parses, and the final data equals one uninterrupted run: no gap, no duplicate', async () => {
    const limit = 200_000;
    const args = ['stream', '--sink', 'jsonl', '--from', '2026-05-01', '--limit', String(limit), '--seed', '31', '--dirty-rate', '0.005', '--batch-size', '250', '--quiet'];
    const whole = tmp();
    expect(runBin([...args, '--out', whole]).code).toBe(0);

    const crashed = tmp();
    expect(runBin(['seed', '--sink', 'jsonl', '--out', crashed, '--quiet']).code).toBe(0);
    const rng = new Rng(20261122);
    let kills = 0;
    let finishedEarly = 0;
    for (let i = 0; i < 20; i++) {
      const child = spawn(process.execPath, [bin, ...args, '--out', crashed, ...(i === 0 ? [] : ['--resume'])], { cwd: root, stdio: 'ignore' });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      // A random moment once the process is up: 250-1,250 ms.
      await new Promise((r) => setTimeout(r, 250 + rng.int(1000)));
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        kills++;
      } else finishedEarly++;
      await exited;
      for (const c of [...eventFiles, 'dead_letters', 'etl_runs']) {
        const path = join(crashed, `${c}.jsonl`);
        let text = '';
        try {
          text = readFileSync(path, 'utf8');
        } catch {
          continue;
        }
        // A killed writer may leave a torn last line; the next run cuts it. Everything before it parses.
        const lines = text.split('\n');
        lines.pop();
        for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      }
    }
    const final = runBin([...args, '--out', crashed, '--resume']);
    expect(final.code, final.stderr).toBe(0);

    let missing = 0;
    let duplicates = 0;
    let events = 0;
    for (const c of eventFiles) {
      const got = sortedLines(crashed, c);
      const want = sortedLines(whole, c);
      const have = new Set(got);
      duplicates += got.length - have.size;
      missing += want.filter((l) => !have.has(l)).length;
      events += got.length;
      expect(got).toEqual(want);
    }
    expect(deadLetterCore(crashed)).toEqual(deadLetterCore(whole));
    const deadLines = readLines(crashed, 'dead_letters').length;
    console.log(`[crash] ${kills} kills (${finishedEarly} runs ended before their kill), ${(events + deadLines).toLocaleString('en-US')} records, ${missing} missing, ${duplicates} duplicates`);
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(events + deadLines).toBe(limit);
    expect(missing).toBe(0);
    expect(duplicates).toBe(0);
  }, 600_000);
});
