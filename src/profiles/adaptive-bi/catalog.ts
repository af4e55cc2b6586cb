import {
  abiPopulation,
  abiProductFields,
  abiProductSchema,
  abiUserFields,
  abiUserSchema,
  fromAbiProduct,
  fromAbiUser,
  toAbiProduct,
  toAbiUser,
} from './catalog-documents.js';
import { type CatalogProfile, otherProfileHint } from '../../catalog/profile.js';
import { idNumber, productId, userId } from '../../catalog/reference.js';
import type { CatalogReading } from '../../catalog/store-catalog.js';

/** Its documents read in our terms; their `_id` may be anything (its product_id / user_id is the key). */
export const reading: CatalogReading = {
  from: { module: import.meta.url, name: 'reading' },
  fields: { products: abiProductFields, users: abiUserFields },
  product: fromAbiProduct,
  user: fromAbiUser,
  idIsKey: false,
  idRule(kind, id) {
    const rule = kind === 'products' ? 'product_id: must be PRD_ and 4 digits' : 'user_id: must be USR_ and 6 digits';
    const ours = kind === 'products' ? idNumber(id, 'PRD_', productId) : idNumber(id, 'USR_', userId);
    return otherProfileHint(rule, ours >= 0 ? 'a catalog of ecom-etl’s own profile: drop --profile adaptive-bi' : null);
  },
};

export const abiCatalog: CatalogProfile = {
  population: abiPopulation,
  async shape(seed) {
    const { CatalogGenerator } = await import('../../catalog/generate.js');
    const gen = new CatalogGenerator(seed, abiPopulation);
    return {
      products: (start, count) => gen.products(start, count).map((p) => toAbiProduct(p, seed)),
      users: (start, count) => gen.users(start, count).map((u) => toAbiUser(u, seed)),
      schema: { products: abiProductSchema, users: abiUserSchema },
    };
  },
  reading,
};
