import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toJsonLine } from '../src/sinks/jsonl-files.js';
import { engine, testCatalog, liveEngine } from './helpers/engine.js';

// The engine's output for fixed seeds, recorded before the engine was split into modules
// (session machine, mix controller, fraud planner, checkout money, stock ledger). A change
// here means the same seed no longer gives the same records: a refactor must keep it, a
// deliberate change of behaviour regenerates it with UPDATE_GOLDEN=1 and says so.

const golden = new URL('./golden/engine.json', import.meta.url);

function fingerprint(): Record<string, { records: number; sha256: string }> {
  const out: Record<string, { records: number; sha256: string }> = {};
  const cases = {
    'seed 7, backfill, fraud 5 %, dirty 1 %': () => engine({ seed: 7, fraudRate: 0.05, dirtyRate: 0.01 }),
    'seed 9, partition 1/3, mix 20/50/30': () => engine({ seed: 9, partition: { index: 1, count: 3 }, mix: { views: 0.2, cart: 0.5, orders: 0.3 } }, testCatalog(50, 300, 3)),
    // Live time (issue 22): warmed up to a fixed origin, 5 visits a second.
    'seed 11, live time from a fixed origin, 5 visits/s': () => liveEngine(Date.UTC(2026, 5, 1, 12), 5, { seed: 11 }),
    // The living store (issue 23): order lifecycles, price changes, reviews, user changes.
    'seed 13, backfill, living store, 500 visits a day': () => engine({ seed: 13, lifecycle: true, sessionsPerDay: 500 }),
    'seed 17, partition 2/2, living store, live time': () => liveEngine(Date.UTC(2026, 7, 3, 18), 4, { seed: 17, partition: { index: 1, count: 2 }, lifecycle: true }),
  };
  for (const [name, make] of Object.entries(cases)) {
    const hash = createHash('sha256');
    const records = make().take(40_000);
    for (const r of records) hash.update(`${r.seq} ${r.collection} ${r.dirty ?? '-'} ${toJsonLine(r.doc)}`);
    out[name] = { records: records.length, sha256: hash.digest('hex') };
  }
  return out;
}

describe('engine golden output', () => {
  it('the same seeds give the same records as when the golden file was recorded', () => {
    const now = fingerprint();
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, `${JSON.stringify(now, null, 2)}\n`);
    expect(now).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
  });
});
