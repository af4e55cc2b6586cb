import { MongoClient } from 'mongodb';
import { ConnectionString } from 'mongodb-connection-string-url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FaultProxy } from '../helpers/proxy.js';
import { localMongod } from '../helpers/mongod.js';

const uri = inject('mongoUri');
const reason = inject('mongoSkipReason');

// Database faults need a real server: they run wherever MONGODB_TEST_URI (standalone or
// replica set) or a local mongod binary exists, and are reported as skipped elsewhere.
describe.skipIf(!uri)(`database faults${uri ? '' : ` (skipped: ${reason})`}`, () => {
  let client: MongoClient;
  const db = `etl_faults_${process.pid}`;
  beforeAll(async () => {
    client = await MongoClient.connect(uri);
  });
  afterAll(async () => {
    await client?.db(db).dropDatabase();
    await client?.close();
  });

  /** Runs a stream through a FaultProxy, applies `fault` once output flows, and checks nothing was lost or doubled. */
  async function faultRun(name: string, fault: (proxy: FaultProxy) => void | Promise<void>, uriOptions: Record<string, string> = {}) {
    const cs = new ConnectionString(uri);
    const [host, port] = cs.hosts[0].split(':');
    const proxy = new FaultProxy(host, Number(port ?? 27017));
    const proxyPort = await proxy.start();
    cs.hosts = [`127.0.0.1:${proxyPort}`];
    // Through the proxy the driver must talk to this one node, not discover the others.
    cs.searchParams.set('directConnection', 'true');
    cs.searchParams.delete('replicaSet');
    for (const [k, v] of Object.entries(uriOptions)) cs.searchParams.set(k, v);
    const dbName = `${db}_${name}`;
    const started = setTimeout(() => void fault(proxy), 1500);
    try {
      const r = await runCli(['stream', '--uri', cs.toString(), '--db', dbName, '--from', '2026-01-01', '--limit', '60000', '--seed', '13', '--dirty-rate', '0.01', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
      console.log(`[faults] ${name}: ${proxy.cuts} cuts, ${summary.counts.retries} retries, ${summary.lost} lost`);
      expect(summary.lost).toBe(0);
      for (const [coll, n] of Object.entries(summary.counts.collections) as Array<[string, { generated: number; dead_lettered: number }]>) {
        expect(await client.db(dbName).collection(coll).countDocuments()).toBe(n.generated - n.dead_lettered);
      }
      const [run] = await client.db(dbName).collection('etl_runs').find().toArray();
      expect(run.counts).toEqual(summary.counts.collections);
      return summary as { counts: { retries: number } };
    } finally {
      clearTimeout(started);
      await proxy.stop();
      await client.db(dbName).dropDatabase();
    }
  }

  it('connections cut mid-batch 5 times: stored = generated − dead-lettered, no duplicates, the run finishes by itself', async () => {
    const s = await faultRun('cuts', async (proxy) => {
      for (let i = 0; i < 5; i++) {
        proxy.cut();
        await new Promise((r) => setTimeout(r, 400));
      }
    });
    expect(s.counts.retries).toBeGreaterThan(0);
  });

  it('the server unreachable for 10 s, then back', async () => {
    const s = await faultRun('outage', (proxy) => proxy.refuseFor(10_000));
    expect(s.counts.retries).toBeGreaterThan(0);
  }, 120_000);

  it('a server that stops answering for longer than the socket timeout', async () => {
    const s = await faultRun('stall', (proxy) => proxy.stallFor(5_000), { socketTimeoutMS: '2000' });
    expect(s.counts.retries).toBeGreaterThan(0);
  }, 120_000);

  it('a stepdown of the primary mid-stream (replica set only)', async (ctx) => {
    const hello = await client.db('admin').command({ hello: 1 });
    if (!hello.setName) ctx.skip();
    await faultRun('stepdown', async () => {
      await client.db('admin').command({ replSetStepDown: 5, force: true }).catch(() => undefined);
    });
  }, 120_000);
});

const binary = localMongod();

// A restart needs a server this test owns: a mongod binary started through mongodb-memory-server.
describe.skipIf(!binary)(`server restart mid-run${binary ? '' : ' (skipped: no mongod binary here; set MONGOMS_SYSTEM_BINARY)'}`, () => {
  it('a standalone server restarted mid-run: the run retries, finishes by itself, nothing lost or doubled', async () => {
    const { MongoMemoryServer } = await import('mongodb-memory-server-core');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const server = await MongoMemoryServer.create({ binary: { systemBinary: binary }, instance: { dbPath: mkdtempSync(join(tmpdir(), 'etl-restart-')), storageEngine: 'wiredTiger' } });
    const serverUri = server.getUri();
    const run = runCli(['stream', '--uri', serverUri, '--db', 'restart', '--from', '2026-01-01', '--limit', '150000', '--seed', '17', '--json']);
    await new Promise((r) => setTimeout(r, 1500));
    await server.stop({ doCleanup: false, force: false });
    await new Promise((r) => setTimeout(r, 1000));
    await server.start(true);
    const r = await run;
    try {
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
      console.log(`[faults] restart: ${summary.counts.retries} retries, ${summary.lost} lost`);
      const c = await MongoClient.connect(server.getUri());
      for (const [name, n] of Object.entries(summary.counts.collections) as Array<[string, { generated: number; dead_lettered: number }]>) {
        expect(await c.db('restart').collection(name).countDocuments()).toBe(n.generated - n.dead_lettered);
      }
      await c.close();
    } finally {
      await server.stop();
    }
  });
});
