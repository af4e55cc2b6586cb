import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { localMongod } from './helpers/mongod.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URI of a real MongoDB for integration tests; '' when none exists here. */
    mongoUri: string;
    /** Why integration tests are skipped ('' when they run). */
    mongoSkipReason: string;
    /** A single-node replica set only the fault tests use: they restart it and step it down ('' when none is given). */
    mongoFaultUri: string;
    /** Shell command that restarts the server at mongoFaultUri, keeping its data ('' with it). */
    mongoRestartCommand: string;
  }
}

/** The hello reply of a configured server: one that cannot be reached fails the run at once, instead of every test one by one. */
async function hello(uri: string): Promise<{ setName?: string }> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    return await client.db('admin').command({ hello: 1 });
  } finally {
    await client.close();
  }
}

/**
 * One server per test run: MONGODB_TEST_URI, else a mongodb-memory-server binary already on this machine.
 * Beside it, for the tests that restart or step down a server while others use theirs: MONGODB_TEST_FAULT_URI
 * with MONGODB_TEST_RESTART (CI starts one), else those tests start their own from the local binary.
 * @throws when a configured server cannot be reached, or the fault server settings are incomplete or not a replica set
 */
export default async function setup(project: TestProject) {
  // Every temporary directory of the run (tests call os.tmpdir(), which reads TMPDIR) goes under
  // one root, removed at the end: a run leaves nothing behind, whatever a test forgets.
  const tempRoot = mkdtempSync(join(tmpdir(), 'etl-test-run-'));
  process.env.TMPDIR = process.env.TMP = process.env.TEMP = tempRoot;
  let uri = process.env.MONGODB_TEST_URI ?? '';
  let reason = '';
  let stop: (() => Promise<unknown>) | undefined;
  const faultUri = process.env.MONGODB_TEST_FAULT_URI ?? '';
  const restartCommand = process.env.MONGODB_TEST_RESTART ?? '';
  if (!faultUri !== !restartCommand) {
    throw new Error('MONGODB_TEST_FAULT_URI and MONGODB_TEST_RESTART go together: the second restarts the server the first names');
  }
  if (uri) await hello(uri);
  if (faultUri && !(await hello(faultUri)).setName) {
    throw new Error('MONGODB_TEST_FAULT_URI must name a replica set (a single node will do): the stepdown test needs one');
  }
  const binary = localMongod();
  if (!uri) {
    if (binary) {
      const { MongoMemoryServer } = await import('mongodb-memory-server-core');
      const server = await MongoMemoryServer.create({ binary: { systemBinary: binary } });
      uri = server.getUri();
      stop = () => server.stop();
    } else {
      reason = 'no MongoDB server here: set MONGODB_TEST_URI or MONGOMS_SYSTEM_BINARY to run them';
      console.warn(`\n[integration] MongoDB integration tests SKIPPED: ${reason}\n`);
    }
  }
  if (!faultUri && !binary) {
    console.warn('[integration] restart and stepdown tests SKIPPED: set MONGODB_TEST_FAULT_URI and MONGODB_TEST_RESTART, or MONGOMS_SYSTEM_BINARY\n');
  }
  project.provide('mongoUri', uri);
  project.provide('mongoSkipReason', reason);
  project.provide('mongoFaultUri', faultUri);
  project.provide('mongoRestartCommand', restartCommand);
  return async () => {
    await stop?.();
    rmSync(tempRoot, { recursive: true, force: true });
  };
}
