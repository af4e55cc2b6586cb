import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { root } from './helpers/cli.js';

// The GitHub Actions workflow cannot run here (no Docker engine, no GitHub); this checks
// what can be checked: it parses, covers the matrix, gives the tests a server and runs .ci/run.

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

  it('every job runs the same .ci/run, which runs the README’s test command and fails on skipped integration tests', () => {
    for (const job of Object.values(workflow.jobs)) expect(job.steps.some((s) => s.run?.trim() === 'bash .ci/run')).toBe(true);
    const ci = read('.ci/run');
    expect(ci).toMatch(/^npm ci /m);
    expect(ci).toMatch(/npm test/);
    expect(ci).toMatch(/MONGODB_TEST_URI.*integration tests SKIPPED/);
    // The skip notice the guard looks for is the one the suite prints.
    expect(read('test/global-setup.ts')).toContain('integration tests SKIPPED');
    expect(read('README.md')).toMatch(/^npm test$/m);
  });
});
