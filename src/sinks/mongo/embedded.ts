import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, unlink, writeFile } from 'node:fs/promises';
import { type AddressInfo, connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { z } from 'zod';
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
 *   `etl-embedded.lock.<key>` briefly, by the one process replacing a stale lock;
 * - `etl-embedded.json`: the running server (mongod pid, start time and command line, port,
 *   URI, version);
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

/**
 * The state file. A pid alone does not name a process for long (a reboot, an OOM kill or pid
 * wrap-around gives it to another), so the mongod's start time and command line are kept too.
 */
const stateSchema = z.object({
  pid: z.number().int().positive(),
  startTime: z.string().optional(),
  command: z.string().optional(),
  port: z.number().int().positive(),
  uri: z.string(),
  version: z.string(),
});
type StateFile = z.infer<typeof stateSchema>;

/** The lock file: who holds it; the token tells apart two holders with one pid (threads, in-process callers). */
const holderSchema = z.object({
  pid: z.number().int().positive(),
  startTime: z.string().optional(),
  token: z.string().min(1),
});
type LockHolder = z.infer<typeof holderSchema>;

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
  /** How long to wait for another process's lock on the data directory (default 120 s). */
  lockWaitMs?: number;
  /** How long mongod gets to exit after the shutdown command before it is signalled (default 30 s). */
  shutdownWaitMs?: number;
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

/** What tells a process apart from a later one given the same pid. Fields the OS would not tell are absent. */
interface ProcessIdentity {
  /** When it started, in the OS's terms (clock ticks after boot on Linux, a date elsewhere). */
  startTime?: string;
  /** Its command line, arguments joined by spaces. */
  command?: string;
}

/**
 * Who runs as `pid` now, or undefined when nothing (or a zombie) does. Best effort: /proc on
 * Linux, `ps` on other Unixes, CIM through PowerShell on Windows.
 */
function processIdentity(pid: number): ProcessIdentity | undefined {
  if (!isLive(pid)) return undefined;
  if (process.platform === 'win32') return cimIdentity(pid);
  const fromProc = process.platform === 'linux' ? procIdentity(pid) : null;
  return fromProc === null ? psIdentity(pid) : fromProc;
}

/** From /proc; null when /proc cannot be read (not mounted, or hidden), so `ps` is asked instead. */
function procIdentity(pid: number): ProcessIdentity | undefined | null {
  let stat: string;
  let cmdline: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null;
  }
  // Field 2, the command name, is in parentheses and may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field 22 (starttime) is fields[19]. A zombie has exited already.
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return { startTime: fields[19], command: cmdline.split('\0').filter(Boolean).join(' ') };
}

function psIdentity(pid: number): ProcessIdentity | undefined {
  const r = spawnSync('ps', ['-ww', '-o', 'lstart=', '-o', 'command=', '-p', String(pid)], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, LC_ALL: 'C' } });
  if (r.error) return {};
  // lstart is five words in the C locale: "Mon Nov 30 17:46:00 2025".
  const m = /^\s*(\S+\s+\S+\s+\S+\s+\S+\s+\S+)\s+(.*?)\s*$/.exec(r.stdout ?? '');
  return m ? { startTime: m[1], command: m[2] } : undefined;
}

