import { evenShare } from '../shared/share.js';

/**
 * One partition's warehouse: its share of every product's stock, moved one movement at a time
 * (`next = previous + change`, never negative when callers respect `level`).
 */
export class StockLedger {
  private readonly stock: Int32Array;

  /** @param initialStock the whole store's stock per product, split evenly across partitions */
  constructor(
    initialStock: ArrayLike<number>,
    readonly warehouse: string,
    partitionIndex: number,
    partitionCount: number,
  ) {
    this.stock = Int32Array.from(initialStock, (s) => evenShare(s, partitionCount, partitionIndex));
  }

  /** Units of a product on hand. */
  level(product: number): number {
    return this.stock[product];
  }

  /** Moves stock: `next = previous + change`. */
  move(product: number, change: number): { previous: number; next: number } {
    const previous = this.stock[product];
    const next = previous + change;
    this.stock[product] = next;
    return { previous, next };
  }
}
