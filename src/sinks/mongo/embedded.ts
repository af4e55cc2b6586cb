import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ensureDir } from '../../shared/fs.js';
import { join, resolve } from 'node:path';
import { EtlError } from '../../errors.js';
import { logger } from '../../log.js';

const log = logger('embedded');

/** A running embedded MongoDB: either started by this process (owner) or found running. */
export interface EmbeddedServer {
  uri: string;
  owner: boolean;
  stop(): Promise<void>;
}

interface StateFile {
  pid: number;
  uri: string;
}

export const embeddedRemedies = [
  'set MONGODB_URI (or --uri) to a MongoDB you can reach, e.g. mongodb://localhost:27017',
  'or start one with `docker compose up -d` (docker-compose.yml in this project) and set MONGODB_URI',
  'or point MONGOMS_SYSTEM_BINARY at an installed mongod binary',
  'or write to files instead: --sink jsonl --out ./data',
];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function stateFilePath(dataDir: string): string {
  return join(dataDir, 'etl-embedded.json');
}

/** The URI of an embedded server another etl process runs on this data directory, if any. */
export function findRunningEmbedded(dataDir: string): string | undefined {
  const path = stateFilePath(resolve(dataDir));
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
    if (typeof state.uri === 'string' && Number.isInteger(state.pid) && alive(state.pid)) return state.uri;
  } catch {
    // unreadable state: treat as absent
  }
  return undefined;
}

/**
 * Starts mongod through mongodb-memory-server on a persistent data directory.
 * The binary is resolved first (download or cache) so that an offline machine fails
 * within seconds with the remedies instead of a stack trace.
 * @throws EtlError NO_MONGOD_BINARY when no mongod can be obtained or started.
 */
export async function startEmbedded(dataDir: string): Promise<EmbeddedServer> {
  const dir = resolve(dataDir);
  try {
    await ensureDir(dir);
  } catch (err) {
    throw new EtlError('OUT_DIR_UNWRITABLE', `Cannot create the embedded MongoDB data directory ETL_DATA_DIR "${dir}" (${(err as NodeJS.ErrnoException).code}). Set ETL_DATA_DIR to a writable directory.`);
  }
  // One download attempt: an offline machine should fail in seconds, not after retries.
  process.env.MONGOMS_MAX_RETRIES ??= '1';
  const mms = await import('mongodb-memory-server-core');
  let binary: string;
  try {
    binary = await mms.MongoBinary.getPath();
  } catch (err) {
    log('binary lookup failed: %O', err);
    throw new EtlError('NO_MONGOD_BINARY', `No MONGODB_URI is set and no mongod binary could be obtained for the embedded MongoDB (${shortReason(err)}).`, {
      hints: embeddedRemedies,
      cause: err,
    });
  }
  const server = new mms.MongoMemoryServer({
    instance: { dbPath: dir, storageEngine: 'wiredTiger' },
    binary: { systemBinary: binary },
  });
  // mongodb-memory-server prints its own stack trace with console.warn when start fails;
  // the CLI prints one clear line instead, so silence it for the duration of start().
  const warn = console.warn;
  console.warn = (...args: unknown[]) => log('mongodb-memory-server: %O', args);
  try {
    await server.start();
  } catch (err) {
    throw new EtlError('NO_MONGOD_BINARY', `The embedded MongoDB (${binary}) did not start on ${dir} (${shortReason(err)}).`, {
      hints: embeddedRemedies,
      cause: err,
    });
  } finally {
    console.warn = warn;
  }
  const uri = server.getUri();
  const statePath = stateFilePath(dir);
  writeFileSync(statePath, JSON.stringify({ pid: process.pid, uri } satisfies StateFile));
  log('started embedded mongod at %s on %s', uri, dir);
  let stopped = false;
  return {
    uri,
    owner: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      rmSync(statePath, { force: true });
      // Keep the data directory: the embedded store persists between runs.
      await server.stop({ doCleanup: false });
    },
  };
}

function shortReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].slice(0, 160);
}
