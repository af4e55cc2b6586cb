import { basename } from 'node:path';
import { isEtlError } from '../../errors.js';
import type { SettingSource } from '../../config/load.js';
import type { LivingStore } from '../../reporting/living-store.js';
import type { StatsReport, StatsSince, StatsSource, StatsWindow } from '../../reporting/stats.js';
import type { DocumentReader } from '../../shared/stats-source.js';
import type { RunContext } from '../context.js';
import type { Output } from '../output.js';
import { fmtInt, fmtMs, table, visibleWidth } from '../format.js';
import { sparkline } from '../sparkline.js';

const refreshSeconds = 5;

/**
 * Columns to draw in: the terminal's width; else COLUMNS when set (`COLUMNS=200 etl stats | less`);
 * else 80, the width every line fits when output goes to a file or a pipe.
 */
function columnsOf(out: Output): number {
  if (out.human.isTTY && out.human.columns) return out.human.columns;
  const env = Number(out.io.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : 80;
}

/** The widest line of a text as a terminal shows it (colour codes take no room). */
const widthOf = (text: string) => Math.max(0, ...text.split('\n').map(visibleWidth));

/** `s` cut to `w` characters, its end replaced by … when cut. */
const cut = (s: string, w: number) => (s.length <= w ? s : `${s.slice(0, Math.max(0, w - 1))}…`);

/** Parts joined by `sep`, starting a new line instead where the next part would pass `columns`. */
function flow(parts: string[], columns: number, sep = '   '): string {
  const lines: string[] = [];
  for (const p of parts) {
    const last = lines.length - 1;
    if (last >= 0 && widthOf(lines[last] + sep + p) <= columns) lines[last] += sep + p;
    else lines.push(p);
  }
  return lines.join('\n');
}

/** How a table gives way on a narrow terminal: which text column may be cut, and which columns go, first first. */
interface Narrowing {
  shrink?: number;
  drop?: number[];
}

/** A table no wider than `columns`: the `shrink` column is cut (to 8 characters at least), then `drop` columns go in order. */
function fitTable(columns: number, headers: string[], rows: Array<Array<string | number>>, c: { bold: (s: string) => string }, narrowing: Narrowing = {}): string {
  const drop = narrowing.drop ?? [];
  let text = '';
  for (let k = 0; k <= drop.length; k++) {
    const gone = new Set(drop.slice(0, k));
    const keep = headers.map((_, i) => i).filter((i) => !gone.has(i));
    const h = keep.map((i) => headers[i]);
    const body = rows.map((r) => keep.map((i) => r[i]));
    text = table(h, body, c);
    const excess = widthOf(text) - columns;
    if (excess <= 0) return text;
    const s = narrowing.shrink === undefined ? -1 : keep.indexOf(narrowing.shrink);
    if (s >= 0) {
      const widest = Math.max(h[s].length, ...body.map((r) => String(r[s]).length));
      const room = Math.max(8, h[s].length, widest - excess);
      text = table(h, body.map((r) => r.map((v, i) => (i === s ? cut(String(v), room) : v))), c);
      if (widthOf(text) <= columns) return text;
    }
  }
  return text;
}

let usd: Intl.NumberFormat | undefined;
const money = (x: number) => (usd ??= new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })).format(x);
/** Amounts right-aligned in a column under `header`. */
function moneyColumn(header: string, xs: number[]): string[] {
  const texts = xs.map(money);
  const w = Math.max(header.length, ...texts.map((t) => t.length));
  return texts.map((t) => t.padStart(w));
}
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const time = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : '—');

