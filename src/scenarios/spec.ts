/**
 * Labelled scenarios (issue 25): situations that stress a pipeline downstream, each with a
 * window of record time and parameters, and the label its records carry.
 *
 * Written `NAME[:KEY=VALUE,...][@START[+DURATION]]`, e.g. `black-friday@2026-11-27+1d`,
 * `late-arrivals:share=0.01,max=10m`, `flash-sale:category=Electronics@4h+2h`. START is a date
 * (ISO) or a duration after the run's start (a backfill's --from, a live stream's start);
 * without it the scenario starts with the run; without DURATION it lasts to the run's end.
 */

export const scenarioNames = ['black-friday', 'flash-sale', 'bot-burst', 'payment-outage', 'late-arrivals', 'duplicate-delivery', 'schema-drift'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

/** A parameter's value: a number (shares, factors, counts, durations in ms) or a word. */
export type ParamValue = number | string;

interface ParamSpec {
  /** What the parameter means, for --help and errors. */
  about: string;
  default: ParamValue;
  kind: 'share' | 'factor' | 'count' | 'duration' | 'word';
}

/** Each scenario: what it does, and its parameters with their defaults. */
export const scenarioCatalog: Record<ScenarioName, { does: string; params: Record<string, ParamSpec> }> = {
  'black-friday': {
    does: 'visits × traffic, more of them buy, and most orders get a 15 % coupon',
    params: {
      traffic: { about: 'visits × this', default: 6, kind: 'factor' },
      conversion: { about: 'checkout chance × this', default: 2, kind: 'factor' },
      coupons: { about: 'share of orders with the 15 % coupon', default: 0.6, kind: 'share' },
    },
  },
  'flash-sale': {
    does: 'one category at a discount (price changes at its start and end), shoppers drawn to it, traffic × spike',
    params: {
      category: { about: 'the category on sale (default: one drawn from the seed)', default: '', kind: 'word' },
      off: { about: 'the discount', default: 0.3, kind: 'share' },
      spike: { about: 'visits × this', default: 3, kind: 'factor' },
    },
  },
  'bot-burst': {
    does: 'a few bot users on a few IP addresses view thousands of products, never buy',
    params: {
      bots: { about: 'bot users', default: 3, kind: 'count' },
      ips: { about: 'IP addresses they share', default: 2, kind: 'count' },
      rate: { about: 'views a second, all bots together', default: 5, kind: 'factor' },
    },
  },
  'payment-outage': {
    does: 'payments fail: most carts are abandoned at checkout, the orders placed are cancelled (payment_failed)',
    params: { abandon: { about: 'share of checkouts abandoned', default: 0.7, kind: 'share' } },
  },
  'late-arrivals': {
    does: 'a share of records delivered late: written after records with later timestamps, at most max late, with ingested_at beside timestamp',
    params: {
      share: { about: 'share of records delivered late', default: 0.01, kind: 'share' },
      max: { about: 'the most a record is late', default: 600_000, kind: 'duration' },
    },
  },
  'duplicate-delivery': {
    does: 'a share of records delivered twice with the same _id, as an at-least-once producer would (absorbed by MongoDB, visible in files and on stdout)',
    params: { share: { about: 'share of records delivered again', default: 0.005, kind: 'share' } },
  },
  'schema-drift': {
    does: 'from its start on, product_views carry price_shown renamed to displayed_price (a producer upgrade); the validators take both',
    params: {},
  },
};

/** A scenario as written: its name, parameters, and window relative to the run or absolute. */
export interface ScenarioSpec {
  name: ScenarioName;
  params: Record<string, ParamValue>;
  /** Absolute start (ms since the epoch), or undefined with `afterMs`. */
  startMs?: number;
  /** Start this long after the run's start (ms); 0 when no START was written. */
  afterMs: number;
  durationMs?: number;
  /** As written, for run records and messages. */
  text: string;
}

/** A scenario's window in record time, resolved for a run: [fromMs, toMs). */
export interface ScenarioWindow {
  name: ScenarioName;
  params: Record<string, ParamValue>;
  fromMs: number;
  toMs: number;
  text: string;
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "10m", "1.5h", "2d", "30s": milliseconds, or undefined. */
function duration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(s);
  return m ? Math.round(Number(m[1]) * durationUnits[m[2]]) : undefined;
}

/** A date-time as the --from flag takes it (ISO, UTC unless a zone is given), or undefined. */
function date(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) return undefined;
  const withZone = s.length === 10 ? `${s}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`;
  const t = Date.parse(withZone);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Parses one `--scenario` value.
 * @returns the spec, or a message saying what is wrong (for a one-line error naming the value).
 */
export function parseScenario(text: string): ScenarioSpec | string {
  const m = /^([a-z-]+)(?::([^@]*))?(?:@(.+))?$/.exec(text.trim());
  if (!m) return 'must look like NAME[:KEY=VALUE,...][@START[+DURATION]], e.g. black-friday@2026-11-27+1d';
  const name = m[1] as ScenarioName;
  // The error quotes the value already: the name again only when the value is more than the name.
  if (!scenarioNames.includes(name)) return `${m[1] === text.trim() ? 'is not a scenario' : `names "${m[1]}", which is not a scenario`}: use one of ${scenarioNames.join(', ')}`;
  const known = scenarioCatalog[name].params;
  const params: Record<string, ParamValue> = Object.fromEntries(Object.entries(known).map(([k, p]) => [k, p.default]));
  for (const pair of m[2] ? m[2].split(',') : []) {
    const [key, value, extra] = pair.split('=');
    const spec = known[key];
    if (!spec || value === undefined || extra !== undefined || value === '') {
      const keys = Object.keys(known);
      return `"${pair}" is not a parameter of ${name}: ${keys.length ? `give ${keys.map((k) => `${k}=…`).join(', ')}` : 'it takes none'}`;
    }
    const parsed = spec.kind === 'word' ? value : spec.kind === 'duration' ? duration(value) : Number(value);
    const bad =
      parsed === undefined ||
      (typeof parsed === 'number' && (!Number.isFinite(parsed) || (spec.kind === 'share' && (parsed < 0 || parsed > 1)) || (spec.kind !== 'share' && parsed <= 0) || (spec.kind === 'count' && !Number.isInteger(parsed))));
    if (bad) return `${key}=${value} is not ${spec.kind === 'share' ? 'a share from 0 to 1' : spec.kind === 'duration' ? 'a duration like 10m' : spec.kind === 'count' ? 'a whole number above 0' : 'a number above 0'} (${spec.about})`;
    params[key] = parsed;
  }
  let startMs: number | undefined;
  let afterMs = 0;
  let durationMs: number | undefined;
  if (m[3]) {
    const plus = m[3].lastIndexOf('+');
    // A "+" inside an ISO zone (…T08:00+02:00) is part of the date: only a trailing duration splits.
    const tail = plus > 0 ? m[3].slice(plus + 1) : '';
    const window = plus > 0 && duration(tail) !== undefined ? { start: m[3].slice(0, plus), dur: tail } : { start: m[3], dur: undefined };
    const at = date(window.start);
    const after = duration(window.start);
    if (at === undefined && after === undefined) return `start "${window.start}" must be a date like 2026-11-27 or 2026-11-27T08:00Z, or a time after the run's start like 4d or 90m`;
    if (at !== undefined) startMs = at;
    else afterMs = after!;
    if (window.dur !== undefined) durationMs = duration(window.dur);
  }
  return { name, params, startMs, afterMs, durationMs, text: text.trim() };
}

/** The window of each scenario for a run that starts (record time) at `runStartMs`. */
export function resolveScenarios(specs: readonly ScenarioSpec[], runStartMs: number): ScenarioWindow[] {
  return specs.map((s) => {
    const fromMs = s.startMs ?? runStartMs + s.afterMs;
    return { name: s.name, params: s.params, fromMs, toMs: s.durationMs === undefined ? Number.POSITIVE_INFINITY : fromMs + s.durationMs, text: s.text };
  });
}

/** The scenarios of a run whose window holds `t` and whose name is `name`. */
export function activeAt(windows: readonly ScenarioWindow[], name: ScenarioName, t: number): ScenarioWindow | undefined {
  for (const w of windows) if (w.name === name && t >= w.fromMs && t < w.toMs) return w;
  return undefined;
}
