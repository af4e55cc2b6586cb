import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bin, killWhen, root, runCli } from './helpers/cli.js';
import { peer, usePeerClient } from './helpers/peer-client.js';

// The answer key into MongoDB and `etl verify` reading it back, through the real driver and the
// wire peer: the peer stores the inserts and the key's replacements and answers plain finds
// (with a projection); every figure is computed by etl verify, none by the peer.

usePeerClient();

describe('etl verify (MongoDB, real driver, wire peer)', () => {
  it('agrees with the key a backfill wrote with --answers; one stored order altered makes it exit 1 naming its window', async () => {
    const uri = ['--uri', peer.uri(), '--db', 'shop'];
    const s = await runCli(['stream', ...uri, '--from', '2026-01-01', '--to', '2026-01-03', '--seed', '5', '--dirty-rate', '0.01', '--workers', '2', '--answers', '--quiet']);
    expect(s.code, s.stderr).toBe(0);
    const key = peer.docs('etl_expected');
    expect(new Set(key.map((d) => d.partition))).toEqual(new Set(['5-0.2', '5-1.2']));
    // Replaced by _id: one document per partition, window and collection.
    expect(new Set(key.map((d) => d._id)).size).toBe(key.length);

    const ok = await runCli(['verify', ...uri]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const orders = peer.docs('transactions');
    const cents = orders.reduce((a, d) => a + Math.round((d.final_amount as number) * 100), 0);
    expect(ok.stdout).toContain(`records, revenue $${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}\n`);
    // The peer was asked plain finds, never an aggregation.
    expect(peer.received.filter((c) => c.name === 'aggregate')).toEqual([]);

    const order = orders[3];
    order.final_amount = (order.final_amount as number) + 5;
    const t = (order.timestamp as Date).getTime();
    const bad = await runCli(['verify', ...uri]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`transactions, 1h window from ${new Date(Math.floor(t / 3_600_000) * 3_600_000).toISOString()}: revenue_cents expected`);
  }, 60_000);

  it('with black-friday, late and repeated deliveries on two workers: repeats absorbed, verify agrees, also after a kill and --resume', async () => {
    const uri = ['--uri', peer.uri(), '--db', 'shop'];
    const args = ['stream', ...uri, '--from', '2026-01-01', '--to', '2026-01-04', '--seed', '8', '--workers', '2', '--answers', '--mix', 'realistic', '--quiet', '--json'];
    const scenarios = ['--scenario', 'black-friday@1d+1d', '--scenario', 'late-arrivals:share=0.01,max=10m', '--scenario', 'duplicate-delivery:share=0.005'];
    // The CLI in a process of its own (the peer answers from this one), killed mid-run: once the
    // peer holds a number of views drawn per run (of ~9,800), not after a time (the run may be over by then).
    const run = async (extra: string[], killAtViews?: number) => {
      const child = spawn(process.execPath, [bin, ...args, ...scenarios, ...extra], { cwd: root });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const exited = () => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
      const ended = killAtViews === undefined ? await exited() : await killWhen(child, () => peer.docs('product_views').length >= killAtViews);
      return { ...ended, stdout };
    };
    const killed = await run([], 1000 + Math.floor(Math.random() * 4000));
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await run(['--resume']);
    expect(resumed.code).toBe(0);
    const ok = await runCli(['verify', ...uri]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    // Every stored record once; the repeats came as duplicates (absorbed), late records carry ingested_at.
    const views = peer.docs('product_views');
    expect(new Set(views.map((d) => String(d._id))).size).toBe(views.length);
    expect(views.some((d) => d.ingested_at instanceof Date)).toBe(true);
    const summary = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as { counts: { collections: Record<string, { duplicates: number }> } };
    const duplicates = Object.values(summary.counts.collections).reduce((a, c) => a + c.duplicates, 0);
    expect(duplicates).toBeGreaterThan(0);
  }, 120_000);
});
