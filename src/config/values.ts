import { type ScenarioSpec, parseScenario } from '../scenarios/spec.js';
import { z } from 'zod';
import { profileNames } from '../shared/profiles.js';
import { parseSwitch } from '../shared/switches.js';
import { ConnectionString } from 'mongodb-connection-string-url';
import { validateDetailed as validateCron } from 'node-cron';

/**
 * zod schemas for single raw setting values. Every raw value arrives as a string
 * (command-line flags and environment variables are text), so each schema parses text.
 */

const wholeNumber = /^[+-]?\d+$/;
const decimalNumber = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

export function intValue(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(wholeNumber, 'must be a whole number')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `must be at least ${min.toLocaleString('en-US')}`)
        .max(max, `must be at most ${max.toLocaleString('en-US')}`),
    );
}

export function numberValue(opts: { min: number; max: number; minExclusive?: boolean }) {
  const base = z.number().max(opts.max, `must be at most ${opts.max}`);
  return z
    .string()
    .trim()
    .regex(decimalNumber, 'must be a number')
    .transform(Number)
    .pipe(opts.minExclusive ? base.gt(opts.min, `must be greater than ${opts.min}`) : base.min(opts.min, `must be at least ${opts.min}`));
}

/** --rate: records a second, or `population` (the catalog's users' own visit rate, live). */
export function rateValue(opts: { min: number; max: number }) {
  const perSecond = numberValue({ ...opts, minExclusive: true });
  return z
    .string()
    .trim()
    .transform((s, ctx) => {
      if (s === 'population') return 'population' as const;
      const r = perSecond.safeParse(s);
      if (r.success) return r.data;
      for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message === 'must be a number' ? 'must be a number of records a second, or population' : issue.message });
      return z.NEVER;
    });
}

/** A share between 0 and 1; also accepts a percentage like "2%". */
export const fractionValue = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const pct = /^(\d+(\.\d+)?)%$/.exec(s);
    const n = pct ? Number(pct[1]) / 100 : decimalNumber.test(s) ? Number(s) : Number.NaN;
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: 'must be a share between 0 and 1 (e.g. 0.02 or 2%)' });
      return z.NEVER;
    }
    return n;
  })
  .pipe(z.number().min(0, 'must be at least 0').max(1, 'must be at most 1 (a share, e.g. 0.02)'));

export const boolValue = z
  .string()
  .refine((s) => parseSwitch(s) !== undefined, 'must be true or false')
  .transform((s) => parseSwitch(s) === true);

/** One or more scenarios joined with ";" (a repeated --scenario, or ETL_SCENARIOS): parsed specs. */
export const scenariosValue = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const specs: ScenarioSpec[] = [];
    const parts = s.split(';').map((x) => x.trim()).filter(Boolean);
    for (const part of parts) {
      const spec = parseScenario(part);
      if (typeof spec === 'string') {
        ctx.addIssue({ code: 'custom', message: parts.length > 1 ? `(in "${part}") ${spec}` : spec });
        return z.NEVER;
      }
      specs.push(spec);
    }
    return specs;
  });

/** `on` or `off` (the living store): parsed to a boolean. */
export const onOffValue = z
  .string()
  .trim()
  .toLowerCase()
  .refine((s) => s === 'on' || s === 'off', 'must be on or off')
  .transform((s) => s === 'on');

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** "30s", "5m", "1h", "1.5h", "250ms", "2d", or a bare number of seconds; parsed to milliseconds. */
export const durationValue = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration like 30s, 5m or 1h' });
      return z.NEVER;
    }
    const ms = Math.round(Number(m[1]) * durationUnits[m[2] ?? 's']);
    if (ms <= 0) {
      ctx.addIssue({ code: 'custom', message: 'must be longer than 0' });
      return z.NEVER;
    }
    if (ms > 366 * 86_400_000) {
      ctx.addIssue({ code: 'custom', message: 'must be at most 366d' });
      return z.NEVER;
    }
    return ms;
  });

/** An ISO date ("2026-01-01") or date-time ("2026-01-01T08:00:00Z"); dates without a zone are UTC. */
export const dateValue = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
    if (!iso.test(s)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO date like 2026-01-01 or 2026-01-01T08:00:00Z' });
      return z.NEVER;
    }
    const withZone = s.length === 10 ? `${s}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`;
    const d = new Date(withZone);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== withZone.slice(0, 10) && !/[+-]\d{2}:?\d{2}$/.test(withZone)) {
      ctx.addIssue({ code: 'custom', message: 'is not a real calendar date' });
      return z.NEVER;
    }
    if (d.getUTCFullYear() < 1970 || d.getUTCFullYear() > 2100) {
      ctx.addIssue({ code: 'custom', message: 'must be between 1970 and 2100' });
      return z.NEVER;
    }
    return d;
  });

