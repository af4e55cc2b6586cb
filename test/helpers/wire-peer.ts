import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { BSON, type Document } from 'bson';

/**
 * A scripted MongoDB wire-protocol peer on loopback, for fault tests through the real driver.
 *
 * It speaks OP_MSG (and the legacy OP_QUERY handshake), answers each command from the
 * test's script, and otherwise with a plain acknowledgement. It keeps the `_id`s it
 * acknowledged so a test can check what was stored, and refuses a repeated `_id` with
 * 11000 — the one rule a replayed batch depends on. It is a test double for the wire, not
 * a database: no validators, no aggregation, and only the small part of the query language
 * the tool's reads use (equality, $gt/$gte/$lt/$lte/$ne/$in/$nin/$exists, sort, projection,
 * batches and getMore); anything else is refused with BadValue rather than half-answered.
 *
 * Alone it answers as a standalone. A `ReplicaSetPeer` runs several of them as the members
 * of one replica set sharing one store: then `hello` answers as a real member does (setName,
 * hosts, primary, me, electionId, setVersion, a topologyVersion streamed to the driver's
 * monitors), the driver uses sessions and retryable writes, only the primary takes writes,
 * and a retried statement (same lsid and txnNumber) is answered without being applied twice.
 */

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const MAX_WIRE_VERSION = 21; // MongoDB 7.0
/** OP_MSG flag bits. */
const MORE_TO_COME = 2;
const EXHAUST_ALLOWED = 1 << 16;

export interface PeerCommand {
  /** The command name (first key of the body), e.g. 'insert'. */
  name: string;
  db: string;
  body: Document;
  /** For collection commands: the collection the command names (for getMore, its `collection`). */
  collection: string;
  connectionId: number;
  /** The port of the peer (the replica-set member) that received it. */
  port: number;
  /** The session the driver sent (hex of lsid.id), if any. */
  lsid?: string;
  /** The retryable-write transaction number the driver sent, if any. */
  txnNumber?: number;
  /** The fields sent as document sequences (OP_MSG kind 1), not in the body: the driver's bulk API sends `documents` or `updates` so. */
  sequences?: string[];
}

/** What the peer does with one command. */
export type PeerReply =
  /** Send this body ({ok: 1} is added when it has no `ok`). */
  | { reply: Document }
  /** A top-level command error, as a server sends it. */
  | { error: number; errmsg?: string; codeName?: string; labels?: string[] }
  /**
   * Destroy connections instead of answering: every open connection of this peer (`true`), or
   * only the one the command came on (`'connection'`). With `applied`, the first `applied`
   * statements of the write are stored first (and recorded for the session, as a server's
   * oplog would), so the write is partly applied and never acknowledged.
   */
  | { cut: true | 'connection'; applied?: number }
  /** Never answer (the driver's socket timeout fires). */
  | { hang: true }
  /** Apply the command as the peer would, and answer with these fields added (a `writeConcernError` beside what was applied). */
  | { applied: true; adding: Document };

/** A scripted rule: return a reply to take the command, undefined to pass it on. */
export type PeerRule = (cmd: PeerCommand, peer: WirePeer) => PeerReply | undefined;

/** A per-document write error, as in an insert reply's `writeErrors`. */
export interface DocumentFault {
  code: number;
  errmsg: string;
  errInfo?: Document;
}

/**
 * The scripted answer to one statement of an `update` command that is not a replace-by-_id
 * upsert (an operator or pipeline update): whether its filter matched a document (the peer
 * cannot evaluate filters or apply operators: the test says), or a per-statement write error.
 */
export type UpdateAnswer = { matched: boolean } | DocumentFault;

/** A script of update answers: the first that returns one answers the statement. */
export type UpdateScript = (statement: { q: Document; u: Document | Document[] }, collection: string) => UpdateAnswer | undefined;

/** An operator or pipeline update statement the peer answered as matched, in the order answered. */
export interface AppliedUpdate {
  collection: string;
  q: Document;
  u: Document | Document[];
}

interface CollectionState {
  options: Document;
  indexes: Document[];
  docs: Map<string, Document>;
}

interface OpenCursor {
  ns: string;
  docs: Document[];
}

/** A retried statement the peer answered without applying it again. */
export interface DeduplicatedWrite {
  name: string;
  collection: string;
  lsid: string;
  txnNumber: number;
  /** How many statements of the retried command had already been applied. */
  statements: number;
}

/**
 * What the members of one replica set share (a standalone peer has its own): the data, the
 * script, the log of what was received, and the per-session record of applied statements.
 */
export class PeerStore {
  readonly collections = new Map<string, CollectionState>();
  readonly rules: PeerRule[] = [];
  readonly received: Array<{ name: string; collection: string; port: number; txnNumber?: number; sequences?: string[] }> = [];
  readonly bodies: Document[] = [];
  readonly rawDocuments: Array<{ collection: string; bytes: Uint8Array }> = [];
  readonly documentFaults: Array<(doc: Document, collection: string) => DocumentFault | undefined> = [];
  readonly updateAnswers: UpdateScript[] = [];
  readonly updatesApplied: AppliedUpdate[] = [];
  /** Per session (lsid): the newest txnNumber and which of its statements were applied. */
  readonly sessions = new Map<string, { txnNumber: number; applied: Set<number> }>();
  readonly deduplicated: DeduplicatedWrite[] = [];
}

