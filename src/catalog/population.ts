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
