import { CatalogGenerator } from '../catalog/generate.js';
import { type Product, type User, productSchema, userSchema } from '../catalog/schemas.js';
import { EtlError } from '../errors.js';
import type { Sink } from '../sinks/types.js';
import { reasonsOf } from '../validation/validate.js';
import { seedCatalog } from './seed.js';

export const defaultCatalog = { seed: 42, products: 100, users: 1000 } as const;

export interface LoadedCatalog {
  products: Product[];
  users: User[];
  /** stored: read from the target; seeded: none was there, defaults were seeded first; memory: the target keeps nothing. */
  source: 'stored' | 'seeded' | 'memory';
}

async function readAll<T>(sink: Sink, collection: 'products' | 'users', schema: typeof productSchema | typeof userSchema): Promise<T[] | undefined> {
  const docs = sink.catalog?.read(collection);
  if (!docs) return undefined;
  const out: T[] = [];
  for await (const doc of docs) {
    const r = schema.safeParse(doc);
    if (!r.success) {
      const why = reasonsOf(r.error)
        .slice(0, 2)
        .map((x) => `${x.path}: ${x.message}`)
        .join('; ');
      throw new EtlError('CATALOG_INVALID', `The stored ${collection} document ${String(doc._id)} in ${sink.target} is not a valid catalog document (${why}). Re-create the catalog with \`etl seed --reset\`.`);
    }
    out.push(r.data as T);
  }
  return out;
}

/**
 * The catalog `etl stream` sells: the one stored in the target; where there is none, the
 * defaults are seeded first. Sinks that store nothing (stdout, null) use the default catalog in memory.
 */
export async function loadCatalog(sink: Sink): Promise<LoadedCatalog> {
  const products = await readAll<Product>(sink, 'products', productSchema);
  const users = await readAll<User>(sink, 'users', userSchema);
  if (products === undefined || users === undefined) {
    const gen = new CatalogGenerator(defaultCatalog.seed);
    return { products: gen.products(0, defaultCatalog.products), users: gen.users(0, defaultCatalog.users), source: 'memory' };
  }
  if (products.length > 0 && users.length > 0) return { products, users, source: 'stored' };
  await seedCatalog({ ...defaultCatalog, reset: false, chunkSize: 10_000, sink });
  const again = await loadCatalog(sink);
  return { ...again, source: 'seeded' };
}
