/**
 * The settings table as plain data (no zod): flags, environment variables, defaults and
 * help texts. `--help` needs only this, so it stays cheap to load.
 */

import type { ProfileName } from '../shared/profiles.js';

export const settingKeys = [
  'profile',
  'uri',
  'db',
  'dataDir',
  'sink',
  'out',
  'seed',
  'products',
  'users',
  'reset',
  'chunkSize',
  'rate',
  'interval',
  'batchSize',
  'duration',
  'limit',
  'workers',
  'partition',
  'from',
  'to',
  'speed',
  'sessionsPerDay',
  'fraudRate',
  'dirtyRate',
  'mix',
  'lifecycle',
  'scenario',
  'answers',
  'resume',
  'inFlight',
  'since',
  'fromDir',
  'watch',
  'cron',
  'timezone',
  'maxJobs',
  'json',
  'quiet',
  'verbose',
] as const;
export type SettingKey = (typeof settingKeys)[number];

export type CommandName = 'seed' | 'stream' | 'stats' | 'schedule' | 'verify';

export interface SettingMeta {
  /** Commander flag, e.g. "--batch-size <n>". Absent: environment only. */
  flag?: string;
  /** Environment variable; absent: flag only. */
  env?: string;
  /** Raw default (validated like any other value); absent: unset. */
  default?: string;
  description: string;
  /** A valid example, used in error messages. */
  example: string;
  /** Which commands take it; 'global' = every command. */
  commands: ReadonlyArray<CommandName | 'global'>;
  /** Under a profile: the variable that profile's own service reads for it (ours wins where both are set). */
  profileEnv?: Partial<Record<ProfileName, string>>;
  /** Under a profile: its default instead of ours. */
  profileDefault?: Partial<Record<ProfileName, string>>;
  /** The flag may be given more than once: its values are joined with ";" (as the variable takes them). */
  repeatable?: boolean;
}

const streamish: ReadonlyArray<CommandName> = ['stream', 'schedule'];

