import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './helpers/cli.js';

// The one-way import rule of CONTRIBUTING.md: data flows config → catalog → events →
// validation → sinks → reporting, `run/` orchestrates the stages and `cli/` sits on top.
// A module may import its own stage or an earlier one, never a later one.
const rank: Record<string, number> = { shared: 0, 'errors.ts': 0, 'log.ts': 0, 'redact.ts': 0, config: 1, catalog: 2, events: 3, validation: 4, sinks: 5, reporting: 6, run: 7, cli: 8 };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const src = join(root, 'src');
const stageOf = (file: string) => relative(src, file).split('/')[0];

describe('architecture', () => {
  it('no module imports a later stage', () => {
    const upward: string[] = [];
    for (const file of files(src)) {
      const from = stageOf(file);
      expect(rank[from], `unknown stage ${from}`).toBeDefined();
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
        const target = resolve(dirname(file), m[1]).replace(/\.js$/, '.ts');
        const to = stageOf(target);
        if (rank[to] > rank[from]) upward.push(`${relative(src, file)} → ${relative(src, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
