import { createHash } from 'node:crypto';
import { open, rename, stat, writeFile } from 'node:fs/promises';
import { logger } from '../log.js';
import type { CatalogReading, StoreCatalog } from '../catalog/store-catalog.js';
import type { SavedColumns } from './types.js';

const log = logger('sink');

/**
 * The engine's catalog saved beside `products.jsonl` and `users.jsonl` (`catalog.columns`), so a
 * stream starts without parsing them: reading the columns is reading a file. It is used only
 * while it is exactly what the files give: its header names the format version, the profile's
 * catalog reading, and the size and modification time of both files; its payload's SHA-256
 * must match. Anything else — an older format, files seeded or edited since, a torn or altered
 * file — and it is ignored (the files are parsed, as without it).
 *
 * Layout: `ETLCOLS\n`, the header's length (uint32 LE), the header (JSON), zeros to a multiple
 * of 8, then the payload: every typed column at an 8-aligned offset, and the product names and
 * brands as one JSON text. The whole file is read into one SharedArrayBuffer and the columns are
 * views of it, so worker threads share it as they share a catalog built from the files.
 */
const magic = 'ETLCOLS\n';
const formatVersion = 1;
export const columnsFileName = 'catalog.columns';

type TypedColumn = Int32Array | Uint8Array | Float64Array;
const typedKeys = [
  'productNumber',
  'productCategory',
  'basePriceCents',
  'costCents',
  'productRating',
  'initialStock',
  'productPopularity',
  'cheapest',
  'priciest',
  'userNumber',
  'userCountry',
  'userRegion',
  'userSegment',
  'userGender',
  'userAge',
  'userPreferred',
  'userZone',
  'userSignupMs',
  'zoneOrder',
  'zoneStart',
  'zoneSignupMs',
  'zoneCumRate',
] as const satisfies ReadonlyArray<keyof StoreCatalog>;
type ColumnType = 'Int32Array' | 'Uint8Array' | 'Float64Array';

/** Where a column is in the payload. */
type Placement = [type: ColumnType, offset: number, length: number];

/** The identity of a catalog file, as the columns were built from it. */
interface Source {
  size: number;
  mtimeMs: number;
}

interface Header {
  version: number;
  reading: string;
  sources: { products: Source; users: Source };
  read: SavedColumns['read'];
  productCount: number;
  userCount: number;
  columns: Record<string, Placement>;
  byCategory: Placement[];
  /** Product names and brands (UTF-8 JSON): offset and byte length. */
  strings: [offset: number, bytes: number];
  payloadBytes: number;
  sha256: string;
}

/** The catalog reading by its module's last two path segments and export (the same from src/ or dist/, anywhere). */
const readingId = (r: CatalogReading) => `${r.from.module.replace(/\.[jt]s$/, '').split('/').slice(-2).join('/')}#${r.from.name}`;
const align8 = (n: number) => Math.ceil(n / 8) * 8;

