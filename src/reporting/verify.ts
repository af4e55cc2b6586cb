import { EtlError } from '../errors.js';
import type { DocumentReader } from '../shared/stats-source.js';
import { type KeyDifference, WindowTally, compareKeys, flatTally, keyTotals, sumKeyDocs } from './answer-key.js';

/** What `etl verify` found: the key's totals, and every figure where the store differs from it. */
export interface VerifyReport {
  source: string;
  /** Windows compared (both sizes, every collection). */
  windows: number;
  /** Records the key expects stored (each _id once). */
  records: number;
  revenueCents: number;
  late: number;
  repeated: number;
  /** Figures not compared, and why. */
  ignored: Array<{ figure: string; why: string }>;
  differences: KeyDifference[];
}

/** The fields of each collection the figures read (a projection for a database). */
const orderFields = ['timestamp', 'ingested_at', 'final_amount', 'item_count', 'user_snapshot.country', 'items', 'anomaly_type'];
const recordFields = ['timestamp', 'ingested_at'];
const deadLetterFields = ['collection', 'stage', 'reasons', 'record.timestamp'];

/**
 * Compares a target's answer key (etl_expected, summed over partitions, the newest document
 * of each _id) with figures aggregated here from the stored documents, read one by one and
 * counted once per _id: the collections the key names and `collections`, and the validation
 * dead letters.
 * @throws EtlError NO_ANSWER_KEY when the target holds no etl_expected documents.
 */
export async function verifyAnswers(reader: DocumentReader, collections: readonly string[]): Promise<VerifyReport> {
  const newest = new Map<string, Record<string, unknown>>();
  // A file appends each new state of a window: the last line of an _id wins.
  for await (const d of reader.each('etl_expected', [])) newest.set(String(d._id), d);
  if (newest.size === 0) {
    throw new EtlError('NO_ANSWER_KEY', `No answer key in ${reader.description}: etl_expected is empty or missing.`, {
      hints: ['Write one with the stream: etl stream --answers … (into the same target), then run etl verify again.'],
    });
  }
  const expected = sumKeyDocs(newest.values());
  const named = new Set([...collections, ...[...newest.values()].map((d) => String(d.collection))]);
  const tally = new WindowTally();
  for (const collection of named) {
    const seen = new Set<string>();
    for await (const doc of reader.each(collection, collection === 'transactions' ? orderFields : recordFields)) {
      const id = String(doc._id);
      if (seen.has(id)) tally.repeated(collection, doc);
      else {
        seen.add(id);
        tally.stored(collection, doc);
      }
    }
  }
  const dead = new Set<string>();
  for await (const d of reader.each('dead_letters', deadLetterFields)) {
    const id = String(d._id);
    const code = (d.reasons as Array<{ code?: unknown }> | undefined)?.[0]?.code;
    if (d.stage !== 'validation' || dead.has(id) || typeof code !== 'string') continue;
    dead.add(id);
    tally.deadLetter(String(d.collection), d.record as Record<string, unknown> | undefined, code);
  }
  const ignored = reader.absorbsRepeats ? [{ figure: 'repeated', why: 'the target absorbs repeated deliveries (one document per _id)' }] : [];
  const differences = compareKeys(expected, flatTally(tally), ignored.map((i) => i.figure));
  const t = keyTotals(expected);
  return { source: reader.description, windows: t.windows, records: t.records, revenueCents: t.revenueCents, late: t.late, repeated: t.repeated, ignored, differences };
}
