import { describe, expect, it } from 'vitest';
import { makeSplats, writeSplatFile } from '../fixtures/fixture-writer';
import { parseSplatFile } from '../formats/splat';
import { centersOf, SplatSorter, subsetCenters } from './splat-sort';

describe('splat depth sort', () => {
  it('orders splats farthest first for a camera looking down −z', () => {
    const centers = Float32Array.from([0, 0, -1, 0, 0, -10, 0, 0, -5, 0, 0, 3]);
    const out = new Uint32Array(4);
    // identity view: view-space z equals model z
    new SplatSorter(centers, 4).sort([0, 0, 1, 0], out);
    expect(Array.from(out)).toEqual([1, 2, 0, 3]);
    // camera turned around (z flipped): the order reverses
    new SplatSorter(centers, 4).sort([0, 0, -1, 0], out);
    expect(Array.from(out)).toEqual([3, 0, 2, 1]);
  });

  it('is a permutation whose depths never increase by more than one bucket on 100k random splats', () => {
    const m = parseSplatFile(writeSplatFile(makeSplats(100_000)));
    const c = centersOf(m.data, m.count);
    const out = new Float32Array(m.count);
    const row: [number, number, number, number] = [0.3, -0.5, 0.81, -4];
    new SplatSorter(c, m.count).sort(row, out);
    const seen = new Uint8Array(m.count);
    let prev = -Infinity;
    let repeats = 0;
    let inversions = 0;
    const bucket = (2 * Math.hypot(0.3, 0.5, 0.81) * Math.sqrt(3)) / 65535;
    for (const i of out) {
      if (seen[i]) repeats++;
      seen[i] = 1;
      const z = row[0] * c[i * 3]! + row[1] * c[i * 3 + 1]! + row[2] * c[i * 3 + 2]! + row[3];
      if (z < prev - bucket) inversions++;
      prev = Math.max(prev, z);
    }
    expect(repeats).toBe(0);
    expect(seen.every((s) => s === 1)).toBe(true);
    expect(inversions).toBe(0);
  });
});

describe('splat subset for a budget', () => {
  it('keeps every stride-th splat, in order', () => {
    const c = Float32Array.from({ length: 30 }, (_, i) => i);
    expect(Array.from(subsetCenters(c, 10, 3))).toEqual([0, 1, 2, 9, 10, 11, 18, 19, 20, 27, 28, 29]);
    expect(subsetCenters(c, 10, 1)).toHaveLength(30);
  });
});
