import { setTimeout as sleep } from 'node:timers/promises';

/** Under --rate or --interval, how far behind schedule generation may fall before the schedule moves on (ms). */
const maxBehindMs = 1000;

/** Under --speed, how often generation looks whether simulated time has reached new records (ms). */
const speedTickMs = 50;

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
  private startedAt: number;
  /** When the schedule was last moved on because generation fell more than a second behind. */
  private rebasedAt = -Infinity;
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
        // Records are due as soon as simulated time has reached them (see horizon); when the
        // engine is ahead of it, look again a tick later.
        return simMs < this.horizon()! ? 0 : this.wall() + speedTickMs;
    }
  }

  /**
   * Under --speed, the simulated time wall time has reached: records stamped before it are due
   * now. Batches end there, so output flows smoothly instead of in bursts of --batch-size.
   */
  horizon(): number | undefined {
    const p = this.pacing;
    return p.mode === 'speed' ? p.fromMs + (this.wall() - this.startedAt) * p.x : undefined;
  }

  /** Waits until the next batch is due; resolves false if aborted meanwhile. */
  async wait(recordsDone: number, simMs: number, signal: AbortSignal): Promise<boolean> {
    if (this.pacing.mode === 'speed') {
      // Behind: the wall time the simulated time not yet generated stands for.
      const behind = (this.horizon()! - simMs) / this.pacing.x;
      this.lagMs = Math.max(0, behind - speedTickMs);
    }
    const due = this.dueAt(recordsDone, simMs);
    this.batches++;
    const now = this.wall();
    if (this.pacing.mode !== 'speed') this.lagMs = due > 0 ? Math.max(0, now - due) : 0;
    // A rate is held, not made up: after an outage or a slow spell the schedule moves on, so
    // the records that fell due meanwhile do not come in a burst above --rate.
    if ((this.pacing.mode === 'rate' || this.pacing.mode === 'interval') && this.lagMs > this.behindLimitMs) {
      this.startedAt += this.lagMs;
      this.rebasedAt = now;
    }
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
    if (this.pacing.mode === 'none') return false;
    return this.lagMs > this.behindLimitMs || this.wall() - this.rebasedAt < 2000;
  }

  /** How late a batch may be before generation counts as held back (and the schedule moves on). */
  private get behindLimitMs(): number {
    const p = this.pacing;
    return Math.max(maxBehindMs, 2 * (p.mode === 'interval' ? p.ms : 100));
  }
}
