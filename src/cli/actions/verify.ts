import { EtlError } from '../../errors.js';
import type { RunContext } from '../context.js';
import { fmtInt } from '../format.js';
import { openSource } from './stats.js';

/** Differences printed at most (the rest are counted). */
const shownDifferences = 10;

const dollars = (cents: number) => `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** A figure as the key names it, in dollars where it is an amount in cents. */
const value = (figure: string, n: number) => (figure.startsWith('revenue_cents') || figure.startsWith('by_category_cents') ? `${fmtInt(n)} (${dollars(n)})` : fmtInt(n));

/**
 * `etl verify`: the answer key against what is stored. One line when they agree; otherwise the
 * first differences, then exit 1.
 * @throws EtlError ANSWERS_DIFFER (exit 1) when they differ, NO_ANSWER_KEY (exit 2) when there is no key.
 */
export async function verifyAction(ctx: RunContext): Promise<void> {
  const { config, out } = ctx;
  const [{ verifyAnswers }, { loadProfile }] = await Promise.all([import('../../reporting/verify.js'), import('../../profiles/index.js')]);
  const profile = await loadProfile(config.settings.profile);
  const source = await openSource(ctx);
  try {
    const r = await verifyAnswers(source, profile.events.collections);
    out.json({ type: 'verify', agrees: r.differences.length === 0, ...r, differences: r.differences.slice(0, 100) });
    if (out.mode.json) {
      if (r.differences.length > 0) throw new EtlError('ANSWERS_DIFFER', `${fmtInt(r.differences.length)} figures differ from the answer key.`);
      return;
    }
    const ignored = r.ignored.map((i) => `${i.figure} not compared: ${i.why}`);
    if (r.differences.length === 0) {
      out.summary(`agrees: ${fmtInt(r.windows)} windows, ${fmtInt(r.records)} records, revenue ${dollars(r.revenueCents)}`);
      for (const line of ignored) out.line(out.c.dim(line));
      return;
    }
    out.summary(`differs from the answer key (${source.description}): ${fmtInt(r.differences.length)} figures`);
    for (const d of r.differences.slice(0, shownDifferences)) {
      out.summary(`  ${d.collection}, ${d.window} window ${d.start === 'undated' ? '(records without a valid timestamp)' : `from ${d.start}`}: ${d.figure} expected ${value(d.figure, d.expected)}, found ${value(d.figure, d.found)}`);
    }
    if (r.differences.length > shownDifferences) out.summary(`  … and ${fmtInt(r.differences.length - shownDifferences)} more (--json lists the first 100)`);
    for (const line of ignored) out.line(out.c.dim(line));
    throw new EtlError('ANSWERS_DIFFER', `The stored records differ from the answer key in ${fmtInt(r.differences.length)} figures.`);
  } finally {
    await source.close();
  }
}
