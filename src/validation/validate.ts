import type { z } from 'zod';
import type { Reason } from '../shared/records.js';
import { compileTest } from './compile.js';

/** zod issues as dead-letter reasons: dotted path, stable code, message. */
export function reasonsOf(error: z.ZodError): Reason[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    code: issue.code,
    message: issue.message,
  }));
}

/** Why a record is invalid (zod's issues as reasons), or undefined when it is valid. */
export type Validator = (doc: unknown) => Reason[] | undefined;

const validators = new WeakMap<z.ZodType, Validator>();

/**
 * The validator of a schema, made once per schema and process: a valid record costs the compiled
 * test alone (no copy, nothing allocated, see compile.ts); a record it refuses is parsed by zod,
 * whose issues are the reasons — and whose verdict stands, should the two ever disagree.
 */
export function validatorOf(schema: z.ZodType): Validator {
  let validate = validators.get(schema);
  if (!validate) {
    const test = compileTest(schema);
    validate = (doc) => {
      if (test?.(doc)) return undefined;
      const r = schema.safeParse(doc);
      return r.success ? undefined : reasonsOf(r.error);
    };
    validators.set(schema, validate);
  }
  return validate;
}

export interface Checked<T> {
  valid: T[];
  invalid: Array<{ doc: unknown; reasons: Reason[] }>;
}

/** Validates every record against its schema; nothing is dropped: each is valid or invalid with reasons. */
export function checkAll<T>(schema: z.ZodType<T>, docs: readonly unknown[]): Checked<T> {
  const validate = validatorOf(schema);
  const out: Checked<T> = { valid: [], invalid: [] };
  for (const doc of docs) {
    const reasons = validate(doc);
    if (reasons === undefined) out.valid.push(doc as T);
    else out.invalid.push({ doc, reasons });
  }
  return out;
}
