import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
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
});
