import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { type AddressInfo, connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { EtlError } from '../../errors.js';
import { logger } from '../../log.js';
import { ensureDir } from '../../shared/fs.js';

const log = logger('embedded');

/**
 * The embedded MongoDB: one mongod per data directory, shared by every etl process that uses
 * that directory, stopped by the last of them.
 *
 * mongodb-memory-server resolves (downloads once, then caches) the mongod binary of the
 * version pinned in package.json. The tool starts that mongod itself, detached, because
 * mongodb-memory-server ties a server's life to the process that started it: a second etl
 * process reusing it would lose its server when the first exits.
 *
 * Files in the data directory:
 * - `etl-embedded.lock`: held (created exclusively) while a process starts, joins or leaves;
 * - `etl-embedded.json`: the running server (mongod pid, URI, version);
 * - `etl-embedded.users/<pid>-<thread>-<random>`: one file per connection of an etl process
 *   (worker threads connect on their own);
 * - `etl-mongodb-version`: the MongoDB version that created the data files.
 */
export interface EmbeddedServer {
  uri: string;
  /** True when this process started the server (false: it joined one already running). */
  started: boolean;
  /** Leaves the server; the last process to leave stops it. Safe to call twice. */
  stop(): Promise<void>;
}

interface StateFile {
  pid: number;
  uri: string;
  version: string;
}

/** Told about the one-time download of the mongod binary, so the CLI can say what is happening. */
export interface DownloadObserver {
  /** Before the download: what is fetched and where it is cached. */
  start(info: { version: string; cacheDir: string }): void;
  /** Bytes received so far and the archive's size (0 until known). */
  progress(doneBytes: number, totalBytes: number): void;
  /** The binary is there (downloaded and unpacked) or the download failed. */
  end(): void;
}

/** Options of the embedded server that only tests change. */
export interface EmbeddedOptions {
  observer?: DownloadObserver;
  /** A download that receives nothing for this long is abandoned (default 60 s). */
  stallMs?: number;
}

export const embeddedRemedies = [
  'set MONGODB_URI (or --uri) to a MongoDB you can reach, e.g. mongodb://localhost:27017',
  'or start one with `docker compose up -d` (docker-compose.yml in this project) and set MONGODB_URI',
  'or point MONGOMS_SYSTEM_BINARY at an installed mongod binary',
  'or write to files instead: --sink jsonl --out ./data',
];

/** The MongoDB version the tool pins for the embedded server (package.json config.mongodbMemoryServer.version). */
export function pinnedMongoVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { config?: { mongodbMemoryServer?: { version?: string } } };
  const version = pkg.config?.mongodbMemoryServer?.version;
  if (!version) throw new EtlError('INTERNAL', 'package.json has no config.mongodbMemoryServer.version');
  return version;
}

/**
 * True when `pid` is a live process of ours. EPERM means the pid now belongs to another
 * user's process (a reused pid), so it is not a live owner.
 */
