/**
 * Document profiles: whose shapes, ids and vocabularies the records take. `ecom-etl` is the
 * tool's own; `adaptive-bi` is the Adaptive-BI Phase 1 service's (seed design 000, docs/SEEDS.md), so that its
 * consumers work unchanged. The engine underneath is the same.
 *
 * This is the one list of profiles: each is the folder `src/profiles/<name>/` (loaded by
 * `loadProfile` in src/profiles/index.ts).
 */
export const profileNames = ['ecom-etl', 'adaptive-bi'] as const;
export type ProfileName = (typeof profileNames)[number];
