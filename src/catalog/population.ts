import type { ProfileName } from '../shared/profiles.js';
import { abiPopulation } from './adaptive-bi.js';
import { countries, customerSegments, genderWeights, segmentWeights } from './reference.js';

/** Who the users are: relative weights over `countries`, `customerSegments` and `genders` (by index). */
export interface PopulationWeights {
  country: readonly number[];
  segment: readonly number[];
  gender: readonly number[];
}

/** The default store's users. */
export const defaultPopulation: PopulationWeights = {
  country: countries.map((c) => c.weight),
  segment: customerSegments.map((s) => segmentWeights[s]),
  gender: genderWeights,
};

/** Who a profile's users are. (No faker here: reading a catalog must not load it.) */
export function populationOf(profile: ProfileName): PopulationWeights {
  return profile === 'adaptive-bi' ? abiPopulation : defaultPopulation;
}
