import type { LoadedConfig } from '../config/load.js';
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
    sessionsPerDay: s.sessionsPerDay,
  };
}
