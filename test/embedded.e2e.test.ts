import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { isLive, pinnedMongoVersion } from '../src/sinks/mongo/embedded.js';
import { bin, root } from './helpers/cli.js';

// The embedded server's process management (start, share, lock, last-user-stops, version pin),
// with a stand-in mongod binary that serves the scripted wire peer: what is tested is which
// process starts, joins and stops the server, not the server.

const fakeMongod = fileURLToPath(new URL('./helpers/fake-mongod.mjs', import.meta.url));
const tmpRoot = mkdtempSync(join(tmpdir(), 'etl-embedded-'));
const newDataDir = () => mkdtempSync(join(tmpRoot, 'data-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function etl(dataDir: string, args: string[], env: Record<string, string> = {}): { done: Promise<Run> } {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ETL_DATA_DIR: dataDir, MONGOMS_SYSTEM_BINARY: fakeMongod, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return { done: new Promise((r) => child.on('exit', (code) => r({ code, stdout, stderr }))) };
}

const launches = (dir: string) => (existsSync(join(dir, 'fake-mongod-launches')) ? readFileSync(join(dir, 'fake-mongod-launches'), 'utf8').trim().split('\n') : []);
const stops = (dir: string) => (existsSync(join(dir, 'fake-mongod-stops')) ? readFileSync(join(dir, 'fake-mongod-stops'), 'utf8').trim().split('\n') : []);
const state = (dir: string) => join(dir, 'etl-embedded.json');

async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** After the last user left, the mongod it started must be gone, stopped by the shutdown command. */
async function expectStopped(dir: string): Promise<void> {
  expect(existsSync(state(dir))).toBe(false);
  expect(stops(dir)).toEqual(['shutdown']);
  for (const pid of launches(dir).map(Number)) await until(() => !isLive(pid), 10_000);
}

afterEach(() => vi.restoreAllMocks());
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

describe('the embedded MongoDB, shared by etl processes on one data directory', () => {
  it('two processes starting at once launch one mongod; the loser joins it; the last one to leave stops it', async () => {
    const dir = newDataDir();
    const [a, b] = await Promise.all([etl(dir, ['seed', '--products', '20', '--users', '30', '--quiet']).done, etl(dir, ['seed', '--products', '20', '--users', '30', '--quiet']).done]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(launches(dir)).toHaveLength(1);
    await expectStopped(dir);
  });

  it('the process that started the server exits first: the other keeps its server and finishes with nothing lost', async () => {
    const dir = newDataDir();
    const first = etl(dir, ['stream', '--rate', '200', '--duration', '2s', '--quiet']);
    await until(() => existsSync(state(dir)));
    const second = etl(dir, ['stream', '--rate', '200', '--duration', '5s', '--seed', '3', '--json']);
    const a = await first.done;
    expect(a.code, a.stderr).toBe(0);
    // The first one has left; the server is still there for the second.
    expect(existsSync(state(dir))).toBe(true);
    const pid = Number(launches(dir)[0]);
    expect(isLive(pid)).toBe(true);
    const b = await second.done;
    expect(b.code, b.stderr).toBe(0);
    const summary = JSON.parse(b.stdout.trim().split('\n').pop()!);
    expect(summary.lost).toBe(0);
    expect(summary.counts.collections.product_views.written).toBeGreaterThan(0);
    expect(launches(dir)).toHaveLength(1);
    await expectStopped(dir);
  });

  it('a data directory made by another MongoDB version is not opened: exit 2, one line naming both versions and the fix', async () => {
    const dir = newDataDir();
    writeFileSync(join(dir, 'etl-mongodb-version'), '7.0.14\n');
    const r = await etl(dir, ['seed', '--quiet']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/created by MongoDB 7\.0\.14, but this run would open it with MongoDB 8\.2\.6.*MONGOMS_VERSION=7\.0\.14/);
    expect(launches(dir)).toHaveLength(0);
  });

  it('a stale lock and state of a killed process are taken over', async () => {
    const dir = newDataDir();
    const dead = 2 ** 22 + 12_345; // above pid_max's default: no such process
    writeFileSync(join(dir, 'etl-embedded.lock'), JSON.stringify({ pid: dead, token: 'crashed' }));
    writeFileSync(state(dir), JSON.stringify({ pid: dead, port: 9, uri: 'mongodb://127.0.0.1:9/', version: '8.2.6' }));
    const r = await etl(dir, ['seed', '--products', '5', '--users', '5', '--quiet']).done;
    expect(r.code, r.stderr).toBe(0);
    expect(launches(dir)).toHaveLength(1);
    await expectStopped(dir);
  });

  it('the MongoDB version is pinned in package.json', () => {
    expect(pinnedMongoVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('a pid that answers EPERM (reused by another user’s process) is not a live owner', () => {
    vi.spyOn(process, 'kill').mockImplementation(() => {
      throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    });
    expect(isLive(4242)).toBe(false);
  });
});
