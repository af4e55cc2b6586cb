/** Number, duration and table formatting for human output (no colour library: cheap to load). */

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*m/g;

// Created on first use: building a number format costs ~15 ms, which `--help` should not pay.
let nf: Intl.NumberFormat | undefined;
export function fmtInt(n: number): string {
  nf ??= new Intl.NumberFormat('en-US');
  return nf.format(Math.round(n));
}

/** Milliseconds as a short figure: 41 ms, 2.1 s. */
export function fmtMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** The width a line takes on a terminal (colour codes take none). */
export function visibleWidth(s: string): number {
  return s.replace(ansi, '').length;
}

/**
 * The first rendering of a line that fits `width` columns (they go from fullest to most
 * compact); the last one cut to the width if none fits. No width (not a terminal): the first.
 */
export function fitLine(renderings: string[], width: number | undefined): string {
  if (width === undefined || width <= 0) return renderings[0];
  const fits = renderings.find((r) => visibleWidth(r) <= width);
  if (fits !== undefined) return fits;
  const last = renderings[renderings.length - 1].replace(ansi, '');
  return last.length <= width ? last : `${last.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Breaks a line of prose at spaces so that no piece is wider than `width` (a word longer than
 * the width is cut). Colour codes count for nothing.
 */
export function wrapLine(line: string, width: number): string[] {
  if (visibleWidth(line) <= width) return [line];
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    const candidate = current ? `${current} ${word}` : word;
    if (visibleWidth(candidate) <= width) current = candidate;
    else {
      if (current) out.push(current);
      current = word;
      while (visibleWidth(current) > width) {
        const plain = current.replace(ansi, '');
        out.push(plain.slice(0, width));
        current = plain.slice(width);
      }
    }
  }
  if (current) out.push(current);
  return out;
}

/** Renders rows as an aligned text table (numbers right-aligned). */
export function table(headers: string[], rows: Array<Array<string | number>>, c?: { bold: (s: string) => string }): string {
  const cells = rows.map((r) => r.map((v) => (typeof v === 'number' ? fmtInt(v) : v)));
  const width = (s: string) => s.replace(ansi, '').length;
  const pad = (s: string, w: number, left: boolean) => (left ? ' '.repeat(Math.max(0, w - width(s))) + s : s + ' '.repeat(Math.max(0, w - width(s))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => width(r[i]))));
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === 'number'));
  const fmt = (r: string[]) => r.map((v, i) => pad(v, widths[i], numeric[i])).join('  ').trimEnd();
  const head = fmt(headers);
  return [c ? c.bold(head) : head, ...cells.map(fmt)].join('\n');
}
