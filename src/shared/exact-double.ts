import { Double } from 'bson';

/**
 * A number that must be stored as a BSON double even when it is whole (a validator that says
 * `bsonType: 'double'` refuses the int32 a driver sends for 5). In relaxed Extended JSON a
 * whole double is written `{"$numberDouble": "5.0"}`, so `mongoimport` restores a double too.
 */
export class ExactDouble extends Double {
  /** bson's hook for Extended JSON (not in its public types): relaxed output of a whole value keeps its type. */
  toExtendedJSON(options?: { relaxed?: boolean }): unknown {
    if (options?.relaxed && Number.isInteger(this.value) && !Object.is(this.value, -0)) return { $numberDouble: this.value.toFixed(1) };
    return (Double.prototype as unknown as { toExtendedJSON(o?: unknown): unknown }).toExtendedJSON.call(this, options);
  }
}

/**
 * A copy of `doc` with the numbers at `paths` (dotted, one level of sub-document) as
 * ExactDouble; other values are shared, not copied. Absent or non-number values are left.
 */
export function withDoubles<T extends Record<string, unknown>>(doc: T, paths: readonly string[]): T {
  const out: Record<string, unknown> = { ...doc };
  for (const path of paths) {
    const dot = path.indexOf('.');
    if (dot < 0) {
      const v = out[path];
      if (typeof v === 'number') out[path] = new ExactDouble(v);
      continue;
    }
    const head = path.slice(0, dot);
    const sub = out[head];
    if (sub === null || typeof sub !== 'object') continue;
    const v = (sub as Record<string, unknown>)[path.slice(dot + 1)];
    // Copy the sub-document once (the first path under it), then set in the copy.
    const copy = sub === (doc as Record<string, unknown>)[head] ? { ...(sub as Record<string, unknown>) } : (sub as Record<string, unknown>);
    if (typeof v === 'number') copy[path.slice(dot + 1)] = new ExactDouble(v);
    out[head] = copy;
  }
  return out as T;
}

/** A number as read back: plain, a bson Double/Int32, or `{"$numberDouble": ...}` from a file read as plain JSON. */
export function plainNumber(v: unknown): unknown {
  if (v !== null && typeof v === 'object') {
    if ('$numberDouble' in v) return Number((v as { $numberDouble: string }).$numberDouble);
    if ('$numberInt' in v) return Number((v as { $numberInt: string }).$numberInt);
    if ('_bsontype' in v) {
      const n = (v as { valueOf(): unknown }).valueOf();
      if (typeof n === 'number') return n;
    }
  }
  return v;
}
