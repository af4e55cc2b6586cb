import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URI of a real MongoDB for integration tests; '' when none exists here. */
    mongoUri: string;
    /** Why integration tests are skipped ('' when they run). */
    mongoSkipReason: string;
  }
}

/** A mongod binary that mongodb-memory-server can use without downloading, if any. */
function localMongod(): string | undefined {
  if (process.env.MONGOMS_SYSTEM_BINARY && existsSync(process.env.MONGOMS_SYSTEM_BINARY)) return process.env.MONGOMS_SYSTEM_BINARY;
  const cache = process.env.MONGOMS_DOWNLOAD_DIR ?? join(homedir(), '.cache', 'mongodb-binaries');
  if (!existsSync(cache)) return undefined;
  const found = readdirSync(cache).find((f) => f.startsWith('mongod'));
  return found ? join(cache, found) : undefined;
}

/** One server per test run: MONGODB_TEST_URI, else a mongodb-memory-server binary already on this machine. */
export default async function setup(project: TestProject) {
  let uri = process.env.MONGODB_TEST_URI ?? '';
  let reason = '';
  let stop: (() => Promise<unknown>) | undefined;
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
