import { parentPort, workerData } from 'node:worker_threads';
import { serializeError, type SerializedError } from '../errors.js';
import type { StoreCatalog } from '../catalog/store-catalog.js';
import { emptySnapshot } from '../reporting/counters.js';
import { loadProfile } from '../profiles/index.js';
import { createSink, type SinkOptions } from '../sinks/index.js';
import type { SinkHealth } from '../sinks/types.js';
import { type PartitionJob, type PartitionPipeline, openPipeline, withAnswers } from './partition.js';

/** Messages a worker sends to the main thread. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; delta: ReturnType<PartitionPipeline['counters']['snapshot']>; watermark: number; sinkBound: boolean; clockMs: number; health?: SinkHealth }
  | { type: 'done'; reason: string; watermark: number; error?: SerializedError };

export interface WorkerInput {
  job: PartitionJob;
  sink: Omit<SinkOptions, 'stdout'>;
  /** The engine's catalog: its columns are in shared memory, so every worker uses one copy. */
  catalog: StoreCatalog;
  /** A resumed run: the target is told which of this partition's records it already holds. */
  resume: boolean;
}

/** Runs one partition in a worker thread, reporting progress to the main thread. */
async function runWorker(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  const stop = new AbortController();
  const onMessage = (m: unknown) => {
    if (m === 'stop') stop.abort();
  };
  port.on('message', onMessage);
  const sink = await createSink({ ...input.sink, stdout: process.stdout, prepare: false });
  let pipeline: PartitionPipeline | undefined;
  try {
    await sink.open();
    pipeline = await openPipeline(input.catalog, await loadProfile(input.job.profile), sink, input.job, input.resume, stop.signal);
    port.postMessage({ type: 'ready' } satisfies WorkerMessage);
    let last = emptySnapshot();
    const report = () => {
      const delta = pipeline!.counters.since(last);
      last = pipeline!.counters.snapshot();
      port.postMessage({ type: 'progress', delta, watermark: pipeline!.watermark, sinkBound: pipeline!.pacer.sinkBound, clockMs: pipeline!.clockMs, health: pipeline!.health } satisfies WorkerMessage);
    };
    const timer = setInterval(report, 200);
    const result = await pipeline.run().then(withAnswers(pipeline));
    clearInterval(timer);
    report();
    port.postMessage({ type: 'done', reason: result.reason, watermark: result.watermark, error: result.error === undefined ? undefined : serializeError(result.error) } satisfies WorkerMessage);
  } catch (err) {
    port.postMessage({ type: 'done', reason: 'failed', watermark: pipeline?.watermark ?? input.job.startSeq, error: serializeError(err) } satisfies WorkerMessage);
  } finally {
    await sink.close();
    // A listening port keeps the thread alive: let it end once its last messages are sent.
    port.off('message', onMessage);
  }
}



if (parentPort) await runWorker(workerData as WorkerInput);
