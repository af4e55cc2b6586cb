import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin } from './helpers/cli.js';
import { readDocs } from './helpers/files.js';

// `etl verify` through the built binary, on jsonl backfills written with --answers.

const tmp = () => mkdtempSync(join(tmpdir(), 'etl-verify-'));

function backfill(extra: string[] = []): string {
  const dir = tmp();
  expect(runBin(['seed', '--sink', 'jsonl', '--out', dir, '--quiet']).code).toBe(0);
  const r = runBin(['stream', '--sink', 'jsonl', '--out', dir, '--from', '2026-01-01', '--to', '2026-01-04', '--seed', '21', '--dirty-rate', '0.01', '--answers', '--quiet', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

/** The revenue of the stored orders, in cents, as this test adds it up. */
const revenueCents = (dir: string) => readDocs(dir, 'transactions').reduce((a, d) => a + Math.round((d.final_amount as number) * 100), 0);

describe('etl verify (jsonl)', () => {
  it('agrees with the key of a backfill, one line with its windows, records and revenue; and of one by --workers 2', () => {
    for (const extra of [[], ['--workers', '2']]) {
      const dir = backfill(extra);
      const r = runBin(['verify', '--from', dir]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const dollars = (revenueCents(dir) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
      expect(r.stdout).toMatch(new RegExp(`^agrees: [\\d,]+ windows, [\\d,]+ records, revenue \\$${dollars.replace(/[$.]/g, '\\$&')}\\n$`));
      if (extra.length) expect(new Set(readDocs(dir, 'etl_expected').map((d) => d.partition))).toEqual(new Set(['l-0.2', 'l-1.2']));
    }
  }, 120_000);

  it('exits 1 naming the window of one stored order whose final_amount was altered', () => {
    const dir = backfill();
    const path = join(dir, 'transactions.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    const order = JSON.parse(lines[7]) as { final_amount: number; timestamp: { $date: string } };
    order.final_amount = Math.round((order.final_amount + 0.01) * 100) / 100;
    lines[7] = JSON.stringify(order);
    writeFileSync(path, lines.join('\n'));
    const r = runBin(['verify', '--from', dir]);
    expect(r.code).toBe(1);
    const t = Date.parse(order.timestamp.$date);
    const minute = new Date(Math.floor(t / 60_000) * 60_000).toISOString();
    const hour = new Date(Math.floor(t / 3_600_000) * 3_600_000).toISOString();
    expect(r.stdout).toContain(`transactions, 1m window from ${minute}: revenue_cents expected`);
    expect(r.stdout).toContain(`transactions, 1h window from ${hour}: revenue_cents expected`);
    expect(r.stdout).toMatch(/differs from the answer key .*: 2 figures/);
  }, 60_000);

  it('exits 2 where there is no key, and says to write one with --answers', () => {
    const dir = tmp();
    expect(runBin(['seed', '--sink', 'jsonl', '--out', dir, '--quiet']).code).toBe(0);
    const r = runBin(['verify', '--from', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No answer key.*\n.*--answers/);
  }, 60_000);
});
