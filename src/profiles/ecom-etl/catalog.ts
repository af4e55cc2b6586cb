import { abiProductId, abiUserId } from '../adaptive-bi/catalog-documents.js';
import { defaultPopulation } from '../../catalog/population.js';
import { type CatalogProfile, otherProfileHint } from '../../catalog/profile.js';
import { idNumber } from '../../catalog/reference.js';
import { productSchema, userSchema } from '../../catalog/schemas.js';
import { type CatalogReading, ourTerms } from '../../catalog/store-catalog.js';

/** Its stored documents are in our terms; an id of Adaptive-BI's format names that profile. */
export const reading: CatalogReading = {
  ...ourTerms,
  from: { module: import.meta.url, name: 'reading' },
  idRule(kind, id) {
    const theirs = kind === 'products' ? idNumber(id, 'PRD_', abiProductId) : idNumber(id, 'USR_', abiUserId);
    return otherProfileHint(ourTerms.idRule(kind, id), theirs >= 0 ? 'an adaptive-bi catalog: add --profile adaptive-bi' : null);
  },
};

export const ecomEtlCatalog: CatalogProfile = {
  population: defaultPopulation,
  async shape(seed) {
    const { CatalogGenerator } = await import('../../catalog/generate.js');
    const gen = new CatalogGenerator(seed, defaultPopulation);
    return {
      products: (start, count) => gen.products(start, count) as unknown as Array<Record<string, unknown>>,
      users: (start, count) => gen.users(start, count) as unknown as Array<Record<string, unknown>>,
      schema: { products: productSchema, users: userSchema },
    };
  },
  reading,
};