/** A member's answer to `hello`, as far as the replica set decides it. */
interface Membership {
  hello(member: WirePeer): Document;
  /** The error a real member gives a command its state does not allow, or undefined. */
  refusal(member: WirePeer, cmd: PeerCommand): Document | undefined;
}

interface HelloStream {
  fire(): void;
  close(): void;
}

const writeCommands = new Set(['insert', 'update', 'delete', 'findAndModify', 'create', 'drop', 'createIndexes', 'dropIndexes', 'collMod', 'dropDatabase']);
const readCommands = new Set(['find', 'listCollections', 'listIndexes', 'count', 'aggregate', 'distinct']);

export class WirePeer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly cursors = new Map<number, OpenCursor>();
  private readonly streams = new Set<HelloStream>();
  private connectionIds = 0;
  private nextCursorId = 1;
  private refusing = false;
  port = 0;
  /** This process as a server: changes when it restarts (never here), with `counter` bumped on every change of state. */
  readonly processId = new BSON.ObjectId();
  /** topologyVersion.counter: raised on every change a driver's monitor must hear of. */
  counter = 0;
  /** Every command received, in order (name, collection, the member's port, txnNumber, the fields sent as document sequences). */
  readonly received: PeerStore['received'];
  /** The bodies of the commands received, for tests that check what the driver sent. */
  readonly bodies: Document[];
  /** Every document of a command's document sequence (inserts), as the bytes the driver sent: BSON types intact. */
  readonly rawDocuments: PeerStore['rawDocuments'];
  /** Per-document faults of inserts: the first that returns one refuses that document. */
  readonly documentFaults: PeerStore['documentFaults'];
  /**
   * Answers to operator and pipeline updates, newest script last: the first that answers a
   * statement decides it; with none, it matched (a plain acknowledgement). An ordered update
   * command stops at its first write error, as a server's does.
   */
  readonly updateAnswers: PeerStore['updateAnswers'];
  /** The operator and pipeline update statements answered as matched, in order. */
  readonly updatesApplied: PeerStore['updatesApplied'];
  /** Retried statements answered from the session record instead of being applied again. */
  readonly deduplicated: DeduplicatedWrite[];
  cuts = 0;
  /**
   * Collections whose inserts are only counted and acknowledged: their documents are not
   * decoded, logged, scripted or kept (a benchmark sends a million of them).
   */
  readonly countOnly = new Set<string>();
  /** Why listening again after `refuseFor` failed, if it did. */
  relistenError: unknown;

  /** A standalone peer; a ReplicaSetPeer passes the store its members share and itself. */
  constructor(
    readonly store: PeerStore = new PeerStore(),
    private readonly membership?: Membership,
  ) {
    this.received = store.received;
    this.bodies = store.bodies;
    this.rawDocuments = store.rawDocuments;
    this.documentFaults = store.documentFaults;
    this.updateAnswers = store.updateAnswers;
    this.updatesApplied = store.updatesApplied;
    this.deduplicated = store.deduplicated;
  }

  async start(port = 0): Promise<number> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  /** host:port as the replica set names this member. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** A connection string to this peer (standalone, fast failure detection) plus extra options. */
  uri(options = ''): string {
    const base = `mongodb://127.0.0.1:${this.port}/?directConnection=true&serverSelectionTimeoutMS=1000&heartbeatFrequencyMS=500`;
    return options ? `${base}&${options}` : base;
  }

  /** Adds a rule in front of the others (newest rule first). Returns a function removing it. */
  use(rule: PeerRule): () => void {
    const rules = this.store.rules;
    rules.unshift(rule);
    return () => {
      const i = rules.indexOf(rule);
      if (i >= 0) rules.splice(i, 1);
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
    return [...(this.store.collections.get(collection)?.docs.keys() ?? [])];
  }

  /** The documents stored in a collection (the last version of each _id). */
  docs(collection: string): Document[] {
    return [...(this.store.collections.get(collection)?.docs.values() ?? [])];
  }

  /** A stored collection's options (validator, validationLevel, ...) and indexes. */
  collection(name: string): { options: Document; indexes: Document[] } | undefined {
    const c = this.store.collections.get(name);
    return c ? { options: c.options, indexes: c.indexes } : undefined;
  }

  /** Sets a collection's state directly (as if an earlier run or an operator had made it). */
  setCollection(name: string, options: Document, indexes: Document[]): void {
    const c = this.state(name);
    c.options = options;
    c.indexes = [{ v: 2, key: { _id: 1 }, name: '_id_' }, ...indexes];
  }

  /** Cursors this peer holds open (a getMore may still come for them). */
  get openCursors(): number {
    return this.cursors.size;
  }

  /** Tells the driver's monitors that this member's state changed (topologyVersion.counter + 1). */
  topologyChanged(): void {
    this.counter++;
    for (const s of [...this.streams]) s.fire();
  }

  async stop(): Promise<void> {
    for (const s of [...this.streams]) s.close();
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
      const reply = this.answer({ name: Object.keys(body)[0], db, body, collection: '', connectionId, port: this.port }, socket);
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
    let counted = -1;
    while (offset < end) {
      const kind = message[offset++];
      if (kind === 0) {
        const size = message.readInt32LE(offset);
        // The wire's limit on a command document (maxBsonObjectSize + 16 KB for the command
        // around it): a server answers a larger body with this error, never running it.
        if (size > maxCommandBytes) {
          socket.write(opMsg(requestId, errorBody({ error: 10334, codeName: 'BSONObjectTooLarge', errmsg: `BSONObj size: ${size} (0x${size.toString(16).toUpperCase()}) is invalid. Size must be between 0 and 16793600(16MB)` })));
          return;
        }
        // A write's documents or statements in the body itself (an `insert` or `update` command
        // run as such) are read raw first: counted only, or kept as sent besides their values,
        // as a sequence's are.
        body = BSON.deserialize(message.subarray(offset, offset + size), { fieldsAsRaw: { documents: true, updates: true } });
        offset += size;
        // The body comes before the documents (the driver sends it first).
        const countOnly = typeof body.insert === 'string' && this.countOnly.has(body.insert);
        if (countOnly) counted = Array.isArray(body.documents) ? body.documents.length : 0;
        for (const field of ['documents', 'updates']) {
          const inline = body[field] as Uint8Array[] | undefined;
          if (countOnly || !Array.isArray(inline)) continue;
          rawSequences.push(inline.map((bytes) => Uint8Array.from(bytes)));
          body[field] = inline.map((bytes) => BSON.deserialize(bytes));
        }
      } else if (counted >= 0) {
        const stop = offset + message.readInt32LE(offset);
        for (let p = message.indexOf(0, offset + 4) + 1; p < stop; p += message.readInt32LE(p)) counted++;
        offset = stop;
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
    if (counted >= 0) {
      if (!(flags & MORE_TO_COME)) socket.write(opMsg(requestId, { ok: 1, n: counted }));
      return;
    }
    Object.assign(body, sequences);
    const name = Object.keys(body)[0];
    const value = body[name];
    if (typeof value === 'string') for (const seq of rawSequences) for (const bytes of seq) this.store.rawDocuments.push({ collection: value, bytes });
    const collection = typeof value === 'string' ? value : name === 'getMore' ? String(body.collection ?? '') : '';
    const lsid = (body.lsid as Document | undefined)?.id as BSON.Binary | undefined;
    const cmd: PeerCommand = {
      name,
      db: String(body.$db ?? 'admin'),
      body,
      collection,
      connectionId,
      port: this.port,
      ...(lsid ? { lsid: lsid.toString('hex') } : {}),
      ...(body.txnNumber !== undefined ? { txnNumber: Number(body.txnNumber) } : {}),
      ...(Object.keys(sequences).length > 0 ? { sequences: Object.keys(sequences) } : {}),
    };
    const reply = this.answer(cmd, socket);
    if (flags & MORE_TO_COME) return; // the client expects no answer
    if ('reply' in reply) {
      // An awaitable hello (a monitor on the streaming protocol) is answered when this member changes, or after maxAwaitTimeMS.
      if (isHello(name) && body.topologyVersion && body.maxAwaitTimeMS !== undefined && this.membership) {
        this.streamHello(socket, requestId, cmd, (flags & EXHAUST_ALLOWED) !== 0);
        return;
      }
      socket.write(opMsg(requestId, { ok: 1, ...reply.reply }));
    } else if ('error' in reply) socket.write(opMsg(requestId, errorBody(reply)));
  }

  /**
   * Answers an awaitable hello as a server does: at once if the driver's topologyVersion is
   * not this member's, else when this member changes or after maxAwaitTimeMS; with exhaust
   * allowed, every answer has moreToCome set and the next one follows the same way.
   */
  private streamHello(socket: Socket, requestId: number, cmd: PeerCommand, exhaust: boolean): void {
    const tv = cmd.body.topologyVersion as Document;
    let known = String(tv.processId) === this.processId.toHexString() ? Number(tv.counter) : -1;
    const waitMs = Number(cmd.body.maxAwaitTimeMS);
    let timer: NodeJS.Timeout | undefined;
    const stream: HelloStream = {
      fire: () => {
        clearTimeout(timer);
        this.streams.delete(stream);
        if (socket.destroyed) return;
        known = this.counter;
        socket.write(opMsg(requestId, { ok: 1, ...this.defaultReply(cmd) }, exhaust ? MORE_TO_COME : 0));
        if (exhaust) arm();
      },
      close: () => {
        clearTimeout(timer);
        this.streams.delete(stream);
      },
    };
    const arm = () => {
      if (socket.destroyed) return;
      if (known !== this.counter) return stream.fire();
      this.streams.add(stream);
      timer = setTimeout(stream.fire, waitMs);
    };
    socket.once('close', stream.close);
    arm();
  }

  private answer(cmd: PeerCommand, socket?: Socket): PeerReply {
    this.store.received.push({ name: cmd.name, collection: cmd.collection, port: cmd.port, ...(cmd.txnNumber !== undefined ? { txnNumber: cmd.txnNumber } : {}), ...(cmd.sequences ? { sequences: cmd.sequences } : {}) });
    this.store.bodies.push(cmd.body);
    for (const rule of [...this.store.rules]) {
      const reply = rule(cmd, this);
      if (!reply) continue;
      if ('cut' in reply) {
        if (reply.applied !== undefined) this.defaultReply(cmd, reply.applied);
        if (reply.cut === 'connection' && socket) {
          socket.destroy();
          this.cuts++;
        } else this.cutAll();
        return { hang: true };
      }
      if ('adding' in reply) return { reply: { ...this.defaultReply(cmd), ...reply.adding } };
      return reply;
    }
    return { reply: this.defaultReply(cmd) };
  }

  private state(name: string): CollectionState {
    let c = this.store.collections.get(name);
    if (!c) {
      c = { options: {}, indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }], docs: new Map() };
      this.store.collections.set(name, c);
    }
    return c;
  }

  /**
   * The statements of a retryable write (lsid + txnNumber) already applied, as a server's
   * session record has them; undefined for a write outside a session. A txnNumber lower than
   * the session's newest is refused (225), as a server does.
   */
  private session(cmd: PeerCommand): { applied: Set<number> } | { error: Document } | undefined {
    if (cmd.lsid === undefined || cmd.txnNumber === undefined) return undefined;
    const s = this.store.sessions.get(cmd.lsid);
    if (s && s.txnNumber > cmd.txnNumber) {
      return { error: { ok: 0, code: 225, codeName: 'TransactionTooOld', errmsg: `Cannot start transaction ${cmd.txnNumber} on session ${cmd.lsid} because a newer transaction ${s.txnNumber} has already started` } };
    }
    if (s && s.txnNumber === cmd.txnNumber) return s;
    const fresh = { txnNumber: cmd.txnNumber, applied: new Set<number>() };
    this.store.sessions.set(cmd.lsid, fresh);
    return fresh;
  }

  private noteRetried(cmd: PeerCommand, statements: number): void {
    if (statements > 0) this.store.deduplicated.push({ name: cmd.name, collection: cmd.collection, lsid: cmd.lsid!, txnNumber: cmd.txnNumber!, statements });
  }

  /**
   * The plain answer to a command; inserts and upserts are applied (a rule may call this
   * and then cut or hang, to model a write that was applied but never acknowledged). With
   * `applyOnly`, only the first statements of a write are applied (a write cut part-way).
   */
  defaultReply(cmd: PeerCommand, applyOnly = Infinity): Document {
    const b = cmd.body;
    if (isHello(cmd.name)) return this.hello(cmd);
    const refused = this.membership?.refusal(this, cmd);
    if (refused) return refused;
    switch (cmd.name) {
      case 'saslStart':
      case 'saslContinue':
        return { conversationId: 1, done: true, payload: new BSON.Binary(Buffer.alloc(0)) };
      case 'listCollections': {
        const batch = [...this.store.collections.entries()].map(([name, c]) => ({ name, type: 'collection', options: c.options, info: { readOnly: false } }));
        return { cursor: { id: BSON.Long.ZERO, ns: `${cmd.db}.$cmd.listCollections`, firstBatch: batch } };
      }
      case 'listIndexes':
        return { cursor: { id: BSON.Long.ZERO, ns: `${cmd.db}.${cmd.collection}`, firstBatch: this.state(cmd.collection).indexes } };
      case 'create': {
        // A real server refuses an existing collection (48 NamespaceExists); the peer has always
        // taken it again, and tests of two processes setting up one database at once rely on that.
        const { create: _name, $db: _db, lsid: _l, ...options } = b;
        this.state(cmd.collection).options = pick(options, ['validator', 'validationLevel', 'validationAction']);
        return {};
      }
      case 'collMod': {
        const c = this.store.collections.get(cmd.collection);
        if (!c) return commandError(26, 'NamespaceNotFound', `ns does not exist: ${cmd.db}.${cmd.collection}`);
        c.options = { ...c.options, ...pick(b, ['validator', 'validationLevel', 'validationAction']) };
        return {};
      }
      case 'createIndexes':
        return this.createIndexes(cmd);
      case 'dropIndexes': {
        const c = this.state(cmd.collection);
        c.indexes = c.indexes.filter((i) => i.name !== b.index);
        return {};
      }
      case 'drop':
        this.store.collections.delete(cmd.collection);
        return {};
      case 'insert': {
        const session = this.session(cmd);
        if (session && 'error' in session) return session.error;
        const c = this.state(cmd.collection);
        const writeErrors: Document[] = [];
        let n = 0;
        let retried = 0;
        (b.documents as Document[]).forEach((doc, index) => {
          if (index >= applyOnly) return;
          if (session?.applied.has(index)) {
            retried++;
            n++;
            return;
          }
          const id = String(doc._id);
          const fault = this.store.documentFaults.map((f) => f(doc, cmd.collection)).find(Boolean);
          const bytes = BSON.calculateObjectSize(doc);
          // The wire's limit on one document, in a command within its own: that document refused (BadValue).
          if (bytes > maxDocumentBytes) writeErrors.push({ index, code: 2, errmsg: `object to insert too large. size in bytes: ${bytes}, max size: ${maxDocumentBytes}` });
          else if (fault) writeErrors.push({ index, ...fault });
          else if (c.docs.has(id)) writeErrors.push({ index, code: 11000, errmsg: `E11000 duplicate key error collection: ${cmd.db}.${cmd.collection} index: _id_ dup key: { _id: "${id}" }` });
          else {
            c.docs.set(id, doc);
            session?.applied.add(index);
            n++;
          }
        });
        this.noteRetried(cmd, retried);
        return writeErrors.length ? { n, writeErrors } : { n };
      }
      case 'update': {
        // Replace-by-_id upserts are applied to the store; operator and pipeline updates are
        // answered from the script (updateAnswers), never evaluated.
        const session = this.session(cmd);
        if (session && 'error' in session) return session.error;
        const c = this.state(cmd.collection);
        const upserted: Document[] = [];
        const writeErrors: Document[] = [];
        const ordered = b.ordered !== false;
        let n = 0;
        let modified = 0;
        let retried = 0;
        for (const [index, u] of (b.updates as Document[]).entries()) {
          if (index >= applyOnly || (ordered && writeErrors.length > 0)) break;
          if (session?.applied.has(index)) {
            retried++;
            n++;
            continue;
          }
          const q = u.q as Document;
          const update = u.u as Document | Document[];
          if (Array.isArray(update) || Object.keys(update).some((k) => k.startsWith('$'))) {
            const statement = { q, u: update };
            const answer = this.store.updateAnswers.map((f) => f(statement, cmd.collection)).find(Boolean) ?? { matched: true };
            if ('code' in answer) writeErrors.push({ index, ...answer });
            else if (answer.matched) {
              this.store.updatesApplied.push({ collection: cmd.collection, ...statement });
              n++;
              modified++;
            }
            if (!('code' in answer)) session?.applied.add(index);
            continue;
          }
          const id = String(q._id);
          if (c.docs.has(id)) {
            n++;
            modified++;
          } else if (u.upsert) upserted.push({ index, _id: id });
          c.docs.set(id, { ...update, _id: q._id });
          session?.applied.add(index);
        }
        this.noteRetried(cmd, retried);
        return { n: n + upserted.length, nModified: modified, ...(upserted.length ? { upserted } : {}), ...(writeErrors.length ? { writeErrors } : {}) };
      }
      case 'find':
        return this.find(cmd);
      case 'getMore':
        return this.getMore(cmd);
      case 'killCursors': {
        const ids = ((b.cursors as unknown[]) ?? []).map(Number);
        const killed = ids.filter((id) => this.cursors.delete(id));
        return { cursorsKilled: killed.map(long), cursorsNotFound: ids.filter((id) => !killed.includes(id)).map(long), cursorsAlive: [], cursorsUnknown: [] };
      }
      default:
        // ping, endSessions and the like.
        return {};
    }
  }

  private hello(cmd: PeerCommand): Document {
    const base = {
      helloOk: true,
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
    if (!this.membership) return { ismaster: true, isWritablePrimary: true, ...base };
    return { ...this.membership.hello(this), topologyVersion: { processId: this.processId, counter: BSON.Long.fromNumber(this.counter) }, ...base };
  }

  private createIndexes(cmd: PeerCommand): Document {
    const c = this.state(cmd.collection);
    const before = c.indexes.length;
    const wanted: Document[] = (cmd.body.indexes as Document[]).map((i) => ({ v: 2, ...i }));
    const fresh: Document[] = [];
    // Checked as a whole before anything is built: a conflicting request changes nothing.
    for (const index of wanted) {
      const sameName = c.indexes.find((i) => i.name === index.name);
      if (sameName) {
        if (sameKey(sameName, index) && sameOptions(sameName, index)) continue;
        return commandError(
          86,
          'IndexKeySpecsConflict',
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${describe(index)}, existing index: ${describe(sameName)}`,
        );
      }
      const sameKeys = c.indexes.find((i) => sameKey(i, index));
      if (sameKeys) {
        return sameOptions(sameKeys, index)
          ? commandError(85, 'IndexOptionsConflict', `Index already exists with a different name: ${String(sameKeys.name)}`)
          : commandError(85, 'IndexOptionsConflict', `An equivalent index already exists with a different name and options. Requested index: ${describe(index)}, existing index: ${describe(sameKeys)}`);
      }
      fresh.push(index);
    }
    c.indexes.push(...fresh);
    return { numIndexesBefore: before, numIndexesAfter: c.indexes.length, createdCollectionAutomatically: false, ...(fresh.length ? {} : { note: 'all indexes already exist' }) };
  }

  private find(cmd: PeerCommand): Document {
    const b = cmd.body;
    let rows: Document[];
    try {
      const filter = (b.filter as Document | undefined) ?? {};
      checkFilter(filter);
      rows = this.docs(cmd.collection).filter((d) => matches(d, filter));
      if (b.sort && Object.keys(b.sort as Document).length) rows.sort(bySort(b.sort as Document));
      if (b.projection && Object.keys(b.projection as Document).length) rows = rows.map(projector(b.projection as Document));
    } catch (err) {
      return commandError(2, 'BadValue', (err as Error).message);
    }
    const skip = Number(b.skip ?? 0);
    const limit = Math.abs(Number(b.limit ?? 0));
    rows = rows.slice(skip, limit ? skip + limit : undefined);
    const batchSize = b.batchSize !== undefined ? Number(b.batchSize) : 101;
    const single = b.singleBatch === true || Number(b.limit ?? 0) < 0;
    const first = batchSize > 0 ? rows.slice(0, batchSize) : rows;
    const rest = rows.slice(first.length);
    const ns = `${cmd.db}.${cmd.collection}`;
    let id = 0;
    if (rest.length > 0 && !single) {
      id = this.nextCursorId++;
      this.cursors.set(id, { ns, docs: rest });
    }
    return { cursor: { id: long(id), ns, firstBatch: first } };
  }

  private getMore(cmd: PeerCommand): Document {
    const id = Number(cmd.body.getMore);
    const cursor = this.cursors.get(id);
    if (!cursor) return commandError(43, 'CursorNotFound', `cursor id ${id} not found`);
    const size = cmd.body.batchSize !== undefined ? Number(cmd.body.batchSize) : cursor.docs.length;
    const batch = cursor.docs.splice(0, size > 0 ? size : cursor.docs.length);
    if (cursor.docs.length === 0) this.cursors.delete(id);
    return { cursor: { id: long(cursor.docs.length ? id : 0), ns: cursor.ns, nextBatch: batch } };
  }
}

export type MemberState = 'primary' | 'secondary' | 'removed';

/**
 * A replica set of scripted members on several loopback ports, sharing one store: what a
 * driver's SDAM sees of a real set (discovery, elections, a period without a primary, a
 * member removed by reconfig), so the driver's own retryable writes and server selection
 * run as they do in production.
 */
export class ReplicaSetPeer implements Membership {
  readonly store = new PeerStore();
  readonly members: WirePeer[];
  private readonly states = new Map<WirePeer, MemberState>();
  /** The members in the current config, in order (what `hosts` lists). */
  private config: WirePeer[];
  setVersion = 1;
  /** The election term: electionId is derived from it, so a newer primary always has a greater one. */
  term = 1;

  constructor(
    size = 3,
    readonly setName = 'rs0',
  ) {
    this.members = Array.from({ length: size }, () => new WirePeer(this.store, this));
    this.config = [...this.members];
  }

  /** Starts every member; the first is primary. */
  async start(): Promise<void> {
    for (const m of this.members) await m.start();
    this.members.forEach((m, i) => this.states.set(m, i === 0 ? 'primary' : 'secondary'));
  }

  /** A seed list of every member, with the set's name and fast failure detection; `options` (a=1&b=2) add to or replace these. */
  uri(options = ''): string {
    const params = new URLSearchParams({ replicaSet: this.setName, serverSelectionTimeoutMS: '5000', heartbeatFrequencyMS: '500' });
    for (const [k, v] of new URLSearchParams(options)) params.set(k, v);
    return `mongodb://${this.members.map((m) => m.host).join(',')}/?${params.toString()}`;
  }

  get primary(): WirePeer | undefined {
    return this.members.find((m) => this.states.get(m) === 'primary');
  }

  stateOf(member: WirePeer): MemberState {
    return this.states.get(member)!;
  }

  /** A rule for every member (the rule's `peer` argument is the member that received the command). */
  use(rule: PeerRule): () => void {
    return this.members[0].use(rule);
  }

  /** The primary steps down: a period without a primary begins. */
  stepDown(): void {
    const p = this.primary;
    if (!p) return;
    this.states.set(p, 'secondary');
    this.changed();
  }

  /** `member` wins an election (a new term); a primary still in office steps down. */
  elect(member: WirePeer): void {
    const old = this.primary;
    if (old) this.states.set(old, 'secondary');
    this.term++;
    this.states.set(member, 'primary');
    this.changed();
  }

  /** An election with `noPrimaryMs` without a primary in between: the primary steps down, then `next` is elected. */
  async failover(next: WirePeer, noPrimaryMs: number): Promise<void> {
    this.stepDown();
    await new Promise((r) => setTimeout(r, noPrimaryMs));
    this.elect(next);
  }

  /**
   * A new config with only `members` (setVersion + 1): the others are removed and answer
   * hello as a removed member does (no set name, `isreplicaset`), refusing reads and writes.
   */
  reconfig(members: WirePeer[]): void {
    this.config = this.members.filter((m) => members.includes(m));
    for (const m of this.members) if (!members.includes(m)) this.states.set(m, 'removed');
    this.setVersion++;
    this.changed();
  }

  ids(collection: string): string[] {
    return this.members[0].ids(collection);
  }

  docs(collection: string): Document[] {
    return this.members[0].docs(collection);
  }

  async stop(): Promise<void> {
    for (const m of this.members) await m.stop();
  }

  hello(member: WirePeer): Document {
    const state = this.states.get(member) ?? 'secondary';
    if (state === 'removed') {
      return { ismaster: false, isWritablePrimary: false, secondary: false, isreplicaset: true, info: 'Does not have a valid replica set config' };
    }
    const primary = this.primary;
    const isPrimary = state === 'primary';
    return {
      ismaster: isPrimary,
      isWritablePrimary: isPrimary,
      secondary: !isPrimary,
      setName: this.setName,
      setVersion: this.setVersion,
      hosts: this.config.map((m) => m.host),
      ...(primary ? { primary: primary.host } : {}),
      me: member.host,
      ...(isPrimary ? { electionId: electionId(this.term) } : {}),
    };
  }

  refusal(member: WirePeer, cmd: PeerCommand): Document | undefined {
    const state = this.states.get(member) ?? 'secondary';
    if (state === 'primary') return undefined;
    const topologyVersion = { processId: member.processId, counter: BSON.Long.fromNumber(member.counter) };
    if (writeCommands.has(cmd.name)) {
      // A 4.4+ server labels the retryable errors of a retryable write itself (the driver adds the label only to network errors).
      const retryable = cmd.txnNumber !== undefined && cmd.body.autocommit === undefined;
      return { ok: 0, code: 10107, codeName: 'NotWritablePrimary', errmsg: 'not primary', topologyVersion, ...(retryable ? { errorLabels: ['RetryableWriteError'] } : {}) };
    }
    if (!readCommands.has(cmd.name)) return undefined;
    if (state === 'removed') return { ok: 0, code: 13436, codeName: 'NotPrimaryOrSecondary', errmsg: 'node is not in primary or recovering state', topologyVersion };
    const mode = String((cmd.body.$readPreference as Document | undefined)?.mode ?? 'primary');
    if (mode === 'primary') return { ok: 0, code: 13435, codeName: 'NotPrimaryNoSecondaryOk', errmsg: 'not primary and secondaryOk=false', topologyVersion };
    return undefined;
  }

  /** Every member's monitors hear of a change (a real member bumps its topologyVersion on a change of state or config). */
  private changed(): void {
    for (const m of this.members) m.topologyChanged();
  }
}

/** A real primary's electionId: 7fffffff followed by the term. */
function electionId(term: number): BSON.ObjectId {
  return new BSON.ObjectId(`7fffffff${term.toString(16).padStart(16, '0')}`);
}

function isHello(name: string): boolean {
  return name === 'hello' || name === 'ismaster' || name === 'isMaster';
}

function long(n: number): BSON.Long {
  return BSON.Long.fromNumber(n);
}

function pick(doc: Document, keys: string[]): Document {
  return Object.fromEntries(keys.filter((k) => doc[k] !== undefined).map((k) => [k, doc[k]]));
}

function commandError(code: number, codeName: string, errmsg: string): Document {
  return { ok: 0, code, codeName, errmsg };
}

/** What a server takes as one document (maxBsonObjectSize). */
const maxDocumentBytes = 16 * 1024 * 1024;
/** What a server takes as one command document: 16 MB, plus 16 KB for the command around a document of that size. */
const maxCommandBytes = maxDocumentBytes + 16 * 1024;

function errorBody(e: { error: number; errmsg?: string; codeName?: string; labels?: string[] }): Document {
  return { ok: 0, code: e.error, codeName: e.codeName ?? `Error${e.error}`, errmsg: e.errmsg ?? `scripted error ${e.error}`, ...(e.labels ? { errorLabels: e.labels } : {}) };
}

// ---- indexes -------------------------------------------------------------------------

const indexOptions = ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'collation', 'hidden'];

function sameKey(a: Document, b: Document): boolean {
  return canonical(a.key) === canonical(b.key);
}

function sameOptions(a: Document, b: Document): boolean {
  const opts = (i: Document) => canonical(Object.fromEntries(indexOptions.filter((k) => i[k] !== undefined && i[k] !== false).map((k) => [k, i[k]])));
  return opts(a) === opts(b);
}

function describe(index: Document): string {
  const { v: _v, ...rest } = index;
  return canonical(rest);
}

// ---- the little query language of find -----------------------------------------------

function canonical(value: unknown): string {
  return BSON.EJSON.stringify(value as Document, { relaxed: false });
}

/** BSON's order of types, for sort and range comparisons. */
function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof BSON.Long || v instanceof BSON.Double || v instanceof BSON.Int32 || v instanceof BSON.Decimal128) return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 5;
  if (v instanceof BSON.Binary) return 6;
  if (v instanceof BSON.ObjectId) return 7;
  if (typeof v === 'boolean') return 8;
  if (v instanceof Date) return 9;
  return 4;
}

function compare(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 1:
      return 0;
    case 2: {
      const x = Number(a instanceof BSON.Decimal128 ? a.toString() : a);
      const y = Number(b instanceof BSON.Decimal128 ? b.toString() : b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 3:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 7:
      return (a as BSON.ObjectId).toHexString().localeCompare((b as BSON.ObjectId).toHexString());
    case 8:
      return Number(a) - Number(b);
    case 9:
      return (a as Date).getTime() - (b as Date).getTime();
    default: {
      const x = canonical(a);
      const y = canonical(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

function equal(a: unknown, b: unknown): boolean {
  return typeRank(a) === typeRank(b) && compare(a, b) === 0;
}

function valueAt(doc: Document, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Document)[part];
  }
  return v;
}

function isOperatorObject(v: unknown): v is Document {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith('$'));
}

/** A field's value matches when it, or (for an array) one of its elements, does. */
function anyValue(value: unknown, test: (v: unknown) => boolean): boolean {
  return test(value) || (Array.isArray(value) && value.some(test));
}

function matchesCondition(value: unknown, op: string, arg: unknown): boolean {
  const range = (ok: (c: number) => boolean) => anyValue(value, (v) => typeRank(v) === typeRank(arg) && ok(compare(v, arg)));
  switch (op) {
    case '$eq':
      return anyValue(value, (v) => equal(v, arg));
    case '$ne':
      return !anyValue(value, (v) => equal(v, arg));
    case '$gt':
      return range((c) => c > 0);
    case '$gte':
      return range((c) => c >= 0);
    case '$lt':
      return range((c) => c < 0);
    case '$lte':
      return range((c) => c <= 0);
    case '$in':
      if (!Array.isArray(arg)) throw new Error('$in needs an array');
      return arg.some((a) => anyValue(value, (v) => equal(v, a)));
    case '$nin':
      if (!Array.isArray(arg)) throw new Error('$nin needs an array');
      return !arg.some((a) => anyValue(value, (v) => equal(v, a)));
    case '$exists':
      return (value !== undefined) === Boolean(arg);
    default:
      throw new Error(`unknown operator: ${op} (the wire peer knows only a few)`);
  }
}

const knownOperators = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists']);

/** @throws Error for an operator the peer does not know (checked before any document is). */
function checkFilter(filter: Document): void {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') (cond as Document[]).forEach(checkFilter);
    else if (key.startsWith('$')) throw new Error(`unknown top level operator: ${key} (the wire peer knows only $and and $or)`);
    else if (isOperatorObject(cond)) for (const op of Object.keys(cond)) if (!knownOperators.has(op)) throw new Error(`unknown operator: ${op} (the wire peer knows only ${[...knownOperators].join(', ')})`);
  }
}

/** Whether a document matches a find filter. @throws Error for an operator the peer does not know. */
function matches(doc: Document, filter: Document): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (key === '$and') return (cond as Document[]).every((f) => matches(doc, f));
    if (key === '$or') return (cond as Document[]).some((f) => matches(doc, f));
    if (key.startsWith('$')) throw new Error(`unknown top level operator: ${key} (the wire peer knows only $and and $or)`);
    const value = valueAt(doc, key);
    if (isOperatorObject(cond)) return Object.entries(cond).every(([op, arg]) => matchesCondition(value, op, arg));
    return anyValue(value, (v) => equal(v, cond));
  });
}

