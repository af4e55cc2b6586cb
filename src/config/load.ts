import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { EtlError } from '../errors.js';
import { redactText } from '../redact.js';
import { type ProfileName, profileNames } from '../shared/profiles.js';
import { debugNamespaces } from '../shared/switches.js';
import { type CommandName, type SettingKey, type Settings, settingsFor, settingsMeta, settingsSchema, settingLabel } from './settings.js';

export type SettingSource = 'flag' | 'env' | 'env-file' | 'profile-env' | 'profile-env-file' | 'default' | 'unset';

export interface LoadInput {
  command: CommandName;
  /** Parsed commander options (values are strings or booleans; absent = not given). */
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface LoadedConfig {
  settings: Settings;
  sources: Record<SettingKey, SettingSource>;
  /** The env file that was read, if any. */
  envFile?: string;
}

/**
 * The settings file: `--dotenv FILE`, else ETL_ENV_FILE, else `.env` in the working directory
 * when there is one. (The flag is not called --env-file: Node claims that name, even after
 * the script name, and exits before the tool runs.)
 * @throws EtlError ENV_FILE_UNREADABLE when a file that was asked for cannot be read.
 */
function readEnvFile(flags: Record<string, unknown>, env: Record<string, string | undefined>, cwd: string): { path?: string; values: Record<string, string> } {
  const fromFlag = typeof flags.dotenv === 'string' ? flags.dotenv : undefined;
  const fromEnv = env.ETL_ENV_FILE ? env.ETL_ENV_FILE : undefined;
  const given = fromFlag ?? fromEnv;
  const path = resolve(cwd, given ?? '.env');
  if (!given && !existsSync(path)) return { values: {} };
  try {
    return { path, values: parseDotenv(readFileSync(path)) };
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    const source = fromFlag !== undefined ? '--dotenv' : fromEnv !== undefined ? 'ETL_ENV_FILE' : 'the settings file';
    throw new EtlError('ENV_FILE_UNREADABLE', `Cannot read ${source} "${given ?? path}" (${reason}). Give an existing file, e.g. --dotenv .env`, {
      details: { path },
    });
  }
}

/** Commander's attribute for a flag: "--batch-size <n>" → batchSize. */
function attributeName(flag: string): string {
  return flag
    .split(' ')[0]
    .replace(/^--/, '')
    .replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function whereGiven(key: SettingKey, source: SettingSource, envFile?: string, alias?: string): string {
  const meta = settingsMeta[key];
  if (source === 'flag') return settingLabel(key);
  if (source === 'env') return `${meta.env} (environment)`;
  if (source === 'env-file') return `${meta.env} (in ${envFile})`;
  if (source === 'profile-env') return `${alias} (environment)`;
  if (source === 'profile-env-file') return `${alias} (in ${envFile})`;
  return `${settingLabel(key)} default`;
}

function exampleFor(key: SettingKey, source: SettingSource, alias?: string): string {
  const meta = settingsMeta[key];
  if ((source === 'profile-env' || source === 'profile-env-file') && alias) return `${alias}=${meta.example}`;
  if ((source === 'env' || source === 'env-file' || !meta.flag) && meta.env) return `${meta.env}=${meta.example}`;
  return meta.flag?.includes('<') ? `${settingLabel(key)} ${meta.example}` : settingLabel(key);
}

/**
 * The partition a Kubernetes Indexed Job gives this pod: JOB_COMPLETION_INDEX (set by
 * Kubernetes) of ETL_PARTITIONS. `--partition` and ETL_PARTITION win over it.
 * @throws EtlError CONFIG_INVALID when only one of the two is set, or they do not fit.
 */
function jobPartition(env: Record<string, string | undefined>): string | undefined {
  const index = env.JOB_COMPLETION_INDEX;
  const count = env.ETL_PARTITIONS;
  if (!count) return undefined;
  const example = 'Example: ETL_PARTITIONS=4 in a Kubernetes Indexed Job with completions: 4 (or ETL_PARTITION=0/4)';
  if (!/^\d+$/.test(count) || Number(count) < 1 || Number(count) > 4096) {
    throw new EtlError('CONFIG_INVALID', `Invalid ETL_PARTITIONS (environment): "${count}" must be a whole number from 1 to 4096. ${example}`);
  }
  if (index === undefined || index === '') {
    throw new EtlError('CONFIG_INVALID', `ETL_PARTITIONS=${count} is set but JOB_COMPLETION_INDEX is not: run as a Kubernetes Indexed Job, or set ETL_PARTITION=I/${count}. ${example}`);
  }
  if (!/^\d+$/.test(index) || Number(index) >= Number(count)) {
    throw new EtlError('CONFIG_INVALID', `Invalid JOB_COMPLETION_INDEX (environment): "${index}" must be a whole number below ETL_PARTITIONS=${count}. ${example}`);
  }
  return `${index}/${count}`;
}

/**
 * Merges flags > environment > env file > defaults and validates every value once.
 * @throws EtlError CONFIG_INVALID naming the setting, the (redacted) value and a valid example.
 */
export function loadSettings(input: LoadInput): LoadedConfig {
  const envFile = readEnvFile(input.flags, input.env, input.cwd);
  const raw: Record<string, string> = {};
  const sources = {} as Record<SettingKey, SettingSource>;
  const keys = Object.keys(settingsMeta) as SettingKey[];
  const accepted = new Set(settingsFor(input.command));
  const given = (name: string | undefined, from: Record<string, string | undefined>) => (name !== undefined && from[name] !== undefined && from[name] !== '' ? from[name] : undefined);
  /** The profile's own variable names used (for messages). */
  const aliases: Partial<Record<SettingKey, string>> = {};
  // `profile` comes first in the table: under a profile, its service's variable names and defaults apply.
  let profile: ProfileName | undefined;

  for (const key of keys) {
    const meta = settingsMeta[key];
    const flag = accepted.has(key) && meta.flag ? input.flags[attributeName(meta.flag)] : undefined;
    const alias = profile && meta.profileEnv?.[profile];
    const profileDefault = profile && meta.profileDefault?.[profile];
    let value: string | undefined;
    let source: SettingSource = 'unset';
    if (flag !== undefined && flag !== null) {
      value = String(flag);
      source = 'flag';
    } else if ((value = given(meta.env, input.env)) !== undefined) {
      source = 'env';
    } else if ((value = given(meta.env, envFile.values)) !== undefined) {
      source = 'env-file';
    } else if ((value = given(alias, input.env)) !== undefined) {
      source = 'profile-env';
    } else if ((value = given(alias, envFile.values)) !== undefined) {
      source = 'profile-env-file';
    } else if ((value = profileDefault || meta.default) !== undefined) {
      source = 'default';
    }
    if (alias && (source === 'profile-env' || source === 'profile-env-file')) aliases[key] = alias;
    if (value !== undefined) raw[key] = value;
    sources[key] = source;
    if (key === 'profile') profile = (profileNames as readonly string[]).includes(value ?? '') ? (value as ProfileName) : undefined;
  }

  if (accepted.has('partition') && raw.partition === undefined) {
    const fromJob = jobPartition(input.env);
    if (fromJob) {
      raw.partition = fromJob;
      sources.partition = 'env';
    }
  }

  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as SettingKey;
      const value = redactText(raw[key] ?? '');
      return `Invalid ${whereGiven(key, sources[key], envFile.path, aliases[key])}: "${value}" ${issue.message}. Example: ${exampleFor(key, sources[key], aliases[key])}`;
    });
    throw new EtlError('CONFIG_INVALID', lines.join('\n'), { details: { settings: parsed.error.issues.map((i) => i.path[0]) } });
  }
  const settings = parsed.data;
  if (debugNamespaces(input.env.ETL_DEBUG) !== undefined) settings.verbose = true;
  checkCombinations(settings, sources, input.command);
  return { settings, sources, envFile: envFile.path };
}

