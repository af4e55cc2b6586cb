import { describe, expect, it } from 'vitest';
import { CatalogGenerator } from '../src/catalog/generate.js';
import { fromJsonLine, toJsonLine } from '../src/sinks/jsonl-files.js';

describe('jsonl lines are relaxed Extended JSON that round-trip with their types', () => {
  it('dates stay dates, numbers stay numbers, strings stay strings', () => {
    const [user] = new CatalogGenerator(1).users(0, 1);
    const line = toJsonLine(user);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    // mongoimport reads {"$date": ...} as a BSON date.
    expect(line).toMatch(/"signup_date":\{"\$date":"\d{4}-\d{2}-\d{2}T/);
    const back = fromJsonLine(line);
    expect(back.signup_date).toBeInstanceOf(Date);
    expect(back).toEqual(user);
  });

  it('round-trips a whole generated chunk', () => {
    const products = new CatalogGenerator(5).products(0, 500);
    for (const p of products) expect(fromJsonLine(toJsonLine(p))).toEqual(p);
  });

  it('keeps non-integer doubles and large integers exact', () => {
    const doc = { _id: 'x', price: 19.99, big: 2 ** 40, neg: -0.5, when: new Date(0), nested: { at: new Date(1e12) } };
    expect(fromJsonLine(toJsonLine(doc))).toEqual(doc);
  });
});
