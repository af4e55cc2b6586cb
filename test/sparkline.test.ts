import { describe, expect, it } from 'vitest';
import { sparkline } from '../src/cli/sparkline.js';
import { ours } from './helpers/profiles.js';

describe('sparkline', () => {
  const table: Array<[string, number[], number, string]> = [
    ['one bar per value when there is room', [0, 1, 2, 3, 4, 5, 6], 60, '▁▃▄▅▆▇█'],
    ['an empty bucket is the lowest bar, any activity at least the second', [0, 100, 0, 1], 10, '▁█▁▂'],
    ['all empty: a flat baseline, never blank', [0, 0, 0], 3, '▁▁▁'],
    ['more values than room: neighbours are summed', [1, 1, 0, 0, 2, 2], 3, '▅▁█'],
    ['width below 1 still draws one bar', [3, 4], 0, '█'],
  ];
  for (const [name, values, width, want] of table) it(name, () => expect(sparkline(values, width)).toBe(want));

  it('never exceeds its width', () => {
    const values = Array.from({ length: 60 }, (_, i) => (i * 7) % 11);
    for (let w = 1; w <= 80; w++) expect([...sparkline(values, w)].length).toBeLessThanOrEqual(w);
  });
});

describe('etl stats on a terminal', () => {
  it('sparklines fit the terminal width, whatever it is, and the window line states the bar width', async () => {
    const { Writable } = await import('node:stream');
    const { Output } = await import('../src/cli/output.js');
    const { renderStats } = await import('../src/cli/actions/stats.js');
    const { computeStats } = await import('../src/reporting/stats.js');
    const { aggregate } = await import('mingo');
    const { generate } = await import('./helpers/engine.js');
    const data: Record<string, Array<Record<string, unknown>>> = {};
    for (const r of generate(20_000)) (data[r.collection] ??= []).push(r.doc as unknown as Record<string, unknown>);
    const report = await computeStats({ description: 'memory', aggregate: async (c, p) => aggregate(data[c] ?? [], p) as Array<Record<string, unknown>>, close: async () => {} }, 3_600_000, ours);
    for (const columns of [40, 80, 130, 200]) {
      let text = '';
      const tty = Object.assign(new Writable({ write: (chunk, _e, cb) => ((text += String(chunk)), cb()) }), { isTTY: true, columns });
      renderStats(new Output({ stdout: tty, stderr: tty, env: {}, cwd: '.' }, { json: false, quiet: false, color: false, stdoutCarriesData: false }), report);
      const sparkLines = text.split('\n').filter((l) => /[▁▂▃▄▅▆▇█]{3}/.test(l));
      expect(sparkLines.length).toBe(6);
      for (const l of sparkLines) expect([...l].length, `${columns}: ${l}`).toBeLessThanOrEqual(columns);
      const bars = [...sparkLines[0].trim().split(/\s+/).pop()!].length;
      const minutes = Number(/(\d+(?:\.\d+)?) min per sparkline bar/.exec(text)![1]);
      expect(minutes * bars).toBe(report.window!.bucketMinutes * 60);
    }
  });
});
