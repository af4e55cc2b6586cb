import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EtlError } from '../src/errors.js';
import { openEmbedded } from '../src/sinks/mongo/embedded.js';
import { bin, root } from './helpers/cli.js';

// The embedded default's first run, with a download source the test controls: a local HTTP
// server serving a small archive through mongodb-memory-server's MONGOMS_DOWNLOAD_URL. The
// "mongod" in it is the stand-in of test/helpers/fake-mongod.mjs.

const fakeMongod = fileURLToPath(new URL('./helpers/fake-mongod.mjs', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'etl-first-run-'));

/** A .tgz with `mongodb-linux-x86_64-8.2.6/bin/mongod`, a script that runs the stand-in, padded to a realistic-ish size. */
function archive(): Buffer {
  const dir = tmp();
  const binDir = join(dir, 'mongodb-linux-x86_64-8.2.6', 'bin');
  mkdirSync(binDir, { recursive: true });
  // mongodb-memory-server treats a "mongod" under 1 MB as corrupted: pad the script with comments.
  writeFileSync(join(binDir, 'mongod'), `#!/bin/sh\nexec "${process.execPath}" "${fakeMongod}" "$@"\n${`# ${'-'.repeat(1000)}\n`.repeat(1200)}`);
  chmodSync(join(binDir, 'mongod'), 0o755);
  // Incompressible padding, so the download takes several chunks.
  writeFileSync(join(dir, 'mongodb-linux-x86_64-8.2.6', 'padding'), Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 2654435761) >>> 24)));
  const r = spawnSync('tar', ['czf', join(dir, 'mongodb.tgz'), '-C', dir, 'mongodb-linux-x86_64-8.2.6']);
  expect(r.status).toBe(0);
  return readFileSync(join(dir, 'mongodb.tgz'));
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** Serves the archive; `mode` decides how. Returns the download URL. */
async function serve(mode: 'ok' | 'error' | 'stall'): Promise<string> {
  const body = archive();
  const md5 = createHash('md5').update(body).digest('hex');
  server = createServer((req, res) => {
    if (req.url?.endsWith('.md5')) {
      // mongodb-memory-server checks the archive against the published MD5.
      const text = `${md5}  mongodb-linux-x86_64-ubuntu2204-8.2.6.tgz\n`;
      res.writeHead(200, { 'content-length': Buffer.byteLength(text) }).end(text);
      return;
    }
    if (mode === 'error') {
      res.writeHead(500).end('down for maintenance');
      return;
    }
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/gzip' });
    if (mode === 'stall') {
      res.write(body.subarray(0, 64 * 1024)); // then nothing
      return;
    }
    let offset = 0;
    const next = () => {
      if (offset >= body.length) return res.end();
      res.write(body.subarray(offset, (offset += 256 * 1024)));
      setTimeout(next, 20);
    };
    next();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/mongodb-linux-x86_64-ubuntu2204-8.2.6.tgz`;
}

function etl(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((r) => child.on('exit', (code) => r({ code, stdout, stderr })));
}

const downloadEnv = (url: string) => ({
  MONGOMS_DOWNLOAD_URL: url,
  MONGOMS_DOWNLOAD_DIR: tmp(),
  MONGOMS_PREFER_GLOBAL_PATH: 'false',
  // The test's server speaks plain HTTP on loopback.
  MONGOMS_USE_HTTP: 'true',
  ETL_DATA_DIR: tmp(),
});

describe('the embedded default’s first run', () => {
  it('announces the download on stderr, shows progress there, and leaves stdout to the data (--json parses line by line)', async () => {
    const env = downloadEnv(await serve('ok'));
    const r = await etl(['seed', '--products', '5', '--users', '5', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(r.stdout).not.toMatch(/Downloading|MongoDB 8\.2\.6/);
    expect(r.stderr).toMatch(/^Downloading MongoDB 8\.2\.6 once for the embedded server \(~100 MB, cached in .+\)\. Skip it with MONGODB_URI, MONGOMS_SYSTEM_BINARY or `docker compose up -d`\.$/m);
    expect(r.stderr).toMatch(/downloading MongoDB: \d+\.\d of \d+\.\d MB \(100 %\)/);
    // The second run finds the binary in the cache: no notice.
    const again = await etl(['seed', '--products', '5', '--users', '5', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/Downloading/);
  });

  it('with --quiet, only the notice', async () => {
    const r = await etl(['seed', '--products', '5', '--users', '5', '--quiet'], downloadEnv(await serve('ok')));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Downloading MongoDB 8\.2\.6/m);
    expect(r.stderr).not.toMatch(/downloading MongoDB:/);
  });

  it('a failed download exits 2 with one error line and the remedies, nothing on stdout', async () => {
    const r = await etl(['seed', '--json'], downloadEnv(await serve('error')));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/no mongod binary could be obtained .*500/);
    expect(r.stderr).toMatch(/^Downloading MongoDB 8\.2\.6/m);
    expect(r.stderr).toMatch(/MONGODB_URI/);
    expect(r.stderr).toMatch(/docker compose up -d/);
    expect(r.stderr).toMatch(/MONGOMS_SYSTEM_BINARY/);
  });

  it('a stalled download is abandoned after the stall limit with NO_MONGOD_BINARY', async () => {
    const env = downloadEnv(await serve('stall'));
    const saved = { ...process.env };
    Object.assign(process.env, env);
    const seen: string[] = [];
    try {
      const started = Date.now();
      const err = await openEmbedded(env.ETL_DATA_DIR, {
        stallMs: 1500,
        observer: { start: () => seen.push('start'), progress: (done) => seen.push(`progress ${done}`), end: () => seen.push('end') },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EtlError);
      expect((err as EtlError).code).toBe('NO_MONGOD_BINARY');
      expect((err as EtlError).message, (err as EtlError).message).toMatch(/stalled \(nothing received for 2 s\)/);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(seen[0]).toBe('start');
      expect(seen.some((s) => s.startsWith('progress'))).toBe(true);
      expect(seen.at(-1)).toBe('end');
    } finally {
      process.env = saved;
    }
  });
});
