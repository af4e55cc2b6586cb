import { exec } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient, MongoNetworkError } from 'mongodb';
import { ConnectionString } from 'mongodb-connection-string-url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CliResult, runCli } from '../helpers/cli.js';
import { FaultProxy } from '../helpers/proxy.js';
import { localMongod } from '../helpers/mongod.js';

const uri = inject('mongoUri');
const reason = inject('mongoSkipReason');
const faultUri = inject('mongoFaultUri');
const restartCommand = inject('mongoRestartCommand');
const binary = localMongod();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefix = `etl_faults_${process.pid}`;

interface Summary {
  lost: number;
  counts: { retries: number; collections: Record<string, { generated: number; dead_lettered: number }> };
}

/** The run's summary, after checking it finished by itself and stored what it generated, once, and recorded that in etl_runs. */
async function reconciled(client: MongoClient, dbName: string, r: CliResult): Promise<Summary> {
  expect(r.code, r.stderr).toBe(0);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as Summary;
  expect(summary.lost).toBe(0);
  for (const [coll, n] of Object.entries(summary.counts.collections)) {
    expect(await client.db(dbName).collection(coll).countDocuments(), coll).toBe(n.generated - n.dead_lettered);
  }
  const [run] = await client.db(dbName).collection('etl_runs').find().toArray();
  expect(run.counts).toEqual(summary.counts.collections);
  return summary;
}

/**
 * Runs a stream through a FaultProxy to the server at `target`, applies `fault` 1.5 s in, and checks
 * nothing was lost or doubled. The fault's own errors fail the test, and so does a run that ended before it.
 */
async function faultRun(target: { uri: string; client: MongoClient }, name: string, fault: (proxy: FaultProxy) => void | Promise<void>, uriOptions: Record<string, string> = {}) {
  const cs = new ConnectionString(target.uri);
  const [host, port] = cs.hosts[0].split(':');
  const proxy = new FaultProxy(host, Number(port ?? 27017));
  const proxyPort = await proxy.start();
  cs.hosts = [`127.0.0.1:${proxyPort}`];
  // Through the proxy the driver must talk to this one node, not discover the others.
  cs.searchParams.set('directConnection', 'true');
  cs.searchParams.delete('replicaSet');
  for (const [k, v] of Object.entries(uriOptions)) cs.searchParams.set(k, v);
  const dbName = `${prefix}_${name}`;
  let applied: Promise<void> | undefined;
  const timer = setTimeout(() => {
    applied = Promise.resolve().then(() => fault(proxy));
    // Handled here so that a failure before the run ends is not an unhandled rejection; awaited below.
    applied.catch(() => undefined);
  }, 1500);
  try {
    const r = await runCli(['stream', '--uri', cs.toString(), '--db', dbName, '--from', '2026-01-01', '--limit', '60000', '--seed', '13', '--dirty-rate', '0.01', '--json']);
    clearTimeout(timer);
    expect(applied, 'the run ended before the fault was applied: it met no fault').toBeDefined();
    await applied;
    const summary = await reconciled(target.client, dbName, r);
    console.log(`[faults] ${name}: ${proxy.cuts} cuts, ${summary.counts.retries} retries, ${summary.lost} lost`);
    return summary;
  } finally {
    clearTimeout(timer);
    await proxy.stop();
    await target.client.db(dbName).dropDatabase();
  }
}

