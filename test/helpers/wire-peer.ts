import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { BSON, type Document } from 'bson';

/**
 * A scripted MongoDB wire-protocol peer on loopback, for fault tests through the real driver.
 *
 * It speaks OP_MSG (and the legacy OP_QUERY handshake), answers each command from the
 * test's script, and otherwise with a plain acknowledgement. It keeps the `_id`s it
 * acknowledged so a test can check what was stored, and refuses a repeated `_id` with
 * 11000 — the one rule a replayed batch depends on. It is a test double for the wire, not
 * a database: no validators, no query language, no aggregation.
 */

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const MAX_WIRE_VERSION = 21; // MongoDB 7.0

export interface PeerCommand {
  /** The command name (first key of the body), e.g. 'insert'. */
  name: string;
  db: string;
  body: Document;
  /** For collection commands: the collection the command names. */
  collection: string;
  connectionId: number;
}

/** What the peer does with one command. */
export type PeerReply =
  /** Send this body ({ok: 1} is added when it has no `ok`). */
  | { reply: Document }
  /** A top-level command error, as a server sends it. */
  | { error: number; errmsg?: string; codeName?: string; labels?: string[] }
  /** Destroy every open connection instead of answering. */
  | { cut: true }
  /** Never answer (the driver's socket timeout fires). */
  | { hang: true };

/** A scripted rule: return a reply to take the command, undefined to pass it on. */
export type PeerRule = (cmd: PeerCommand, peer: WirePeer) => PeerReply | undefined;

/** A per-document write error, as in an insert reply's `writeErrors`. */
export interface DocumentFault {
  code: number;
  errmsg: string;
  errInfo?: Document;
}

interface CollectionState {
  options: Document;
  indexes: Document[];
  docs: Map<string, Document>;
}

