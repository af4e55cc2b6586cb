// The scripted wire peer (test/helpers/wire-peer.ts) as a MongoDB for `npm run bench`: it
// prints its connection string, keeps the catalog, and counts the events without decoding or
// keeping them (a million records would otherwise stay in its memory and take its CPU). Run by scripts/bench.js
// as `node --import tsx scripts/bench-peer.ts`; SIGTERM stops it.
import { eventCollections } from '../src/shared/collections.js';
import { WirePeer } from '../test/helpers/wire-peer.js';

const peer = new WirePeer();
for (const c of [...eventCollections, 'dead_letters']) peer.countOnly.add(c);
// The peer logs what it receives and answers (for tests to read): here nobody reads the logs,
// so they are emptied every second (they grew by ~400 MB a million records).
const logs = [peer.store.received, peer.store.bodies, peer.store.rawDocuments, peer.store.updatesApplied, peer.store.deduplicated];
setInterval(() => logs.forEach((l) => (l.length = 0)), 1000).unref();
await peer.start();
process.stdout.write(`${peer.uri()}\n`);
process.once('SIGTERM', () => {
  void peer.stop().then(() => process.exit(0));
});
