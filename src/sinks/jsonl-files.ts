import { createReadStream } from 'node:fs';
import { access, open, stat, truncate } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { EJSON } from 'bson';
import { logger } from '../log.js';
import type { Doc } from './types.js';

/**
 * Reading and writing `.jsonl` files of relaxed Extended JSON, one document per line: the one
 * module the jsonl sink and `etl stats --from DIR` both use.
 */

const log = logger('sink');

/** One line of relaxed Extended JSON: `mongoimport` restores the same types (dates stay dates). */
export function toJsonLine(doc: unknown): string {
  return `${EJSON.stringify(doc, { relaxed: true })}\n`;
}

/** Parses one relaxed Extended JSON line back to a document with BSON types. */
export function fromJsonLine(line: string): Doc {
  return EJSON.parse(line, { relaxed: true }) as Doc;
}

/** Streams a file's documents; a missing file is empty, and an unparsable (torn) line is skipped. */
export async function* readJsonl(path: string): AsyncGenerator<Doc> {
  try {
    await access(path);
  } catch {
    return;
  }
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    try {
      yield fromJsonLine(line);
    } catch {
      log('skipping unparsable line in %s', path);
    }
  }
}

/**
 * Truncates a file after its last newline (a line torn by a killed writer: the kernel may
 * complete only part of a write when the process is killed); returns true if bytes were cut.
 */
export async function repairTail(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info || info.size === 0) return false;
  const fh = await open(path, 'r');
  try {
    const chunk = 64 * 1024;
    let end = info.size;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, end - 1);
    if (last[0] === 0x0a) return false;
    // Walk back to the previous newline.
    while (end > 0) {
      const start = Math.max(0, end - chunk);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      const nl = buf.lastIndexOf(0x0a);
      if (nl >= 0) {
        await truncate(path, start + nl + 1);
        return true;
      }
      end = start;
    }
    await truncate(path, 0);
    return true;
  } finally {
    await fh.close();
  }
}

/**
 * Calls `each` with every line that starts in [start, end) of a file, and the byte it starts at,
 * reading big chunks. A line begun before `start` belongs to whoever reads the range before, so
 * files can be read in pieces. A last line without a newline (torn by a killed writer) is skipped.
 */
export async function eachLineIn(path: string, start: number, end: number, each: (line: string, at: number) => void): Promise<void> {
  // Read from one byte early: if it is a newline, a line starts exactly at `start`.
  const from = Math.max(0, start - 1);
  let skipFirst = start > 0;
  let carry: Buffer = Buffer.alloc(0);
  let carryAt = from;
  for await (const chunk of createReadStream(path, { start: from, highWaterMark: 4 << 20 })) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let pos = 0;
    for (let nl = buf.indexOf(10, pos); nl >= 0; nl = buf.indexOf(10, pos)) {
      const at = carryAt + pos;
      if (skipFirst) skipFirst = false;
      else if (at >= end) return;
      else each(buf.toString('utf8', pos, nl), at);
      pos = nl + 1;
    }
    carry = buf.subarray(pos);
    carryAt += pos;
  }
  if (carry.length > 0) log('skipping the torn last line of %s', path);
}

/**
 * Calls `each` with every line of a file parsed as plain JSON (the fast path for large
 * catalogs: no Extended JSON types are made — dates stay `{"$date": ...}`). A torn last line is
 * skipped. Returns false when the file is missing.
 * @throws Error naming the line when a complete line does not parse
 */
export async function eachJsonLine(path: string, each: (row: Record<string, unknown>) => void): Promise<boolean> {
  try {
    await access(path);
  } catch {
    return false;
  }
  let lineNo = 0;
  await eachLineIn(path, 0, Number.POSITIVE_INFINITY, (line) => {
    lineNo++;
    if (!line) return;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`line ${lineNo} of ${path} is not JSON (${(err as Error).message})`);
    }
    each(row);
  });
  return true;
}

/** A date as relaxed Extended JSON writes it (`{"$date": "…Z"}`, no milliseconds when they are 0). */
function relaxedDate(d: Date): unknown {
  const ms = d.getTime();
  if (!(ms > -1 && ms < 253_402_300_800_000)) return { $date: { $numberLong: String(ms) } };
  const iso = d.toISOString();
  return { $date: d.getUTCMilliseconds() !== 0 ? iso : `${iso.slice(0, -5)}Z` };
}

/**
 * The same line as `toJsonLine` for a flat document of strings, finite numbers, booleans,
 * nulls and top-level Dates (catalog documents), several times faster than EJSON.
 */
export function flatJsonLine(doc: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const k in doc) {
    const v = doc[k];
    out[k] = v instanceof Date ? relaxedDate(v) : v;
  }
  return `${JSON.stringify(out)}\n`;
}
