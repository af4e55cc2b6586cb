// node scripts/check-integration-run.js REPORT
// .ci/run runs this after `npm test` wherever MONGODB_TEST_URI is set, REPORT being vitest's JSON
// report of that run. It fails (exit 1) unless every test in every file under test/integration/
// ran: a skipped one there means the run passed without checking what it claims to, and a
// skip is easy to miss among a few hundred passing tests.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = 'test/integration';
const posix = (p) => p.split(sep).join('/');

function fail(message) {
  console.error(`integration tests: ${message}`);
  process.exit(1);
}

const [reportPath] = process.argv.slice(2);
if (!reportPath) fail('usage: node scripts/check-integration-run.js REPORT.json (vitest --reporter=json)');

let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (err) {
  fail(`cannot read the test report ${reportPath}: ${err.message}`);
}
if (!Array.isArray(report?.testResults)) fail(`${reportPath} is not a vitest JSON report (no testResults)`);

// What exists is what is on disk, not what the report lists: a file left out of the run is a test that did not run.
const files = readdirSync(join(root, dir), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `${dir}/${posix(f)}`)
  .sort();
if (files.length === 0) fail(`no test files under ${dir}/`);

const byFile = new Map(report.testResults.map((r) => [posix(relative(root, r.name)), r]));
const problems = [];
let total = 0;
let ran = 0;
for (const file of files) {
  const result = byFile.get(file);
  if (!result) {
    problems.push(`${file}: not in the report (the file did not run)`);
    continue;
  }
  if (result.assertionResults.length === 0) problems.push(`${file}: no tests reported${result.message ? ` (${result.message.split('\n')[0]})` : ''}`);
  for (const test of result.assertionResults) {
    total++;
    // A failed test ran (and has already failed the run); skipped, todo and pending did not.
    if (test.status === 'passed' || test.status === 'failed') ran++;
    else problems.push(`${file}: ${test.status}: ${test.fullName}`);
  }
}

if (problems.length > 0) fail(`${ran} of ${total} ran; with MONGODB_TEST_URI set every one must run:\n  ${problems.join('\n  ')}`);
console.log(`integration tests: ${ran} of ${total} ran`);
