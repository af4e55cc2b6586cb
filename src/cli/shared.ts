import type { Settings } from '../config/settings.js';
import type { Profile } from '../profiles/index.js';
import type { Sink } from '../sinks/types.js';
import type { RunContext } from './context.js';
import type { Output } from './output.js';

/** Creates and opens the configured sink for the profile's documents (connection errors surface here, before any work). */
export async function openSink(s: Settings, ctx: RunContext, profile: Profile): Promise<Sink> {
  const [{ createSink }, { downloadObserver }] = await Promise.all([import('../sinks/index.js'), import('./download-progress.js')]);
  const sink = await createSink({ sink: s.sink, stored: profile.stored, out: s.out, uri: s.uri, db: s.db, dataDir: s.dataDir, stdout: ctx.io.stdout, download: downloadObserver(ctx.out) });
  try {
    await sink.open();
  } catch (err) {
    await sink.close().catch(() => undefined);
    throw err;
  }
  return sink;
}

/** Runs work with a cli-progress bar on a terminal (nothing otherwise); `tick(done)` moves it. */
export async function withProgressBar<T>(out: Output, label: string, total: number, work: (tick: (done: number) => void) => Promise<T>): Promise<T> {
  if (!out.interactive || total <= 0) return work(() => undefined);
  const { SingleBar, Presets } = await import('cli-progress');
  const c = out.c;
  const bar = new SingleBar(
    {
      stream: out.io.stderr,
      format: `${c.cyan('{bar}')} {percentage}% | ${label} {value}/{total} | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
      fps: 10,
      noTTYOutput: false,
      formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? v.toLocaleString('en-US') : String(v)),
    },
    Presets.shades_classic,
  );
  const started = performance.now();
  bar.start(total, 0, { rate: '0' });
  try {
    return await work((done) => {
      const secs = (performance.now() - started) / 1000;
      bar.update(done, { rate: Math.round(done / Math.max(secs, 1e-3)).toLocaleString('en-US') });
    });
  } finally {
    bar.stop();
  }
}

/**
 * Reads the catalog the stream sells, saying so first (a large catalog takes a while to read);
 * where the target has none, one of --products and --users is made.
 */
export async function readCatalog(out: Output, sink: Sink, s: Pick<Settings, 'sink' | 'products' | 'users'>, profile: Profile, signal?: AbortSignal) {
  const { loadCatalog, defaultCatalog } = await import('../run/catalog-source.js');
  if (sink.catalog) out.line(out.c.dim(`Reading the catalog from ${sink.target}…`));
  // A large catalog takes seconds: a progress line every 2 s meanwhile.
  let lastLine = performance.now();
  const catalog = await loadCatalog(sink, profile, ({ collection, documents }) => {
    const now = performance.now();
    if (now - lastLine < 2000) return;
    lastLine = now;
    out.line(out.c.dim(`  … ${documents.toLocaleString('en-US')} ${collection} read`));
  }, { products: s.products, users: s.users }, { signal });
  announceCatalog(out, catalog.source, sink.target, s.sink, `${fmt(s.products)} products, ${fmt(s.users)} users, seed ${defaultCatalog.seed}`);
  if (catalog.loadMs >= 1000 || catalog.read.users >= 100_000) {
    out.line(out.c.dim(`Catalog: ${catalog.catalog.productCount.toLocaleString('en-US')} products, ${catalog.catalog.userCount.toLocaleString('en-US')} users in ${(catalog.loadMs / 1000).toFixed(1)} s`));
  }
  return catalog;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Says where the catalog of a stream came from, when it was not already in the target. */
function announceCatalog(out: Output, source: 'stored' | 'seeded' | 'memory', target: string, sink: string, made: string): void {
  if (source === 'seeded') out.line(out.c.yellow(`No catalog in ${target} yet: seeded one first (${made}).`));
  if (source === 'memory') out.line(out.c.dim(`--sink ${sink} keeps no catalog: using one in memory (${made}).`));
}
