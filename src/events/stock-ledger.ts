import { evenShare } from '../shared/share.js';
import type { InventoryUpdate } from './schemas.js';

/**
 * One partition's warehouse: its share of every product's stock, and the inventory record
 * of every movement (`new = previous + change`, never negative when callers respect `level`).
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

  /** Moves stock and returns the inventory record of the movement. */
  move(id: string, productId: string, product: number, type: InventoryUpdate['update_type'], change: number, reference: string | null, at: Date): InventoryUpdate {
    const previous = this.stock[product];
    const next = previous + change;
    this.stock[product] = next;
    return {
      _id: id,
      product_id: productId,
      warehouse_id: this.warehouse,
      update_type: type,
      previous_stock: previous,
      quantity_change: change,
      new_stock: next,
      reference_id: reference,
      timestamp: at,
    };
  }
}
