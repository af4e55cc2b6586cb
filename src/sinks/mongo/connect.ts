import { type Db, type MongoClient, MongoServerError } from 'mongodb';
import { EtlError } from '../../errors.js';
import { logger } from '../../log.js';
import { redactText, redactUri, secretsOf } from '../../redact.js';
import { type DownloadObserver, type EmbeddedServer, embeddedRemedies, openEmbedded } from './embedded.js';
import { classifyError } from './errors.js';
import type { CollectionSpec, IndexSpec } from './collection-spec.js';

const log = logger('mongo');

export interface MongoTarget {
  client: MongoClient;
  db: Db;
  /** Redacted connection string, or a description of the embedded server. */
  description: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  uri?: string;
  db: string;
  dataDir: string;
  serverSelectionTimeoutMS?: number;
  /**
   * How long a write may wait for its answer before the connection counts as failed (and the
   * batch is retried). Without it a server that hangs would hold a batch forever.
   */
  socketTimeoutMS?: number;
  /** Told about a first-run download of the embedded server's binary. */
  download?: DownloadObserver;
}

/**
 * The write concern of every write unless the connection string sets one: a checkpoint follows
 * acknowledged writes, so an acknowledgement must survive a failover (majority: a write on the
 * primary alone can be rolled back by an election) and a crash of the node (journaled).
 * A standalone server (the embedded one) treats majority as itself.
 */
export const defaultWriteConcern = { w: 'majority', journal: true } as const;

/** Turns a connect-time driver error into a one-line EtlError with the password removed. */
export function connectError(err: unknown, uri: string): EtlError {
  const secrets = secretsOf(uri);
  const reason = redactText(err instanceof Error ? err.message : String(err), secrets).split('\n')[0];
  const where = redactUri(uri);
  const kind = classifyError(err);
  if (kind === 'auth') {
    return new EtlError('AUTH_FAILED', `Authentication to ${where} failed: ${reason}. Check the user and password in MONGODB_URI (or --uri).`);
  }
  if (kind === 'forbidden') {
    return new EtlError('AUTH_FAILED', `The MongoDB user at ${where} lacks a privilege the tool needs: ${reason}. Ask for the readWrite role on the target database.`);
  }
  if (kind === 'config') {
    return new EtlError('CONFIG_INVALID', `Invalid MongoDB connection string ${where}: ${reason}. Example: mongodb://localhost:27017`);
  }
  return new EtlError('CONNECTION_FAILED', `Cannot reach MongoDB at ${where}: ${reason}. Check that the server runs and MONGODB_URI (or --uri) is right.`, {
    hints: ['start one with `docker compose up -d`, or unset MONGODB_URI to use the embedded MongoDB'],
  });
}

/**
 * Connects to MONGODB_URI, or to the embedded MongoDB when none is set (finding one that
 * another etl process already runs on the same data directory before starting its own).
 * @throws EtlError CONNECTION_FAILED, AUTH_FAILED, CONFIG_INVALID or NO_MONGOD_BINARY.
 */
export async function connectMongo(opts: ConnectOptions): Promise<MongoTarget> {
  const { MongoClient } = await import('mongodb');
  let embedded: EmbeddedServer | undefined;
  let uri = opts.uri;
  let description: string;
  if (uri) {
    description = `${redactUri(uri)} (database ${opts.db})`;
  } else {
    embedded = await openEmbedded(opts.dataDir, { observer: opts.download });
    uri = embedded.uri;
    description = `embedded MongoDB (${opts.dataDir}${embedded.started ? '' : ', shared with another etl process'}), database ${opts.db}`;
  }
  // Fail fast on an unreachable server unless the connection string sets its own timeouts.
  let client: MongoClient;
  try {
    client = new MongoClient(uri, {
      appName: 'ecom-etl',
      ...(/serverSelectionTimeoutMS=/i.test(uri) ? {} : { serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 5000 }),
      ...(/connectTimeoutMS=/i.test(uri) ? {} : { connectTimeoutMS: 5000 }),
      ...(/socketTimeoutMS=/i.test(uri) || opts.socketTimeoutMS === undefined ? {} : { socketTimeoutMS: opts.socketTimeoutMS }),
      ...(/[?&](w|journal|wtimeoutMS)=/i.test(uri) ? {} : { writeConcern: defaultWriteConcern }),
    });
  } catch (err) {
    await embedded?.stop().catch(() => undefined);
    const reason = redactText(err instanceof Error ? err.message : String(err), secretsOf(uri)).split('\n')[0];
    throw new EtlError('CONFIG_INVALID', `Invalid MongoDB connection string ${redactUri(uri)}: ${reason}. Example: mongodb://localhost:27017`);
  }
  try {
    await client.connect();
    await client.db(opts.db).command({ ping: 1 });
  } catch (err) {
    await client.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    log('connect failed: %s', redactText(String(err), secretsOf(uri)));
    const e = connectError(err, uri);
    if (!opts.uri) e.hints.push(...embeddedRemedies);
    throw e;
  }
  log('connected to %s', description);
  let closed = false;
  return {
    client,
    db: client.db(opts.db),
    description,
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
      await embedded?.stop();
    },
  };
}

