import { withDoubles } from '../shared/exact-double.js';
import { flatJsonLine, toJsonLine } from './jsonl-files.js';
import { storedId } from './object-ids.js';
import type { BatchEncoding, Doc, StoredDocuments } from './types.js';

/**
 * The documents as the profile stores them: numbers its validators require to be BSON doubles
 * become doubles even when whole, and `_id` an ObjectId where it stores ObjectIds (a profile
 * without such rules: unchanged). Copies; the records themselves are left as they are.
 */
export function typedDocs(stored: StoredDocuments, collection: string, docs: Doc[]): Doc[] {
  const paths = stored.doubles[collection];
  const doubles = paths !== undefined && paths.length > 0;
  const ids = stored.objectIds?.[collection];
  if (ids === undefined) return doubles ? docs.map((d) => withDoubles(d, paths)) : docs;
  return docs.map((d) => {
    const out = doubles ? withDoubles(d, paths) : { ...d };
    // The record's string id stored as an ObjectId: the encoders and the driver take it as it is
    // (the type names the record's id; what a target hands back may carry the ObjectId).
    out._id = storedId(ids, d) as string;
    return out;
  });
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
