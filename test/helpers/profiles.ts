import { loadProfile } from '../../src/profiles/index.js';

/** The two profiles, resolved as a command resolves them. */
export const ours = await loadProfile('ecom-etl');
export const abi = await loadProfile('adaptive-bi');