export const settingsMeta: Record<SettingKey, SettingMeta> = {
  profile: {
    flag: '--profile <name>',
    env: 'ETL_PROFILE',
    default: 'ecom-etl',
    description: 'document shapes: ecom-etl (ours), or adaptive-bi (a drop-in for the Adaptive-BI Phase 1 service: its collections, fields, validators, database)',
    example: 'adaptive-bi',
    commands: ['global'],
  },
  uri: {
    flag: '--uri <mongodb-uri>',
    env: 'MONGODB_URI',
    description: 'MongoDB connection string; unset = embedded MongoDB (mongodb-memory-server)',
    example: 'mongodb://localhost:27017',
    commands: ['global'],
  },
  db: {
    flag: '--db <name>',
    env: 'MONGODB_DATABASE',
    default: 'ecommerce',
    profileDefault: { 'adaptive-bi': 'adaptive_bi' },
    description: 'database name (if unset: the one the connection string names, as in mongodb://host/shop, or else the default)',
    example: 'ecommerce',
    commands: ['global'],
  },
  dataDir: {
    env: 'ETL_DATA_DIR',
    default: '.etl/mongodb',
    description: 'data directory of the embedded MongoDB (kept between runs)',
    example: '/var/lib/ecom-etl',
    commands: ['global'],
  },
  sink: {
    flag: '--sink <name>',
    env: 'ETL_SINK',
    default: 'mongo',
    description: 'where records go: mongo, jsonl (files in --out), stdout (NDJSON), null (encode and discard)',
    example: 'jsonl',
    commands: ['seed', 'stream', 'schedule'],
  },
  out: {
    flag: '--out <dir>',
    env: 'ETL_OUT',
    default: 'etl-data',
    description: 'output directory of the jsonl sink',
    example: './data',
    commands: ['seed', 'stream', 'schedule'],
  },
  seed: {
    flag: '--seed <n>',
    env: 'ETL_SEED',
    description: 'random seed (same seed => same records); seed: 42, stream: random, printed',
    example: '42',
    commands: ['seed', ...streamish],
  },
  products: {
    flag: '--products <n>',
    env: 'ETL_PRODUCTS',
    default: '100',
    profileEnv: { 'adaptive-bi': 'MAX_PRODUCTS' },
    description: 'number of products (stream, schedule: of the catalog made where the target has none)',
    example: '5000',
    commands: ['seed', ...streamish],
  },
  users: {
    flag: '--users <n>',
    env: 'ETL_USERS',
    default: '1000',
    profileEnv: { 'adaptive-bi': 'MAX_USERS' },
    description: 'number of users (stream, schedule: of the catalog made where the target has none)',
    example: '100000',
    commands: ['seed', ...streamish],
  },
  reset: { flag: '--reset', description: 'drop and recreate the catalog before seeding', example: 'true', default: 'false', commands: ['seed'] },
  chunkSize: {
    env: 'ETL_CHUNK_SIZE',
    default: '10000',
    description: 'catalog documents generated and written per chunk (memory stays flat)',
    example: '10000',
    commands: ['seed'],
  },
  rate: {
    flag: '--rate <n>',
    env: 'ETL_RATE',
    description: 'records per second: live, the visit rate that gives it on average; in a backfill, held steadily. population: the users\' own rate (live)',
    example: '2000',
    commands: streamish,
  },
  interval: {
    flag: '--interval <seconds>',
    env: 'ETL_INTERVAL',
    default: '1',
    // Its config.py's default.
    profileDefault: { 'adaptive-bi': '2' },
    profileEnv: { 'adaptive-bi': 'STREAMING_INTERVAL' },
    description: 'seconds between batches (without --rate); live: --batch-size / --interval records a second, written every --interval',
    example: '5',
    commands: streamish,
  },
  batchSize: {
    flag: '--batch-size <n>',
    env: 'ETL_BATCH_SIZE',
    default: '500',
    // Its config.py's default: transactions per interval (with 3 activities and 1/5 inventory update each).
    profileDefault: { 'adaptive-bi': '10' },
    profileEnv: { 'adaptive-bi': 'BATCH_SIZE' },
    description: 'events per batch (--profile adaptive-bi: transactions, with 3 activities and 1/5 inventory update each); an unpaced backfill into MongoDB with no batch size set (flag or env) writes 40,000 records a batch',
    example: '1000',
    commands: streamish,
  },
  duration: { flag: '--duration <time>', env: 'ETL_DURATION', description: 'stop after this long (30s, 5m, 1h)', example: '5m', commands: streamish },
  limit: { flag: '--limit <n>', env: 'ETL_LIMIT', description: 'stop after this many events', example: '100000', commands: streamish },
  workers: { flag: '--workers <n>', env: 'ETL_WORKERS', default: '1', description: 'threads, each with its own partition: the first in the main thread, the others in workers', example: '2', commands: streamish },
  partition: {
    flag: '--partition <I/N>',
    env: 'ETL_PARTITION',
    description: 'this process is partition I (0-based) of N, for scaling out over processes or machines',
    example: '0/4',
    commands: streamish,
  },
  from: { flag: '--from <date>', env: 'ETL_FROM', description: 'backfill: simulated clock starts here', example: '2026-01-01', commands: ['stream'] },
  to: { flag: '--to <date>', env: 'ETL_TO', description: 'backfill: stop when the simulated clock reaches this', example: '2026-01-08', commands: ['stream'] },
  speed: {
    flag: '--speed <x>',
    env: 'ETL_SPEED',
    description: 'backfill: simulated time runs X times faster than wall time',
    example: '3600',
    commands: ['stream'],
  },
  sessionsPerDay: {
    flag: '--sessions-per-day <n>',
    env: 'ETL_SESSIONS_PER_DAY',
    description: 'backfill: visits a day to the whole store (default: from the users, by segment)',
    example: '5000',
    commands: streamish,
  },
  fraudRate: {
    flag: '--fraud-rate <share>',
    env: 'ETL_FRAUD_RATE',
    default: '0.02',
    description: 'share of orders that are labelled fraud scenarios',
    example: '0.02',
    commands: streamish,
  },
  dirtyRate: {
    flag: '--dirty-rate <share>',
    env: 'ETL_DIRTY_RATE',
    default: '0',
    description: 'share of records deliberately corrupted (they go to dead_letters)',
    example: '0.01',
    commands: streamish,
  },
  lifecycle: {
    flag: '--lifecycle <on|off>',
    env: 'ETL_LIFECYCLE',
    default: 'on',
    description: 'the living store: orders move through their lifecycle (order_events), prices change, reviews and user changes follow; off: insert-only records',
    example: 'off',
    commands: streamish,
  },
  mix: {
    flag: '--mix <spec>',
    env: 'ETL_MIX',
    default: 'views=60,cart=30,orders=10',
    description: 'long-run mix of views, cart events and orders, or "realistic" for real-store conversion',
    example: 'views=60,cart=30,orders=10',
    commands: streamish,
  },
  scenario: {
    flag: '--scenario <spec>',
    env: 'ETL_SCENARIOS',
    description:
      'a labelled scenario, NAME[:KEY=VALUE,...][@START[+DURATION]] (repeatable; the variable takes several joined with ";"): black-friday, flash-sale, bot-burst, payment-outage, late-arrivals, duplicate-delivery, schema-drift; START a date or a time after the run starts (4d), record time',
    example: 'black-friday@4d+1d',
    commands: streamish,
    repeatable: true,
  },
  answers: {
    flag: '--answers',
    env: 'ETL_ANSWERS',
    default: 'false',
    description: 'also write the answer key (etl_expected): per minute and hour of record time and per collection, what the stored records add up to; `etl verify` checks a target against it',
    example: 'true',
    commands: streamish,
  },
  resume: { flag: '--resume', default: 'false', description: 'continue the previous run (same seed) after its last checkpoint', example: 'true', commands: ['stream', 'schedule'] },
  inFlight: {
    env: 'ETL_IN_FLIGHT',
    default: '4',
    description: 'batches being written at once before generation waits (backpressure)',
    example: '4',
    commands: streamish,
  },
  since: { flag: '--since <time>', env: 'ETL_STATS_SINCE', description: 'stats: window before the newest event (30m, 1h, 7d); without it, all the data', example: '1h', commands: ['stats'] },
  fromDir: { flag: '--from <dir>', description: 'stats, verify: read a jsonl output directory instead of MongoDB', example: './data', commands: ['stats', 'verify'] },
  watch: { flag: '--watch', default: 'false', description: 'stats: refresh every 5 seconds until Ctrl-C', example: 'true', commands: ['stats'] },
  cron: {
    flag: '--cron <expr>',
    env: 'ETL_CRON',
    description: 'schedule: when jobs run (5 fields, or 6 with seconds first)',
    example: '"*/5 * * * *"',
    commands: ['schedule'],
  },
  timezone: { flag: '--timezone <tz>', env: 'ETL_TIMEZONE', description: 'schedule: time zone of the cron expression (default: local)', example: 'Europe/Berlin', commands: ['schedule'] },
  maxJobs: { flag: '--max-jobs <n>', env: 'ETL_MAX_JOBS', description: 'schedule: stop after this many jobs (default: until Ctrl-C)', example: '24', commands: ['schedule'] },
  json: { flag: '--json', default: 'false', description: 'machine-readable NDJSON on stdout (human text on stderr)', example: 'true', commands: ['global'] },
  quiet: { flag: '--quiet', default: 'false', description: 'print only the summary', example: 'true', commands: ['global'] },
  verbose: {
    flag: '--verbose',
    default: 'false',
    description: 'debug logging and stack traces (also on when ETL_DEBUG is set)',
    example: 'true',
    commands: ['global'],
  },
};

/** Settings a command accepts (its own plus the global ones). */
export function settingsFor(command: CommandName): SettingKey[] {
  return (Object.keys(settingsMeta) as SettingKey[]).filter((k) => {
    const c = settingsMeta[k].commands;
    return c.includes('global') || c.includes(command);
  });
}

/** Human name of where a setting is given: its flag, else its environment variable. */
export function settingLabel(key: SettingKey): string {
  const m = settingsMeta[key];
  return m.flag ? m.flag.split(' ')[0] : (m.env ?? key);
}
