#!/usr/bin/env node
// A stand-in for a mongod binary in tests of the embedded server's process management
// (start, share, lock, stop, version pin): it answers `--version` like mongod and serves
// the scripted wire peer on --port until SIGTERM. It is not a database.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

const args = process.argv.slice(2);
const version = process.env.FAKE_MONGOD_VERSION ?? '8.2.6';
if (args.includes('--version')) {
  console.log(`db version v${version}\nBuild Info: {"version": "${version}"}`);
  process.exit(0);
}
const arg = (name) => args[args.indexOf(name) + 1];
register();
const { WirePeer } = await import('./wire-peer.ts');
const peer = new WirePeer();
await peer.start(Number(arg('--port')));
appendFileSync(join(arg('--dbpath'), 'fake-mongod-launches'), `${process.pid}\n`);
process.on('SIGTERM', async () => {
  await peer.stop();
  process.exit(0);
});
