import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonAssertionResult, JsonTestResults } from 'vitest/reporters';
import { root } from './helpers/cli.js';

// The count check .ci/run applies after the tests when MONGODB_TEST_URI is set, run the way
// .ci/run runs it, on reports vitest itself wrote: a run of test/integration/ with no server
// (every test skipped), and that report with its outcomes changed.

const tmp = mkdtempSync(join(tmpdir(), 'etl-ci-check-'));
let skippedRun: JsonTestResults;

beforeAll(() => {
  const out = join(tmp, 'vitest.json');
  // No server and no mongod binary, whatever this machine or CI has: the integration tests skip.
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/integration', '--reporter=json', `--outputFile.json=${out}`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: { PATH: process.env.PATH, HOME: tmp, MONGOMS_DOWNLOAD_DIR: join(tmp, 'no-binaries') },
  });
  expect(r.status, r.stderr).toBe(0);
  skippedRun = JSON.parse(readFileSync(out, 'utf8'));
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let reports = 0;
/** Runs the check as .ci/run does, on `report` (written as JSON unless it is text already). */
function check(report: unknown): { code: number | null; output: string } {
  const path = join(tmp, `report-${reports++}.json`);
  writeFileSync(path, typeof report === 'string' ? report : JSON.stringify(report));
  const r = spawnSync(process.execPath, ['scripts/check-integration-run.js', path], { cwd: root, encoding: 'utf8' });
  return { code: r.status, output: r.stdout + r.stderr };
}

const isIntegration = (file: { name: string }) => file.name.startsWith(join(root, 'test/integration/'));
const integrationTests = (report: JsonTestResults) => report.testResults.filter(isIntegration).flatMap((f) => f.assertionResults);

/** The skipped run with every integration test passed, then `change` applied to a copy. */
function ranAll(change: (report: JsonTestResults) => void = () => undefined): JsonTestResults {
  const report = structuredClone(skippedRun);
  for (const t of integrationTests(report)) t.status = 'passed';
  change(report);
  return report;
}
const last = (report: JsonTestResults): JsonAssertionResult => integrationTests(report).at(-1)!;

describe('scripts/check-integration-run.js (the .ci/run count check)', () => {
  it('vitest reports the integration tests as skipped where no server exists, and the check fails, naming each one', () => {
    const tests = integrationTests(skippedRun);
    expect(tests.length).toBeGreaterThan(1);
    expect(new Set(tests.map((t) => t.status))).toEqual(new Set(['skipped']));
    const r = check(skippedRun);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`0 of ${tests.length} ran`);
    for (const t of tests) expect(r.output).toContain(t.fullName);
  });

  it('passes when every integration test ran, and says how many', () => {
    const n = integrationTests(skippedRun).length;
    const r = check(ranAll());
    expect(r).toEqual({ code: 0, output: `integration tests: ${n} of ${n} ran\n` });
  });

  const n = () => integrationTests(skippedRun).length;
  interface Case {
    name: string;
    change: (report: JsonTestResults) => void;
    code: number;
    says: (report: JsonTestResults) => string;
  }
  it.each<Case>([
    { name: 'one skipped (a ctx.skip() inside the test)', change: (r) => void (last(r).status = 'skipped'), code: 1, says: () => `${n() - 1} of ${n()} ran` },
    { name: 'one todo', change: (r) => void (last(r).status = 'todo'), code: 1, says: (r) => `todo: ${last(r).fullName}` },
    { name: 'one pending', change: (r) => void (last(r).status = 'pending'), code: 1, says: (r) => `pending: ${last(r).fullName}` },
    { name: 'one failed: it ran (and has failed the run already)', change: (r) => void (last(r).status = 'failed'), code: 0, says: () => `${n()} of ${n()} ran` },
    {
      name: 'a file left out of the run',
      change: (r) => void (r.testResults = r.testResults.filter((f) => !f.name.endsWith('/test/integration/faults.test.ts'))),
      code: 1,
      says: () => 'test/integration/faults.test.ts: not in the report',
    },
    {
      name: 'a file that failed to load (no tests)',
      change: (r) => {
        const file = r.testResults.find((f) => f.name.endsWith('/test/integration/mongo.test.ts'))!;
        file.assertionResults = [];
        file.message = 'Failed to load url ../helpers/gone.js';
      },
      code: 1,
      says: () => 'test/integration/mongo.test.ts: no tests reported (Failed to load url ../helpers/gone.js)',
    },
  ])('$name', ({ change, code, says }) => {
    const report = ranAll(change);
    const r = check(report);
    expect(r.code).toBe(code);
    expect(r.output).toContain(says(report));
  });

  it.each([
    ['an empty file (vitest never wrote it)', ''],
    ['not a vitest report', '{"results": []}'],
  ])('fails on %s', (_name, text) => {
    const r = check(text);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/^integration tests: (cannot read the test report|.* is not a vitest JSON report)/);
  });
});
