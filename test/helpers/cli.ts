import { type ChildProcess, spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = fileURLToPath(new URL('../../bin/etl.js', import.meta.url));

class Capture extends Writable {
  text = '';
  isTTY = false;
  columns?: number;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process (no exit), with captured output and a controlled environment. */
export async function runCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; signal?: AbortSignal; /** A terminal this wide on both streams. */ columns?: number } = {},
): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  if (opts.columns) for (const s of [stdout, stderr]) Object.assign(s, { isTTY: true, columns: opts.columns });
  const code = await main(['node', 'etl', ...args], { stdout, stderr, env: { NO_COLOR: '1', ...opts.env }, cwd: opts.cwd ?? root }, opts.signal);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Runs the built binary as a user would. */
export function runBin(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; timeout?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeout ?? 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Kills `child` with SIGKILL once `ready()` holds (polled every 10 ms, at most `timeoutMs`), unless
 * it has ended by then; resolves with how it ended, so a test can check that the kill landed.
 */
export async function killWhen(child: ChildProcess, ready: () => boolean, timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + timeoutMs;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline && !ready()) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  return exited;
}
