import { withDoubles } from '../shared/exact-double.js';
import { flatJsonLine, toJsonLine } from './jsonl-files.js';
import type { BatchEncoding, Doc, StoredDocuments } from './types.js';

/**
 * The documents as the profile's validators type them: numbers they require to be BSON
 * doubles become doubles even when whole (a profile without such rules: unchanged).
 */
export function typedDocs(stored: StoredDocuments, collection: string, docs: Doc[]): Doc[] {
  const paths = stored.doubles[collection];
  return paths && paths.length > 0 ? docs.map((d) => withDoubles(d, paths)) : docs;
}

/** Strings, numbers, booleans, nulls and top-level Dates only: the fast line writer's documents. */
function isFlat(doc: Record<string, unknown>): boolean {
  for (const k in doc) {
    const v = doc[k];
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) return false;
  }
  return true;
}

/** A batch as `encoding` writes it, made on any thread; what a target's `preEncoded.append` takes. */
export function encodeBatch(encoding: BatchEncoding, stored: StoredDocuments, collection: string, docs: Doc[]): Uint8Array<ArrayBuffer> {
  let text = '';
  switch (encoding) {
    case 'jsonl':
      for (const doc of typedDocs(stored, collection, docs)) text += isFlat(doc) ? flatJsonLine(doc) : toJsonLine(doc);
  }
  return new TextEncoder().encode(text);
}
