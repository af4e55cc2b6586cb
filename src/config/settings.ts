import { z } from 'zod';
import type { SettingKey } from './meta.js';
import {
  boolValue,
  dateValue,
  dbNameValue,
  durationValue,
  fractionValue,
  onOffValue,
  scenariosValue,
  intValue,
  mixValue,
  numberValue,
  partitionValue,
  pathValue,
  profileValue,
  rateValue,
  sinkValue,
  cronValue,
  timezoneValue,
  uriValue,
} from './values.js';

/**
 * The one schema of every setting. Raw values are strings from flags, the environment,
 * an env file or the defaults below; this schema turns them into typed settings.
 */
export const settingsShape = {
  profile: profileValue,
  uri: uriValue.optional(),
  db: dbNameValue,
  dataDir: pathValue,
  sink: sinkValue,
  out: pathValue,
  seed: intValue(0, 4_294_967_295).optional(),
  products: intValue(1, 10_000_000),
  users: intValue(1, 100_000_000),
  reset: boolValue,
  chunkSize: intValue(1, 100_000),
  rate: rateValue({ min: 0, max: 10_000_000 }).optional(),
  interval: numberValue({ min: 0, max: 86_400, minExclusive: true }),
  batchSize: intValue(1, 100_000),
  duration: durationValue.optional(),
  limit: intValue(1, 1_000_000_000_000).optional(),
  workers: intValue(1, 64),
  partition: partitionValue.optional(),
  from: dateValue.optional(),
  to: dateValue.optional(),
  speed: numberValue({ min: 0, max: 1_000_000_000, minExclusive: true }).optional(),
  sessionsPerDay: numberValue({ min: 0, max: 1_000_000_000, minExclusive: true }).optional(),
  fraudRate: fractionValue,
  dirtyRate: fractionValue,
  mix: mixValue,
  lifecycle: onOffValue,
  scenario: scenariosValue.optional(),
  answers: boolValue,
  resume: boolValue,
  inFlight: intValue(1, 64),
  since: durationValue.optional(),
  fromDir: pathValue.optional(),
  watch: boolValue,
  cron: cronValue.optional(),
  timezone: timezoneValue.optional(),
  maxJobs: intValue(1, 1_000_000_000).optional(),
  json: boolValue,
  quiet: boolValue,
  verbose: boolValue,
} as const satisfies Record<SettingKey, unknown>;

export const settingsSchema = z.object(settingsShape);
export type Settings = z.infer<typeof settingsSchema>;

export { type CommandName, type SettingKey, settingsMeta, settingsFor, settingLabel } from './meta.js';
