import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { type FaultRunSummary, afterInserts as afterN, expectNothingLost as expectStored, streamInto } from './helpers/fault-runs.js';
import { eventFiles, readDocs } from './helpers/files.js';
import { type PeerRule, ReplicaSetPeer } from './helpers/wire-peer.js';

// `etl stream --uri` through the real mongodb driver against a scripted three-member replica
// set, as a production deployment is: the driver discovers the members, writes with sessions
// and retries a write itself once after a failover. What counts is what the set stored: the
// `_id`s must be exactly the records of the same run written to files, each stored once.

const runArgs = ['--from', '2026-03-01', '--limit', '30000', '--seed', '5', '--dirty-rate', '0.01', '--batch-size', '500'];
/** A catalog larger than one find batch (10,000), so reading it needs a getMore. */
const bigCatalog = ['--users', '12000'];

const root = mkdtempSync(join(tmpdir(), 'etl-replica-faults-'));
/** The ids of the same runs written to files: what the set must hold at the end (default catalog, big catalog). */
const expected: Record<'default' | 'big', Record<string, string[]>> = { default: {}, big: {} };

async function filesRun(name: keyof typeof expected, seedArgs: string[]): Promise<void> {
  const out = join(root, name);
  if (seedArgs.length) {
    const seed = await runCli(['seed', '--sink', 'jsonl', '--out', out, ...seedArgs, '--quiet']);
    expect(seed.code, seed.stderr).toBe(0);
  }
  const r = await runCli(['stream', '--sink', 'jsonl', '--out', out, ...runArgs, '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  for (const c of [...eventFiles, 'dead_letters']) expected[name][c] = readDocs(out, c).map((d) => d._id).sort();
  if (name === 'big') for (const c of ['product_views', 'transactions']) expectedUsers[c] = userIds(readDocs(out, c));
}

/** The users a big-catalog run's events name, per collection: a catalog read short would name fewer. */
const expectedUsers: Record<string, string[]> = {};
const userIds = (docs: Array<Record<string, unknown>>) => [...new Set(docs.map((d) => String(d.user_id)))].sort();

beforeAll(async () => {
  await filesRun('default', []);
  await filesRun('big', bigCatalog);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

let rs: ReplicaSetPeer;
afterEach(async () => {
  await rs?.stop();
});

/** Starts a three-member set with a catalog seeded through the tool itself. */
async function seededSet(seedArgs: string[] = []): Promise<ReplicaSetPeer> {
  rs = new ReplicaSetPeer(3);
  await rs.start();
  const seed = await runCli(['seed', '--uri', rs.uri(), '--db', 'shop', ...seedArgs, '--quiet']);
  expect(seed.code, seed.stderr).toBe(0);
  return rs;
}

const inserts = () => rs.store.received.filter((c) => c.name === 'insert').length;
const portsOf = (name: string) => new Set(rs.store.received.filter((c) => c.name === name).map((c) => c.port));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const stream = (uri: string) => streamInto(uri, runArgs);
const afterInserts = (after: number, fault: PeerRule) => afterN(inserts, after, fault);
const expectNothingLost = (summary: FaultRunSummary, catalog: keyof typeof expected = 'default') => expectStored(rs, summary, expected[catalog]);

describe('etl stream --uri on a replica set: faults of a real deployment, nothing lost or doubled', () => {
  it('an election mid-stream: the primary steps down with a write applied but unanswered, 1.5 s without a primary, another member takes over', async () => {
    await seededSet();
    const [old, next] = rs.members;
    let steppedDown = false;
    rs.use(
      afterInserts(20, (cmd, m) => {
        if (m !== old) return undefined;
        steppedDown = true;
        // This write is stored, its answer lost: sent again to the new primary (by the sink: a
        // stream's insert commands are not retryable writes), it comes back as duplicates.
        m.defaultReply(cmd);
        rs.stepDown();
        setTimeout(() => rs.elect(next), 1500);
        return { cut: 'connection' };
      }),
    );
    const r = await stream(rs.uri());
    expect(r.code, r.stderr).toBe(0);
    expect(steppedDown).toBe(true);
    expect(rs.primary).toBe(next);
    expect(portsOf('insert')).toEqual(new Set([old.port, next.port]));
    // The write the old primary applied but never answered is not stored twice: the sink's retry
    // got it back as duplicates (an insert command is not a retryable write: no session de-duplicates it).
    const absorbed = Object.values(r.summary.counts.collections).reduce((a, n) => a + n.duplicates, 0);
    expect(absorbed).toBeGreaterThanOrEqual(1);
    expect(rs.store.deduplicated.filter((d) => d.name === 'insert')).toEqual([]);
    expectNothingLost(r.summary);
  });

  it('a reconfig removes the old primary while writes wait for its connections (the driver drops the member mid-operation)', async () => {
    await seededSet();
    const [old, next, other] = rs.members;
    let held = 0;
    let removed = false;
    const failover = async (): Promise<void> => {
      await sleep(200); // the other batches in flight now wait for one of the primary's two connections
      rs.stepDown();
      await sleep(300);
      rs.elect(next);
      await sleep(300);
      rs.reconfig([next, other]);
      removed = true;
      await sleep(300);
      old.cutAll(); // the removed member drops its client connections
    };
    rs.use((cmd, m) => {
      if (cmd.name !== 'insert' || m !== old || inserts() < 20 || held >= 2) return undefined;
      held++;
      if (held === 1) m.defaultReply(cmd); // stored, answer lost
      if (held === 2) void failover();
      return { hang: true };
    });
    const r = await stream(rs.uri('maxPoolSize=2'));
    expect(r.code, r.stderr).toBe(0);
    expect(held).toBe(2);
    expect(removed).toBe(true);
    expect(rs.stateOf(old)).toBe('removed');
    expect(rs.primary).toBe(next);
    // The sink's own retry carried the writes the driver gave up on (MongoPoolClosedError).
    expect(r.summary.counts.retries).toBeGreaterThan(0);
    expectNothingLost(r.summary);
  });

  it('a connection cut after the primary stored the first 40% of a batch', async () => {
    await seededSet();
    let applied = 0;
    rs.use(
      afterInserts(20, (cmd) => {
        const n = (cmd.body.documents as unknown[]).length;
        if (n < 100) return undefined;
        applied = Math.floor(n * 0.4);
        return { cut: 'connection', applied };
      }),
    );
    const r = await stream(rs.uri());
    expect(r.code, r.stderr).toBe(0);
    expect(applied).toBeGreaterThan(0);
    // The sink sent the whole batch again (an insert command is not a retryable write): the part
    // the primary had stored came back as duplicate keys, absorbed.
    const absorbed = Object.values(r.summary.counts.collections).reduce((a, n) => a + n.duplicates, 0);
    expect(absorbed).toBeGreaterThanOrEqual(applied);
    expectNothingLost(r.summary);
  });

  it('the catalog read at start-up cut after its first batch (a getMore on users never answered)', async () => {
    await seededSet(bigCatalog);
    let cuts = 0;
    const remove = rs.use((cmd) => {
      if (cmd.name !== 'getMore' || cmd.collection !== 'users') return undefined;
      cuts++;
      remove();
      return { cut: 'connection' };
    });
    const r = await stream(rs.uri());
    expect(r.code, r.stderr).toBe(0);
    expect(cuts).toBe(1);
    // The users were read again (from the start or from where the cut left off): a cursor cut open cannot go on.
    expect(rs.store.received.filter((c) => c.name === 'find' && c.collection === 'users').length).toBeGreaterThanOrEqual(2);
    expectNothingLost(r.summary, 'big');
    // The events are those of the whole catalog: the users they name are those of the same run written to files.
    for (const c of ['product_views', 'transactions']) expect(userIds(rs.docs(c)), c).toEqual(expectedUsers[c]);
  });
});

