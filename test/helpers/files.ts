import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromJsonLine } from '../../src/sinks/jsonl-files.js';
import type { Doc } from '../../src/sinks/types.js';

import { eventCollections } from '../../src/shared/collections.js';

/** Every event collection's file (the living store's included). */
export const eventFiles: readonly string[] = eventCollections;

export function readLines(dir: string, collection: string): string[] {
  const path = join(dir, `${collection}.jsonl`);
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

export function readDocs(dir: string, collection: string): Doc[] {
  return readLines(dir, collection).map(fromJsonLine);
}

/** A collection's lines in a canonical order (writes of different batches may interleave). */
export function sortedLines(dir: string, collection: string): string[] {
  return readLines(dir, collection).sort();
}

/** Dead letters without the per-run fields (run id, rejection time). */
export function deadLetterCore(dir: string): string[] {
  return readDocs(dir, 'dead_letters')
    .map((d) => JSON.stringify({ ...d, run_id: undefined, created_at: undefined }))
    .sort();
}
