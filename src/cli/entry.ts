import { main } from './main.js';

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