export const mixKeys = ['views', 'cart', 'orders'] as const;
/** A target record mix (shares summing to 1), or the realistic shopper funnel (`preset`). */
export type Mix = Record<(typeof mixKeys)[number], number> & { preset?: 'realistic' };
/**
 * "views=60,cart=30,orders=10" (all three parts, any positive weights; normalised to shares
 * summing to 1), or "realistic" (real-store conversion; the record mix is whatever shoppers do).
 */
export const mixValue = z
  .string()
  .trim()
  .transform((s, ctx): Mix => {
    if (s.toLowerCase() === 'realistic') return { views: 0, cart: 0, orders: 0, preset: 'realistic' };
    const out: Partial<Mix> = {};
    for (const part of s.split(',')) {
      const m = /^\s*(\w+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
      const key = m?.[1] as (typeof mixKeys)[number] | undefined;
      if (!m || !key || !(mixKeys as readonly string[]).includes(key) || key in out) {
        ctx.addIssue({ code: 'custom', message: 'must be "realistic" or look like views=60,cart=30,orders=10 (each key once)' });
        return z.NEVER;
      }
      out[key] = Number(m[2]);
    }
    // A part left out is not read as 0: `views=50,cart=30` would silently mean no orders at all.
    const missing = mixKeys.filter((k) => out[k] === undefined);
    if (missing.length > 0) {
      ctx.addIssue({ code: 'custom', message: `is missing ${missing.join(' and ')}: name all three of views, cart and orders (orders=0 for none), or use "realistic"` });
      return z.NEVER;
    }
    const { views = 0, cart = 0, orders = 0 } = out;
    const total = views + cart + orders;
    if (views <= 0 || cart <= 0 || total <= 0) {
      ctx.addIssue({ code: 'custom', message: 'needs views and cart above 0 (orders may be 0)' });
      return z.NEVER;
    }
    if (orders > cart) {
      ctx.addIssue({ code: 'custom', message: 'orders cannot exceed cart (every order is a checkout cart event)' });
      return z.NEVER;
    }
    return { views: views / total, cart: cart / total, orders: orders / total };
  });

export interface Partition {
  index: number;
  count: number;
}
/** "I/N": this process is partition I (0-based) of N. */
export const partitionValue = z
  .string()
  .trim()
  .transform((s, ctx): Partition => {
    const m = /^(\d+)\/(\d+)$/.exec(s);
    const index = Number(m?.[1]);
    const count = Number(m?.[2]);
    if (!m || count < 1 || count > 4096 || index >= count) {
      ctx.addIssue({ code: 'custom', message: 'must be I/N with 0 <= I < N <= 4096 (e.g. 0/4 for the first of four)' });
      return z.NEVER;
    }
    return { index, count };
  });

export const sinkNames = ['mongo', 'jsonl', 'stdout', 'null'] as const;
export type SinkName = (typeof sinkNames)[number];
export const sinkValue = z.enum(sinkNames, { error: `must be one of ${sinkNames.join(', ')}` });

export const profileValue = z.enum(profileNames, { error: `must be one of ${profileNames.join(', ')}` });

export const uriValue = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .refine((s) => {
    try {
      const cs = new ConnectionString(s);
      // The parser accepts hosts the driver later refuses ("host:notaport"): check ports here.
      return cs.hosts.every((h) => {
        const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(h);
        return m !== null && (m[2] === undefined || Number(m[2]) <= 65535);
      });
    } catch {
      return false;
    }
  }, 'is not a valid MongoDB connection string (expected mongodb://host:port or mongodb+srv://host)');

// Databases a connection string names for authentication or the server's own use, never as a
// place for our collections (`mongodb://root:pw@host/admin` is a common way to say authSource).
const systemDatabases = new Set(['admin', 'local', 'config']);

/**
 * The database a connection string names in its path (`mongodb://host/shop` → shop), if any;
 * undefined for none, for admin/local/config, and for a string the URI schema refuses anyway.
 */
export function databaseInUri(uri: string): string | undefined {
  try {
    const name = decodeURIComponent(new ConnectionString(uri).pathname.replace(/^\//, ''));
    return name && !systemDatabases.has(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

// MongoDB database name rules: no / \ . " $ * < > : | ? or space, at most 63 bytes.
export const dbNameValue = z
  .string()
  .trim()
  .regex(/^[^/\\. "$*<>:|?\0]{1,63}$/, 'must be 1-63 characters without / \\ . " $ * < > : | ? or spaces');

export const pathValue = z.string().trim().min(1, 'must not be empty');

export const timezoneValue = z
  .string()
  .trim()
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'is not an IANA time zone (e.g. Europe/Berlin or UTC)');

/** A node-cron expression: 5 fields, or 6 with seconds first. */
export const cronValue = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const check = validateCron(s);
    if (!check.valid || s.split(/\s+/).length < 5) {
      const why = check.errors[0] ? ` (${check.errors[0].field}: ${check.errors[0].message})` : '';
      ctx.addIssue({ code: 'custom', message: `is not a cron expression${why}; use 5 fields (minute hour day month weekday) or 6 with seconds first` });
      return z.NEVER;
    }
    return s;
  });
