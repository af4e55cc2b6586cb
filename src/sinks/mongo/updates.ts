import type { AnyBulkWriteOperation } from 'mongodb';
import { EtlError } from '../../errors.js';
import { withDoubles } from '../../shared/exact-double.js';
import { storedId } from '../object-ids.js';
import type { Doc, DocUpdate, Rejected, StoredDocuments } from '../types.js';

/** The document a refused update is dead-lettered as: under the record it came from, naming the update. */
export function refusedUpdate(u: DocUpdate): Doc {
  return { _id: u.source, target: u.target, when: u.when, update: u.update };
}

/** One statement of an `update` command, as the server takes it: one document (no `multi`), never inserted. */
export interface UpdateStatement {
  q: Record<string, unknown>;
  u: DocUpdate['update'];
  upsert: false;
}

/** Updates as the statements of one ordered `update` command, with the updates they came from (those that could be sent). */
export interface UpdateOps {
  statements: UpdateStatement[];
  sent: DocUpdate[];
  /** Updates whose target could not be named as the collection stores its _ids. */
  unsendable: Rejected[];
}

/**
 * The update statements of `updates` as the profile stores `collection`: filter `{_id, ...when}`
 * with the target's _id as `typedDocs` stores it (an ObjectId where the profile says so), the
 * update as given, with the numbers its validators type as doubles sent as doubles; no upsert.
 */
export function updateOps(stored: StoredDocuments, collection: string, updates: readonly DocUpdate[]): UpdateOps {
  const rule = stored.objectIds?.[collection];
  const doubles = stored.doubles[collection] ?? [];
  const out: UpdateOps = { statements: [], sent: [], unsendable: [] };
  for (const u of updates) {
    let id: unknown = u.target;
    if (rule !== undefined) {
      // A catalog key maps alone; a record's ObjectId also needs the record's timestamp, which
      // an update does not carry: such a target cannot be named, and matching the string
      // instead would find nothing and count the update as a replay.
      id = rule.from === 'key' ? storedId(rule, { _id: u.target }) : undefined;
      if (typeof id === 'string' || id === undefined) {
        out.unsendable.push({
          doc: refusedUpdate(u),
          reasons: [{ path: '_id', code: 'unmapped_target', message: `${collection} stores its _ids as ObjectIds that ${u.target} alone does not name` }],
        });
        continue;
      }
    }
    // An update document without operators would replace the document (the bulk API refused
    // one; a command takes it): a fold that made one is a bug, not data.
    if (!Array.isArray(u.update) && !Object.keys(u.update)[0]?.startsWith('$')) {
      throw new EtlError('INTERNAL', `an update of ${collection} ${u.target} (from ${u.source}) has no update operators: ${Object.keys(u.update).join(', ')}`);
    }
    const filter: Record<string, unknown> = { _id: id, ...u.when };
    // The target wins over an _id in `when` (the contract: `when` holds besides the _id).
    filter._id = id;
    out.statements.push({ q: filter, u: doubles.length > 0 ? typedUpdate(u.update, doubles) : u.update, upsert: false });
    out.sent.push(u);
  }
  return out;
}

/** The same statements as the driver's bulk operations (`updateOne`, no upsert). */
export function asBulkOps(statements: readonly UpdateStatement[]): Array<AnyBulkWriteOperation<Doc>> {
  return statements.map((s) => ({ updateOne: { filter: s.q, update: s.u, upsert: false } }));
}

/** Operators and pipeline stages whose values are field values (numbers there are stored as given). */
const setters = ['$set', '$addFields'];

/** The update with the numbers it sets at the profile's double paths as doubles (whole ones too). */
function typedUpdate(update: DocUpdate['update'], doubles: readonly string[]): DocUpdate['update'] {
  const typed = (part: Record<string, unknown>) => {
    let out = part;
    for (const op of setters) {
      const v = part[op];
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) out = { ...out, [op]: withDoubles(v as Record<string, unknown>, doubles) };
    }
    return out;
  };
  return Array.isArray(update) ? update.map(typed) : typed(update);
}