async function sourceOf(path: string): Promise<Source | undefined> {
  try {
    const s = await stat(path);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

/** The payload and header of a catalog (without the checksum of nothing yet). */
function encode(catalog: StoreCatalog): { parts: Uint8Array[]; columns: Header['columns']; byCategory: Placement[]; strings: Header['strings']; bytes: number } {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const place = (a: TypedColumn): Placement => {
    const at = offset;
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    parts.push(bytes);
    const padded = align8(a.byteLength);
    if (padded > a.byteLength) parts.push(new Uint8Array(padded - a.byteLength));
    offset += padded;
    return [a.constructor.name as ColumnType, at, a.length];
  };
  const columns: Header['columns'] = {};
  for (const key of typedKeys) columns[key] = place(catalog[key]);
  const byCategory = catalog.byCategory.map(place);
  const text = new TextEncoder().encode(JSON.stringify({ names: catalog.productNames, brands: catalog.productBrands }));
  const strings: Header['strings'] = [offset, text.length];
  parts.push(text);
  offset += text.length;
  return { parts, columns, byCategory, strings, bytes: offset };
}

/** Saves the catalog as columns in `dir`, for the catalog files there as they are now. */
export async function writeColumns(dir: string, reading: CatalogReading, saved: SavedColumns): Promise<void> {
  const [products, users] = await Promise.all([sourceOf(`${dir}/products.jsonl`), sourceOf(`${dir}/users.jsonl`)]);
  if (!products || !users) return;
  const { parts, columns, byCategory, strings, bytes } = encode(saved.catalog);
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  const header: Header = {
    version: formatVersion,
    reading: readingId(reading),
    sources: { products, users },
    read: saved.read,
    productCount: saved.catalog.productCount,
    userCount: saved.catalog.userCount,
    columns,
    byCategory,
    strings,
    payloadBytes: bytes,
    sha256: hash.digest('hex'),
  };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const prefix = new Uint8Array(align8(magic.length + 4 + head.length));
  prefix.set(new TextEncoder().encode(magic), 0);
  new DataView(prefix.buffer).setUint32(magic.length, head.length, true);
  prefix.set(head, magic.length + 4);
  // Written whole under another name, then renamed: a reader never sees half a file.
  const path = `${dir}/${columnsFileName}`;
  await writeFile(`${path}.tmp`, [prefix, ...parts]);
  await rename(`${path}.tmp`, path);
}

/** The catalog saved in `dir`, when it is still what the catalog files there give (see above). */
export async function readColumns(dir: string, reading: CatalogReading): Promise<SavedColumns | undefined> {
  const path = `${dir}/${columnsFileName}`;
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = (await file.stat()).size;
    if (size < magic.length + 4) return stale('too short');
    const shared = new SharedArrayBuffer(size);
    const all = new Uint8Array(shared);
    for (let at = 0; at < size; ) {
      const { bytesRead } = await file.read(all, at, size - at, at);
      if (bytesRead === 0) return stale('shorter than its size');
      at += bytesRead;
    }
    if (new TextDecoder().decode(all.subarray(0, magic.length)) !== magic) return stale('not a columns file');
    const headLength = new DataView(shared).getUint32(magic.length, true);
    const payloadAt = align8(magic.length + 4 + headLength);
    if (payloadAt > size) return stale('torn header');
    const header = JSON.parse(new TextDecoder().decode(all.slice(magic.length + 4, magic.length + 4 + headLength))) as Header;
    if (header.version !== formatVersion) return stale(`format ${header.version}, not ${formatVersion}`);
    if (header.reading !== readingId(reading)) return stale(`another profile's catalog reading (${header.reading})`);
    if (payloadAt + header.payloadBytes !== size) return stale('payload size');
    for (const name of ['products', 'users'] as const) {
      const now = await sourceOf(`${dir}/${name}.jsonl`);
      const then = header.sources[name];
      if (!now || now.size !== then.size || now.mtimeMs !== then.mtimeMs) return stale(`${name}.jsonl changed since`);
    }
    const payload = all.subarray(payloadAt);
    if (createHash('sha256').update(payload).digest('hex') !== header.sha256) return stale('checksum');
    const view = ([type, offset, length]: Placement): TypedColumn => {
      const at = payloadAt + offset;
      if (type === 'Int32Array') return new Int32Array(shared, at, length);
      if (type === 'Float64Array') return new Float64Array(shared, at, length);
      return new Uint8Array(shared, at, length);
    };
    const columns = Object.fromEntries(typedKeys.map((k) => [k, view(header.columns[k])]));
    const [at, bytes] = header.strings;
    const strings = JSON.parse(new TextDecoder().decode(payload.slice(at, at + bytes))) as { names: string[]; brands: string[] };
    const catalog = {
      ...columns,
      productCount: header.productCount,
      userCount: header.userCount,
      productNames: strings.names,
      productBrands: strings.brands,
      byCategory: header.byCategory.map(view),
    } as StoreCatalog;
    return { catalog, read: header.read };
  } catch (err) {
    return stale((err as Error).message);
  } finally {
    await file.close();
  }
}

function stale(why: string): undefined {
  log('catalog columns not used: %s', why);
  return undefined;
}
