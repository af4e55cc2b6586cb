import type { PartitionJob } from '../../src/run/partition.js';
import { defaultMix } from './engine.js';

/** A partition job for pipeline tests: one partition of a backfill, unpaced, the default mix; `over` says what the test is about. */
export function partitionJob(over: Partial<PartitionJob> & Pick<PartitionJob, 'fromMs'>): PartitionJob {
  return {
    runId: 'test-run',
    profile: 'ecom-etl',
    seed: 1,
    partition: { index: 0, count: 1 },
    mix: defaultMix,
    fraudRate: 0.02,
    dirtyRate: 0,
    startSeq: 0,
    pacing: { mode: 'none' },
    batchSize: 100,
    inFlight: 2,
    ...over,
  };
}
