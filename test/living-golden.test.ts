import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

// The living store's output (issue 23) through the real CLI: a one-partition jsonl backfill
// with --lifecycle on (the default), pinned byte for byte when it was built, and the same
// run cut by its --limit and continued with --resume, which must write the same bytes.
// A deliberate change of behaviour regenerates the file with UPDATE_GOLDEN=1 and says so.

const golden = new URL('./golden/living-backfill.json', import.meta.url);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const base = ['stream', '--sink', 'jsonl', '--from', '2026-03-02T00:00:00Z', '--seed', '21', '--sessions-per-day', '400', '--dirty-rate', '0.01', '--quiet'];

/** Every file but the run log and the saved catalog columns, hashed (dead letters without their run id and time). */
function fingerprint(dir: string): Record<string, { bytes: number; sha256: string }> {
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const f of readdirSync(dir).sort()) {
    if (f === 'etl_runs.jsonl' || f === 'catalog.columns') continue;
    let text = readFileSync(join(dir, f), 'utf8');
    if (f === 'dead_letters.jsonl') text = text.replace(/"run_id":"[^"]*",/g, '').replace(/,"created_at":\{"\$date":"[^"]*"\}/g, '');
    files[f] = { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
  }
  return files;
}

function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'etl-living-'));
  dirs.push(d);
  return d;
}

describe('the living store, byte for byte (one-partition jsonl backfill)', () => {
  it('writes the same files as when recorded, and a run continued with --resume writes the same bytes as one run', async () => {
    const whole = outDir();
    const r = await runCli([...base, '--out', whole, '--limit', '30000']);
    expect(r.code, r.stderr).toBe(0);
    const now = fingerprint(whole);
    expect(Object.keys(now)).toEqual(expect.arrayContaining(['order_events.jsonl', 'user_changes.jsonl', 'transactions.jsonl']));
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, `${JSON.stringify(now, null, 2)}\n`);
    expect(now).toEqual(JSON.parse(readFileSync(golden, 'utf8')));

    const cut = outDir();
    const first = await runCli([...base, '--out', cut, '--limit', '11000']);
    expect(first.code, first.stderr).toBe(0);
    const rest = await runCli([...base, '--out', cut, '--limit', '30000', '--resume']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(fingerprint(cut)).toEqual(now);
  }, 120_000);
});
