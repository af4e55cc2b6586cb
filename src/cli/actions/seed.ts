import { EtlError } from '../../errors.js';
import type { RunContext } from '../context.js';
import { fmtDuration, fmtInt, table } from '../format.js';
import { openSink, withProgressBar } from '../shared.js';

/** `etl seed`: create the product and user catalog. */
export async function seedAction(ctx: RunContext): Promise<void> {
  const { config, out, stopSignal } = ctx;
  const s = config.settings;
  const seed = s.seed ?? 42;
  // The profile is resolved here, once: the stages get its parts.
  const profile = await (await import('../../profiles/index.js')).loadProfile(s.profile);
  const sink = await openSink(s, ctx, profile);
  try {
    const { seedCatalog } = await import('../../run/seed.js');
    const total = s.products + s.users;
    out.line(out.c.dim(`Seeding ${fmtInt(s.products)} products and ${fmtInt(s.users)} users (seed ${seed}) into ${sink.target}${s.reset ? ', after dropping the catalog' : ''}`));
    const report = await withProgressBar(out, 'catalog', total, (tick) =>
      seedCatalog({ profile, seed, products: s.products, users: s.users, reset: s.reset, chunkSize: s.chunkSize, sink, signal: stopSignal, onProgress: tick }),
    );
    out.json({ type: 'summary', command: 'seed', ...report, elapsedMs: Math.round(report.elapsedMs), rate: Math.round(report.rate) });
    const c = out.c;
    const rows = (['products', 'users'] as const).map((k) => [k, report.counts[k].generated, report.counts[k].written, report.counts[k].dead_lettered]);
    out.summary(table(['collection', 'generated', 'written', 'rejected'], rows, c));
    const ok = report.invalid.length === 0;
    const done = report.counts.products.written + report.counts.users.written;
    if (report.interrupted) out.summary(c.yellow(`Interrupted: ${fmtInt(done)} of ${fmtInt(total)} documents written; run the same command again to complete the catalog.`));
    out.summary(
      `${ok ? c.green('✔') : c.red('✘')} Seeded ${c.bold(fmtInt(done))} documents in ${fmtDuration(report.elapsedMs)} (${c.cyan(`${fmtInt(report.rate)} docs/s`)}), seed ${seed}, into ${report.target}`,
    );
    for (const bad of report.invalid.slice(0, 5)) out.summary(c.red(`  rejected ${bad.collection} ${String(bad.id)}: ${bad.reasons.join('; ')}`));
    if (!ok) throw new EtlError('WORK_LOST', `${fmtInt(report.invalid.length)} catalog documents were rejected and not written.`);
  } finally {
    await sink.close();
  }
}