export class WirePeer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly rules: PeerRule[] = [];
  private readonly collections = new Map<string, CollectionState>();
  private connectionIds = 0;
  private refusing = false;
  port = 0;
  /** Every command received, in order (name and collection). */
  readonly received: Array<{ name: string; collection: string }> = [];
  /** The bodies of the commands received, for tests that check what the driver sent. */
  readonly bodies: Document[] = [];
  /** Every document of a command's document sequence (inserts), as the bytes the driver sent: BSON types intact. */
  readonly rawDocuments: Array<{ collection: string; bytes: Uint8Array }> = [];
  /** Per-document faults of inserts: the first that returns one refuses that document. */
  readonly documentFaults: Array<(doc: Document, collection: string) => DocumentFault | undefined> = [];
  cuts = 0;
  /** Why listening again after `refuseFor` failed, if it did. */
  relistenError: unknown;

  async start(port = 0): Promise<number> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  /** A connection string to this peer (standalone, fast failure detection) plus extra options. */
  uri(options = ''): string {
    const base = `mongodb://127.0.0.1:${this.port}/?directConnection=true&serverSelectionTimeoutMS=1000&heartbeatFrequencyMS=500`;
    return options ? `${base}&${options}` : base;
  }

  /** Adds a rule in front of the others (newest rule first). Returns a function removing it. */
  use(rule: PeerRule): () => void {
    this.rules.unshift(rule);
    return () => {
      const i = this.rules.indexOf(rule);
      if (i >= 0) this.rules.splice(i, 1);
    };
  }

  /** The next `times` commands named `name` get `reply`. */
  fail(name: string, times: number, reply: PeerReply): void {
    let left = times;
    const remove = this.use((cmd) => {
      if (cmd.name !== name || left <= 0) return undefined;
      if (--left === 0) remove();
      return reply;
    });
  }

  /** Every command named `name` gets `reply` for the next `ms` milliseconds. */
  failFor(name: string, ms: number, reply: PeerReply): void {
    const until = Date.now() + ms;
    const remove = this.use((cmd) => {
      if (Date.now() >= until) {
        remove();
        return undefined;
      }
      return cmd.name === name ? reply : undefined;
    });
  }

  /** Destroys every open connection, as a network cut would. */
  cutAll(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.cuts++;
    return n;
  }

  /** Cuts every connection and refuses new ones (port closed) for `ms`, then listens again on the same port. */
  async refuseFor(ms: number): Promise<void> {
    this.refusing = true;
    await new Promise<void>((resolve) => {
      this.server!.close(() => resolve());
      this.cutAll();
    });
    setTimeout(() => {
      this.refusing = false;
      // Should the port have been taken meanwhile, the test sees the server missing, not a crash.
      this.start(this.port).catch((err: unknown) => (this.relistenError = err));
    }, ms).unref();
  }

  /** The `_id`s stored in a collection, in the order they were acknowledged. */
  ids(collection: string): string[] {
    return [...(this.collections.get(collection)?.docs.keys() ?? [])];
  }

  /** The documents stored in a collection (the last version of each _id). */
  docs(collection: string): Document[] {
    return [...(this.collections.get(collection)?.docs.values() ?? [])];
  }

  /** A stored collection's options (validator, validationLevel, ...) and indexes. */
  collection(name: string): { options: Document; indexes: Document[] } | undefined {
    const c = this.collections.get(name);
    return c ? { options: c.options, indexes: c.indexes } : undefined;
  }

  /** Sets a collection's state directly (as if an earlier run or an operator had made it). */
  setCollection(name: string, options: Document, indexes: Document[]): void {
    const c = this.state(name);
    c.options = options;
    c.indexes = [{ v: 2, key: { _id: 1 }, name: '_id_' }, ...indexes];
  }

  async stop(): Promise<void> {
    this.cutAll();
    if (this.refusing || !this.server?.listening) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.refusing) {
      socket.destroy();
      return;
    }
    const connectionId = ++this.connectionIds;
    this.sockets.add(socket);
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      while (buffered.length >= 4) {
        const length = buffered.readInt32LE(0);
        if (buffered.length < length) break;
        const message = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        this.handle(socket, message, connectionId);
      }
    });
  }

  private handle(socket: Socket, message: Buffer, connectionId: number): void {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    if (opCode === OP_QUERY) {
      // Legacy handshake: flags, "admin.$cmd", skip, return, then the command document.
      const nsEnd = message.indexOf(0, 20);
      const db = message.toString('utf8', 20, nsEnd).split('.')[0];
      const body = BSON.deserialize(message.subarray(nsEnd + 9));
      const reply = this.answer({ name: Object.keys(body)[0], db, body, collection: '', connectionId });
      if ('reply' in reply) socket.write(opReply(requestId, reply.reply));
      else if ('error' in reply) socket.write(opReply(requestId, errorBody(reply)));
      return;
    }
    if (opCode !== OP_MSG) {
      socket.destroy();
      return;
    }
    const flags = message.readUInt32LE(16);
    const end = flags & 1 ? message.length - 4 : message.length;
    let offset = 20;
    let body: Document = {};
    const sequences: Record<string, Document[]> = {};
    const rawSequences: Uint8Array[][] = [];
    while (offset < end) {
      const kind = message[offset++];
      if (kind === 0) {
        const size = message.readInt32LE(offset);
        body = BSON.deserialize(message.subarray(offset, offset + size));
        offset += size;
      } else {
        const size = message.readInt32LE(offset);
        const stop = offset + size;
        const idEnd = message.indexOf(0, offset + 4);
        const identifier = message.toString('utf8', offset + 4, idEnd);
        const docs: Document[] = [];
        const raw: Uint8Array[] = [];
        for (let p = idEnd + 1; p < stop; ) {
          const docSize = message.readInt32LE(p);
          raw.push(Uint8Array.from(message.subarray(p, p + docSize)));
          docs.push(BSON.deserialize(message.subarray(p, p + docSize)));
          p += docSize;
        }
        rawSequences.push(raw);
        sequences[identifier] = docs;
        offset = stop;
      }
    }
    Object.assign(body, sequences);
    const name = Object.keys(body)[0];
    const value = body[name];
    if (typeof value === 'string') for (const seq of rawSequences) for (const bytes of seq) this.rawDocuments.push({ collection: value, bytes });
    const cmd: PeerCommand = { name, db: String(body.$db ?? 'admin'), body, collection: typeof value === 'string' ? value : '', connectionId };
    const reply = this.answer(cmd);
    if (flags & 2) return; // moreToCome: the client expects no answer
    if ('reply' in reply) socket.write(opMsg(requestId, { ok: 1, ...reply.reply }));
    else if ('error' in reply) socket.write(opMsg(requestId, errorBody(reply)));
  }

  private answer(cmd: PeerCommand): PeerReply {
    this.received.push({ name: cmd.name, collection: cmd.collection });
    this.bodies.push(cmd.body);
    for (const rule of [...this.rules]) {
      const reply = rule(cmd, this);
      if (!reply) continue;
      if ('cut' in reply) {
        this.cutAll();
        return { hang: true };
      }
      return reply;
    }
    return { reply: this.defaultReply(cmd) };
  }

  private state(name: string): CollectionState {
    let c = this.collections.get(name);
    if (!c) {
      c = { options: {}, indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }], docs: new Map() };
      this.collections.set(name, c);
    }
    return c;
  }

  /**
   * The plain answer to a command; inserts and upserts are applied (a rule may call this
   * and then cut or hang, to model a write that was applied but never acknowledged).
   */
  defaultReply(cmd: PeerCommand): Document {
    const b = cmd.body;
    switch (cmd.name) {
      case 'hello':
      case 'ismaster':
      case 'isMaster':
        return {
          helloOk: true,
          ismaster: true,
          isWritablePrimary: true,
          maxBsonObjectSize: 16 * 1024 * 1024,
          maxMessageSizeBytes: 48_000_000,
          maxWriteBatchSize: 100_000,
          localTime: new Date(),
          logicalSessionTimeoutMinutes: 30,
          connectionId: cmd.connectionId,
          minWireVersion: 0,
          maxWireVersion: MAX_WIRE_VERSION,
          readOnly: false,
          ok: 1,
        };
      case 'saslStart':
      case 'saslContinue':
        return { conversationId: 1, done: true, payload: new BSON.Binary(Buffer.alloc(0)) };
      case 'listCollections': {
        const batch = [...this.collections.entries()].map(([name, c]) => ({ name, type: 'collection', options: c.options, info: { readOnly: false } }));
        return { cursor: { id: BSON.Long.ZERO, ns: `${cmd.db}.$cmd.listCollections`, firstBatch: batch } };
      }
      case 'listIndexes':
        return { cursor: { id: BSON.Long.ZERO, ns: `${cmd.db}.${cmd.collection}`, firstBatch: this.state(cmd.collection).indexes } };
      case 'create': {
        const { create: _name, $db: _db, lsid: _l, ...options } = b;
        this.state(cmd.collection).options = pick(options, ['validator', 'validationLevel', 'validationAction']);
        return {};
      }
      case 'collMod': {
        const c = this.state(cmd.collection);
        c.options = { ...c.options, ...pick(b, ['validator', 'validationLevel', 'validationAction']) };
        return {};
      }
      case 'createIndexes': {
        const c = this.state(cmd.collection);
        for (const index of b.indexes as Document[]) c.indexes.push({ v: 2, ...index });
        return { numIndexesBefore: c.indexes.length - (b.indexes as Document[]).length, numIndexesAfter: c.indexes.length };
      }
      case 'dropIndexes': {
        const c = this.state(cmd.collection);
        c.indexes = c.indexes.filter((i) => i.name !== b.index);
        return {};
      }
      case 'drop':
        this.collections.delete(cmd.collection);
        return {};
      case 'insert': {
        const c = this.state(cmd.collection);
        const writeErrors: Document[] = [];
        let n = 0;
        (b.documents as Document[]).forEach((doc, index) => {
          const id = String(doc._id);
          const fault = this.documentFaults.map((f) => f(doc, cmd.collection)).find(Boolean);
          if (fault) writeErrors.push({ index, ...fault });
          else if (c.docs.has(id)) writeErrors.push({ index, code: 11000, errmsg: `E11000 duplicate key error collection: ${cmd.db}.${cmd.collection} index: _id_ dup key: { _id: "${id}" }` });
          else {
            c.docs.set(id, doc);
            n++;
          }
        });
        return writeErrors.length ? { n, writeErrors } : { n };
      }
      case 'update': {
        // Only replace-by-_id upserts, which is all the tool sends.
        const c = this.state(cmd.collection);
        const upserted: Document[] = [];
        let n = 0;
        (b.updates as Document[]).forEach((u, index) => {
          const id = String((u.q as Document)._id);
          if (c.docs.has(id)) n++;
          else if (u.upsert) upserted.push({ index, _id: id });
          c.docs.set(id, { ...(u.u as Document), _id: (u.q as Document)._id });
        });
        return { n: n + upserted.length, nModified: n, ...(upserted.length ? { upserted } : {}) };
      }
      case 'find': {
        const docs = [...(this.collections.get(cmd.collection)?.docs.values() ?? [])];
        const limit = typeof b.limit === 'number' && b.limit > 0 ? b.limit : docs.length;
        return { cursor: { id: BSON.Long.ZERO, ns: `${cmd.db}.${cmd.collection}`, firstBatch: docs.slice(0, limit) } };
      }
      default:
        // ping, endSessions, killCursors and the like.
        return {};
    }
  }
}

function pick(doc: Document, keys: string[]): Document {
  return Object.fromEntries(keys.filter((k) => doc[k] !== undefined).map((k) => [k, doc[k]]));
}

function errorBody(e: { error: number; errmsg?: string; codeName?: string; labels?: string[] }): Document {
  return { ok: 0, code: e.error, codeName: e.codeName ?? `Error${e.error}`, errmsg: e.errmsg ?? `scripted error ${e.error}`, ...(e.labels ? { errorLabels: e.labels } : {}) };
}

let nextId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextId++, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

function opMsg(responseTo: number, body: Document): Buffer {
  const doc = BSON.serialize(body);
  const flags = Buffer.alloc(5); // flagBits 0, section kind 0
  return Buffer.concat([header(16 + 5 + doc.length, responseTo, OP_MSG), flags, doc]);
}

function opReply(responseTo: number, body: Document): Buffer {
  const doc = BSON.serialize(body);
  const fields = Buffer.alloc(20); // responseFlags, cursorID (8), startingFrom, numberReturned
  fields.writeInt32LE(1, 16);
  return Buffer.concat([header(16 + 20 + doc.length, responseTo, OP_REPLY), fields, doc]);
}
