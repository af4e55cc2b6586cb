import type { ProfileName } from '../shared/profiles.js';
import type { Profile } from './profile.js';

export type { Profile } from './profile.js';

/**
 * The profile named `name`: the `profile` its folder (`src/profiles/<name>/index.ts`)
 * exports. Loaded on demand, so that a command that renders no document loads none.
 */
export async function loadProfile(name: ProfileName): Promise<Profile> {
  // The folder is the name: a profile is listed once, in `profileNames`.
  const m = (await import(/* @vite-ignore */ `./${name}/index.js`)) as { profile: Profile };
  return m.profile;
}
