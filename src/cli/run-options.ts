import { basename } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { type SettingKey, settingsMeta } from '../config/meta.js';
import { redactUri } from '../redact.js';

/** The options stored in etl_runs (and compared by --resume): effective values, connection string redacted. */
export function runOptions(config: LoadedConfig, seed: number): Record<string, unknown> {
  const s = config.settings;
  return {
    profile: s.profile,
    sink: s.sink,
    out: s.sink === 'jsonl' ? s.out : undefined,
    db: s.sink === 'mongo' ? s.db : undefined,
    uri: s.sink === 'mongo' && s.uri ? redactUri(s.uri) : undefined,
    seed,
    rate: s.rate,
    interval: s.rate === undefined ? s.interval : undefined,
    batchSize: s.batchSize,
    duration: s.duration,
    limit: s.limit,
    workers: s.workers,
    partition: s.partition ? `${s.partition.index}/${s.partition.count}` : undefined,
    from: s.from?.toISOString(),
    to: s.to?.toISOString(),
    speed: s.speed,
    fraudRate: s.fraudRate,
    dirtyRate: s.dirtyRate,
    mix: s.mix,
    lifecycle: s.lifecycle ? 'on' : 'off',
    scenario: s.scenario?.map((x) => x.text),
    answers: s.answers || undefined,
    sessionsPerDay: s.sessionsPerDay,
  };
}

/** Settings a resumed stream must be told again when they were typed as flags (the environment and .env stay as they were). */
const resumeKeys: SettingKey[] = ['profile', 'uri', 'db', 'dataDir', 'sink', 'out', 'rate', 'interval', 'batchSize', 'duration', 'limit', 'workers', 'partition', 'from', 'to', 'speed', 'sessionsPerDay', 'fraudRate', 'dirtyRate', 'mix', 'lifecycle', 'scenario', 'answers', 'inFlight'];

/**
 * The command that continues this run when pasted: `etl stream --resume --seed S` and every
 * option the user typed (sink, directory, bounds, content options). A connection string with a
 * password is not printed: the hint names where it goes instead.
 */
export function resumeCommand(config: LoadedConfig, seed: number, extra: string[] = []): string {
  const s = config.settings;
  // As the README runs it: npx finds the project's etl (a global install answers to `etl` alone).
  const args = ['npx', 'etl', 'stream', '--resume', '--seed', String(seed)];
  // A settings file other than ./.env must be named again (./.env is read where the hint is pasted).
  if (config.envFile && basename(config.envFile) !== '.env') args.push('--dotenv', config.envFile);
  for (const key of resumeKeys) {
    if (config.sources[key] !== 'flag') continue;
    const flag = settingsMeta[key].flag!;
    // A switch is given by its name alone; a repeatable flag once per value.
    if (!flag.includes('<')) {
      if (s[key as keyof typeof s] === true) args.push(flag);
      continue;
    }
    if (key === 'scenario') {
      for (const spec of s.scenario ?? []) args.push(flag.split(' ')[0], spec.text);
      continue;
    }
    const value = flagValue(key, s);
    if (value === undefined) continue;
    args.push(flag.split(' ')[0], value);
  }
  return [...args.map(quoteArg), ...extra].join(' ');
}

function flagValue(key: SettingKey, s: LoadedConfig['settings']): string | undefined {
  const v = s[key as keyof typeof s];
  if (v === undefined || v === null) return undefined;
  if (key === 'uri') return redactUri(String(v)) === String(v) ? String(v) : '<your connection string>';
  if (v instanceof Date) return v.toISOString();
  if (key === 'duration') return `${Number(v) / 1000}s`;
  if (key === 'partition') return `${s.partition!.index}/${s.partition!.count}`;
  if (key === 'mix') return s.mix.preset ?? `views=${Math.round(s.mix.views * 100)},cart=${Math.round(s.mix.cart * 100)},orders=${Math.round(s.mix.orders * 100)}`;
  return String(v);
}

/** Quotes an argument for a POSIX shell when it needs it. */
function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
