import { setTimeout as sleep } from 'node:timers/promises';

/** How generation is paced against wall time. */
export type Pacing =
  | { mode: 'none' }
  /** Records per second, spread evenly (small batches, each due at its time). */
  | { mode: 'rate'; perSecond: number }
  /** One batch every `ms`. */
  | { mode: 'interval'; ms: number }
  /** Simulated time runs `x` times faster than wall time (backfill). */
  | { mode: 'speed'; x: number; fromMs: number };

/**
 * Decides when the next batch is due. Waiting is abortable (Ctrl-C wakes it up). Reports
 * how far behind schedule generation is, which means the sink cannot keep up.
 */
export class Pacer {
  private readonly startedAt: number;
  private batches = 0;
  /** How late the last batch was, ms (0 when on time). */
  lagMs = 0;

  constructor(
    readonly pacing: Pacing,
    private readonly wall: () => number = Date.now,
  ) {
    this.startedAt = wall();
  }

  /** Wall time at which the batch that starts after `recordsDone` records (at simulated time `simMs`) is due. */
  dueAt(recordsDone: number, simMs: number): number {
    const p = this.pacing;
    switch (p.mode) {
      case 'none':
        return 0;
      case 'rate':
        return this.startedAt + (recordsDone / p.perSecond) * 1000;
      case 'interval':
        return this.startedAt + this.batches * p.ms;
      case 'speed':
        return this.startedAt + (simMs - p.fromMs) / p.x;
    }
  }

  /** Waits until the next batch is due; resolves false if aborted meanwhile. */
  async wait(recordsDone: number, simMs: number, signal: AbortSignal): Promise<boolean> {
    const due = this.dueAt(recordsDone, simMs);
    this.batches++;
    const now = this.wall();
    this.lagMs = due > 0 ? Math.max(0, now - due) : 0;
    if (due <= now) return !signal.aborted;
    try {
      await sleep(due - now, undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }

  /** True when generation runs behind its schedule because writes hold it back. */
  get sinkBound(): boolean {
    const p = this.pacing;
    if (p.mode === 'none') return false;
    const period = p.mode === 'interval' ? p.ms : 100;
    return this.lagMs > Math.max(1000, 2 * period);
  }
}
