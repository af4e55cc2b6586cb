import type { Document } from 'bson';
import { expect } from 'vitest';
import { runCli } from './cli.js';
import { eventFiles } from './files.js';
import type { PeerRule } from './wire-peer.js';

// What the fault runs through the wire peer share (standalone or replica set): running the
// stream, firing a fault mid-run, and checking that the target holds exactly the records of
// the same run written to files.

type Counts = { generated: number; written: number; duplicates: number; dead_lettered: number };
export interface FaultRunSummary {
  status: string;
  lost: number;
  runId: string;
  counts: { retries: number; collections: Record<string, Counts> };
}

/** What a peer stored, by collection. */
export interface StoredIds {
  ids(collection: string): string[];
  docs(collection: string): Document[];
}

/** A rule that fires `fault` once, when the run has sent `after` inserts (as `inserts()` counts them). */
export function afterInserts(inserts: () => number, after: number, fault: PeerRule): PeerRule {
  let fired = false;
  return (cmd, peer) => {
    if (fired || cmd.name !== 'insert' || inserts() < after) return undefined;
    const reply = fault(cmd, peer);
    if (reply) fired = true;
    return reply;
  };
}

/** `etl stream --uri` with these arguments and --json: the exit code, the summary, stderr. */
export async function streamInto(uri: string, args: string[]): Promise<{ code: number; summary: FaultRunSummary; stderr: string }> {
  const r = await runCli(['stream', '--uri', uri, '--db', 'shop', ...args, '--json']);
  const last = r.stdout.trim().split('\n').pop() ?? '{}';
  return { code: r.code, summary: JSON.parse(last) as FaultRunSummary, stderr: r.stderr };
}

/** Every generated record stored exactly once (or dead-lettered), counts reconciled, etl_runs agreeing. */
export function expectNothingLost(store: StoredIds, summary: FaultRunSummary, expected: Record<string, string[]>): void {
  expect(summary.lost).toBe(0);
  for (const c of [...eventFiles, 'dead_letters']) expect(store.ids(c).sort(), c).toEqual(expected[c]);
  for (const [name, n] of Object.entries(summary.counts.collections)) {
    expect(n.generated, name).toBe(n.written + n.duplicates + n.dead_lettered);
    // Updates (the living store's `<collection>:updates`) store no document of their own.
    if (!name.endsWith(':updates')) expect(store.ids(name).length, name).toBe(n.generated - n.dead_lettered);
  }
  // The run record the tool stored agrees with the summary it printed.
  const runs = store.docs('etl_runs');
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ _id: summary.runId, status: 'completed', counts: summary.counts.collections });
}