export function isLive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const paths = (dir: string) => ({
  lock: join(dir, 'etl-embedded.lock'),
  state: join(dir, 'etl-embedded.json'),
  users: join(dir, 'etl-embedded.users'),
  version: join(dir, 'etl-mongodb-version'),
  log: join(dir, 'mongod.log'),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the data directory's lock (an exclusively created file holding our pid). A lock whose
 * holder is dead is taken over. Returns the release function.
 * @throws EtlError NO_MONGOD_BINARY when another live process holds it for longer than `waitMs`.
 */
async function lock(dir: string, waitMs = 120_000): Promise<() => Promise<void>> {
  const { lock: path } = paths(dir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => unlink(path).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    // An empty file is a lock being written right now; a dead holder's lock is stale.
    if (holder && !isLive(holder)) {
      log('taking over the stale lock of pid %d', holder);
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new EtlError('NO_MONGOD_BINARY', `Another etl process (pid ${holder}) has been starting the embedded MongoDB in ${dir} for ${Math.round(waitMs / 1000)} s. Wait for it, or set ETL_DATA_DIR to another directory.`);
    }
    await sleep(100);
  }
}

function readState(dir: string): StateFile | undefined {
  try {
    const state = JSON.parse(readFileSync(paths(dir).state, 'utf8')) as StateFile;
    if (typeof state.uri === 'string' && isLive(state.pid)) return state;
  } catch {
    // absent or unreadable: no server
  }
  return undefined;
}

/** The handles of processes (and worker threads) still using the server: `<pid>-<thread>-<random>`. */
function liveUsers(dir: string): string[] {
  const { users } = paths(dir);
  if (!existsSync(users)) return [];
  return readdirSync(users).filter((name) => isLive(Number(name.split('-')[0])));
}

/**
 * Joins the embedded MongoDB on this data directory, starting it if none runs.
 * @throws EtlError NO_MONGOD_BINARY (no binary, or it did not start), OUT_DIR_UNWRITABLE, CONFIG_INVALID (version mismatch).
 */
export async function openEmbedded(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const dir = resolve(dataDir);
  try {
    await ensureDir(dir);
  } catch (err) {
    throw new EtlError('OUT_DIR_UNWRITABLE', `Cannot create the embedded MongoDB data directory ETL_DATA_DIR "${dir}" (${(err as NodeJS.ErrnoException).code}). Set ETL_DATA_DIR to a writable directory.`);
  }
  const p = paths(dir);
  const release = await lock(dir);
  const handle = join(p.users, `${process.pid}-${threadId}-${randomUUID().slice(0, 8)}`);
  let state: StateFile;
  let started = false;
  try {
    const running = readState(dir);
    if (running) state = running;
    else {
      state = await launch(dir, options);
      started = true;
    }
    await ensureDir(p.users);
    writeFileSync(handle, '');
  } finally {
    await release();
  }
  log('%s embedded mongod %s at %s', started ? 'started' : 'joined', state.version, state.uri);
  let left = false;
  return {
    uri: state.uri,
    started,
    async stop() {
      if (left) return;
      left = true;
      const unlock = await lock(dir);
      try {
        rmSync(handle, { force: true });
        const others = liveUsers(dir);
        if (others.length > 0) {
          log('leaving the embedded mongod running for %o', others);
          return;
        }
        const current = readState(dir);
        if (current) await shutdown(current.pid);
        rmSync(p.state, { force: true });
        rmSync(p.users, { recursive: true, force: true });
      } finally {
        await unlock();
      }
    },
  };
}

/** Where download progress goes while a download runs (the library's own printing is replaced). */
let progressTo: { observer?: DownloadObserver; lastAt: number } | undefined;

/**
 * mongodb-memory-server prints download progress with process.stdout.write / console.log,
 * which would corrupt `--json` or `--sink stdout` output the first time only. Its printer is
 * replaced, once, by one that reports to the observer of the download under way.
 */
async function routeDownloadProgress(): Promise<void> {
  // A CommonJS module whose class is `exports.default`: Node's import gives the exports object
  // as the namespace's default; other loaders (vitest) hand over the class itself.
  const mod = (await import('mongodb-memory-server-core/lib/util/MongoBinaryDownload.js')).default;
  const MongoBinaryDownload = (mod as unknown as { default?: typeof mod.default }).default ?? (mod as unknown as typeof mod.default);
  MongoBinaryDownload.prototype.printDownloadProgress = function (this: InstanceType<typeof MongoBinaryDownload>, chunk: { length: number }) {
    this.dlProgress.current += chunk.length;
    if (progressTo) {
      progressTo.lastAt = Date.now();
      progressTo.observer?.progress(this.dlProgress.current, this.dlProgress.length);
    }
  };
}

/**
 * The mongod binary: MONGOMS_SYSTEM_BINARY, the cache, or a download (once; later runs use
 * the cache). A download is announced to the observer first, reports its progress, and is
 * abandoned when it receives nothing for `stallMs`.
 * @throws EtlError NO_MONGOD_BINARY when the download stalls.
 */
async function resolveBinary(version: string, options: EmbeddedOptions): Promise<string> {
  const { DryMongoBinary, MongoBinary } = await import('mongodb-memory-server-core');
  const dry = await DryMongoBinary.generateOptions({ version });
  if (await DryMongoBinary.locateBinary(dry)) return MongoBinary.getPath({ version });
  await routeDownloadProgress();
  const stallMs = options.stallMs ?? 60_000;
  options.observer?.start({ version, cacheDir: dry.downloadDir });
  progressTo = { observer: options.observer, lastAt: Date.now() };
  let watchdog: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    watchdog = setInterval(() => {
      if (Date.now() - progressTo!.lastAt < stallMs) return;
      reject(new EtlError('NO_MONGOD_BINARY', `The download of MongoDB ${version} for the embedded server stalled (nothing received for ${Math.round(stallMs / 1000)} s).`, { hints: embeddedRemedies }));
    }, Math.min(1000, stallMs / 4));
  });
  try {
    return await Promise.race([MongoBinary.getPath({ version }), stalled]);
  } finally {
    clearInterval(watchdog);
    progressTo = undefined;
    options.observer?.end();
  }
}

