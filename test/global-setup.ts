import type { TestProject } from 'vitest/node';
import { localMongod } from './helpers/mongod.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URI of a real MongoDB for integration tests; '' when none exists here. */
    mongoUri: string;
    /** Why integration tests are skipped ('' when they run). */
    mongoSkipReason: string;
  }
}

/** One server per test run: MONGODB_TEST_URI, else a mongodb-memory-server binary already on this machine. */
export default async function setup(project: TestProject) {
  let uri = process.env.MONGODB_TEST_URI ?? '';
  let reason = '';
  let stop: (() => Promise<unknown>) | undefined;
  if (uri) {
    // A configured server that cannot be reached fails the run at once, instead of every test one by one.
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
    try {
      await client.db('admin').command({ ping: 1 });
    } finally {
      await client.close();
    }
  }
  if (!uri) {
    const binary = localMongod();
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
  project.provide('mongoUri', uri);
  project.provide('mongoSkipReason', reason);
  return async () => {
    await stop?.();
  };
}
