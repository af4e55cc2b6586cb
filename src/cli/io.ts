import type { Writable } from 'node:stream';

/** The process's streams and environment, passed in so commands can be tested without a process. */
export interface CliIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  cwd: string;
}
