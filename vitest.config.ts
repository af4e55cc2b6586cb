import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Both cores of the 2-vCPU machines this runs on (vitest's default leaves one idle).
    maxWorkers: 2,
    // A test that asserts nothing fails (the same as expect.hasAssertions() in every test).
    expect: { requireAssertions: true },
  },
});
