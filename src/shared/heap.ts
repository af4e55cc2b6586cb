/**
 * A binary min-heap of items ordered by time, ties broken by insertion order, so that the
 * same pushes always pop in the same order (determinism).
 */
export class TimeHeap<T> {
  private readonly at: number[] = [];
  private readonly order: number[] = [];
  private readonly items: T[] = [];
  private pushed = 0;

  get size(): number {
    return this.items.length;
  }

  /** Time of the earliest item (Infinity when empty). */
  peekAt(): number {
    return this.items.length > 0 ? this.at[0] : Number.POSITIVE_INFINITY;
  }

  push(at: number, item: T): void {
    this.at.push(at);
    this.order.push(this.pushed++);
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0];
    const last = this.items.length - 1;
    this.swap(0, last);
    this.at.pop();
    this.order.pop();
    this.items.pop();
    this.down(0);
    return top;
  }

  private less(i: number, j: number): boolean {
    return this.at[i] < this.at[j] || (this.at[i] === this.at[j] && this.order[i] < this.order[j]);
  }

  private swap(i: number, j: number): void {
    [this.at[i], this.at[j]] = [this.at[j], this.at[i]];
    [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    [this.items[i], this.items[j]] = [this.items[j], this.items[i]];
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
