import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import type { StatsReport, StatsSource } from '../../reporting/stats.js';
import type { ContextHolder, RunContext } from '../context.js';
import { addSettingOptions } from '../options.js';
import type { Output } from '../output.js';
import { fmtInt, table } from '../format.js';
import { sparkline } from '../sparkline.js';

/** Columns to draw in: the terminal's width, or 80 when not a terminal. */
function columnsOf(out: Output): number {
  return out.human.isTTY && out.human.columns ? out.human.columns : 80;
}

let usd: Intl.NumberFormat | undefined;
const money = (x: number) => (usd ??= new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })).format(x);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const time = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : '—');

function section(out: Output, title: string): void {
  out.summary('');
  out.summary(out.c.bold.underline(title));
}

/** Renders the report as tables (coloured on a terminal, plain otherwise). */
export function renderStats(out: Output, r: StatsReport): void {
  const c = out.c;
  out.summary(c.dim(`ecom-etl stats — ${r.source}${r.profile === 'ecom-etl' ? '' : ` (profile ${r.profile})`}`));
  if (r.empty) {
    out.summary(c.yellow('No data yet: the collections are empty or missing. Run `etl seed` and `etl stream` first.'));
    return;
  }
  // Sparklines on lines of their own, as wide as the terminal allows (they never wrap), with
  // every bar covering the same number of the report's buckets.
  const columns = columnsOf(out);
  const label = Math.max(...r.collections.map((x) => x.name.length)) + 2;
  const revenueLabel = 'revenue per bar ';
  const buckets = r.sales.revenueSeries.length || 60;
  const room = columns - Math.max(label, revenueLabel.length) - 1;
  let width = Math.max(1, Math.min(buckets, room));
  while (buckets % width !== 0) width--;
  if (r.window) {
    const minutes = (r.window.bucketMinutes * buckets) / width;
    out.summary(c.dim(`window ${time(r.window.from)} → ${time(r.window.to)} UTC (ends at the newest event; ${minutes} min per sparkline bar)`));
  }
  section(out, 'Collections');
  out.summary(table(['collection', 'documents', 'oldest', 'newest'], r.collections.map((x) => [x.name, x.count, time(x.oldest), time(x.newest)]), c));
  out.summary('');
  for (const x of r.collections) if (x.series) out.summary(`${x.name.padEnd(label)}${c.cyan(sparkline(x.series, width))}`);
  const s = r.sales;
  section(out, 'Sales');
  out.summary(`orders ${c.bold(fmtInt(s.orders))}   revenue ${c.bold(money(s.revenue))}   average order ${c.bold(money(s.averageOrderValue))}   units ${fmtInt(s.units)}   returned ${fmtInt(s.returned)}`);
  out.summary(`${revenueLabel}${c.green(sparkline(s.revenueSeries, width))}`);
  out.summary(table(['category', 'revenue', 'units'], s.byCategory.map((x) => [x.category, money(x.revenue).padStart(14), x.units]), c));
  out.summary('');
  out.summary(table(['country', 'revenue', 'orders'], s.byCountry.map((x) => [x.country, money(x.revenue).padStart(14), x.orders]), c));
  out.summary('');
  out.summary(table(['top by revenue', 'name', 'revenue', 'units'], s.topByRevenue.map((x) => [x.product_id, x.name, money(x.revenue).padStart(12), x.units]), c));
  out.summary('');
  out.summary(table(['top by units', 'name', 'units', 'revenue'], s.topByUnits.map((x) => [x.product_id, x.name, x.units, money(x.revenue).padStart(12)]), c));
  const b = r.behaviour;
  section(out, 'Behaviour');
  const f = b.funnel;
  const rate = (n: number) => (f.sessions > 0 ? pct(n / f.sessions) : '—');
  out.summary(table(['funnel', 'sessions', 'of visits'], [['visited', f.sessions, '100%'], ['viewed a product', f.viewed, rate(f.viewed)], ['added to cart', f.carted, rate(f.carted)], ['checked out', f.checkedOut, rate(f.checkedOut)]], c));
  out.summary(`carts: ${fmtInt(b.carts.checkouts)} checked out, ${fmtInt(b.carts.abandoned)} abandoned — abandonment rate ${c.bold(pct(b.carts.abandonmentRate))}`);
  out.summary(`session conversion ${c.bold(pct(b.conversion))} of visits ordered — ${c.bold(b.ordersPerBuyer.toFixed(2))} orders per buying user in the window`);
  out.summary(table(['trending product', 'views', 'window before', 'change'], b.trending.map((x) => [x.product_id, x.views, x.viewsBefore, x.viewsBefore > 0 ? `${x.views >= x.viewsBefore ? '+' : ''}${pct((x.views - x.viewsBefore) / x.viewsBefore)}` : 'new']), c));
  const k = r.risk;
  section(out, 'Risk and quality');
  out.summary(k.fraud.length ? table(['anomaly', 'orders', 'amount'], k.fraud.map((x) => [c.red(x.anomaly_type), x.orders, money(x.amount).padStart(12)]), c) : c.dim('no fraud-labelled orders in the window'));
  out.summary('');
  out.summary(k.lowStock.length ? table(['low stock', 'warehouse', 'stock', 'as of'], k.lowStock.map((x) => [x.product_id, x.warehouse_id, x.stock, time(x.at)]), c) : c.dim('no product below the restock threshold'));
  out.summary('');
  out.summary(k.deadLetters.length ? table(['dead letters', 'records', 'injected (--dirty-rate)'], k.deadLetters.map((x) => [x.collection, x.count, x.injected]), c) : c.green('no dead letters'));
  if (k.deadLetterReasons.length) {
    out.summary('');
    out.summary(table(['collection', 'field', 'reason', 'count'], k.deadLetterReasons.map((x) => [x.collection, x.path || '(record)', x.code, x.count]), c));
  }
  section(out, 'Last runs');
  out.summary(
    r.runs.length
      ? table(
          ['run', 'command', 'status', 'started', 'generated', 'written', 'dupes', 'dead', 'reconciled'],
          r.runs.map((x) => [x.id, x.command, x.status === 'completed' ? c.green(x.status) : x.status === 'failed' ? c.red(x.status) : c.yellow(x.status), time(x.started), x.generated, x.written, x.duplicates, x.deadLettered, x.reconciled ? c.green('yes') : c.red('no')]),
          c,
        )
      : c.dim('no runs recorded'),
  );
}

