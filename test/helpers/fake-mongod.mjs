#!/usr/bin/env node
// A stand-in for a mongod binary in tests of the embedded server's process management
// (start, share, lock, stop, version pin): it answers `--version` like mongod and serves
// the scripted wire peer on --port until the `shutdown` command or SIGTERM. It is not a database.
// It appends each pid it runs as to <dbpath>/fake-mongod-launches and each way it was told to
// stop (`shutdown`, `SIGTERM`) to <dbpath>/fake-mongod-stops. FAKE_MONGOD_IGNORE_SHUTDOWN=1
// makes it acknowledge `shutdown` and keep running, as a hung mongod would.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate } from 'node:timers';
import { register } from 'tsx/esm/api';

const args = process.argv.slice(2);
const version = process.env.FAKE_MONGOD_VERSION ?? '8.2.6';
if (args.includes('--version')) {
  console.log(`db version v${version}\nBuild Info: {"version": "${version}"}`);
  process.exit(0);
}
const arg = (name) => args[args.indexOf(name) + 1];
const stops = join(arg('--dbpath'), 'fake-mongod-stops');
register();
const { WirePeer } = await import('./wire-peer.ts');
const peer = new WirePeer();
const exit = async () => {
  await peer.stop();
  process.exit(0);
};
peer.use((cmd) => {
  if (cmd.name !== 'shutdown') return undefined;
  appendFileSync(stops, 'shutdown\n');
  if (process.env.FAKE_MONGOD_IGNORE_SHUTDOWN === '1') return { reply: {} };
  setImmediate(exit);
  // mongod drops its connections instead of answering.
  return { cut: true };
});
await peer.start(Number(arg('--port')));
appendFileSync(join(arg('--dbpath'), 'fake-mongod-launches'), `${process.pid}\n`);
process.on('SIGTERM', () => {
  appendFileSync(stops, 'SIGTERM\n');
  void exit();
});
