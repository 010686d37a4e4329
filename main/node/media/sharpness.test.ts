import { describe, expect, it } from 'vitest';
import { planCandidates } from './extract-pipeline';
import { dropBlurryNeighbourhood, laplacianVariance, meanAbsDiff, sharpestPerBucket } from './sharpness';

function image(w: number, h: number, f: (x: number, y: number) => number): Uint8Array {
  const a = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a[y * w + x] = f(x, y);
  return a;
}

describe('sharpness', () => {
  it('is zero on a flat picture and on a linear gradient, large on fine detail, and falls with blur', () => {
    expect(laplacianVariance(image(32, 32, () => 128), 32, 32)).toBe(0);
    expect(laplacianVariance(image(32, 32, (x) => x * 4), 32, 32)).toBe(0);
    const sharp = laplacianVariance(image(32, 32, (x, y) => ((x >> 1) + (y >> 1)) % 2 ? 255 : 0), 32, 32);
    const soft = laplacianVariance(image(32, 32, (x) => 128 + 100 * Math.sin(x / 4)), 32, 32);
    expect(sharp).toBeGreaterThan(1000);
    expect(soft).toBeLessThan(sharp / 100);
  });
  it('measures change between pictures', () => {
    expect(meanAbsDiff(image(4, 4, () => 10), image(4, 4, () => 30))).toBe(20);
  });
  it('keeps the sharpest candidate of each interval', () => {
    expect(sharpestPerBucket([5, 9, 1, 3, 2, 8], [0, 0, 0, 1, 1, 1])).toEqual([1, 5]);
    expect(sharpestPerBucket([5, 9], [0, 3])).toEqual([0, 1]);
  });
  it('drops frames much blurrier than their neighbours, never two in a row', () => {
    expect(dropBlurryNeighbourhood([100, 20, 100, 100, 110, 100])).toEqual([0, 2, 3, 4, 5]);
    // Two blurry neighbours: the second stays so the stretch keeps a frame.
    expect(dropBlurryNeighbourhood([100, 10, 10, 100, 100, 100])).toEqual([0, 2, 3, 4, 5]);
    expect(dropBlurryNeighbourhood([50])).toEqual([0]);
  });
});

describe('drop-blurry candidates', () => {
  const base = { format: 'jpg' as const, quality: 90, dropBlurry: true };
  const at30 = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i / 30);
  it('fps: up to five frames spread over each tick’s interval, bucketed by tick', () => {
    const p = planCandidates({ ...base, mode: { kind: 'fps', fps: 2 }, start: 1 }, at30(60, 1))!;
    expect(new Set(p.buckets)).toEqual(new Set([0, 1, 2, 3]));
    expect(p.times).toHaveLength(20);
    // Tick 0 covers frames 0..14: candidates at 0, 4, 7, 11, 14 (not adjacent: blur comes in bursts).
    expect(p.times.slice(0, 5).map((t) => Math.round((t - 1) * 30))).toEqual([0, 4, 7, 11, 14]);
  });
  it('every N: groups of N decoded frames', () => {
    const p = planCandidates({ ...base, mode: { kind: 'every', n: 3 } }, at30(9))!;
    expect(p.buckets).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });
  it('count N: N equal groups, so exactly N frames come out', () => {
    const p = planCandidates({ ...base, mode: { kind: 'count', count: 12 } }, at30(120))!;
    expect(new Set(p.buckets).size).toBe(12);
    expect(p.times).toHaveLength(60);
    // The periodic blur of the fixture (every third frame) cannot cover a whole group of candidates.
    for (let b = 0; b < 12; b++) {
      const residues = p.times.filter((_, i) => p.buckets[i] === b).map((t) => Math.round(t * 30) % 3);
      expect(residues.some((r) => r !== 1)).toBe(true);
    }
  });
  it('key frames and scene changes keep their own picks (neighbourhood rule)', () => {
    expect(planCandidates({ ...base, mode: { kind: 'keyframes' } }, at30(10))).toBeNull();
  });
});
