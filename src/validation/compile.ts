import type { z } from 'zod';
import { util } from 'zod/v4/core';

/**
 * A test compiled once from a zod schema that accepts exactly what the schema's `safeParse`
 * accepts, without what parsing costs: zod builds the parsed copy of every object and array and
 * a payload per property, which a record about to be written as it is does not need. The test
 * walks zod 4's own schema objects: the containers (objects, arrays, nullable) are walked here,
 * with zod's rules (what counts as an object, strict objects refusing unknown keys); every check
 * — formats, regexes, bounds, integers, multiples, refinements — is zod's own check function,
 * run on one reused payload as zod runs it. A record it refuses is parsed by zod for the issues
 * (the single source of the messages); a schema with anything it does not know (transforms,
 * defaults, coercion, unions, optional keys, async checks) compiles to nothing and zod parses
 * every record.
 */
export type Test = (value: unknown) => boolean;

/** The slice of zod 4's internals the compiler reads (`schema._zod`): a documented boundary. */
interface Internals {
  def: {
    type: string;
    coerce?: boolean;
    checks?: Check[];
    check?: string;
    innerType?: Node;
    element?: Node;
    shape?: Record<string, Node>;
    catchall?: Node;
    keyType?: Node;
    valueType?: Node;
    mode?: string;
  };
  traits: Set<string>;
  values?: Set<unknown>;
  optin?: string;
  optout?: string;
}
interface Node {
  _zod: Internals;
}
interface Payload {
  value: unknown;
  issues: unknown[];
}
interface Check {
  _zod: {
    def: { check: string; when?: (payload: Payload) => boolean; format?: string; pattern?: RegExp; value?: unknown; inclusive?: boolean };
    check: (payload: Payload) => unknown;
  };
}

/** Check kinds that only read the value (no `overwrite`, which changes it). */
const readOnlyChecks = new Set(['less_than', 'greater_than', 'multiple_of', 'number_format', 'min_length', 'max_length', 'length_equals', 'string_format', 'custom', 'describe', 'meta']);

/** The compiled test of `schema`, or undefined where zod must parse (see above). */
export function compileTest(schema: z.ZodType): Test | undefined {
  const payload: Payload = { value: undefined, issues: [] };
  return compileNode(schema as unknown as Node, payload);
}

function compileNode(node: Node, payload: Payload): Test | undefined {
  const zod = node._zod;
  const def = zod.def;
  if (def.coerce) return undefined;
  // What zod runs after the type: the schema itself when it is a check (a string format), then its checks.
  const checks: Check[] = [...(zod.traits.has('$ZodCheck') ? [node as unknown as Check] : []), ...(def.checks ?? [])];
  if (checks.some((c) => !readOnlyChecks.has(c._zod.def.check))) return undefined;
  const base = compileType(node, payload);
  if (!base || checks.length === 0) return base;
  // As zod's runChecks on a value without issues: every check, in order (none can be skipped as aborted).
  const passes = checks.map((c) => checkTest(c, payload));
  if (passes.length === 1) {
    const [a] = passes;
    return (value) => base(value) && a(value);
  }
  if (passes.length === 2) {
    const [a, b] = passes;
    return (value) => base(value) && a(value) && b(value);
  }
  return (value) => {
    if (!base(value)) return false;
    for (const pass of passes) if (!pass(value)) return false;
    return true;
  };
}

/**
 * One check as a test of a value of the right type: zod's own check function on the reused
 * payload; the most frequent ones (a regex, a bound, an integer) as the same comparison made
 * directly, exactly as zod's check makes it (checks.js), without the payload round trip.
 */
function checkTest(check: Check, payload: Payload): Test {
  const def = check._zod.def;
  if (!def.when) {
    if (def.check === 'string_format' && (def.format === 'regex' || def.format === 'ipv4') && def.pattern instanceof RegExp && !def.pattern.global && !def.pattern.sticky) {
      const pattern = def.pattern;
      return (v) => pattern.test(v as string);
    }
    if ((def.check === 'greater_than' || def.check === 'less_than') && typeof def.value === 'number') {
      const bound = def.value;
      if (def.check === 'greater_than') return def.inclusive ? (v) => (v as number) >= bound : (v) => (v as number) > bound;
      return def.inclusive ? (v) => (v as number) <= bound : (v) => (v as number) < bound;
    }
    if (def.check === 'number_format' && def.format === 'safeint') return (v) => Number.isSafeInteger(v);
  }
  const run = check._zod.check;
  const when = def.when;
  return (value) => {
    payload.value = value;
    if (when && !when(payload)) return true;
    const result = run(payload);
    if (result instanceof Promise) {
      // An async check: zod's synchronous parse throws on it, and says so.
      result.catch(() => undefined);
      payload.issues.length = 0;
      return false;
    }
    if (payload.issues.length > 0) {
      payload.issues.length = 0;
      return false;
    }
    return true;
  };
}

