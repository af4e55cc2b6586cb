import { BSON } from 'bson';

/**
 * A `$jsonSchema` evaluator for documents as the server sees them: BSON, deserialized without
 * promoting numbers (`promoteValues: false`), so an int32 is an Int32 and a double a Double, and
 * `bsonType` is checked against the real type. It covers the keywords MongoDB's validators use
 * here (bsonType, required, properties, enum, minimum, maximum, additionalProperties, items,
 * pattern, minLength, maxLength) and throws on any other keyword, so it can never pass a rule it
 * does not understand.
 */

type Schema = Record<string, unknown>;

const known = new Set(['bsonType', 'required', 'properties', 'enum', 'minimum', 'maximum', 'additionalProperties', 'items', 'pattern', 'minLength', 'maxLength', 'minItems', 'description', 'title', 'anyOf']);

/** The BSON type name of a deserialized value, as `bsonType` names it. */
export function bsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') throw new Error('a plain JS number: deserialize with promoteValues: false to see its BSON type');
  if (v instanceof Date) return 'date';
  if (Array.isArray(v)) return 'array';
  const tag = (v as { _bsontype?: string })._bsontype;
  if (tag === 'Int32') return 'int';
  if (tag === 'Double') return 'double';
  if (tag === 'Long') return 'long';
  if (tag === 'Decimal128') return 'decimal';
  if (tag === 'ObjectId') return 'objectId';
  if (tag !== undefined) return tag.toLowerCase();
  return 'object';
}

const numberTypes = new Set(['int', 'double', 'long', 'decimal']);

function matchesType(actual: string, wanted: unknown): boolean {
  const list = Array.isArray(wanted) ? wanted : [wanted];
  return list.some((t) => t === actual || (t === 'number' && numberTypes.has(actual)));
}

function numeric(v: unknown): number {
  return Number((v as { valueOf(): unknown }).valueOf());
}

function same(a: unknown, b: unknown): boolean {
  if (a !== null && typeof a === 'object' && '_bsontype' in a) return numeric(a) === b;
  return a === b;
}

/** Every violation of `schema` by `value` (empty: valid), as `path: rule`. */
export function violations(schema: Schema, value: unknown, path = ''): string[] {
  for (const key of Object.keys(schema)) if (!known.has(key)) throw new Error(`unsupported $jsonSchema keyword "${key}" at ${path || '(root)'}`);
  const out: string[] = [];
  const at = path || '(root)';
  const type = bsonTypeOf(value);
  if (schema.bsonType !== undefined && !matchesType(type, schema.bsonType)) {
    out.push(`${at}: bsonType ${JSON.stringify(schema.bsonType)}, got ${type}`);
    return out;
  }
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((e) => same(value, e))) out.push(`${at}: not in enum`);
  if (numberTypes.has(type)) {
    const n = numeric(value);
    if (typeof schema.minimum === 'number' && n < schema.minimum) out.push(`${at}: ${n} < minimum ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && n > schema.maximum) out.push(`${at}: ${n} > maximum ${schema.maximum}`);
  }
  if (type === 'string') {
    const s = value as string;
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(s)) out.push(`${at}: does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && [...s].length < schema.minLength) out.push(`${at}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && [...s].length > schema.maxLength) out.push(`${at}: longer than ${schema.maxLength}`);
  }
  if (type === 'array') {
    const items = value as unknown[];
    if (typeof schema.minItems === 'number' && items.length < schema.minItems) out.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.items) items.forEach((item, i) => out.push(...violations(schema.items as Schema, item, `${path}[${i}]`)));
  }
  if (schema.anyOf && !(schema.anyOf as Schema[]).some((alt) => violations(alt, value, path).length === 0)) out.push(`${at}: matches none of anyOf`);
  if (type === 'object') {
    const doc = value as Record<string, unknown>;
    for (const name of (schema.required as string[] | undefined) ?? []) if (!(name in doc)) out.push(`${path ? `${path}.` : ''}${name}: required`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [name, v] of Object.entries(doc)) {
      const sub = props[name];
      if (sub) out.push(...violations(sub, v, path ? `${path}.${name}` : name));
      else if (schema.additionalProperties === false) out.push(`${path ? `${path}.` : ''}${name}: not allowed (additionalProperties: false)`);
    }
  }
  return out;
}

/** `doc` as the server receives it: serialized to BSON the way the driver does, read back with its BSON types. */
export function throughBson(doc: object): Record<string, unknown> {
  return BSON.deserialize(BSON.serialize(doc), { promoteValues: false }) as Record<string, unknown>;
}
