import type { z } from 'zod';
import type { Reason } from '../shared/records.js';

/** zod issues as dead-letter reasons: dotted path, stable code, message. */
export function reasonsOf(error: z.ZodError): Reason[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    code: issue.code,
    message: issue.message,
  }));
}

export interface Checked<T> {
  valid: T[];
  invalid: Array<{ doc: unknown; reasons: Reason[] }>;
}

/** Validates every record against its schema; nothing is dropped: each is valid or invalid with reasons. */
export function checkAll<T>(schema: z.ZodType<T>, docs: readonly unknown[]): Checked<T> {
  const out: Checked<T> = { valid: [], invalid: [] };
  for (const doc of docs) {
    const r = schema.safeParse(doc);
    if (r.success) out.valid.push(doc as T);
    else out.invalid.push({ doc, reasons: reasonsOf(r.error) });
  }
  return out;
}
