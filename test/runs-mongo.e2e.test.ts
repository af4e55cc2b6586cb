import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { eventFiles, readDocs } from './helpers/files.js';
import { WirePeer } from './helpers/wire-peer.js';

// Whole runs through the real driver against the wire peer (issue 28): a failing partition
// ends the run, and a second run of the same seed continues or is refused, never collides.

type Counts = { generated: number; written: number; duplicates: number; dead_lettered: number };
interface Summary {
  status: string;
  lost: number;
  checkpoint: Record<string, number>;
  counts: { collections: Record<string, Counts> };
}

let peer: WirePeer | undefined;
afterEach(async () => {
  await peer?.stop();
  peer = undefined;
});

async function seededPeer(): Promise<WirePeer> {
  const p = new WirePeer();
  await p.start();
  const seed = await runCli(['seed', '--uri', p.uri(), '--db', 'shop', '--quiet']);
  expect(seed.code, seed.stderr).toBe(0);
  return p;
}

const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Summary;

describe('a failed partition stops the run', () => {
  // Partition 0 runs in the main thread, partition 1 in a worker thread: either one failing stops the other.
  it.each([
    ['0.2', '1.2'],
    ['1.2', '0.2'],
  ])('--workers 2, a ten-year backfill: partition %s refused ends the run within 10 s, exit 1, counts = what the peer acknowledged', async (refused, other) => {
    peer = await seededPeer();
    // Every write of the refused partition meets an error no retry can fix.
    peer.use((cmd) => (cmd.name === 'insert' && (cmd.body.documents as Array<{ _id: string }>).some((d) => d._id.startsWith(`9-${refused}-`)) ? { error: 2, errmsg: 'BadValue: refused by the test' } : undefined));
    const started = Date.now();
    // A backfill over ten years: without the failure it would run for minutes (both partitions write at once).
    const r = await runCli(['stream', '--uri', peer.uri(), '--db', 'shop', '--seed', '9', '--workers', '2', '--from', '2026-03-01', '--to', '2036-01-01', '--json']);
    const elapsed = Date.now() - started;
    expect(r.code, r.stderr).toBe(1);
    expect(elapsed).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/Lost a batch/);
    const s = summaryOf(r.stdout);
    expect(s.status).toBe('failed');
    // Each record written is a document there (updates of the living store, `<collection>:updates`, make none).
    for (const [name, n] of Object.entries(s.counts.collections)) if (!name.endsWith(':updates')) expect(n.written, name).toBe(peer.ids(name).length);
    // The other partition wrote; the refused one acknowledged nothing, so its checkpoint did not move.
    expect(s.checkpoint[refused]).toBe(0);
    expect(s.checkpoint[other]).toBeGreaterThan(0);
    expect(peer.ids('product_views').some((id) => id.startsWith(`9-${other}-`))).toBe(true);
    expect(peer.ids('product_views').some((id) => id.startsWith(`9-${refused}-`))).toBe(false);
  });
});

describe('a second run of the same seed continues or is refused', () => {
  const run = ['--from', '2026-03-01', '--limit', '3000', '--seed', '9', '--quiet'];

  it('into the same MongoDB: refused naming --resume and a new seed (and what changed); --resume continues', async () => {
    peer = await seededPeer();
    const uri = ['--uri', peer.uri(), '--db', 'shop'];
    const first = await runCli(['stream', ...uri, ...run]);
    expect(first.code, first.stderr).toBe(0);
    const stored = peer.ids('product_views').length;

    const again = await runCli(['stream', ...uri, ...run]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/Seed 9 already has records/);
    expect(again.stderr).toMatch(/--resume/);
    expect(again.stderr).toMatch(/new seed/);
    expect(peer.ids('product_views')).toHaveLength(stored);

    const otherMix = await runCli(['stream', ...uri, ...run, '--mix', 'views=50,cart=30,orders=20']);
    expect(otherMix.code).toBe(2);
    expect(otherMix.stderr).toMatch(/--mix views=60,cart=30,orders=10 then, --mix views=50,cart=30,orders=20 now/);

    const resumed = await runCli(['stream', ...uri, '--from', '2026-03-01', '--limit', '6000', '--seed', '9', '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const s = summaryOf(resumed.stdout);
    const dupes = Object.values(s.counts.collections).reduce((a, n) => a + n.duplicates, 0);
    expect(dupes).toBe(0);
    expect(s.checkpoint['0.1']).toBe(6000);
  });

  it('into the same jsonl directory: refused, and no _id is ever written twice', async () => {
    const out = mkdtempSync(join(tmpdir(), 'etl-collide-'));
    const first = await runCli(['stream', '--sink', 'jsonl', '--out', out, ...run]);
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(['stream', '--sink', 'jsonl', '--out', out, ...run]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/Seed 9 already has records .*--resume.*new seed/s);
    const other = await runCli(['stream', '--sink', 'jsonl', '--out', out, ...run.map((a) => (a === '9' ? '10' : a))]);
    expect(other.code, other.stderr).toBe(0);
    for (const f of readdirSync(out).filter((n) => n.endsWith('.jsonl') && n !== 'etl_runs.jsonl')) {
      const ids = readFileSync(join(out, f), 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { _id: string })._id);
      expect(new Set(ids).size, f).toBe(ids.length);
    }
  });

  it('--resume with other partitions than the recorded run is refused, naming its --workers (it does not start over)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'etl-collide-'));
    const first = await runCli(['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-03-01', '--limit', '2000', '--seed', '12', '--workers', '2', '--quiet']);
    expect(first.code, first.stderr).toBe(0);
    const r = await runCli(['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-03-01', '--limit', '4000', '--seed', '12', '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/partitions 0\/2, 1\/2, this one 0\/1.*--workers 2/);
  });

  it('etl schedule with a fixed seed: a restart is refused, and continues with --resume', async () => {
    const out = mkdtempSync(join(tmpdir(), 'etl-collide-'));
    const job = ['schedule', '--cron', '* * * * * *', '--max-jobs', '1', '--limit', '500', '--seed', '4', '--sink', 'jsonl', '--out', out, '--quiet'];
    const first = await runCli(job);
    expect(first.code, first.stderr).toBe(0);
    const restart = await runCli(job);
    expect(restart.code).toBe(2);
    expect(restart.stderr).toMatch(/Seed 4 already has records/);
    const resumed = await runCli([...job, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const ids = eventFiles.flatMap((c) => readDocs(out, c).map((d) => d._id));
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
  });
});
