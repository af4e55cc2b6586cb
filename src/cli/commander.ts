import { createRequire } from 'node:module';
import type * as Commander from 'commander';

/**
 * commander, loaded as the CommonJS module it is: importing it as ESM makes Node scan its
 * source for export names first, a few milliseconds of every `etl` start-up (`--help` is
 * measured by `npm run bench` against bare node). The types are commander's own.
 */
const commander = createRequire(import.meta.url)('commander') as typeof Commander;

export const { Command, CommanderError, Option } = commander;
export type Command = Commander.Command;
export type CommanderError = Commander.CommanderError;
export type Option = Commander.Option;
