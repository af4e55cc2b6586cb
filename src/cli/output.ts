import type { Writable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';

/** The process's streams and environment, passed in so commands can be tested without a process. */
export interface CliIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface OutputMode {
  json: boolean;
  quiet: boolean;
  color: boolean;
  /** The data itself goes to stdout (sink stdout): human text must not. */
  stdoutCarriesData: boolean;
}

/**
 * Routes what the CLI prints: NDJSON objects to stdout with --json, human text to stdout
 * (or stderr when stdout carries data), colours only on a terminal and never with NO_COLOR.
 */
export class Output {
  readonly c: ChalkInstance;
  readonly human: Writable & { isTTY?: boolean; columns?: number };
  readonly interactive: boolean;

  constructor(
    readonly io: CliIO,
    readonly mode: OutputMode,
  ) {
    this.human = mode.json || mode.stdoutCarriesData ? io.stderr : io.stdout;
    const noColorEnv = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
    const colour = mode.color && !noColorEnv && (Boolean(this.human.isTTY) || (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0'));
    this.c = new Chalk({ level: colour ? 1 : 0 });
    // Live lines and progress bars only for a person at a terminal.
    this.interactive = Boolean(io.stderr.isTTY) && !mode.quiet;
  }

  /** A line of human text (suppressed by --quiet unless `always`). */
  line(text: string, always = false): void {
    if (this.mode.quiet && !always) return;
    this.human.write(`${text}\n`);
  }

  /** The summary: always printed (also with --quiet). */
  summary(text: string): void {
    this.human.write(`${text}\n`);
  }

  /** One NDJSON object on stdout (only with --json). */
  json(obj: unknown): void {
    if (this.mode.json) this.io.stdout.write(`${JSON.stringify(obj)}\n`);
  }
}

const nf = new Intl.NumberFormat('en-US');
export function fmtInt(n: number): string {
  return nf.format(Math.round(n));
}

export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** Renders rows as an aligned text table (numbers right-aligned). */
export function table(headers: string[], rows: Array<Array<string | number>>, c?: ChalkInstance): string {
  const cells = rows.map((r) => r.map((v) => (typeof v === 'number' ? fmtInt(v) : v)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === 'number'));
  const fmt = (r: string[]) => r.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ');
  const head = fmt(headers);
  return [c ? c.bold(head) : head, ...cells.map(fmt)].join('\n');
}