function cimIdentity(pid: number): ProcessIdentity | undefined {
  const script = `$p = Get-CimInstance Win32_Process -Filter 'ProcessId=${pid}'; if ($p) { $p.CreationDate.ToFileTimeUtc(); $p.CommandLine }`;
  const r = spawnSync('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], { encoding: 'utf8', timeout: 15_000, windowsHide: true });
  if (r.error) return {};
  const [startTime, ...command] = (r.stdout ?? '').trim().split(/\r?\n/);
  return startTime ? { startTime, command: command.join(' ') || undefined } : undefined;
}

/**
 * True when the state's pid still runs the mongod the state describes: the same start time and
 * command line, as far as the OS tells them. Nothing to compare proves nothing, so it is false.
 */
function runsStateMongod(state: StateFile): boolean {
  const now = processIdentity(state.pid);
  if (!now) return false;
  const compared = (['startTime', 'command'] as const).filter((k) => state[k] !== undefined && now[k] !== undefined);
  return compared.length > 0 && compared.every((k) => now[k] === state[k]);
}

let ownStartTime: string | undefined;

/**
 * True while a lock's holder runs: its pid is live and, where both are known, started when the
 * holder did. An unknown start time counts as the same: a lock wrongly thought held costs a
 * wait, one wrongly thought stale lets two processes in.
 */
function holderRuns(holder: LockHolder): boolean {
  if (!isLive(holder.pid)) return false;
  const startTime = holder.startTime === undefined ? undefined : processIdentity(holder.pid)?.startTime;
  return startTime === undefined || startTime === holder.startTime;
}

/** An empty or unreadable lock (its writer died between creating and writing it) is stale after this long. */
const UNREADABLE_LOCK_STALE_MS = 15_000;

interface LockSeen {
  holder?: LockHolder;
  /** Names this lock file and no later one: its holder's token, or for an unreadable file its inode and mtime. */
  key: string;
  mtimeMs: number;
}

/** The lock file at `path`, or undefined when there is none. */
async function readLock(path: string): Promise<LockSeen | undefined> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    // Content and mtime from one open file, so both describe the same lock.
    const info = await fh.stat();
    const text = await fh.readFile('utf8');
    const holder = parseHolder(text);
    return { holder, key: holder?.token ?? `i${info.ino}-${info.mtimeMs}`, mtimeMs: info.mtimeMs };
  } finally {
    await fh.close();
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    return holderSchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

const isStale = (seen: LockSeen) => (seen.holder ? !holderRuns(seen.holder) : Date.now() - seen.mtimeMs > UNREADABLE_LOCK_STALE_MS);

/**
 * One attempt at the lock file `path` for `me`: true when `me` holds it now.
 *
 * Deleting a stale lock and creating a new one races: a second process that saw the same stale
 * lock deletes the new one. So a stale lock is replaced only by whoever creates, exclusively,
 * the claim named after it (`<path>.<key>`), confirms the lock is still the one it saw, and
 * renames the claim over it: the lock is never absent, and exactly one process replaces each
 * stale lock. A claim whose writer died is itself a stale lock, taken over the same way.
 */
async function tryLock(path: string, me: LockHolder): Promise<boolean> {
  try {
    await writeFile(path, JSON.stringify(me), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const seen = await readLock(path);
  if (!seen || !isStale(seen)) return false;
  const claim = `${path}.${seen.key}`;
  if (!(await tryLock(claim, me))) return false;
  if ((await readLock(path))?.key !== seen.key) {
    await releaseLock(claim, me);
    return false;
  }
  log('taking over the stale lock %s (%s)', path, seen.holder ? `pid ${seen.holder.pid}` : 'unreadable');
  try {
    await rename(claim, path);
  } catch (err) {
    // Windows can refuse to replace a file another program holds open (a virus scanner): try again later.
    log('replacing the stale lock failed: %s', (err as Error).message);
    await releaseLock(claim, me);
    return false;
  }
  return true;
}

/** Removes the lock file at `path` if `me` holds it. */
async function releaseLock(path: string, me: LockHolder): Promise<void> {
  if ((await readLock(path))?.holder?.token === me.token) await unlink(path).catch(() => undefined);
}

/**
 * Takes the data directory's lock, waiting while another live process holds it. Returns the release function.
 * @throws EtlError NO_MONGOD_BINARY when another live process holds it for longer than `waitMs`.
 */
async function lock(dir: string, waitMs: number): Promise<() => Promise<void>> {
  const { lock: path } = paths(dir);
  ownStartTime ??= processIdentity(process.pid)?.startTime;
  const me: LockHolder = { pid: process.pid, startTime: ownStartTime, token: randomUUID() };
  const deadline = Date.now() + waitMs;
  while (!(await tryLock(path, me))) {
    if (Date.now() > deadline) {
      const holder = (await readLock(path))?.holder;
      throw new EtlError(
        'NO_MONGOD_BINARY',
        `Another etl process (${holder ? `pid ${holder.pid}` : 'pid not yet written'}) has been holding ${path} for ${Math.round(waitMs / 1000)} s. Wait for it, or set ETL_DATA_DIR to another directory.`,
      );
    }
    await sleep(100);
  }
  return () => releaseLock(path, me);
}

/** The server running on this data directory: the state file, if the mongod it names still runs. */
function readState(dir: string): StateFile | undefined {
  let state: StateFile;
  try {
    state = stateSchema.parse(JSON.parse(readFileSync(paths(dir).state, 'utf8')));
  } catch {
    return undefined; // absent or unreadable: no server
  }
  if (runsStateMongod(state)) return state;
  log('the state file names pid %d, which no longer runs that mongod: stale', state.pid);
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
  const lockWaitMs = options.lockWaitMs ?? 120_000;
  const release = await lock(dir, lockWaitMs);
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
      const unlock = await lock(dir, lockWaitMs);
      try {
        rmSync(handle, { force: true });
        const others = liveUsers(dir);
        if (others.length > 0) {
          log('leaving the embedded mongod running for %o', others);
          return;
        }
        const current = readState(dir);
        if (current) await stopMongod(current, options.shutdownWaitMs ?? 30_000);
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

/**
 * Stops mongod with the `shutdown` command, on every platform: it flushes and exits cleanly,
 * where a signal on Windows is a hard kill that can lose the last w:1 writes. Signals are the
 * fallback when it does not exit in time, each sent only to a pid still proven to be this mongod.
 */
async function stopMongod(state: StateFile, waitMs: number): Promise<void> {
  if ((await sendShutdown(state.uri)) && (await exits(state, waitMs))) return;
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    if (!runsStateMongod(state)) return;
    log('mongod %d did not exit after the shutdown command: sending %s', state.pid, signal);
    try {
      process.kill(state.pid, signal);
    } catch {
      return;
    }
    if (await exits(state, 10_000)) return;
  }
}

/**
 * Sends mongod the `shutdown` command; true when it was delivered. mongod closes the connection
 * instead of answering, so a network error on the command is the expected success.
 */
async function sendShutdown(uri: string): Promise<boolean> {
  const { MongoClient, MongoNetworkError } = await import('mongodb');
  const client = new MongoClient(uri, { directConnection: true, serverSelectionTimeoutMS: 5000, connectTimeoutMS: 5000, socketTimeoutMS: 10_000 });
  try {
    await client.db('admin').command({ shutdown: 1 });
    return true;
  } catch (err) {
    if (err instanceof MongoNetworkError) return true;
    log('the shutdown command failed: %s', (err as Error).message);
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Waits up to `ms` for the state's mongod to be gone; true when it is. */
async function exits(state: StateFile, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (runsStateMongod(state)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** The version a mongod binary reports (`db version v8.2.6`). */
function binaryVersion(binary: string): string | undefined {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000, windowsHide: true });
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
  // Detached so it outlives this process; hidden, or Windows opens a console window for it.
  const child = spawn(binary, ['--dbpath', dir, '--port', String(port), '--bind_ip', '127.0.0.1', '--logpath', p.log, '--logappend'], { detached: true, stdio: 'ignore', windowsHide: true });
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
  // Read now, while the pid is certainly our child's: later readers compare against it.
  const { startTime, command } = processIdentity(child.pid!) ?? {};
  const state: StateFile = { pid: child.pid!, startTime, command, port, uri: `mongodb://127.0.0.1:${port}/`, version };
  writeFileSync(p.state, JSON.stringify(state));
  return state;
}

function shortReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // The library's messages run over several lines ("Download failed for url …, Details:\n…").
  return msg.replace(/\s*\n\s*/g, ' ').trim().slice(0, 240);
}
