// One etl process's use of the embedded MongoDB, for tests that need many processes at once
// (many processes, not many calls in one, because the lock is between processes). It loads,
// prints `ready`, opens the server on the data directory argv[2] when a line arrives on stdin,
// prints {"started", "uri"}, and leaves the server when stdin closes.
import { createInterface } from 'node:readline';
import { openEmbedded } from '../../src/sinks/mongo/embedded.js';

const input = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
console.log('ready');
await input.next();
const server = await openEmbedded(process.argv[2]);
console.log(JSON.stringify({ started: server.started, uri: server.uri }));
await input.next();
await server.stop();
