import { setFlagsFromString } from 'node:v8';
import { main } from './main.js';

// Young generations do not grow past their start size: the main thread's would otherwise grow
// to 32 MB while modules and the configuration load, and stay resident for the whole run. A
// worker thread that allocates many short-lived records is given its size when it is created
// (run/stream.ts). Measured with npm run bench: the null-sink stream with 2 workers peaks at
// ~170 MB instead of ~234 MB, at the same records/s.
setFlagsFromString('--semi-space-growth-factor=1');

/**
 * The process entry point: the only place that touches signals and the exit code.
 * First Ctrl-C/SIGTERM asks the running command to stop cleanly; a second exits at once.
 */
const stop = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals++;
  if (signals === 1) {
    stop.abort(signal);
  } else {
    process.stderr.write(`\n${signal} again: exiting now.\n`);
    process.exit(130);
  }
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A closed pipe (`etl stream --sink stdout | head`) ends output quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await main(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, stop.signal);
process.exitCode = code;
// Do not let a lingering handle (a driver timer, a worker) keep a finished command alive.
setTimeout(() => process.exit(code), 2000).unref();
