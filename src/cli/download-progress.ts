import { SingleBar } from 'cli-progress';
import type { DownloadObserver } from '../sinks/mongo/embedded.js';
import type { Output } from './output.js';

const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);

/**
 * What a person sees while the embedded MongoDB's binary is downloaded the first time: one
 * notice on stderr (always, also with --quiet), then progress on stderr — a bar on a
 * terminal, a line every 5 s otherwise, nothing with --quiet. Nothing goes to stdout, which
 * may carry --json or --sink stdout data.
 */
export function downloadObserver(out: Output, everyMs = 5_000): DownloadObserver {
  const err = out.io.stderr;
  const c = out.c;
  const quiet = out.mode.quiet;
  let bar: SingleBar | undefined;
  let lastLine = 0;
  return {
    start({ version, cacheDir }) {
      err.write(
        `${c.yellow(`Downloading MongoDB ${version} once for the embedded server (~100 MB, cached in ${cacheDir}).`)} ${c.dim('Skip it with MONGODB_URI, MONGOMS_SYSTEM_BINARY or `docker compose up -d`.')}\n`,
      );
      if (!quiet && err.isTTY) {
        bar = new SingleBar({ stream: err, format: `${c.cyan('{bar}')} {percentage}% | MongoDB ${version} {done} of {size} MB`, hideCursor: true, clearOnComplete: true, fps: 5 });
        bar.start(1, 0, { done: '0.0', size: '?' });
      }
    },
    progress(done, total) {
      if (quiet) return;
      if (bar) {
        bar.setTotal(Math.max(total, done, 1));
        bar.update(done, { done: mb(done), size: total > 0 ? mb(total) : '?' });
        return;
      }
      const now = Date.now();
      if (now - lastLine < everyMs && done < total) return;
      lastLine = now;
      err.write(`downloading MongoDB: ${mb(done)} of ${total > 0 ? mb(total) : '?'} MB${total > 0 ? ` (${Math.floor((100 * done) / total)} %)` : ''}\n`);
    },
    end() {
      bar?.stop();
      bar = undefined;
    },
  };
}