function conflict(message: string, key: SettingKey): EtlError {
  return new EtlError('CONFIG_INVALID', message, { details: { settings: [key] } });
}

/** Rules between settings that no single value can break. */
function checkCombinations(s: Settings, sources: Record<SettingKey, SettingSource>, command: CommandName): void {
  if (s.json && s.sink === 'stdout' && command !== 'stats') throw conflict('--json and --sink stdout both write to stdout: use one (records with --sink stdout, or figures with --json)', 'json');
  if (command === 'schedule') {
    if (!s.cron) throw conflict('etl schedule needs --cron, e.g. --cron "*/5 * * * *" (every 5 minutes)', 'cron');
    if (s.limit === undefined && s.duration === undefined) throw conflict('etl schedule needs a bound for each job: --limit N or --duration T (e.g. --limit 10000)', 'limit');
  }
  if (command !== 'stream' && command !== 'schedule') return;
  if (s.rate !== undefined && sources.interval !== 'default') {
    throw conflict(`--rate and --interval both set (rate ${s.rate}, interval ${s.interval}s): use --rate N, or --interval S --batch-size N`, 'interval');
  }
  if (s.to && !s.from) throw conflict(`--to ${s.to.toISOString()} needs --from: a backfill runs from --from to --to`, 'to');
  if (s.from && s.to && s.to.getTime() <= s.from.getTime()) {
    throw conflict(`--to ${s.to.toISOString()} must be after --from ${s.from.toISOString()}`, 'to');
  }
  if (s.speed !== undefined && !s.from) throw conflict(`--speed ${s.speed} applies to a backfill: add --from <date>`, 'speed');
  if (s.speed !== undefined && s.rate !== undefined) throw conflict(`--speed ${s.speed} and --rate ${s.rate} both pace the run: use one`, 'speed');
  if (s.sink === 'stdout' && s.workers > 1) throw conflict(`--sink stdout writes one ordered stream: use --workers 1 (got ${s.workers})`, 'workers');
}
