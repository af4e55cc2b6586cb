import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { type FaultRunSummary, afterInserts as afterN, expectNothingLost as expectStored, streamInto } from './helpers/fault-runs.js';
import { eventFiles, readDocs } from './helpers/files.js';
import { type PeerRule, WirePeer } from './helpers/wire-peer.js';

// `etl stream --uri` through the real mongodb driver against a scripted wire peer that
// misbehaves mid-run. What counts is what the peer acknowledged: the set of `_id`s it
// stored must be exactly the records of the same run written to files, none missing, none
// acknowledged twice (a replayed record is refused with 11000 and absorbed).

const runArgs = ['--from', '2026-03-01', '--limit', '30000', '--seed', '5', '--dirty-rate', '0.01', '--batch-size', '500'];

/** The ids of the same run written to files: what the peer must hold at the end. */
const expected: Record<string, string[]> = {};

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), 'etl-faults-'));
  const r = await runCli(['stream', '--sink', 'jsonl', '--out', out, ...runArgs, '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  for (const c of [...eventFiles, 'dead_letters']) expected[c] = readDocs(out, c).map((d) => d._id).sort();
});

let peer: WirePeer;
afterEach(async () => {
  await peer?.stop();
});

/** Starts a peer with the default catalog seeded through the tool itself. */
async function seededPeer(): Promise<WirePeer> {
  peer = new WirePeer();
  await peer.start();
  const seed = await runCli(['seed', '--uri', peer.uri(), '--db', 'shop', '--quiet']);
  expect(seed.code, seed.stderr).toBe(0);
  return peer;
}

const inserts = (p: WirePeer) => p.received.filter((c) => c.name === 'insert').length;

const stream = (uri: string) => streamInto(uri, runArgs);
const afterInserts = (after: number, fault: PeerRule) => afterN(() => inserts(peer), after, fault);
const expectNothingLost = (summary: FaultRunSummary) => expectStored(peer, summary, expected);

describe('etl stream --uri survives transient faults with nothing lost or doubled', () => {
  it('connections cut with 4 batches in flight (some applied, some not)', async () => {
    await seededPeer();
    // From the 20th insert on, hold 4 inserts unanswered (every other one applied), then cut every connection.
    let held = 0;
    peer.use((cmd, p) => {
      if (cmd.name !== 'insert' || inserts(p) < 20 || held >= 4) return undefined;
      held++;
      if (held % 2 === 1) p.defaultReply(cmd); // applied, answer lost
      return held === 4 ? { cut: true } : { hang: true };
    });
    const r = await stream(peer.uri('socketTimeoutMS=5000'));
    expect(r.code, r.stderr).toBe(0);
    expect(held).toBeGreaterThanOrEqual(4);
    expect(r.summary.counts.retries).toBeGreaterThanOrEqual(4);
    expectNothingLost(r.summary);
    const dups = Object.values(r.summary.counts.collections).reduce((a, n) => a + n.duplicates, 0);
    expect(dups).toBeGreaterThan(0);
  });

  it('server unreachable for 10 s, then back', async () => {
    await seededPeer();
    let outageAt = 0;
    peer.use(
      afterInserts(20, () => {
        outageAt = Date.now();
        void peer.refuseFor(10_000);
        return { hang: true };
      }),
    );
    const r = await stream(peer.uri());
    expect(r.code, r.stderr).toBe(0);
    expect(outageAt).toBeGreaterThan(0);
    expect(r.summary.counts.retries).toBeGreaterThanOrEqual(3);
    expectNothingLost(r.summary);
  }, 90_000);

  it('a stepdown: NotWritablePrimary (10107) on every write for 3 s', async () => {
    await seededPeer();
    peer.use(
      afterInserts(20, () => {
        peer.failFor('insert', 3000, { error: 10107, errmsg: 'not primary' });
        return { error: 10107, errmsg: 'not primary' };
      }),
    );
    const r = await stream(peer.uri());
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.counts.retries).toBeGreaterThanOrEqual(2);
    expectNothingLost(r.summary);
  });

  it('a write that hangs longer than the socket timeout (applied, never answered)', async () => {
    await seededPeer();
    peer.use(
      afterInserts(20, (cmd, p) => {
        p.defaultReply(cmd);
        return { hang: true };
      }),
    );
    const r = await stream(peer.uri('socketTimeoutMS=1500'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.counts.retries).toBeGreaterThanOrEqual(1);
    expectNothingLost(r.summary);
  });
});

describe('etl stream --uri ends clearly on faults a retry cannot fix', () => {
  it('credentials refused mid-run: exit 2, one line, no password', async () => {
    await seededPeer();
    const uri = `${peer.uri('authMechanism=PLAIN&authSource=%24external').replace('mongodb://', 'mongodb://etl:Sup3rSecret@')}`;
    peer.use(
      afterInserts(20, () => {
        // From now on the server refuses the credentials; open connections are cut so new ones must authenticate.
        peer.use((cmd) => (cmd.name === 'saslStart' ? { error: 18, errmsg: 'Authentication failed.', codeName: 'AuthenticationFailed' } : undefined));
        return { cut: true };
      }),
    );
    const r = await runCli(['stream', '--uri', uri, '--db', 'shop', ...runArgs]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('Sup3rSecret');
    const errorLines = r.stderr.split('\n').filter((l) => /^error/i.test(l));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/credentials|Authentication failed/);
  });

  it('the user loses its write privilege mid-run (13): exit 2, says what to ask for', async () => {
    await seededPeer();
    peer.use(afterInserts(20, () => ({ error: 13, errmsg: 'not authorized on shop to execute command { insert: ... }', codeName: 'Unauthorized' })));
    const r = await runCli(['stream', '--uri', peer.uri(), '--db', 'shop', ...runArgs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lacks the privilege.*readWrite/);
  });
});