/** The test of the value's type (zod's `_zod.parse`), containers recursively. */
function compileType(node: Node, payload: Payload): Test | undefined {
  const zod = node._zod;
  const def = zod.def;
  switch (def.type) {
    case 'string':
      return (v) => typeof v === 'string';
    case 'number':
      return (v) => typeof v === 'number' && !Number.isNaN(v) && Number.isFinite(v);
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'date':
      return (v) => v instanceof Date && !Number.isNaN(v.getTime());
    case 'null':
      return (v) => v === null;
    case 'enum':
    case 'literal': {
      const values = zod.values;
      return values && ((v) => values.has(v));
    }
    case 'nullable': {
      const inner = def.innerType && compileNode(def.innerType, payload);
      return inner && ((v) => v === null || inner(v));
    }
    case 'array': {
      const element = def.element && compileNode(def.element, payload);
      if (!element) return undefined;
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case 'object':
      return compileObject(def, payload);
    case 'optional': {
      // An optional key may be absent (undefined) or hold a valid value; zod's object does the same.
      const inner = def.innerType && compileNode(def.innerType, payload);
      return inner && ((v) => v === undefined || inner(v));
    }
    case 'record':
      return compileRecord(def, payload);
    default:
      return undefined;
  }
}

/**
 * A record with plain string keys (`z.record(z.string(), V)`), as zod's parse walks it: a plain
 * object whose own enumerable keys (but __proto__) are strings with values V; a symbol key is refused.
 */
function compileRecord(def: Internals['def'], payload: Payload): Test | undefined {
  const key = def.keyType?._zod;
  if (!key || key.def.type !== 'string' || (key.def.checks?.length ?? 0) > 0 || key.values || (def.mode !== undefined && def.mode !== 'strict')) return undefined;
  const value = def.valueType && compileNode(def.valueType, payload);
  if (!value) return undefined;
  return (v) => {
    if (!util.isPlainObject(v)) return false;
    const o = v as Record<PropertyKey, unknown>;
    for (const k of Reflect.ownKeys(o)) {
      if (k === '__proto__' || !Object.prototype.propertyIsEnumerable.call(o, k)) continue;
      if (typeof k !== 'string' || !value(o[k])) return false;
    }
    return true;
  };
}

function compileObject(def: Internals['def'], payload: Payload): Test | undefined {
  const shape = def.shape;
  if (!shape || Object.getOwnPropertySymbols(shape).length > 0) return undefined;
  const keys = Object.keys(shape);
  if (keys.includes('__proto__')) return undefined;
  const tests: Test[] = [];
  for (const key of keys) {
    const field = shape[key];
    // Optional keys: only z.X().optional() (absent or undefined, or a valid value); other kinds are zod's.
    if ((field._zod.optin !== undefined || field._zod.optout !== undefined) && field._zod.def.type !== 'optional') return undefined;
    const test = compileNode(field, payload);
    if (!test) return undefined;
    tests.push(test);
  }
  // No catchall: unknown keys are dropped, not refused. never (strictObject): refused. Anything else: zod.
  const strict = def.catchall !== undefined;
  if (strict && def.catchall!._zod.def.type !== 'never') return undefined;
  const known = new Set(keys);
  // A record's keys usually come in the shape's order: equal to the key there, no lookup.
  const onlyKnown = (o: Record<string, unknown>) => {
    let i = 0;
    for (const key in o) if (key !== keys[i++] && !known.has(key)) return false;
    return true;
  };
  return objectTest(keys, tests, strict ? onlyKnown : undefined);
}

/**
 * The test of an object with `keys`, each value by its test, as a function of its own made for
 * this shape: one straight line of property reads by name and calls of one test each, so V8
 * sees one shape and one callee at every site (one loop over `o[keys[i]]` shared by every shape
 * went megamorphic: ~0.6 µs a record against ~0.4 now, over the ecom-etl engine's records). The
 * keys are written as JSON string literals; nothing else of the schema becomes code.
 */
function objectTest(keys: readonly string[], tests: readonly Test[], onlyKnown?: (o: Record<string, unknown>) => boolean): Test {
  if (!util.allowsEval.value) {
    // Code from strings is refused (--disallow-code-generation-from-strings): the same test as a loop.
    return (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
      const o = v as Record<string, unknown>;
      for (let i = 0; i < keys.length; i++) if (!tests[i](o[keys[i]])) return false;
      return onlyKnown === undefined || onlyKnown(o);
    };
  }
  const names = keys.map((_, i) => `t${i}`);
  const checks = keys.map((key, i) => `${names[i]}(o[${JSON.stringify(key)}])`);
  if (onlyKnown) checks.push('only(o)');
  const body = [
    names.length > 0 ? `const [${names.join(', ')}] = t;` : '',
    'return function test(o) {',
    "  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;",
    `  return ${checks.length > 0 ? checks.join(' && ') : 'true'};`,
    '};',
  ].join('\n');
  return new Function('t', 'only', body)(tests, onlyKnown) as Test;
}
