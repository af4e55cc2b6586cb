import { Command, CommanderError, Option } from './commander.js';
import { isEtlError } from '../errors.js';
import { redactCredentialWords, redactText, secretsOf } from '../redact.js';
import { debugNamespaces } from '../shared/switches.js';
import { makeScheduleCommand, makeSeedCommand, makeStatsCommand, makeStreamCommand, makeVerifyCommand } from './commands.js';
import { ContextHolder } from './context.js';
import { addGlobalOptions } from './options.js';
import type { CliIO } from './io.js';
import { version } from './version.js';


/** Commands that generate records for long: the V8 flags that help them are set for them alone. */
const streamingCommands = new Set(['stream', 'schedule']);

/**
 * Where records are written at once (files, null, stdout), the old generation grows by 20 % past
 * what a full collection left before the next one, instead of V8's up to 4×: such a stream's old
 * generation is mostly garbage waiting (orders of the living store promoted before they
 * settled), and V8 let the main thread's grow to ~95 MB before collecting it. Measured side by
 * side, 2 workers, 10 M records to null: peak RSS 198–248 → 194–196 MB, ~2 % more CPU (jsonl,
 * 1 M: ~245 → ~190 MB). Into MongoDB the old generation holds the batches in flight, and the same
 * setting cost 55 % more CPU (1 M records through the wire peer: 10.7 → 16.5 CPU s; 50 %: 13.2,
 * 100 %: 11.5), so there V8 keeps its own. Worker threads get their young generation's size when
 * they are created (run/stream.ts); V8's flags hold for every thread of the process.
 */
async function tuneHeapForStreaming(sink: string): Promise<void> {
  if (sink === 'mongo') return;
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--heap-growing-percent=20');
}

/**
 * A usage error of commander's as one line (its suggestion joined on, else where to look),
 * passwords redacted: `error: unknown option '--limt' (Did you mean --limit?)`.
 */
export function oneLineError(text: string): string {
  const line = redactCredentialWords(redactText(text))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return `${/did you mean/i.test(line) ? line : `${line} (run with --help for usage)`}\n`;
}

/** Builds the `etl` program from the command definitions (src/cli/commands.ts). */
export function makeProgram(holder: ContextHolder, io: CliIO): Command {
  const program = new Command('etl')
    .description('Stream realistic, linked e-commerce data into MongoDB')
    .version(version, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortOptions: false })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(oneLineError(s)),
    })
    .exitOverride();
  addGlobalOptions(program);
  // Our settings file flag is --dotenv because Node claims --env-file (it reads that file itself, or
  // exits when it is missing); spelling is too far apart for commander's suggestion, so say it here.
  program.addOption(new Option('--env-file [path]').hideHelp());
  program.on('option:env-file', () =>
    program.error("error: unknown option '--env-file' (did you mean --dotenv <path>? --env-file is Node's own option)", { code: 'commander.unknownOption', exitCode: 2 }),
  );
  program.addHelpText(
    'after',
    `
Quick start:
  $ etl seed && etl stream --duration 1m    catalog, then a minute of events
  $ etl stream --sink jsonl --out ./data --from 2026-01-01 --to 2026-01-02
  $ etl stats
  $ etl seed --profile adaptive-bi && etl stream --profile adaptive-bi
      as the Adaptive-BI Phase 1 service (its collections, its .env)

Environment: MONGODB_URI, MONGODB_DATABASE and ETL_* (see .env.example).
Exit codes: 0 success, 1 finished but lost or rejected work,
            2 usage, configuration or connection error.`,
  );
  program.hook('preAction', async (_thisCommand, actionCommand) => {
    await holder.load(actionCommand);
    if (streamingCommands.has(actionCommand.name())) await tuneHeapForStreaming(holder.get().config.settings.sink);
  });
  for (const cmd of [makeSeedCommand(holder), makeStreamCommand(holder), makeStatsCommand(holder), makeVerifyCommand(holder), makeScheduleCommand(holder)]) {
    cmd.exitOverride().configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(oneLineError(s)),
    });
    cmd.showSuggestionAfterError(true).configureHelp({ showGlobalOptions: true, sortOptions: false });
    program.addCommand(cmd);
  }
  return program;
}

/**
 * Runs the CLI and returns the exit code (0 ok, 1 lost/rejected work, 2 usage/config/connection).
 * Never exits the process itself.
 */
export async function main(argv: string[], io: CliIO, stopSignal: AbortSignal = new AbortController().signal): Promise<number> {
  const holder = new ContextHolder(io, stopSignal);
  const program = makeProgram(holder, io);
  const verbose = argv.includes('--verbose') || debugNamespaces(io.env.ETL_DEBUG) !== undefined;
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are successes; every other commander error is usage (2).
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    const secrets = secretsFromArgv(argv, io.env);
    if (isEtlError(err)) {
      io.stderr.write(`${redactText(`error: ${err.message}`, secrets)}\n`);
      for (const hint of err.hints) io.stderr.write(`  - ${redactText(hint, secrets)}\n`);
      if (verbose && err.cause) io.stderr.write(`${redactText(String((err.cause as Error).stack ?? err.cause), secrets)}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`${redactText(`error: unexpected failure: ${message.split('\n')[0]}`, secrets)}\n`);
    if (verbose && err instanceof Error) io.stderr.write(`${redactText(String(err.stack), secrets)}\n`);
    else io.stderr.write('  (run with --verbose or ETL_DEBUG=1 for details)\n');
    return 1;
  }
}

/** Passwords of any connection string the user gave, to scrub from messages we did not write. */
function secretsFromArgv(argv: string[], env: Record<string, string | undefined>): string[] {
  const given = argv.flatMap((a, i) => (a === '--uri' ? [argv[i + 1]] : a.startsWith('--uri=') ? [a.slice(6)] : []));
  return [...given, env.MONGODB_URI].flatMap((uri) => secretsOf(uri));
}
