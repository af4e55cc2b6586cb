/** Something that makes records on a clock of its own beside the shoppers (the living store, a bot burst). */
export interface Side {
  /** Simulated time of its next record (Infinity: none). */
  readonly nextAt: number;
  step(sim: number, at: number): void;
}

/** The engine's side processes: which one is due first (the first added wins a tie, so runs repeat). */
export class Sides {
  private readonly list: Side[] = [];

  add(side: Side | undefined): void {
    if (side) this.list.push(side);
  }

  /** The side whose next record comes first, if any. */
  first(): Side | undefined {
    let first: Side | undefined;
    for (const s of this.list) if (!first || s.nextAt < first.nextAt) first = s;
    return first;
  }

  /** When the first side's next record comes (Infinity: none). */
  get nextAt(): number {
    return this.first()?.nextAt ?? Number.POSITIVE_INFINITY;
  }
}
