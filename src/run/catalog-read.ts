import { CatalogBuilder, type StoreCatalog } from '../catalog/store-catalog.js';
import type { Profile } from '../profiles/index.js';
import type { CatalogReader } from '../sinks/types.js';

/** Told how far a catalog read has got (every 100,000 documents). */
export type CatalogProgress = (read: { collection: 'products' | 'users'; documents: number }) => void;

/**
 * Reads the stored catalog documents into the engine's columns (a projection of the fields
 * the engine uses; no document is kept). `catalog` is undefined when there is no product or no user.
 * @throws EtlError CATALOG_INVALID for a stored document the engine cannot use
 */
export async function readStoredCatalog(
  reader: CatalogReader,
  profile: Profile,
  target: string,
  progress?: CatalogProgress,
): Promise<{ catalog?: StoreCatalog; read: { products: number; users: number } }> {
  const builder = new CatalogBuilder(profile.catalog.reading, target);
  const fields = profile.catalog.reading.fields;
  const read = { products: 0, users: 0 };
  await reader.eachDocument('products', fields.products, (doc) => {
    builder.addProduct(doc);
    if (++read.products % 100_000 === 0) progress?.({ collection: 'products', documents: read.products });
  });
  const built = await reader.buildUsers?.(builder);
  if (built !== undefined) read.users = built;
  else {
    await reader.eachDocument('users', fields.users, (doc) => {
      builder.addUser(doc);
      if (++read.users % 100_000 === 0) progress?.({ collection: 'users', documents: read.users });
    });
  }
  return { catalog: read.products > 0 && read.users > 0 ? builder.finish() : undefined, read };
}
