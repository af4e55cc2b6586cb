import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A mongod binary that mongodb-memory-server can use without downloading, if this machine has one. */
export function localMongod(): string | undefined {
  if (process.env.MONGOMS_SYSTEM_BINARY && existsSync(process.env.MONGOMS_SYSTEM_BINARY)) return process.env.MONGOMS_SYSTEM_BINARY;
  const cache = process.env.MONGOMS_DOWNLOAD_DIR ?? join(homedir(), '.cache', 'mongodb-binaries');
  if (!existsSync(cache)) return undefined;
  const found = readdirSync(cache).find((f) => f.startsWith('mongod'));
  return found ? join(cache, found) : undefined;
}
