import type { Command } from './commander.js';
import type { LoadedConfig } from '../config/load.js';
import type { CommandName } from '../config/meta.js';
import type { CliIO } from './io.js';
import type { Output } from './output.js';

/** What every command's action gets: validated settings and where to print. */
export interface RunContext {
  config: LoadedConfig;
  out: Output;
  io: CliIO;
  /** Resolves when the user asks to stop (Ctrl-C / SIGTERM); set by the entry point. */
  stopSignal: AbortSignal;
}

/** Holds the context the preAction hook builds for the command about to run. */
export class ContextHolder {
  private ctx?: RunContext;

  constructor(
    private readonly io: CliIO,
    private readonly stopSignal: AbortSignal,
  ) {}

  /** Loads and validates every setting once, before any work (zod and chalk load only here, not for --help). */
  async load(actionCommand: Command): Promise<void> {
    const [{ loadSettings }, { Output }] = await Promise.all([import('../config/load.js'), import('./output.js')]);
    const flags = actionCommand.optsWithGlobals() as Record<string, unknown>;
    const command = actionCommand.name() as CommandName;
    const config = loadSettings({ command, flags, env: this.io.env, cwd: this.io.cwd });
    const s = config.settings;
    const out = new Output(this.io, {
      json: s.json,
      quiet: s.quiet,
      color: flags.color !== false,
      stdoutCarriesData: s.sink === 'stdout' && command !== 'stats',
    });
    this.ctx = { config, out, io: this.io, stopSignal: this.stopSignal };
  }

  get(): RunContext {
    if (!this.ctx) throw new Error('command context used before preAction');
    return this.ctx;
  }
}
