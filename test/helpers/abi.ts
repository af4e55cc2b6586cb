import type { PartitionJob } from '../../src/run/partition.js';
import type { ProfileName } from '../../src/shared/profiles.js';

/** One partition's backfill job for the profile tests, ending before sequence `endSeq`. */
export function abiJob(profile: ProfileName, endSeq: number): PartitionJob {
  return {
    runId: 'abi-test',
    profile,
    seed: 5,
    partition: { index: 0, count: 1 },
    // Order-heavy, so that every collection gets its 100,000 documents in one run.
    mix: { views: 0.1, cart: 0.35, orders: 0.55 },
    fraudRate: 0.05,
    dirtyRate: 0,
    fromMs: Date.parse('2026-03-02T00:00:00Z'),
    startSeq: 0,
    endSeq,
    pacing: { mode: 'none' },
    batchSize: 5000,
    inFlight: 2,
  };
}
