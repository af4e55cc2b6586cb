import { BSON, type Document } from 'bson';

/**
 * The documents of a command field as a fake `Db.command` sees them: an array as it is, or the
 * driver's DocumentSequence (what the MongoDB sink sends) decoded from its chunks: the first is
 * the section's header, the others BSON documents one after another.
 */
export function sentDocuments(value: unknown): Document[] {
  if (Array.isArray(value)) return value as Document[];
  const chunks = (value as { chunks?: Uint8Array[] }).chunks;
  if (!Array.isArray(chunks)) throw new Error('not a document sequence');
  const docs: Document[] = [];
  for (const chunk of chunks.slice(1)) {
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = 0; at < chunk.length; at += view.getInt32(at, true)) docs.push(BSON.deserialize(chunk.subarray(at, at + view.getInt32(at, true))));
  }
  return docs;
}
