import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, runCli } from './helpers/cli.js';
import { FaultProxy } from './helpers/proxy.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'etl-secret-'));
const password = 'Sup3r-S3cret-pw';
const targets = {
  'unreachable host': `mongodb://etl:${password}@nonexistent.invalid:27017/?serverSelectionTimeoutMS=1500`,
  'refused port': `mongodb://etl:${password}@127.0.0.1:9/?serverSelectionTimeoutMS=1500`,
  'malformed URI': `mongodb://etl:${password}@127.0.0.1:notaport/`,
  // Not connection strings at all (the parser refuses them): the credentials are still masked.
  'a scheme without "://"': `mongodb//etl:${password}@127.0.0.1:27017/`,
  'no scheme': `etl:${password}@127.0.0.1:27017`,
  'another scheme, a password with an unescaped @': `http://etl:${password}@pw@127.0.0.1/x`,
};

describe('the password of a connection string never appears in any output', () => {
  for (const [what, uri] of Object.entries(targets)) {
    for (const via of ['flag', 'environment', '.env file'] as const) {
      it(`${what}, given by ${via}`, () => {
        const dir = tmp();
        const args = ['seed', '--products', '5', '--users', '5', '--verbose'];
        let env: Record<string, string> = {};
        if (via === 'flag') args.push('--uri', uri);
        if (via === 'environment') env = { MONGODB_URI: uri };
        if (via === '.env file') writeFileSync(join(dir, '.env'), `MONGODB_URI=${uri}\n`);
        const r = runBin(args, { cwd: dir, env });
        expect(r.code).toBe(2);
        expect(r.stdout + r.stderr).not.toContain(password);
        expect(r.stderr).toMatch(/etl:\*\*\*\*@/);
      });
    }
  }

  it('nor in the usage error of a mistyped flag that carries a connection string', async () => {
    for (const arg of [`--urii=mongodb//etl:${password}@127.0.0.1`, `--url=mongodb://etl:${password}/x@127.0.0.1`, `--uri-typo=etl:${password}@127.0.0.1:27017`]) {
      const r = await runCli(['stream', '--sink', 'null', arg]);
      expect(r.code, arg).toBe(2);
      expect(r.stderr, arg).toMatch(/^error: unknown option '--[a-z-]+=[^']*etl:\*\*\*\*@127\.0\.0\.1[^']*' \(run with --help for usage\)\n$/);
      expect(r.stdout + r.stderr).not.toContain(password);
    }
  });

  it('nor in etl_runs or dead letters of a run that had MONGODB_URI set', async () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const r = await runCli(['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-01-01', '--limit', '5000', '--dirty-rate', '0.05', '--json'], {
      cwd: dir,
      env: { MONGODB_URI: targets['refused port'] },
    });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(password);
    const files = readdirSync(out);
    expect(files).toContain('etl_runs.jsonl');
    expect(files).toContain('dead_letters.jsonl');
    for (const f of files) expect(readFileSync(join(out, f), 'utf8')).not.toContain(password);
  });
});

describe('fault proxy (used against a real server where one exists)', () => {
  it('forwards bytes both ways and cuts every open connection on demand', async () => {
    const echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const port = (echo.address() as { port: number }).port;
    const proxy = new FaultProxy('127.0.0.1', port);
    const proxyPort = await proxy.start();
    const client = connect(proxyPort, '127.0.0.1');
    const reply = await new Promise<string>((resolve) => {
      client.once('data', (d) => resolve(d.toString()));
      client.write('ping');
    });
    expect(reply).toBe('ping');
    const closed = new Promise((r) => client.on('close', r));
    expect(proxy.cut()).toBe(2);
    await closed;
    expect(client.destroyed).toBe(true);
    await proxy.stop();
    await new Promise((r) => echo.close(r));
  });
});
