import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { root, runCli } from './helpers/cli.js';
import { eventFiles, readLines } from './helpers/files.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'etl-scale-'));

interface Job {
  kind: string;
  spec: {
    completionMode: string;
    completions: number;
    parallelism: number;
    template: { spec: { restartPolicy: string; containers: Array<{ image: string; args: string[]; env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }> }> } };
  };
}

const job = parse(readFileSync(join(root, 'deploy/kubernetes/etl-stream-job.yaml'), 'utf8')) as Job;
const container = job.spec.template.spec.containers[0];
const env = Object.fromEntries(container.env.map((e) => [e.name, e]));

describe('deploy/kubernetes/etl-stream-job.yaml', () => {
  it('is an Indexed Job of N pods, each told N, against a MONGODB_URI secret, resuming after a retry', () => {
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    expect(Number(env.ETL_PARTITIONS.value)).toBe(job.spec.completions);
    expect(env.MONGODB_URI.valueFrom?.secretKeyRef).toMatchObject({ name: 'ecom-etl-mongodb', key: 'uri' });
    expect(container.args.slice(0, 2)).toEqual(['stream', '--resume']);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('the partition a pod gets from JOB_COMPLETION_INDEX and ETL_PARTITIONS reaches the stream', async () => {
    for (const index of [0, 3]) {
      const r = await runCli(['stream', '--sink', 'null', '--limit', '100', '--json'], { env: { JOB_COMPLETION_INDEX: String(index), ETL_PARTITIONS: env.ETL_PARTITIONS.value } });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').pop()!).partitions).toEqual([`${index}.4`]);
    }
  });

  it('bad or half-given partition variables are refused with exit 2', async () => {
    const only = await runCli(['stream', '--sink', 'null', '--limit', '10'], { env: { ETL_PARTITIONS: '4' } });
    expect(only.code).toBe(2);
    expect(only.stderr).toMatch(/ETL_PARTITIONS=4 is set but JOB_COMPLETION_INDEX is not/);
    const beyond = await runCli(['stream', '--sink', 'null', '--limit', '10'], { env: { ETL_PARTITIONS: '4', JOB_COMPLETION_INDEX: '4' } });
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toMatch(/Invalid JOB_COMPLETION_INDEX \(environment\): "4" must be a whole number below ETL_PARTITIONS=4/);
    // An explicit partition wins over the Job's.
    const flag = await runCli(['stream', '--sink', 'null', '--limit', '10', '--partition', '1/2', '--json'], { env: { ETL_PARTITIONS: '4', JOB_COMPLETION_INDEX: '3' } });
    expect(JSON.parse(flag.stdout.trim().split('\n').pop()!).partitions).toEqual(['1.2']);
  });
});

describe('scaling out over processes', () => {
  it('two processes with --partition 0/2 and 1/2 together write exactly the records of one --workers 2 run', async () => {
    const [a, b, both] = [tmp(), tmp(), tmp()];
    const common = ['stream', '--sink', 'jsonl', '--from', '2026-02-01', '--limit', '20000', '--seed', '31', '--quiet'];
    for (const dir of [a, b, both]) expect((await runCli(['seed', '--sink', 'jsonl', '--out', dir, '--quiet'])).code).toBe(0);
    const [ra, rb] = await Promise.all([runCli([...common, '--out', a, '--partition', '0/2', '--limit', '10000']), runCli([...common, '--out', b, '--partition', '1/2', '--limit', '10000'])]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    expect((await runCli([...common, '--out', both, '--workers', '2'])).code).toBe(0);
    let total = 0;
    for (const c of eventFiles) {
      const union = [...readLines(a, c), ...readLines(b, c)].sort();
      expect(union, c).toEqual(readLines(both, c).sort());
      total += union.length;
    }
    expect(total).toBe(20_000);
  });
});
