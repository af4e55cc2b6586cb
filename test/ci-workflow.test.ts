import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectionString } from 'mongodb-connection-string-url';
import { parse } from 'yaml';
import { root } from './helpers/cli.js';

// The GitHub Actions workflow cannot run here (no Docker engine, no GitHub); this checks
// what can be checked: it parses, covers the matrix, gives the tests their servers (one they
// may restart) and runs .ci/run, whose integration count check has its own tests
// (ci-integration-check.e2e.test.ts).

interface Job {
  strategy?: { matrix: Record<string, string[]> };
  services?: Record<string, { image: string; ports: string[] }>;
  env?: Record<string, string>;
  steps: Array<{ uses?: string; run?: string; with?: Record<string, string> }>;
}

const read = (p: string) => readFileSync(join(root, p), 'utf8');
const workflow = parse(read('.github/workflows/ci.yml')) as { on: Record<string, unknown>; jobs: Record<string, Job> };

describe('.github/workflows/ci.yml', () => {
  it('runs on push and pull request', () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
  });

  it('standalone: Node 20 and 22 × MongoDB 7.0 and 8.0 as a service container, with MONGODB_TEST_URI and the npm cache', () => {
    const job = workflow.jobs.standalone;
    expect(job.strategy!.matrix.node).toEqual(['20', '22']);
    expect(job.strategy!.matrix.mongodb).toEqual(['7.0', '8.0']);
    expect(job.services!.mongodb.image).toBe('mongo:${{ matrix.mongodb }}');
    expect(job.services!.mongodb.ports).toContain('27017:27017');
    expect(job.env!.MONGODB_TEST_URI).toMatch(/^mongodb:\/\/127\.0\.0\.1:27017/);
    const setup = job.steps.find((s) => s.uses?.startsWith('actions/setup-node'))!;
    expect(setup.with).toMatchObject({ 'node-version': '${{ matrix.node }}', cache: 'npm' });
  });

  it('a single-node replica set job, so retryable writes and a stepdown are exercised', () => {
    const job = workflow.jobs['replica-set'];
    const script = job.steps.map((s) => s.run ?? '').join('\n');
    expect(script).toMatch(/--replSet rs0/);
    expect(script).toMatch(/rs\.initiate/);
    expect(job.env!.MONGODB_TEST_URI).toContain('replicaSet=rs0');
  });

  it('every job runs the same .ci/run, which runs the README’s test command and, with MONGODB_TEST_URI set, fails unless every integration test ran', () => {
    for (const job of Object.values(workflow.jobs)) expect(job.steps.some((s) => s.run?.trim() === 'bash .ci/run')).toBe(true);
    const ci = read('.ci/run');
    expect(ci).toMatch(/^npm ci /m);
    expect(read('README.md')).toMatch(/^npm test$/m);
    // The README's command, with vitest's JSON report beside the usual output, which the count check reads.
    const report = /^npm test -- --reporter=default --reporter=json --outputFile\.json="\$(\w+)"$/m.exec(ci);
    expect(report, 'npm test with a JSON report').not.toBeNull();
    const guard = /^if \[ -n "\$\{MONGODB_TEST_URI:-\}" \]; then\n\s+node (scripts\/[\w-]+\.js) "\$(\w+)"\nfi$/m.exec(ci);
    expect(guard, 'the count check, when MONGODB_TEST_URI is set').not.toBeNull();
    expect(guard![2]).toBe(report![1]);
    expect(ci.indexOf(guard![0])).toBeGreaterThan(ci.indexOf(report![0]));
    expect(guard![1]).toBe('scripts/check-integration-run.js');
  });

  it('every job gives the fault tests a single-node replica set of their own, started so that MONGODB_TEST_RESTART restarts it', () => {
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const env = job.env!;
      const script = job.steps.map((s) => s.run ?? '').join('\n');
      const fault = new ConnectionString(env.MONGODB_TEST_FAULT_URI);
      const set = fault.searchParams.get('replicaSet');
      const port = fault.hosts[0].split(':')[1];
      expect(set, id).toBeTruthy();
      // Not the server every other integration test uses at the same time.
      expect(fault.hosts, id).not.toEqual(new ConnectionString(env.MONGODB_TEST_URI).hosts);
      const name = /^docker restart -t \d+ ([\w.-]+)$/.exec(env.MONGODB_TEST_RESTART)?.[1];
      expect(name, id).toBeTruthy();
      // A container of that name, on that port inside and out (the member's host is the address the tests use), in that set.
      expect(script, id).toMatch(new RegExp(`^\\s*docker run -d --name ${name} -p ${port}:${port} mongo:.+? --port ${port} --replSet ${set} `, 'm'));
      expect(script, id).toContain(`rs.initiate({ _id: '${set}', members: [{ _id: 0, host: '127.0.0.1:${port}' }] })`);
      expect(script, id).toMatch(new RegExp(`until_true ${name} ${port} 'db\\.hello\\(\\)\\.isWritablePrimary'`));
      // It is ready before the tests start.
      const steps = job.steps.map((s) => s.run ?? '');
      const started = steps.findIndex((s) => s.includes(`--name ${name} `));
      expect(started, id).toBeGreaterThanOrEqual(0);
      expect(started, id).toBeLessThan(steps.findIndex((s) => s.trim() === 'bash .ci/run'));
    }
  });

  it('the tests read every MONGODB_TEST_* variable the jobs set, and every job sets each one they read', () => {
    const readByTests = [...read('test/global-setup.ts').matchAll(/process\.env\.(MONGODB_TEST_\w+)/g)].map((m) => m[1]).sort();
    expect(readByTests).toEqual(['MONGODB_TEST_FAULT_URI', 'MONGODB_TEST_RESTART', 'MONGODB_TEST_URI']);
    for (const [id, job] of Object.entries(workflow.jobs)) {
      expect(Object.keys(job.env!).filter((k) => k.startsWith('MONGODB_TEST_')).sort(), id).toEqual(readByTests);
    }
  });
});
