import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { EtlError } from '../errors.js';
import { logger } from '../log.js';
import { redactText, redactUriLike } from '../redact.js';
import { type ProfileName, profileNames } from '../shared/profiles.js';
import { debugNamespaces } from '../shared/switches.js';
import { type CommandName, type SettingKey, type Settings, settingsFor, settingsMeta, settingsSchema, settingLabel } from './settings.js';
import { databaseInUri } from './values.js';

const log = logger('config');

/** Where a value came from; `uri`: the database named in the connection string's path. */
export type SettingSource = 'flag' | 'env' | 'env-file' | 'profile-env' | 'profile-env-file' | 'uri' | 'default' | 'unset';

export interface LoadInput {
  command: CommandName;
  /** Parsed commander options (values are strings or booleans; absent = not given). */
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The present, for rules about dates (a backfill cannot start in the future); default: the clock. */
  now?: Date;
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

/** Precedence of where a value comes from, highest first (README "Configuration"). */
const precedence: readonly SettingSource[] = ['flag', 'env', 'env-file', 'profile-env', 'profile-env-file', 'default', 'unset'];

/** The raw values and where each came from: what messages and precedence decisions need. */
interface Provenance {
  raw: Record<string, string>;
  sources: Record<SettingKey, SettingSource>;
  /** The profile's own variable names used. */
  aliases: Partial<Record<SettingKey, string>>;
  envFile?: string;
}

/** How high a setting's source stands (larger wins); a database named in the URI stands where the URI does. */
function rank(p: Provenance, key: SettingKey): number {
  const source = p.sources[key] === 'uri' ? p.sources.uri : p.sources[key];
  return precedence.length - precedence.indexOf(source);
}

/** True when the user gave the setting somewhere (not its default). */
function given(p: Provenance, key: SettingKey): boolean {
  return p.sources[key] !== 'default' && p.sources[key] !== 'unset';
}

/** The name a setting was given under, and where (undefined for a flag or a default). */
function origin(key: SettingKey, p: Provenance): { name: string; place?: string } {
  const meta = settingsMeta[key];
  const source = p.sources[key];
  if (source === 'flag') return { name: settingLabel(key) };
  if (source === 'env') return { name: meta.env ?? key, place: 'environment' };
  if (source === 'env-file') return { name: meta.env ?? key, place: `in ${p.envFile}` };
  if (source === 'profile-env') return { name: p.aliases[key] ?? key, place: 'environment' };
  if (source === 'profile-env-file') return { name: p.aliases[key] ?? key, place: `in ${p.envFile}` };
  if (source === 'uri') {
    const uri = origin('uri', p);
    return { name: `database in ${uri.name}`, place: uri.place };
  }
  return { name: `${settingLabel(key)} default` };
}

/** Where a setting was given, for "Invalid …" lines: `--products`, `ETL_USERS (environment)`. */
function whereGiven(key: SettingKey, p: Provenance): string {
  const o = origin(key, p);
  return o.place ? `${o.name} (${o.place})` : o.name;
}

/** A setting as the user gave it, value included (redacted): `--rate 2000`, `ETL_INTERVAL=1 (in /app/.env)`. */
function named(key: SettingKey, p: Provenance): string {
  const o = origin(key, p);
  const value = shown(key, p);
  if (p.sources[key] === 'flag') return settingsMeta[key].flag?.includes('<') ? `${o.name} ${value}` : o.name;
  return `${o.name}=${value}${o.place ? ` (${o.place})` : ''}`;
}

/** A setting's value as an error shows it: passwords redacted, also of a connection string that does not parse. */
function shown(key: SettingKey, p: Provenance): string {
  const raw = p.raw[key] ?? '';
  return key === 'uri' ? redactUriLike(redactText(raw)) : redactText(raw);
}

function exampleFor(key: SettingKey, p: Provenance): string {
  const meta = settingsMeta[key];
  const source = p.sources[key];
  const alias = p.aliases[key];
  if (source === 'uri') return `${exampleFor('uri', p)}/${meta.example}`;
  if ((source === 'profile-env' || source === 'profile-env-file') && alias) return `${alias}=${meta.example}`;
  if ((source === 'env' || source === 'env-file' || !meta.flag) && meta.env) return `${meta.env}=${meta.example}`;
  return meta.flag?.includes('<') ? `${settingLabel(key)} ${meta.example}` : settingLabel(key);
}

/** A setting's default under a profile (raw), if it has one. */
function defaultOf(key: SettingKey, profile: ProfileName | undefined): string | undefined {
  const meta = settingsMeta[key];
  return (profile && meta.profileDefault?.[profile]) || meta.default;
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

/** Reads a validated raw setting table, or throws one line per bad value. */
function parseRaw(p: Provenance): Settings {
  const parsed = settingsSchema.safeParse(p.raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const key = issue.path[0] as SettingKey;
    const value = shown(key, p);
    return `Invalid ${whereGiven(key, p)}: "${value}" ${issue.message}. Example: ${exampleFor(key, p)}`;
  });
  throw new EtlError('CONFIG_INVALID', lines.join('\n'), { details: { settings: parsed.error.issues.map((i) => i.path[0]) } });
}

/**
 * Merges flags > environment > env file > defaults and validates every value once. Where two
 * settings cannot both hold, the one given higher in that order wins and the other falls back
 * to its default (a `.env` never overrules what the user typed); given at the same level, they
 * are an error.
 * @throws EtlError CONFIG_INVALID naming the setting, the (redacted) value and a valid example.
 */
export function loadSettings(input: LoadInput): LoadedConfig {
  const envFile = readEnvFile(input.flags, input.env, input.cwd);
  const p: Provenance = { raw: {}, sources: {} as Record<SettingKey, SettingSource>, aliases: {}, envFile: envFile.path };
  const { raw, sources, aliases } = p;
  const keys = Object.keys(settingsMeta) as SettingKey[];
  const accepted = new Set(settingsFor(input.command));
  const valueOf = (name: string | undefined, from: Record<string, string | undefined>) => (name !== undefined && from[name] !== undefined && from[name] !== '' ? from[name] : undefined);
  // `profile` comes first in the table: under a profile, its service's variable names and defaults apply.
  let profile: ProfileName | undefined;

  for (const key of keys) {
    const meta = settingsMeta[key];
    const flag = accepted.has(key) && meta.flag ? input.flags[attributeName(meta.flag)] : undefined;
    const alias = profile && meta.profileEnv?.[profile];
    let value: string | undefined;
    let source: SettingSource = 'unset';
    if (flag !== undefined && flag !== null) {
      value = String(flag);
      source = 'flag';
    } else if ((value = valueOf(meta.env, input.env)) !== undefined) {
      source = 'env';
    } else if ((value = valueOf(meta.env, envFile.values)) !== undefined) {
      source = 'env-file';
    } else if ((value = valueOf(alias, input.env)) !== undefined) {
      source = 'profile-env';
    } else if ((value = valueOf(alias, envFile.values)) !== undefined) {
      source = 'profile-env-file';
    } else if ((value = defaultOf(key, profile)) !== undefined) {
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

  chooseDatabase(p, profile);
  let settings = parseRaw(p);
  let loser: SettingKey | undefined;
  while ((loser = yieldingSetting(settings, p, input.command)) !== undefined) {
    const fallback = defaultOf(loser, profile);
    if (fallback === undefined) delete raw[loser];
    else raw[loser] = fallback;
    sources[loser] = fallback === undefined ? 'unset' : 'default';
    settings = parseRaw(p);
  }
  if (debugNamespaces(input.env.ETL_DEBUG) !== undefined) settings.verbose = true;
  checkCombinations(settings, p, input.command, input.now ?? new Date());
  return { settings, sources, envFile: envFile.path };
}

/**
 * The database: --db / MONGODB_DATABASE, else the one the connection string names
 * (`mongodb://host/shop`), else the profile's default. A URI stands where it was given, so one
 * typed as --uri names the database over a MONGODB_DATABASE from the environment or a file.
 */
function chooseDatabase(p: Provenance, profile: ProfileName | undefined): void {
  const inUri = p.raw.uri === undefined ? undefined : databaseInUri(p.raw.uri);
  if (inUri !== undefined && rank(p, 'uri') > rank(p, 'db')) {
    p.raw.db = inUri;
    p.sources.db = 'uri';
  }
  // An old .env's MONGODB_DATABASE=ecommerce under --profile adaptive-bi would mix one profile's
  // collections into the other's database: the profile, given higher, brings its own default.
  const own = defaultOf('db', profile);
  const othersDefaults = profileNames.filter((name) => name !== profile).map((name) => defaultOf('db', name));
  const othersDatabase = p.sources.db !== 'uri' && p.raw.db !== own && othersDefaults.includes(p.raw.db);
  if (own !== undefined && othersDatabase && rank(p, 'profile') > rank(p, 'db')) {
    log('%s is another profile’s database: %s wins, database %s', named('db', p), named('profile', p), own);
    p.raw.db = own;
    p.sources.db = 'default';
  }
}

/** Pairs of settings that cannot both hold, for the commands where they meet. */
const exclusive: ReadonlyArray<{
  keys: readonly [SettingKey, SettingKey];
  commands: readonly CommandName[];
  clash: (s: Settings, p: Provenance) => boolean;
  message: (a: string, b: string) => string;
}> = [
  {
    keys: ['rate', 'interval'],
    commands: ['stream', 'schedule'],
    clash: (_s, p) => given(p, 'rate') && given(p, 'interval'),
    message: (a, b) => `${a} and ${b} both pace the stream: use --rate N alone, or --interval S with --batch-size N`,
  },
  {
    keys: ['speed', 'rate'],
    commands: ['stream', 'schedule'],
    clash: (_s, p) => given(p, 'speed') && given(p, 'rate'),
    message: (a, b) => `${a} and ${b} both pace the run: use one`,
  },
  {
    keys: ['json', 'sink'],
    commands: ['seed', 'stream', 'schedule'],
    clash: (s) => s.json && s.sink === 'stdout',
    message: (a, b) => `${a} and ${b} both write to stdout: use one (records with --sink stdout, or figures with --json)`,
  },
  {
    keys: ['sink', 'workers'],
    commands: ['stream', 'schedule'],
    clash: (s) => s.sink === 'stdout' && s.workers > 1,
    message: (a, b) => `${a} writes one ordered stream but ${b} asks for several: use --workers 1`,
  },
];

/**
 * The setting that must fall back to its default because another one, given higher in
 * precedence, contradicts it (undefined when none does).
 * @throws EtlError CONFIG_INVALID when two contradicting settings were given at the same level.
 */
function yieldingSetting(s: Settings, p: Provenance, command: CommandName): SettingKey | undefined {
  for (const rule of exclusive) {
    if (!rule.commands.includes(command) || !rule.clash(s, p)) continue;
    const [a, b] = rule.keys;
    const difference = rank(p, a) - rank(p, b);
    // Where records go never changes silently (it would start the embedded MongoDB, or write a
    // database nobody chose): a sink given lower in precedence is an error, not a default.
    const sinkWouldYield = (difference > 0 ? b : a) === 'sink';
    if (difference !== 0 && !sinkWouldYield) {
      const [winner, loser] = difference > 0 ? [a, b] : [b, a];
      log('%s wins over %s', named(winner, p), named(loser, p));
      return loser;
    }
    throw new EtlError('CONFIG_INVALID', rule.message(named(a, p), named(b, p)), { details: { settings: [a, b] } });
  }
  return undefined;
}

function conflict(message: string, key: SettingKey): EtlError {
  return new EtlError('CONFIG_INVALID', message, { details: { settings: [key] } });
}

const day = 86_400_000;

/** Rules between settings that no single value can break. */
function checkCombinations(s: Settings, p: Provenance, command: CommandName, now: Date): void {
  if (command === 'schedule') {
    if (!s.cron) throw conflict('etl schedule needs --cron, e.g. --cron "*/5 * * * *" (every 5 minutes)', 'cron');
    if (s.limit === undefined && s.duration === undefined) throw conflict('etl schedule needs a bound for each job: --limit N or --duration T (e.g. --limit 10000)', 'limit');
  }
  if (command !== 'stream' && command !== 'schedule') return;
  if (s.from && s.from.getTime() > now.getTime()) {
    const nowText = now.toISOString().replace(/:\d{2}\.\d{3}Z$/, 'Z');
    const weekAgo = new Date(now.getTime() - 7 * day).toISOString().slice(0, 10);
    throw conflict(`${named('from', p)} is in the future (now is ${nowText}): a backfill replays the past. Give an earlier date, e.g. --from ${weekAgo}, or leave --from out to stream live`, 'from');
  }
  if (s.to && !s.from) throw conflict(`${named('to', p)} needs --from: a backfill runs from --from to --to`, 'to');
  if (s.from && s.to && s.to.getTime() <= s.from.getTime()) {
    throw conflict(`${named('to', p)} must be after ${named('from', p)}: give a --to later than --from`, 'to');
  }
  if (s.speed !== undefined && !s.from) throw conflict(`${named('speed', p)} applies to a backfill: add --from <date>`, 'speed');
  if (s.sessionsPerDay !== undefined && !s.from && s.rate !== 'population') {
    throw conflict(`${named('sessionsPerDay', p)} sets a backfill's traffic (or a live stream's under --rate population): add --from <date>, or --rate population`, 'sessionsPerDay');
  }
  if (s.rate === 'population' && s.from) {
    throw conflict(`${named('rate', p)} is for a live stream: a backfill follows the users' own rate already (leave --rate out, or --speed 1 for real time)`, 'rate');
  }
}
