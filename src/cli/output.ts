import type { Writable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';

import { wrapLine } from './format.js';
import type { CliIO } from './io.js';

export type { CliIO } from './io.js';

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

  /** Columns of the terminal human text goes to; undefined when it is not a terminal (a log has no width). */
  get width(): number | undefined {
    const stream = this.interactive && !this.human.isTTY ? this.io.stderr : this.human;
    return stream.isTTY && stream.columns ? stream.columns : undefined;
  }

  /** A line of human text (suppressed by --quiet unless `always`). */
  line(text: string, always = false): void {
    if (this.mode.quiet && !always) return;
    this.human.write(`${this.fit(text)}\n`);
  }

  /** The summary: always printed (also with --quiet). */
  summary(text: string): void {
    this.human.write(`${this.fit(text)}\n`);
  }

  /** On a terminal, prose broken at spaces to its width (a terminal would break words). */
  private fit(text: string): string {
    const width = this.human.isTTY ? this.human.columns : undefined;
    if (!width) return text;
    return text
      .split('\n')
      .flatMap((l) => wrapLine(l, width))
      .join('\n');
  }

  /** One NDJSON object on stdout (only with --json). */
  json(obj: unknown): void {
    if (this.mode.json) this.io.stdout.write(`${JSON.stringify(obj)}\n`);
  }
}
