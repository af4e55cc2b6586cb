import { Command } from 'commander';
import { EtlError } from '../../errors.js';
import { addSettingOptions } from '../options.js';
import type { ContextHolder } from '../context.js';
import { fmtDuration, fmtInt, table } from '../format.js';
import { openSink, withProgressBar } from '../shared.js';

/** `etl seed`: create the product and user catalog. */
export function makeSeedCommand(holder: ContextHolder): Command {
  const cmd = new Command('seed')
    .description('create (or refresh) the product and user catalog')
    .addHelpText(
      'after',
      `
Examples:
  $ etl seed                          100 products, 1,000 users into MongoDB
  $ etl seed --products 5000 --users 100000 --seed 7
  $ etl seed --sink jsonl --out ./data
                                      products.jsonl, users.jsonl (mongoimport)
  $ etl seed --reset                  drop the catalog and create it again

Same --seed => identical documents. Running it twice leaves one copy of each
document (upsert by product_id / user_id).`,
    );
  addSettingOptions(cmd, 'seed');
  cmd.action(async () => {
    const { config, out, stopSignal } = holder.get();
    const s = config.settings;
    const seed = s.seed ?? 42;
    // The profile is resolved here, once: the stages get its parts.
    const profile = await (await import('../../profiles/index.js')).loadProfile(s.profile);
    const sink = await openSink(s, holder.get(), profile);
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
  });
  return cmd;
}
