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
  | { mode: 'speed'; x: number; fromMs: number }
  /**
   * Live time: simulated time is the wall clock (plus an offset), and every `flushMs` what
   * became due since the last flush is written (in batches of at most --batch-size).
   */
  | { mode: 'live'; flushMs: number };

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
  /** Live time: added to simulated time to stamp records (wall time where simulated time is). */
  offsetMs = 0;
  /** Live time: the wall time of the flush being written; records stamped before it are due. */
  private flushAt = 0;

  constructor(
    readonly pacing: Pacing,
    private readonly wall: () => number = Date.now,
  ) {
    this.startedAt = wall();
  }

  /**
   * Live time: from now on, simulated time `simMs` is now on the wall clock (the start of a
   * run, or of a resumed one: the time in between is a pause, as a shop closed for it).
   */
  startLive(simMs: number): void {
    const now = this.wall();
    this.startedAt = now;
    this.flushAt = now;
    this.offsetMs = now - simMs;
  }

  /**
   * Wall time at which the batch that starts after `recordsDone` records is due; `simMs` is
   * the engine's clock (simulated time; in live time the stamp of its latest step).
   */
  dueAt(recordsDone: number, simMs: number): number {
    const p = this.pacing;
    switch (p.mode) {
      case 'live':
        return simMs < this.flushAt ? 0 : this.flushAt + p.flushMs;
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
    if (p.mode === 'live') return this.flushAt;
    return p.mode === 'speed' ? p.fromMs + (this.wall() - this.startedAt) * p.x : undefined;
  }

  /** Waits until the next batch is due; resolves false if aborted meanwhile. */
  async wait(recordsDone: number, simMs: number, signal: AbortSignal, deadline?: number): Promise<boolean> {
    if (this.pacing.mode === 'live') return this.waitLive(this.pacing.flushMs, simMs, signal, deadline);
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

  /**
   * Live time: records of the current flush are due at once; when the engine has caught up
   * with it, the next flush is a --interval (or 50 ms under --rate) later. Behind by more than
   * the limit (the target held writes back), the simulation is moved on to now instead of
   * catching up in a burst: the offset grows by the lag, as a pause.
   */
  private async waitLive(flushMs: number, clockMs: number, signal: AbortSignal, deadline = Infinity): Promise<boolean> {
    const now = this.wall();
    // Behind: how far the engine's clock trails the wall clock, beyond one flush.
    this.lagMs = Math.max(0, now - clockMs - flushMs);
    if (this.lagMs > this.behindLimitMs) {
      this.offsetMs += this.lagMs;
      this.flushAt = now;
      this.rebasedAt = now;
      return !signal.aborted;
    }
    const due = this.dueAt(0, clockMs);
    if (due === 0 || due <= now) {
      if (due !== 0) this.flushAt = now;
      return !signal.aborted;
    }
    // A --duration ends between flushes: its last one is at the deadline.
    try {
      await sleep(Math.max(0, Math.min(due, deadline) - now), undefined, { signal });
    } catch {
      return false;
    }
    this.flushAt = Math.min(Math.max(due, this.wall()), deadline);
    return true;
  }

  /** Live time: the run ends at `deadline`; what became due up to it is written first. */
  flushUntil(deadline: number): void {
    this.flushAt = Math.max(this.flushAt, deadline);
  }

  /** True when generation runs behind its schedule because writes hold it back. */
  get sinkBound(): boolean {
    if (this.pacing.mode === 'none') return false;
    return this.lagMs > this.behindLimitMs || this.wall() - this.rebasedAt < 2000;
  }

  /** How late a batch may be before generation counts as held back (and the schedule moves on). */
  private get behindLimitMs(): number {
    const p = this.pacing;
    return Math.max(maxBehindMs, 2 * (p.mode === 'interval' ? p.ms : p.mode === 'live' ? p.flushMs : 100));
  }
}
