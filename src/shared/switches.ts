/**
 * On/off values from the environment, parsed one way everywhere (ETL_DEBUG, boolean settings).
 */

export const truthyWords = new Set(['1', 'true', 'yes', 'on']);
export const falsyWords = new Set(['0', 'false', 'no', 'off', '']);

/** true / false for an on/off word (any case, trimmed); undefined for anything else. */
export function parseSwitch(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (truthyWords.has(v)) return true;
  if (falsyWords.has(v)) return false;
  return undefined;
}

/**
 * The debug namespaces ETL_DEBUG switches on: `1`/`true`/`yes`/`on`/`*` → every etl namespace,
 * a namespace list (`etl:sink,etl:mongo`) → those, and unset/`0`/`false`/`no`/`off` → none.
 */
export function debugNamespaces(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const on = parseSwitch(value);
  if (on === false) return undefined;
  if (on === true || value.trim() === '*') return 'etl:*';
  return value.trim();
}
