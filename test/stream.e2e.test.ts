import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseId } from '../src/events/ids.js';
import { eventSchemas } from '../src/events/schemas.js';
import { bin, killWhen, root, runBin, runCli } from './helpers/cli.js';
import { deadLetterCore, eventFiles, readDocs, readLines, sortedLines } from './helpers/files.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'etl-stream-'));

function summaryOf(stdout: string) {
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
  const summary = lines.find((l) => l.type === 'summary');
  expect(summary).toBeDefined();
  return summary;
}

type Counts = { generated: number; written: number; duplicates: number; dead_lettered: number };

/** Checks generated = written + duplicates + dead-lettered per collection, and that each file holds what was written. */
function reconcile(summary: { counts: { collections: Record<string, Counts> } }, out: string): { generated: number; written: number } {
  let generated = 0;
  let written = 0;
  for (const [name, n] of Object.entries(summary.counts.collections)) {
    expect(n.generated).toBe(n.written + n.duplicates + n.dead_lettered);
    expect(readLines(out, name)).toHaveLength(n.written);
    generated += n.generated;
    written += n.written;
  }
  return { generated, written };
}

describe('etl stream through the jsonl sink', () => {
  it('--rate 2000 --duration 5s writes about 10,000 records, spread evenly over the 5 seconds', () => {
    const out = tmp();
    // A catalog the size such traffic needs (a small one at this rate sells out, and its visits change).
    expect(runBin(['seed', '--sink', 'jsonl', '--out', out, '--products', '2000', '--users', '100000', '--quiet']).code).toBe(0);
    const r = runBin(['stream', '--sink', 'jsonl', '--out', out, '--rate', '2000', '--duration', '5s', '--json']);
    expect(r.code).toBe(0);
    const docs = eventFiles.flatMap((c) => readDocs(out, c));
    expect(Math.abs(docs.length - 10_000)).toBeLessThan(1_000);
    // Live time: timestamps are wall time, so per-second buckets show the pace (visits arrive at random, as traffic does).
    const times = docs.map((d) => (d.timestamp as Date).getTime()).sort((a, b) => a - b);
    const start = times[0];
    const buckets = [0, 0, 0, 0, 0];
    for (const t of times) buckets[Math.min(4, Math.floor((t - start) / 1000))]++;
    for (const b of buckets) expect(Math.abs(b - 2000)).toBeLessThan(500);
    const summary = summaryOf(r.stdout);
    expect(summary.status).toBe('completed');
    expect(summary.lost).toBe(0);
  });

  it('where code generation from strings is disallowed (NODE_OPTIONS), validation still runs and accepts what it accepted', () => {
    const out = tmp();
    const args = ['stream', '--sink', 'jsonl', '--out', out, '--products', '50', '--users', '500', '--from', '2026-02-01', '--limit', '3000', '--seed', '4', '--dirty-rate', '0.01', '--json', '--quiet'];
    const r = runBin(args, { env: { NODE_OPTIONS: '--disallow-code-generation-from-strings' } });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const plain = tmp();
    expect(runBin(args.map((a) => (a === out ? plain : a))).code).toBe(0);
    for (const c of eventFiles) expect(sortedLines(out, c), c).toEqual(sortedLines(plain, c));
    expect(deadLetterCore(out)).toEqual(deadLetterCore(plain));
    expect(deadLetterCore(out).length).toBeGreaterThan(10);
  });

  it('--dirty-rate 0.01: dead letters hold exactly the corrupted records, with reasons, and counts reconcile', async () => {
    const out = tmp();
    const r = await runCli(['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-02-01', '--limit', '50000', '--dirty-rate', '0.01', '--seed', '3', '--json']);
    expect(r.code).toBe(0);
    const dead = readDocs(out, 'dead_letters');
    expect(dead.length).toBeGreaterThan(350);
    expect(dead.length).toBeLessThan(650);
    for (const d of dead) {
      expect(d.injected).not.toBeNull();
      expect((d.reasons as unknown[]).length).toBeGreaterThan(0);
      expect(eventSchemas[d.collection as keyof typeof eventSchemas].safeParse(d.record).success).toBe(false);
    }
    // Everything in the main collections is clean.
    for (const c of eventFiles) for (const doc of readDocs(out, c)) expect(eventSchemas[c as keyof typeof eventSchemas].safeParse(doc).success).toBe(true);
    const summary = summaryOf(r.stdout);
    expect(reconcile(summary, out).generated).toBe(50_000);
    expect(summary.counts.injectedDirty).toBe(dead.length);
    // The run record in etl_runs.jsonl says the same.
    const runs = readDocs(out, 'etl_runs');
    const last = runs[runs.length - 1];
    expect(last.status).toBe('completed');
    expect(last.counts).toEqual(summary.counts.collections);
  });

  it('a backfill with one partition gives byte-identical files twice (dead letters in the same order too)', async () => {
    const a = tmp();
    const b = tmp();
    // Small batches and 4 in flight: many concurrent appends to every file.
    const args = ['stream', '--sink', 'jsonl', '--from', '2026-03-02T00:00:00Z', '--limit', '60000', '--seed', '7', '--dirty-rate', '0.01', '--batch-size', '200', '--quiet'];
    expect((await runCli([...args, '--out', a])).code).toBe(0);
    expect((await runCli([...args, '--out', b])).code).toBe(0);
    for (const c of [...eventFiles, 'products', 'users']) {
      expect(readLines(a, c).length, c).toBeGreaterThan(0);
      expect(readFileSync(join(b, `${c}.jsonl`)).equals(readFileSync(join(a, `${c}.jsonl`))), c).toBe(true);
    }
    // A dead letter names its run and when it was rejected; everything else, and the order, repeats.
    const core = (dir: string) => readDocs(dir, 'dead_letters').map((d) => JSON.stringify({ ...d, run_id: undefined, created_at: undefined }));
    expect(core(a).length).toBeGreaterThan(0);
    expect(core(b)).toEqual(core(a));
  });

  it('a backfill with --workers 2 twice: the same lines, and each partition’s lines in the same order', async () => {
    const a = tmp();
    const b = tmp();
    const args = ['stream', '--sink', 'jsonl', '--from', '2026-02-01', '--limit', '40000', '--seed', '11', '--workers', '2', '--quiet'];
    expect((await runCli([...args, '--out', a])).code).toBe(0);
    expect((await runCli([...args, '--out', b])).code).toBe(0);
    let total = 0;
    const ofPartition = (lines: string[], p: string) => lines.filter((l) => l.includes(`-${p}-`));
    for (const c of eventFiles) {
      expect(sortedLines(b, c)).toEqual(sortedLines(a, c));
      for (const p of ['0.2', '1.2']) expect(ofPartition(readLines(b, c), p), `${c} ${p}`).toEqual(ofPartition(readLines(a, c), p));
      total += readLines(a, c).length;
    }
    expect(total).toBe(40_000);
    const ids = eventFiles.flatMap((c) => readDocs(a, c).map((d) => d._id));
    expect(new Set(ids).size).toBe(40_000);
  });

  it('--workers 2 cut by --limit and resumed over records beyond both checkpoints equals one run (partition 0 runs in the main thread, 1 in a worker)', async () => {
    const [whole, cut] = [tmp(), tmp()];
    for (const d of [whole, cut]) expect((await runCli(['seed', '--sink', 'jsonl', '--out', d, '--products', '300', '--users', '8000', '--quiet'])).code).toBe(0);
    // Repeated deliveries: a record beyond a checkpoint may be in the files twice (absorbed copy by copy).
    const args = ['stream', '--sink', 'jsonl', '--from', '2026-02-01', '--seed', '17', '--workers', '2', '--dirty-rate', '0.01', '--answers', '--scenario', 'duplicate-delivery:share=0.02', '--quiet'];
    expect((await runCli([...args, '--out', whole, '--limit', '12000'])).code).toBe(0);
    expect((await runCli([...args, '--out', cut, '--limit', '6000'])).code).toBe(0);
    // As a kill leaves it: records written beyond the last checkpoint saved, in both partitions.
    const runsFile = join(cut, 'etl_runs.jsonl');
    const last = JSON.parse(readFileSync(runsFile, 'utf8').trim().split('\n').at(-1)!) as { status: string; checkpoint: Record<string, number>; ended_at: unknown };
    expect(last.checkpoint).toEqual({ '0.2': 3000, '1.2': 3000 });
    const rewound = { '0.2': 1700, '1.2': 2300 };
    appendFileSync(runsFile, `${JSON.stringify({ ...last, status: 'running', ended_at: null, checkpoint: rewound })}\n`);
    const beyond = (p: '0.2' | '1.2') =>
      eventFiles.flatMap((c) => readDocs(cut, c)).filter((d) => {
        const id = parseId(String(d._id))!;
        return id.partition === p && id.seq >= rewound[p];
      }).length;
    const held = { '0.2': beyond('0.2'), '1.2': beyond('1.2') };
    expect(held['0.2']).toBeGreaterThan(1000);
    expect(held['1.2']).toBeGreaterThan(500);

    const resumed = await runCli([...args, '--out', cut, '--limit', '12000', '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const c of eventFiles) expect(sortedLines(cut, c), c).toEqual(sortedLines(whole, c));
    expect(deadLetterCore(cut)).toEqual(deadLetterCore(whole));
    // Every copy already in the files was absorbed, none written twice: the main thread's sink knew partition 0's, the worker's partition 1's.
    const summary = summaryOf(resumed.stdout);
    expect(Object.values(summary.counts.collections as Record<string, Counts>).reduce((a, n) => a + n.duplicates, 0)).toBe(held['0.2'] + held['1.2']);
    expect(summary.checkpoint).toEqual({ '0.2': 6000, '1.2': 6000 });
    const [a, b] = [await runCli(['verify', '--from', whole]), await runCli(['verify', '--from', cut])];
    expect([a.code, b.code], a.stdout + b.stdout).toEqual([0, 0]);
    expect(b.stdout).toBe(a.stdout.replace(whole, cut));
  });

  it('SIGKILL mid-backfill leaves whole lines; --resume completes it to equal an uninterrupted run', async () => {
    const whole = tmp();
    const killed = tmp();
    const args = ['stream', '--sink', 'jsonl', '--from', '2026-02-01', '--limit', '150000', '--seed', '21', '--dirty-rate', '0.01', '--batch-size', '500', '--quiet'];
    expect(runBin([...args, '--out', whole]).code).toBe(0);
    // Seed the catalog first so the kill lands in the stream, then kill after some output.
    expect(runBin(['seed', '--sink', 'jsonl', '--out', killed, '--quiet']).code).toBe(0);
    const child = spawn(process.execPath, [bin, ...args, '--out', killed], { cwd: root, stdio: 'ignore' });
    // Kill once the stream is writing (start-up time varies with machine load).
    await killWhen(child, () => readLines(killed, 'product_views').length >= 2000, 30_000);
    let partial = 0;
    for (const c of eventFiles) {
      // Every line but a possibly torn last one (a kill can cut a write short) parses; the
      // resumed run cuts a torn tail before it appends.
      const path = join(killed, `${c}.jsonl`);
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
      const whole = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
      for (const line of whole) expect(() => JSON.parse(line)).not.toThrow();
      partial += whole.length;
    }
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(150_000);
    const resumed = runBin([...args, '--out', killed, '--resume', '--json']);
    expect(resumed.code).toBe(0);
    for (const c of eventFiles) expect(sortedLines(killed, c)).toEqual(sortedLines(whole, c));
    expect(deadLetterCore(killed)).toEqual(deadLetterCore(whole));
  });

  it('SIGTERM stops generation, prints the summary, exits 0 and the counts reconcile', async () => {
    const out = tmp();
    expect(runBin(['seed', '--sink', 'jsonl', '--out', out, '--quiet']).code).toBe(0);
    const child = spawn(process.execPath, [bin, 'stream', '--sink', 'jsonl', '--out', out, '--rate', '3000', '--json'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    // Stop it mid-stream: after two ticks (one per second) have been printed.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (stdout.match(/"type":"tick"/g) ?? []).length < 2) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    const summary = summaryOf(stdout);
    expect(summary.status).toBe('interrupted');
    expect(summary.lost).toBe(0);
    expect(reconcile(summary, out).written).toBeGreaterThan(1000);
  });

  it('--resume with other content options is refused (exit 2), and with nothing to resume too', async () => {
    const out = tmp();
    expect((await runCli(['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-02-01', '--limit', '1000', '--seed', '4', '--quiet'])).code).toBe(0);
    const changed = await runCli(['stream', '--sink', 'jsonl', '--out', out, '--from', '2026-02-01', '--limit', '1000', '--seed', '4', '--fraud-rate', '0.3', '--resume']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/--resume: this run has --fraud-rate 0.3 but the run being resumed .* used --fraud-rate 0.02: give --fraud-rate 0.02/);
    const none = await runCli(['stream', '--sink', 'jsonl', '--out', tmp(), '--resume']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no earlier `etl stream` run for partitions 0.1/);
    // With a seed and no recorded run (killed before its first checkpoint), it starts at the beginning.
    const fresh = await runCli(['stream', '--sink', 'jsonl', '--out', tmp(), '--seed', '999', '--from', '2026-02-01', '--limit', '100', '--resume']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/starting at the beginning/);
  });
});

describe('etl stream through the stdout and null sinks', () => {
  it('--sink stdout writes one NDJSON record per line with its collection; human text to stderr', async () => {
    const r = await runCli(['stream', '--sink', 'stdout', '--from', '2026-02-01', '--limit', '200', '--seed', '1']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(200);
    for (const l of lines) expect(eventFiles).toContain(l.collection);
    expect(r.stderr).toMatch(/completed at [0-9-]+ [0-9:]+Z: 200 records/);
    expect(r.stderr).toContain('keeps no catalog: using one in memory (100 products, 1,000 users, seed 42)');
  });

  it('--sink null with --json prints ticks and a reconciled summary', async () => {
    const r = await runCli(['stream', '--sink', 'null', '--from', '2026-02-01', '--limit', '20000', '--json']);
    expect(r.code).toBe(0);
    const summary = summaryOf(r.stdout);
    expect(summary.counts.collections.transactions.written).toBeGreaterThan(0);
    expect(summary.lost).toBe(0);
  });
});
