import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EtlError } from '../src/errors.js';
import { isLive, openEmbedded } from '../src/sinks/mongo/embedded.js';
import { root as repo } from './helpers/cli.js';

// The embedded server's safety (issue 28, item 5), with the stand-in mongod of
// test/helpers/fake-mongod.mjs, mostly in this process: a pid that is not the mongod is never
// signalled, a stale lock has exactly one successor (also among 30 processes), and mongod is
// stopped with the `shutdown` command.

const fakeMongod = fileURLToPath(new URL('./helpers/fake-mongod.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'etl-embedded-safety-'));
let dirs = 0;
function dataDir(): string {
  const dir = join(root, String(dirs++));
  mkdirSync(dir);
  return dir;
}

const dead = 2 ** 22 + 12_345; // above pid_max's default: no such process
const lockFile = (dir: string) => join(dir, 'etl-embedded.lock');
const stateFile = (dir: string) => join(dir, 'etl-embedded.json');
const lines = (dir: string, name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').trim().split('\n') : []);
/** The pids the stand-in mongod ran as on this data directory. */
const launches = (dir: string) => lines(dir, 'fake-mongod-launches').map(Number);
/** How the stand-in mongod was told to stop: 'shutdown' (the command) or 'SIGTERM'. */
const stops = (dir: string) => lines(dir, 'fake-mongod-stops');

function backdate(path: string, ms: number): void {
  const then = (Date.now() - ms) / 1000;
  utimesSync(path, then, then);
}

const strangers: ChildProcess[] = [];
/** A process of this user that has nothing to do with MongoDB, as a reused pid would be. */
function unrelatedProcess(): ChildProcess {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  strangers.push(child);
  return child;
}
const alive = (child: ChildProcess) => ({ live: isLive(child.pid!), signal: child.signalCode });

const opener = fileURLToPath(new URL('./helpers/embedded-opener.ts', import.meta.url));

/** An etl process using the embedded server on `dir`, driven by test/helpers/embedded-opener.ts. */
function embeddedUser(dir: string) {
  // From the repository, where `--import tsx` resolves; the environment (MONGOMS_SYSTEM_BINARY) is this test's.
  const child = spawn(process.execPath, ['--import', 'tsx', opener, dir], { cwd: repo });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const stdout = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await stdout.next();
    if (line.done) throw new Error(`embedded-opener ${child.pid} ended early: ${stderr}`);
    return line.value;
  };
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = next();
  const opened = ready.then(next).then((line) => JSON.parse(line) as { started: boolean; uri: string });
  return { child, ready, opened, exited };
}

beforeEach(() => {
  vi.stubEnv('MONGOMS_SYSTEM_BINARY', fakeMongod);
});
afterEach(() => {
  vi.unstubAllEnvs();
});
afterAll(() => {
  for (const child of strangers) child.kill('SIGKILL');
  // A failed test can leave stand-in mongods running.
  for (const dir of readdirSync(root)) for (const pid of launches(join(root, dir))) if (isLive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('a pid the state file names is signalled or joined only while it is that mongod', () => {
  it('a state file whose pid runs another program is stale: a new mongod is started, and the program is never signalled', async () => {
    const dir = dataDir();
    const stranger = unrelatedProcess();
    writeFileSync(stateFile(dir), JSON.stringify({ pid: stranger.pid, startTime: '1', command: `mongod --dbpath ${dir} --port 9`, port: 9, uri: 'mongodb://127.0.0.1:9/', version: '8.2.6' }));
    const server = await openEmbedded(dir);
    expect(alive(stranger)).toEqual({ live: true, signal: null });
    expect(server.started).toBe(true);
    expect(launches(dir)).toHaveLength(1);
    await server.stop();
    expect(alive(stranger)).toEqual({ live: true, signal: null });
    expect(stops(dir)).toEqual(['shutdown']);
    expect(existsSync(stateFile(dir))).toBe(false);
  });

  it('when mongod died and its pid went to another program, the last user to leave does not signal that program', async () => {
    const dir = dataDir();
    const server = await openEmbedded(dir);
    const [mongod] = launches(dir);
    process.kill(mongod, 'SIGKILL');
    await vi.waitFor(() => expect(isLive(mongod)).toBe(false), { timeout: 10_000 });
    const stranger = unrelatedProcess();
    writeFileSync(stateFile(dir), JSON.stringify({ ...JSON.parse(readFileSync(stateFile(dir), 'utf8')), pid: stranger.pid }));
    await server.stop();
    expect(alive(stranger)).toEqual({ live: true, signal: null });
    expect(stops(dir)).toEqual([]);
    expect(existsSync(stateFile(dir))).toBe(false);
  });
});

describe('the data directory lock', () => {
  it('30 processes finding a stale lock at once launch one mongod and all share it', async () => {
    const dir = dataDir();
    // A crashed etl's lock from long ago, as etl wrote locks before they named their holder's
    // start time and token: a bare pid, now unreadable, stale by its age.
    writeFileSync(lockFile(dir), String(dead));
    backdate(lockFile(dir), 60_000);
    writeFileSync(stateFile(dir), JSON.stringify({ pid: dead, port: 9, uri: 'mongodb://127.0.0.1:9/', version: '8.2.6' }));
    const users = Array.from({ length: 30 }, () => embeddedUser(dir));
    await Promise.all(users.map((u) => u.ready));
    // All loaded: open at once, so they race for the stale lock.
    for (const u of users) u.child.stdin.write('go\n');
    const opened = await Promise.all(users.map((u) => u.opened));
    expect(launches(dir)).toHaveLength(1);
    expect(opened.filter((o) => o.started)).toHaveLength(1);
    expect(new Set(opened.map((o) => o.uri)).size).toBe(1);
    for (const u of users) u.child.stdin.end();
    expect(await Promise.all(users.map((u) => u.exited))).toEqual(users.map(() => 0));
    expect(stops(dir)).toEqual(['shutdown']);
    // Neither the lock nor a claim on it is left behind.
    expect(readdirSync(dir).filter((f) => f.startsWith('etl-embedded.lock'))).toEqual([]);
  }, 120_000);

  it('30 callers in one process (as worker threads are) finding the lock of a dead holder launch one mongod and all share it', async () => {
    const dir = dataDir();
    writeFileSync(lockFile(dir), JSON.stringify({ pid: dead, token: 'crashed' }));
    const servers = await Promise.all(Array.from({ length: 30 }, () => openEmbedded(dir)));
    expect(launches(dir)).toHaveLength(1);
    expect(servers.filter((s) => s.started)).toHaveLength(1);
    await Promise.all(servers.map((s) => s.stop()));
    expect(stops(dir)).toEqual(['shutdown']);
    expect(readdirSync(dir).filter((f) => f.startsWith('etl-embedded.lock'))).toEqual([]);
  });

  it('an empty lock older than the timeout (its writer died before writing it) is taken over', async () => {
    const dir = dataDir();
    writeFileSync(lockFile(dir), '');
    backdate(lockFile(dir), 60_000);
    const server = await openEmbedded(dir, { lockWaitMs: 5000 });
    expect(server.started).toBe(true);
    await server.stop();
    expect(existsSync(lockFile(dir))).toBe(false);
  });

  it('a fresh empty lock is not taken over (its writer may be writing it): the wait ends with NO_MONGOD_BINARY', async () => {
    const dir = dataDir();
    writeFileSync(lockFile(dir), '');
    const err = await openEmbedded(dir, { lockWaitMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EtlError);
    expect((err as EtlError).code).toBe('NO_MONGOD_BINARY');
    expect(launches(dir)).toEqual([]);
    expect(readFileSync(lockFile(dir), 'utf8')).toBe('');
  });
});

describe('stopping the embedded mongod', () => {
  it('the last user stops it with the shutdown command, not a signal', async () => {
    const dir = dataDir();
    const server = await openEmbedded(dir);
    const [mongod] = launches(dir);
    await server.stop();
    expect(stops(dir)).toEqual(['shutdown']);
    await vi.waitFor(() => expect(isLive(mongod)).toBe(false), { timeout: 10_000 });
  });

  it('a mongod still running when the wait after shutdown is over gets SIGTERM', async () => {
    vi.stubEnv('FAKE_MONGOD_IGNORE_SHUTDOWN', '1');
    const dir = dataDir();
    const server = await openEmbedded(dir, { shutdownWaitMs: 1000 });
    const [mongod] = launches(dir);
    await server.stop();
    expect(stops(dir)).toEqual(['shutdown', 'SIGTERM']);
    await vi.waitFor(() => expect(isLive(mongod)).toBe(false), { timeout: 10_000 });
  });
});