/** Stops mongod cleanly (SIGTERM) and waits for it to exit. */
async function shutdown(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 30_000;
  while (isLive(pid) && Date.now() < deadline) await sleep(50);
  if (isLive(pid)) process.kill(pid, 'SIGKILL');
}

/** The version a mongod binary reports (`db version v8.2.6`). */
function binaryVersion(binary: string): string | undefined {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return /db version v(\d+\.\d+\.\d+)/.exec(r.stdout ?? '')?.[1];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });
}

/**
 * Resolves the binary (download once, or the cache, or MONGOMS_SYSTEM_BINARY), checks that
 * the data directory was made by the same version, and starts mongod detached.
 */
async function launch(dir: string, options: EmbeddedOptions): Promise<StateFile> {
  const p = paths(dir);
  // One download attempt: an offline machine should fail in seconds, not after retries.
  process.env.MONGOMS_MAX_RETRIES ??= '1';
  const pinned = pinnedMongoVersion();
  const wanted = process.env.MONGOMS_VERSION ?? pinned;
  let binary: string;
  try {
    binary = await resolveBinary(wanted, options);
  } catch (err) {
    if (err instanceof EtlError) throw err;
    log('binary lookup failed: %O', err);
    throw new EtlError('NO_MONGOD_BINARY', `No MONGODB_URI is set and no mongod binary could be obtained for the embedded MongoDB (${shortReason(err)}).`, {
      hints: embeddedRemedies,
      cause: err,
    });
  }
  const version = binaryVersion(binary) ?? process.env.MONGOMS_VERSION ?? pinned;
  const made = existsSync(p.version) ? readFileSync(p.version, 'utf8').trim() : undefined;
  if (made && made !== version) {
    throw new EtlError(
      'CONFIG_INVALID',
      `The embedded MongoDB data in ${dir} was created by MongoDB ${made}, but this run would open it with MongoDB ${version} (${binary}). Set MONGOMS_VERSION=${made} (or MONGOMS_SYSTEM_BINARY to a ${made} mongod), or ETL_DATA_DIR to another directory.`,
    );
  }
  const port = await freePort();
  const child = spawn(binary, ['--dbpath', dir, '--port', String(port), '--bind_ip', '127.0.0.1', '--logpath', p.log, '--logappend'], { detached: true, stdio: 'ignore' });
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `mongod exited with ${signal ?? `code ${code}`}`));
  child.once('error', (err) => (exited = err.message));
  child.unref();
  const deadline = Date.now() + 60_000;
  while (!(await accepts(port))) {
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill('SIGKILL');
      throw new EtlError('NO_MONGOD_BINARY', `The embedded MongoDB (${binary}) did not start on ${dir} (${exited ?? 'not listening after 60 s'}; see ${p.log}).`, { hints: embeddedRemedies });
    }
    await sleep(100);
  }
  if (!made) writeFileSync(p.version, `${version}\n`);
  const state: StateFile = { pid: child.pid!, uri: `mongodb://127.0.0.1:${port}/`, version };
  writeFileSync(p.state, JSON.stringify(state));
  return state;
}

function shortReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // The library's messages run over several lines ("Download failed for url …, Details:\n…").
  return msg.replace(/\s*\n\s*/g, ' ').trim().slice(0, 240);
}