async function openSource(ctx: RunContext): Promise<StatsSource> {
  const s = ctx.config.settings;
  if (s.fromDir) {
    const { FileStatsSource } = await import('../../reporting/file-source.js');
    return new FileStatsSource(s.fromDir);
  }
  const [{ connectMongo }, { MongoStatsSource }, { downloadObserver }] = await Promise.all([
    import('../../sinks/mongo/connect.js'),
    import('../../sinks/mongo/stats-source.js'),
    import('../download-progress.js'),
  ]);
  return new MongoStatsSource(await connectMongo({ uri: s.uri, db: s.db, dataDir: s.dataDir, download: downloadObserver(ctx.out) }));
}

async function statsAction(ctx: RunContext): Promise<void> {
  const { config, out, stopSignal, io } = ctx;
  const s = config.settings;
  const { computeStats } = await import('../../reporting/stats.js');
  const source = await openSource(ctx);
  try {
    for (;;) {
      const report = await computeStats(source, s.since, s.profile);
      if (s.watch && out.interactive && !out.mode.json) io.stderr.write('\x1b[2J\x1b[H');
      out.json({ type: 'stats', ...report });
      if (!out.mode.json) renderStats(out, report);
      if (!s.watch || stopSignal.aborted) break;
      if (!out.mode.json) out.summary(out.c.dim(`\nrefreshing every 5 s — Ctrl-C to stop`));
      try {
        await sleep(5000, undefined, { signal: stopSignal });
      } catch {
        break;
      }
      source.refresh?.();
    }
  } finally {
    await source.close();
  }
}

/** `etl stats`: what is in the store and what is happening, from aggregation pipelines. */
export function makeStatsCommand(holder: ContextHolder): Command {
  const cmd = new Command('stats')
    .description('report sales, behaviour, fraud, stock, dead letters and runs from the stored data')
    .addHelpText(
      'after',
      `
Every figure comes from a MongoDB aggregation pipeline over the stored data; --from DIR runs
the same pipelines in memory (mingo) over a jsonl output directory. The window (--since)
ends at the newest event, so backfilled history reports too.

Examples:
  $ etl stats
  $ etl stats --since 30m --watch
  $ etl stats --from ./data --json | jq .sales
  $ etl stats --profile adaptive-bi          figures over the Adaptive-BI collections`,
    );
  addSettingOptions(cmd, 'stats');
  cmd.action(() => statsAction(holder.get()));
  return cmd;
}