/** What ensureCollections changed: lists are empty when everything already existed. */
export interface SetupReport {
  created: string[];
  validatorsUpdated: string[];
  indexesCreated: string[];
  /** Indexes whose key or uniqueness had changed under the same name: dropped and built again. */
  indexesRebuilt: string[];
}

interface ExistingCollection {
  name: string;
  options?: { validator?: unknown; validationLevel?: string; validationAction?: string };
}

const validation = { validationLevel: 'strict', validationAction: 'error' } as const;
const NAMESPACE_EXISTS = 48;

/**
 * Runs one set-up command; a user without the privilege gets one line saying what to ask for.
 * @throws EtlError AUTH_FAILED when the server answers Unauthorized.
 */
async function privileged<T>(db: Db, action: string, collection: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (classifyError(err) !== 'forbidden') throw err;
    throw new EtlError(
      'AUTH_FAILED',
      `The MongoDB user may not ${action} on ${db.databaseName}.${collection}: ask for the dbAdmin role on database ${db.databaseName} (or run \`etl seed\` once as a user who has it).`,
    );
  }
}

function sameIndex(have: { key?: unknown; unique?: unknown }, want: IndexSpec): boolean {
  return JSON.stringify(have.key) === JSON.stringify(want.key) && Boolean(have.unique) === Boolean(want.unique);
}

/**
 * Creates every collection with its validator and indexes, and puts back what has drifted:
 * a different validator, validation level or action (collMod), an index whose key changed
 * under the same name (dropped and rebuilt). Re-running on a matching database sends no
 * change at all, so a user without dbAdmin can stream into a database set up by one who has it.
 * @throws EtlError AUTH_FAILED when a needed change is not allowed to this user.
 */
export async function ensureCollections(db: Db, specs: readonly CollectionSpec[]): Promise<SetupReport> {
  const report: SetupReport = { created: [], validatorsUpdated: [], indexesCreated: [], indexesRebuilt: [] };
  const listed = (await db.listCollections({}, { nameOnly: false }).toArray()) as ExistingCollection[];
  const existing = new Map(listed.map((c) => [c.name, c]));
  for (const spec of specs) {
    const current = existing.get(spec.name);
    if (!current) {
      // Another etl process starting at the same time may create it first (48 NamespaceExists).
      const created = await privileged(db, 'create the collection', spec.name, () =>
        db.createCollection(spec.name, { validator: spec.validator, ...validation }).then(
          () => true,
          (err: unknown) => (err instanceof MongoServerError && err.code === NAMESPACE_EXISTS ? false : Promise.reject(err)),
        ),
      );
      if (created) report.created.push(spec.name);
    } else {
      const o = current.options ?? {};
      // A collection created with a validator alone (as another tool's init script does) has the
      // server's defaults, which are ours: strict and error.
      const drifted =
        JSON.stringify(o.validator) !== JSON.stringify(spec.validator) ||
        (o.validationLevel ?? validation.validationLevel) !== validation.validationLevel ||
        (o.validationAction ?? validation.validationAction) !== validation.validationAction;
      if (drifted) {
        await privileged(db, 'change the validator (collMod)', spec.name, () => db.command({ collMod: spec.name, validator: spec.validator, ...validation }));
        report.validatorsUpdated.push(spec.name);
      }
    }
    const have = new Map((await db.collection(spec.name).listIndexes().toArray()).map((i) => [String(i.name), i as { key?: unknown; unique?: unknown }]));
    const changed = spec.indexes.filter((i) => have.has(i.name) && !sameIndex(have.get(i.name)!, i));
    for (const index of changed) {
      await privileged(db, 'rebuild the index', `${spec.name} (${index.name})`, () => db.collection(spec.name).dropIndex(index.name));
      report.indexesRebuilt.push(`${spec.name}.${index.name}`);
    }
    const missing = spec.indexes.filter((i) => !have.has(i.name) || changed.includes(i));
    if (missing.length > 0) {
      await privileged(db, 'create indexes', spec.name, () =>
        db.collection(spec.name).createIndexes(missing.map((i) => ({ name: i.name, key: i.key, ...(i.unique ? { unique: true } : {}) }))),
      );
      report.indexesCreated.push(...missing.filter((i) => !changed.includes(i)).map((i) => `${spec.name}.${i.name}`));
    }
  }
  return report;
}