function bySort(sort: Document): (a: Document, b: Document) => number {
  const keys = Object.entries(sort).map(([k, dir]) => [k, Number(dir) < 0 ? -1 : 1] as const);
  return (a, b) => {
    for (const [k, dir] of keys) {
      const c = compare(valueAt(a, k), valueAt(b, k));
      if (c !== 0) return c * dir;
    }
    return 0;
  };
}

/** An inclusion or exclusion projection of top-level or dotted fields. */
function projector(projection: Document): (doc: Document) => Document {
  const entries = Object.entries(projection);
  const include = entries.some(([k, v]) => k !== '_id' && Boolean(v));
  const idShown = projection._id === undefined ? true : Boolean(projection._id);
  return (doc) => {
    if (!include) {
      const out: Document = structuredClone(doc);
      for (const [k, v] of entries) if (!v) deletePath(out, k);
      return out;
    }
    const out: Document = {};
    if (idShown && doc._id !== undefined) out._id = doc._id;
    for (const [k, v] of entries) {
      if (k === '_id' || !v) continue;
      const value = valueAt(doc, k);
      if (value !== undefined) setPath(out, k, value);
    }
    return out;
  };
}

function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = doc;
  for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Document;
  at[parts[parts.length - 1]] = value;
}

function deletePath(doc: Document, path: string): void {
  const parts = path.split('.');
  let at: unknown = doc;
  for (const p of parts.slice(0, -1)) at = at && typeof at === 'object' ? (at as Document)[p] : undefined;
  if (at && typeof at === 'object') delete (at as Document)[parts[parts.length - 1]];
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

function opMsg(responseTo: number, body: Document, flagBits = 0): Buffer {
  const doc = BSON.serialize(body);
  const flags = Buffer.alloc(5); // flagBits, then section kind 0
  flags.writeUInt32LE(flagBits, 0);
  return Buffer.concat([header(16 + 5 + doc.length, responseTo, OP_MSG), flags, doc]);
}

function opReply(responseTo: number, body: Document): Buffer {
  const doc = BSON.serialize(body);
  const fields = Buffer.alloc(20); // responseFlags, cursorID (8), startingFrom, numberReturned
  fields.writeInt32LE(1, 16);
  return Buffer.concat([header(16 + 20 + doc.length, responseTo, OP_REPLY), fields, doc]);
}
