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

type Doc = Record<string, unknown>;
const time = (d: Doc) => (d.timestamp instanceof Date ? d.timestamp.getTime() : Date.parse(String(d.timestamp)));

/**
 * Checks the profile's inventory updates against its transactions (both in the order written):
 * per product and warehouse each update starts where the one before ended; a sale update sums
 * the lines of the orders it names (each order line in one update); the lines no update names
 * yet are each product's latest (their moves wait for their turn). Returns the counts.
 */
export function checkStockSummaries(tx: Doc[], inv: Doc[]): { sales: number; covered: number; uncovered: number; moves: number } {
  const last = new Map<string, number>();
  let moves = 0;
  for (const u of inv) {
    const key = `${String(u.product_id)}|${String(u.warehouse_id)}`;
    const before = last.get(key);
    if (before !== undefined && before !== u.previous_stock) throw new Error(`${key}: previous_stock ${String(u.previous_stock)} after new_stock ${before}`);
    if ((u.previous_stock as number) + (u.stock_change as number) !== u.new_stock) throw new Error(`${String(u._id)}: new_stock is not previous_stock + stock_change`);
    last.set(key, u.new_stock as number);
    moves += u.moves as number;
  }
  const lineOf = new Map(tx.map((t) => [`${String(t.order_id)}|${String(t.product_id)}`, t]));
  const covered = new Set<string>();
  const sales = inv.filter((u) => u.update_type === 'sale');
  for (const s of sales) {
    let units = 0;
    for (const o of s.order_ids as string[]) {
      const key = `${o}|${String(s.product_id)}`;
      const line = lineOf.get(key);
      if (!line) throw new Error(`sale ${String(s._id)} names order ${o} without a line of ${String(s.product_id)}`);
      if (covered.has(key)) throw new Error(`order line ${key} in two sale updates`);
      covered.add(key);
      units += line.quantity as number;
    }
    if (-(s.stock_change as number) !== units) throw new Error(`sale ${String(s._id)}: stock_change ${String(s.stock_change)}, its lines ${units} units`);
  }
  const latestCovered = new Map<string, number>();
  for (const [key, t] of lineOf) if (covered.has(key)) latestCovered.set(String(t.product_id), Math.max(latestCovered.get(String(t.product_id)) ?? -Infinity, time(t)));
  let uncovered = 0;
  for (const [key, t] of lineOf) {
    if (covered.has(key)) continue;
    uncovered++;
    if (time(t) < (latestCovered.get(String(t.product_id)) ?? -Infinity)) throw new Error(`order line ${key} has no sale update, but a later line of its product has`);
  }
  return { sales: sales.length, covered: covered.size, uncovered, moves };
}
