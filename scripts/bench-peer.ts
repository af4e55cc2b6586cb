// The scripted wire peer (test/helpers/wire-peer.ts) as a MongoDB for `npm run bench`: it
// prints its connection string, keeps the catalog, and counts the events without decoding or
// keeping them (a million records would otherwise stay in its memory and take its CPU). Run by scripts/bench.js
// as `node --import tsx scripts/bench-peer.ts`; SIGTERM stops it.
import { WirePeer } from '../test/helpers/wire-peer.js';

const peer = new WirePeer();
for (const c of ['product_views', 'cart_events', 'transactions', 'user_activities', 'inventory_updates', 'dead_letters']) peer.countOnly.add(c);
await peer.start();
process.stdout.write(`${peer.uri()}\n`);
process.once('SIGTERM', () => {
  void peer.stop().then(() => process.exit(0));
});