/** A length of time as `--since` takes it: 90 minutes is 90m, a week 7d. */
function durationLabel(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** The shortest whole `--since` (in days, hours or minutes) that reaches back `ms`; none beyond the 366d it accepts. */
function sinceCovering(ms: number): string | undefined {
  if (ms > 86_400_000) {
    const days = Math.ceil(ms / 86_400_000);
    return days <= 366 ? `${days}d` : undefined;
  }
  if (ms > 3_600_000) return `${Math.ceil(ms / 3_600_000)}h`;
  return `${Math.max(1, Math.ceil(ms / 60_000))}m`;
}

/** What a report cannot know about itself: how it was asked for. */
interface StatsView {
  /** Where the `--since` window came from ('default' when none was given) and the env file read. */
  since?: { source: SettingSource; envFile?: string };
  /** The `--from` directory, when the report is of one. */
  fromDir?: string;
  /** The profile was chosen (not the default): the title names it. */
  profileChosen?: boolean;
}

/** The window, and when it hides older events, how to see them: lines that fit `columns`. */
function windowLines(w: StatsWindow, view: StatsView, columns: number): { window: string; hidden?: string } {
  const span = `${time(w.from)} → ${time(w.to)} UTC`;
  if (w.since === 'all') return { window: flow(['window: all the data,', span], columns, ' ') };
  const source = view.since?.source ?? 'flag';
  const fromEnv = source !== 'flag' && source !== 'default';
  const where = source === 'env-file' || source === 'profile-env-file' ? `ETL_STATS_SINCE in ${basename(view.since?.envFile ?? '.env')}` : 'ETL_STATS_SINCE';
  const window = flow([`window: last ${durationLabel(w.since)}${fromEnv ? ` (${where})` : ''},`, span], columns, ' ');
  if (!w.hidesOlder) return { window };
  const wider = sinceCovering(w.to.getTime() - w.data.from.getTime());
  const parts = [`hides older events (from ${time(w.data.from)}):`];
  if (wider) parts.push(`use --since ${wider}`);
  parts.push(`${wider ? 'or ' : ''}${fromEnv ? `remove ${where}` : 'omit --since'}`);
  return { window, hidden: flow(parts, columns, ' ') };
}

function section(out: Output, title: string): void {
  out.summary('');
  out.summary(out.c.bold.underline(title));
}

/** Renders the report as tables (coloured on a terminal, plain otherwise), every line within the terminal's width. */
export function renderStats(out: Output, r: StatsReport, view: StatsView = {}): void {
  const c = out.c;
  const columns = columnsOf(out);
  const title = 'ecom-etl stats — ';
  const profile = view.profileChosen ? ` (profile ${r.profile})` : '';
  const room = columns - title.length - profile.length;
  const source = r.source.length <= room ? r.source : `…${r.source.slice(-Math.max(1, room - 1))}`;
  out.summary(c.dim(`${title}${source}${profile}`));
  if (r.empty) {
    const advice = view.fromDir ? 'Write some with `etl stream --sink jsonl --out DIR`.' : 'Run `etl seed` and `etl stream` first.';
    out.summary(c.yellow(flow(['No data yet:', 'the collections are empty or missing.', advice], columns, ' ')));
    return;
  }
  // Sparklines on lines of their own, as wide as the terminal allows (they never wrap), with
  // every bar covering the same number of the report's buckets.
  const label = Math.max(...r.collections.map((x) => x.name.length)) + 2;
  const revenueLabel = 'revenue per bar ';
  const buckets = r.sales.revenueSeries.length || 60;
  let width = Math.max(1, Math.min(buckets, columns - Math.max(label, revenueLabel.length) - 1));
  while (buckets % width !== 0) width--;
  if (r.window) {
    const lines = windowLines(r.window, view, columns);
    out.summary(c.dim(lines.window));
    if (lines.hidden) out.summary(c.yellow(lines.hidden));
  }
  section(out, 'Collections');
  out.summary(fitTable(columns, ['collection', 'documents', 'oldest', 'newest'], r.collections.map((x) => [x.name, x.count, time(x.oldest), time(x.newest)]), c, { drop: [2, 3] }));
  if (r.window) {
    const minutes = (r.window.bucketMinutes * buckets) / width;
    out.summary('');
    out.summary(c.dim(flow(['activity over the window,', `${minutes} min per sparkline bar:`], columns, ' ')));
  }
  for (const x of r.collections) if (x.series) out.summary(`${x.name.padEnd(label)}${c.cyan(sparkline(x.series, width))}`);
  if (r.scenarios.length) out.summary(flow(r.scenarios.map((x, i) => `${i === 0 ? 'scenarios: ' : ''}${c.magenta(x.name)} ${time(x.from)} → ${x.to ? time(x.to) : 'end'}`), columns, ' · '));
  const key = r.answerKey;
  if (key) {
    const parts = [`answer key: ${fmtInt(key.records)} records`, `revenue ${money(key.revenue)}`, `late ${fmtInt(key.late)}`, `repeated ${fmtInt(key.repeated)}`];
    out.summary(flow(parts, columns, ', '));
  }
  const s = r.sales;
  section(out, 'Sales');
  out.summary(flow([`orders ${c.bold(fmtInt(s.orders))}`, `revenue ${c.bold(money(s.revenue))}`, `average order ${c.bold(money(s.averageOrderValue))}`, `units ${fmtInt(s.units)}`, `returned ${fmtInt(s.returned)}`], columns));
  out.summary(`${revenueLabel}${c.green(sparkline(s.revenueSeries, width))}`);
  const byCategory = moneyColumn('revenue', s.byCategory.map((x) => x.revenue));
  out.summary(fitTable(columns, ['category', 'revenue', 'units'], s.byCategory.map((x, i) => [x.category, byCategory[i], x.units]), c, { shrink: 0 }));
  out.summary('');
  const byCountry = moneyColumn('revenue', s.byCountry.map((x) => x.revenue));
  out.summary(fitTable(columns, ['country', 'revenue', 'orders'], s.byCountry.map((x, i) => [x.country, byCountry[i], x.orders]), c, { shrink: 0 }));
  out.summary('');
  const topRevenue = moneyColumn('revenue', s.topByRevenue.map((x) => x.revenue));
  out.summary(fitTable(columns, ['top by revenue', 'name', 'revenue', 'units'], s.topByRevenue.map((x, i) => [x.product_id, x.name, topRevenue[i], x.units]), c, { shrink: 1, drop: [3] }));
  out.summary('');
  const topUnits = moneyColumn('revenue', s.topByUnits.map((x) => x.revenue));
  out.summary(fitTable(columns, ['top by units', 'name', 'units', 'revenue'], s.topByUnits.map((x, i) => [x.product_id, x.name, x.units, topUnits[i]]), c, { shrink: 1, drop: [3] }));
  const b = r.behaviour;
  section(out, 'Behaviour');
  const f = b.funnel;
  const rate = (n: number) => (f.sessions > 0 ? pct(n / f.sessions) : '—');
  out.summary(table(['funnel', 'sessions', 'of visits'], [['visited', f.sessions, '100%'], ['viewed a product', f.viewed, rate(f.viewed)], ['added to cart', f.carted, rate(f.carted)], ['checked out', f.checkedOut, rate(f.checkedOut)]], c));
  out.summary(flow([`carts: ${fmtInt(b.carts.checkouts)} checked out, ${fmtInt(b.carts.abandoned)} abandoned`, `abandonment rate ${c.bold(pct(b.carts.abandonmentRate))}`], columns, ' — '));
  out.summary(flow([`session conversion ${c.bold(pct(b.conversion))} of visits ordered`, `${c.bold(b.ordersPerBuyer.toFixed(2))} orders per buying user in the window`], columns, ' — '));
  const halves = r.window?.since === 'all';
  out.summary(
    fitTable(
      columns,
      ['trending product', halves ? 'newer half' : 'views', halves ? 'older half' : 'window before', 'change'],
      b.trending.map((x) => [x.product_id, x.views, x.viewsBefore, x.viewsBefore > 0 ? `${x.views >= x.viewsBefore ? '+' : ''}${pct((x.views - x.viewsBefore) / x.viewsBefore)}` : 'new']),
      c,
      { shrink: 0 },
    ),
  );
  if (r.livingStore) renderLivingStore(out, r.livingStore, columns);
  const k = r.risk;
  section(out, 'Risk and quality');
  const fraudAmounts = moneyColumn('amount', k.fraud.map((x) => x.amount));
  out.summary(k.fraud.length ? fitTable(columns, ['anomaly', 'orders', 'amount'], k.fraud.map((x, i) => [c.red(x.anomaly_type), x.orders, fraudAmounts[i]]), c) : c.dim('no fraud-labelled orders in the window'));
  out.summary('');
  out.summary(k.lowStock.length ? fitTable(columns, ['low stock', 'warehouse', 'stock', 'as of'], k.lowStock.map((x) => [x.product_id, x.warehouse_id, x.stock, time(x.at)]), c, { drop: [3] }) : c.dim('no product below the restock threshold'));
  out.summary('');
  out.summary(k.deadLetters.length ? fitTable(columns, ['dead letters', 'records', 'injected (--dirty-rate)'], k.deadLetters.map((x) => [x.collection, x.count, x.injected]), c, { drop: [2] }) : c.green('no dead letters'));
  if (k.deadLetterReasons.length) {
    out.summary('');
    out.summary(fitTable(columns, ['collection', 'field', 'reason', 'count'], k.deadLetterReasons.map((x) => [x.collection, x.path || '(record)', x.code, x.count]), c, { shrink: 1 }));
  }
  section(out, 'Last runs');
  // The run id stays whole (an id cut short names nothing); the start time is in it, so `started` goes first.
  // Live runs add their p99 latency (timestamp to stored write); a report of backfills has no such column.
  const latency = r.runs.some((x) => x.p99Ms !== null);
  out.summary(
    r.runs.length
      ? fitTable(
          columns,
          ['run', 'command', 'status', 'started', 'generated', 'written', 'dupes', 'dead', 'reconciled', ...(latency ? ['p99'] : [])],
          r.runs.map((x) => [
            x.id,
            x.command,
            x.status === 'completed' ? c.green(x.status) : x.status === 'failed' ? c.red(x.status) : c.yellow(x.status),
            time(x.started),
            x.generated,
            x.written,
            x.duplicates,
            x.deadLettered,
            x.reconciled ? c.green('yes') : c.red('no'),
            ...(latency ? [x.p99Ms === null ? c.dim('—') : fmtMs(x.p99Ms)] : []),
          ]),
          c,
          { drop: latency ? [3, 6, 7, 1, 5, 9, 4] : [3, 6, 7, 1, 5, 4] },
        )
      : c.dim('no runs recorded'),
  );
}

/** `label name n · name n …` leaving out the zeros (all of them: `none`), wrapped between counts. */
function counts(label: string, xs: Record<string, number>, columns: number): string {
  const parts = Object.entries(xs).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${fmtInt(n)}`);
  parts[0] = `${label} ${parts[0] ?? 'none'}`;
  return flow(parts, columns, ' · ');
}
const days = (d: number | null) => (d === null ? '—' : `${d.toFixed(1)} d`);

/** The living store in a few lines: orders placed in the window and what became of them, then the other changes of the window. */
function renderLivingStore(out: Output, l: LivingStore, columns: number): void {
  const c = out.c;
  const o = l.orders;
  section(out, 'Living store');
  out.summary(
    flow(
      [
        `orders placed ${c.bold(fmtInt(o.placed))}`,
        `cancelled ${fmtInt(o.cancelled)} (${c.bold(pct(o.cancellationRate))})`,
        `returned ${fmtInt(o.returned)} of ${fmtInt(o.delivered)} delivered (${c.bold(pct(o.returnRate))})`,
      ],
      columns,
    ),
  );
  out.summary(counts('by status now:', o.byStatus, columns));
  if (o.delivered > 0) {
    out.summary(flow(['placed → delivered:', `median ${c.bold(days(l.delivery.medianDays))},`, `p90 ${days(l.delivery.p90Days)},`, `late ${c.bold(pct(l.delivery.lateShare))}`], columns, ' '));
  }
  if (o.cancelled > 0) out.summary(counts('cancel reasons:', o.cancelReasons, columns));
  const p = l.priceChanges;
  out.summary(counts(`price changes ${fmtInt(p.count)} on ${fmtInt(p.products)} products:`, p.byReason, columns));
  const v = l.reviews;
  const ratings = Object.values(v.byRating).map(fmtInt).join(' / ');
  out.summary(flow([`reviews ${fmtInt(v.count)}`, `average rating ${c.bold(v.averageRating.toFixed(2))}`, `by rating 1 … 5: ${ratings}`], columns));
  out.summary(counts(`user changes ${fmtInt(l.userChanges.count)}:`, l.userChanges.byChange, columns));
}

/** The target a report reads: a jsonl directory (--from), else MongoDB (--uri/--db). */
export async function openSource(ctx: RunContext): Promise<StatsSource & DocumentReader> {
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
  try {
    return new MongoStatsSource(await connectMongo({ uri: s.uri, db: s.db, dataDir: s.dataDir, download: downloadObserver(ctx.out) }));
  } catch (err) {
    // The remedy "write to files instead" is a stream's; a report reads files with --from.
    if (isEtlError(err)) err.hints.splice(0, err.hints.length, ...err.hints.map((h) => (h.includes('--sink jsonl') ? 'or report on files a stream wrote: --from ./data' : h)));
    throw err;
  }
}

export async function statsAction(ctx: RunContext): Promise<void> {
  const { config, out, stopSignal, io } = ctx;
  const s = config.settings;
  const { computeStats } = await import('../../reporting/stats.js');
  // The profile is resolved here, once: the report gets its plan.
  const profile = await (await import('../../profiles/index.js')).loadProfile(s.profile);
  // No --since (nor ETL_STATS_SINCE): all the data, so a backfill reports whole; a window given is kept.
  const since: StatsSince = s.since ?? 'all';
  const view: StatsView = { since: { source: config.sources.since, envFile: config.envFile }, fromDir: s.fromDir, profileChosen: config.sources.profile !== 'default' };
  const source = await openSource(ctx);
  try {
    for (;;) {
      const at = new Date();
      const report = await computeStats(source, since, profile);
      if (s.watch && out.interactive && !out.mode.json) io.stderr.write('\x1b[2J\x1b[H');
      out.json({ type: 'stats', at, ...report });
      if (!out.mode.json) {
        renderStats(out, report, view);
        // Refreshes that scroll by or land in a file say when each was taken.
        if (s.watch) out.summary(out.c.dim(`\nrefreshed ${time(at)} UTC — every ${refreshSeconds} s, Ctrl-C to stop`));
      }
      if (!s.watch || stopSignal.aborted) break;
      try {
        const { setTimeout: sleep } = await import('node:timers/promises');
        await sleep(refreshSeconds * 1000, undefined, { signal: stopSignal });
      } catch {
        break;
      }
      source.refresh?.();
    }
  } finally {
    await source.close();
  }
}
