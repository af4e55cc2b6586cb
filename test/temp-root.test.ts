import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { expect, it } from 'vitest';

// test/global-setup.ts points TMPDIR at one root per run and removes it at the end, so the
// temporary directories of every test (and of what they spawn with the environment) go there.
it('temporary directories of this run are made under its own root, which the run removes', () => {
  expect(basename(tmpdir())).toMatch(/^etl-test-run-/);
});