// Network faults between the driver and the shared server: they run wherever MONGODB_TEST_URI
// (standalone or replica set) or a local mongod binary exists, and are reported as skipped elsewhere.
describe.skipIf(!uri)(`database faults${uri ? '' : ` (skipped: ${reason})`}`, () => {
  let client: MongoClient;
  beforeAll(async () => {
    client = await MongoClient.connect(uri);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('connections cut mid-batch 5 times: stored = generated − dead-lettered, no duplicates, the run finishes by itself', async () => {
    const s = await faultRun({ uri, client }, 'cuts', async (proxy) => {
      for (let i = 0; i < 5; i++) {
        proxy.cut();
        await sleep(400);
      }
    });
    expect(s.counts.retries).toBeGreaterThan(0);
  });

  it('the server unreachable for 10 s, then back', async () => {
    const s = await faultRun({ uri, client }, 'outage', (proxy) => proxy.refuseFor(10_000));
    expect(s.counts.retries).toBeGreaterThan(0);
  }, 120_000);

  it('a server that stops answering for longer than the socket timeout', async () => {
    const s = await faultRun({ uri, client }, 'stall', (proxy) => proxy.stallFor(5_000), { socketTimeoutMS: '2000' });
    expect(s.counts.retries).toBeGreaterThan(0);
  }, 120_000);
});

/** A single-node replica set the test may step down: CI's (MONGODB_TEST_FAULT_URI), else one of its own from the local mongod binary. */
async function replicaSet(): Promise<{ uri: string; client: MongoClient; release(): Promise<void> }> {
  if (faultUri) {
    const client = await MongoClient.connect(faultUri);
    return { uri: faultUri, client, release: () => client.close() };
  }
  const { MongoMemoryReplSet } = await import('mongodb-memory-server-core');
  const rs = await MongoMemoryReplSet.create({ binary: { systemBinary: binary }, replSet: { count: 1 } });
  const client = await MongoClient.connect(rs.getUri());
  return {
    uri: rs.getUri(),
    client,
    release: async () => {
      await client.close();
      await rs.stop();
    },
  };
}

/** A server the test may restart, keeping its data: CI's (restarted by MONGODB_TEST_RESTART), else a standalone of its own from the local mongod binary. */
async function restartable(): Promise<{ uri: string; restart(): Promise<void>; release(): Promise<void> }> {
  if (faultUri) {
    return {
      uri: faultUri,
      restart: async () => {
        await promisify(exec)(restartCommand, { timeout: 90_000 });
      },
      release: async () => undefined,
    };
  }
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const dbPath = mkdtempSync(join(tmpdir(), 'etl-restart-'));
  const server = await MongoMemoryServer.create({ binary: { systemBinary: binary }, instance: { dbPath, storageEngine: 'wiredTiger' } });
  return {
    uri: server.getUri(),
    restart: async () => {
      await server.stop({ doCleanup: false, force: false });
      await sleep(1000);
      await server.start(true);
    },
    release: async () => {
      await server.stop();
      rmSync(dbPath, { recursive: true, force: true });
    },
  };
}

// These disrupt the server itself, so they need one nobody else is using at the time: the one
// CI starts for them, or one of their own where a mongod binary exists. Skipped, and saying so, elsewhere.
const disruptable = Boolean(faultUri || binary);
describe.skipIf(!disruptable)(
  `a server restarted or stepped down mid-run${disruptable ? '' : ' (skipped: set MONGODB_TEST_FAULT_URI and MONGODB_TEST_RESTART, or MONGOMS_SYSTEM_BINARY)'}`,
  () => {
    it('a stepdown of the primary mid-stream: the writes it refuses are retried, nothing lost or doubled', async () => {
      const rs = await replicaSet();
      try {
        const s = await faultRun(rs, 'stepdown', async () => {
          try {
            // force: a single node has no secondary to hand over to. For 5 s it refuses writes (NotWritablePrimary).
            await rs.client.db('admin').command({ replSetStepDown: 5, force: true });
          } catch (err) {
            // Servers before 4.2 closed every connection on stepdown, this one included. Anything else is a failure.
            if (!(err instanceof MongoNetworkError)) throw err;
          }
        });
        // The writes met the stepdown: the sink had to retry them. Without this, a stepdown that
        // failed or came after the last write would pass.
        expect(s.counts.retries).toBeGreaterThan(0);
      } finally {
        await rs.release();
      }
    }, 120_000);

    it('a server restarted mid-run: the run retries, finishes by itself, nothing lost or doubled', async () => {
      const server = await restartable();
      const dbName = `${prefix}_restart`;
      const started = Date.now();
      let ended = false;
      let metRun = false;
      try {
        const run = runCli(['stream', '--uri', server.uri, '--db', dbName, '--from', '2026-01-01', '--limit', '150000', '--seed', '17', '--json']).finally(() => (ended = true));
        const restarted = sleep(1500).then(() => {
          metRun = !ended;
          return server.restart();
        });
        const [r, restart] = await Promise.allSettled([run, restarted]);
        if (restart.status === 'rejected') throw restart.reason;
        if (r.status === 'rejected') throw r.reason;
        expect(metRun, 'the run ended before the restart: it met no fault').toBe(true);
        const client = await MongoClient.connect(server.uri);
        try {
          // The restart did happen (a command that does nothing would pass the rest): the server has been up for less time than the run took.
          const status = await client.db('admin').command({ serverStatus: 1 });
          expect(Number(status.uptimeMillis)).toBeLessThan(Date.now() - started);
          const summary = await reconciled(client, dbName, r.value);
          console.log(`[faults] restart: ${summary.counts.retries} retries, ${summary.lost} lost`);
        } finally {
          await client.db(dbName).dropDatabase();
          await client.close();
        }
      } finally {
        await server.release();
      }
    }, 180_000);
  },
);
