// The scripted wire peer (test/helpers/wire-peer.ts) as a MongoDB for `npm run bench`: it
// prints its connection string, keeps the catalog, and counts the events without decoding or
// keeping them (a million records would otherwise stay in its memory and take its CPU). Run by scripts/bench.js
// as `node --import tsx scripts/bench-peer.ts`; SIGTERM stops it.
import { eventCollections } from '../src/shared/collections.js';
import { WirePeer } from '../test/helpers/wire-peer.js';

const peer = new WirePeer();
for (const c of [...eventCollections, 'dead_letters']) peer.countOnly.add(c);
// The peer notes every update it answers (for tests to read): here nobody reads them, so they go.
setInterval(() => (peer.updatesApplied.length = 0), 1000).unref();
await peer.start();
process.stdout.write(`${peer.uri()}\n`);
process.once('SIGTERM', () => {
  void peer.stop().then(() => process.exit(0));
});
