import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../src/profiles/index.js';
import { profileNames } from '../src/shared/profiles.js';
import { root } from './helpers/cli.js';

// The one-way import rule of CONTRIBUTING.md: data flows config → catalog → events →
// validation → sinks → reporting, `run/` orchestrates the stages and `cli/` sits on top.
// A module may import its own stage or an earlier one, never a later one. A profile
// (`profiles/<name>/`) implements an interface of each stage, so it comes after them all.
const rank: Record<string, number> = { shared: 0, 'errors.ts': 0, 'log.ts': 0, 'redact.ts': 0, config: 1, scenarios: 1, catalog: 2, events: 3, validation: 4, sinks: 5, reporting: 6, profiles: 6.5, run: 7, cli: 8 };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const src = join(root, 'src');
const stageOf = (file: string) => relative(src, file).split('/')[0];

/** Every module's relative imports (type-only imports and re-exports included), as paths under src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files(src)) {
    const targets = [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((m) => relative(src, resolve(dirname(file), m[1]).replace(/\.js$/, '.ts')));
    graph.set(relative(src, file), targets);
  }
  return graph;
}

/** The import circles: each strongly connected set of more than one module (or a module importing itself), sorted (Tarjan). */
function importCircles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const set: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      set.push(w);
    } while (w !== v);
    if (set.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(set.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

/** Modules a start-up loads before any action runs: static, non-type imports only (a dynamic import() waits for the action). */
function startupModules(entry: string): { modules: string[]; packages: string[] } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^import\s+(?!type\s)(?:[^'"]*?\s+from\s+)?'([^']+)'|^(?:export\s+)?const\b.*createRequire\([^)]*\)\('([^']+)'\)/gm)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { modules: [...seen].map((f) => relative(src, f)).sort(), packages: [...packages].sort() };
}

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

  it('no module imports, directly or through others, a module that imports it', () => {
    expect(importCircles(importGraph())).toEqual([]);
  });

  it('no module compares a profile name or defaults to a profile: each profile is its folder, chosen at the command', () => {
    const names = profileNames.join('|');
    const branch = new RegExp(`[!=]?==?\\s*'(${names})'|'(${names})'\\s*[!=]==?|\\?\\?\\s*'(${names})'|case '(${names})'`);
    const found: string[] = [];
    for (const file of files(src)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (branch.test(line)) found.push(`${relative(src, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
    expect(branch.test("profile: ProfileName = 'ecom-etl'")).toBe(true);
    expect(branch.test("if (profile === 'adaptive-bi')")).toBe(true);
  });

  it('every listed profile is the folder of its name', async () => {
    for (const name of profileNames) expect((await loadProfile(name)).name).toBe(name);
  });

  it('`etl --help` and `--version` load the command definitions only: no action, configuration loader, schema, profile or engine', () => {
    const { modules, packages } = startupModules(join(src, 'cli/entry.ts'));
    expect(modules).toContain('cli/commands.ts');
    expect(modules.filter((m) => !m.startsWith('cli/') && !['errors.ts', 'redact.ts', 'shared/switches.ts', 'config/meta.ts'].includes(m))).toEqual([]);
    expect(modules.filter((m) => m.startsWith('cli/actions/') || ['cli/output.ts', 'cli/shared.ts', 'cli/format.ts'].includes(m))).toEqual([]);
    expect(packages.filter((p) => !p.startsWith('node:'))).toEqual(['commander']);
  });

  it('the engine keeps to its one job: src/events/engine.ts within 400 lines (its parts are modules of their own)', () => {
    expect(readFileSync(join(src, 'events/engine.ts'), 'utf8').split('\n').length - 1).toBeLessThanOrEqual(400);
  });

  it('the circle check finds a circle through several modules, and none in a chain', () => {
    const chain = new Map([['a', ['b']], ['b', ['c']], ['c', []]]);
    expect(importCircles(chain)).toEqual([]);
    const circle = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(importCircles(circle)).toEqual([['a', 'b', 'c']]);
  });
});
