import { loadProfile } from '../../src/profiles/index.js';

/** The two profiles, resolved as a command resolves them. */
export const ours = await loadProfile('ecom-etl');
export const abi = await loadProfile('adaptive-bi');
export const byName = { 'ecom-etl': ours, 'adaptive-bi': abi } as const;
