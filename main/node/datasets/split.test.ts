import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRatios, splitCounts, splitDataset, type SplitItem, type SplitName } from './split';

const items = (cls: string, n: number, prefix = cls): SplitItem[] => Array.from({ length: n }, (_, i) => ({ key: `${prefix}-${i}`, className: cls }));

function counts(split: Map<string, SplitName>, list: SplitItem[], cls: string): Record<SplitName, number> {
  const c = { train: 0, val: 0, test: 0 };
  for (const it of list) if (it.className === cls) c[split.get(it.key)!]++;
  return c;
}

describe('splitCounts', () => {
  it('80/10/10 of 100 is 80/10/10, of 10 is 8/1/1', () => {
    expect(splitCounts(100, { train: 0.8, val: 0.1, test: 0.1 })).toEqual({ train: 80, val: 10, test: 10 });
    expect(splitCounts(10, { train: 0.8, val: 0.1, test: 0.1 })).toEqual({ train: 8, val: 1, test: 1 });
  });
  it('a small class still gets a validation image while train keeps one; one image stays in train', () => {
    expect(splitCounts(3, { train: 0.8, val: 0.1, test: 0.1 })).toEqual({ train: 1, val: 1, test: 1 });
    expect(splitCounts(2, { train: 0.8, val: 0.1, test: 0.1 })).toEqual({ train: 1, val: 1, test: 0 });
    expect(splitCounts(1, { train: 0.8, val: 0.1, test: 0.1 })).toEqual({ train: 1, val: 0, test: 0 });
    expect(splitCounts(0, { train: 0.8, val: 0.1, test: 0.1 })).toEqual({ train: 0, val: 0, test: 0 });
  });
  it('no test share gives no test images', () => {
    expect(splitCounts(10, { train: 0.9, val: 0.1, test: 0 })).toEqual({ train: 9, val: 1, test: 0 });
  });
});

describe('checkRatios', () => {
  it('refuses shares that do not add up to 1, negative ones and a zero train share', () => {
    expect(checkRatios({ train: 0.8, val: 0.1, test: 0.1 })).toBeNull();
    expect(checkRatios({ train: 0.8, val: 0.1, test: 0.2 })).toMatch(/add up to 1/);
    expect(checkRatios({ train: 1.1, val: -0.1, test: 0 })).toMatch(/between 0 and 1/);
    expect(checkRatios({ train: 0, val: 0.5, test: 0.5 })).toMatch(/train share/);
    expect(() => splitDataset(items('a', 3), { ratios: { train: 0.5, val: 0.1, test: 0.1 } })).toThrow(RangeError);
  });
});

describe('splitDataset', () => {
  const list = [...items('cat', 100), ...items('dog', 40), ...items('owl', 10)];

  it('is stratified: each class keeps 80/10/10 on its own', () => {
    const s = splitDataset(list);
    expect(s.size).toBe(150);
    expect(counts(s, list, 'cat')).toEqual({ train: 80, val: 10, test: 10 });
    expect(counts(s, list, 'dog')).toEqual({ train: 32, val: 4, test: 4 });
    expect(counts(s, list, 'owl')).toEqual({ train: 8, val: 1, test: 1 });
  });

  it('is seeded: the same seed gives the same split whatever the input order; another seed another split', () => {
    const a = splitDataset(list, { seed: 7 });
    const b = splitDataset([...list].reverse(), { seed: 7 });
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
    const c = splitDataset(list, { seed: 8 });
    expect([...a.entries()].sort()).not.toEqual([...c.entries()].sort());
  });

  it('keeps a group together (duplicates never straddle train and val)', () => {
    const grouped: SplitItem[] = [...items('cat', 20), { key: 'dup-1', className: 'cat', group: 'sha:x' }, { key: 'dup-2', className: 'cat', group: 'sha:x' }, { key: 'dup-3', className: 'cat', group: 'sha:x' }];
    for (let seed = 0; seed < 30; seed++) {
      const s = splitDataset(grouped, { seed });
      expect(new Set(['dup-1', 'dup-2', 'dup-3'].map((k) => s.get(k))).size).toBe(1);
    }
  });

  it('refuses an item listed twice', () => {
    expect(() => splitDataset([{ key: 'a', className: 'x' }, { key: 'a', className: 'y' }])).toThrow(/twice/);
  });

  it('property: every item gets exactly one split and each class meets its counts', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 5 }), fc.integer(), (sizes, seed) => {
        const all = sizes.flatMap((n, i) => items(`c${i}`, n));
        const s = splitDataset(all, { seed });
        expect(s.size).toBe(all.length);
        sizes.forEach((n, i) => expect(counts(s, all, `c${i}`)).toEqual(splitCounts(n, { train: 0.8, val: 0.1, test: 0.1 })));
      }),
      { numRuns: 60 },
    );
  });
});
