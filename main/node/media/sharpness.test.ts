import { describe, expect, it } from 'vitest';
import { candidatePlan } from './extract-pipeline';
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
  it('fps: three candidates per tick, bucketed by tick', () => {
    const p = candidatePlan({ ...base, mode: { kind: 'fps', fps: 2 }, start: 1 }, null);
    expect(p.params.mode).toEqual({ kind: 'fps', fps: 6 });
    expect(p.params.dropBlurry).toBeUndefined();
    expect([1, 1.17, 1.34, 1.5, 1.99, 2].map((t) => p.bucketOf!(0, t, 6))).toEqual([0, 0, 0, 1, 1, 2]);
  });
  it('every N: every N/3-th frame, bucketed by the N-frame interval', () => {
    const p = candidatePlan({ ...base, mode: { kind: 'every', n: 9 } }, null);
    expect(p.params.mode).toEqual({ kind: 'every', n: 3 });
    expect([0, 1, 2, 3, 4].map((i) => p.bucketOf!(i, null, 5))).toEqual([0, 0, 0, 1, 1]);
  });
  it('count N: 3N candidates (at most every frame) in N equal groups', () => {
    const p = candidatePlan({ ...base, mode: { kind: 'count', count: 20 } }, 45);
    expect(p.params.mode).toEqual({ kind: 'count', count: 45 });
    const buckets = Array.from({ length: 45 }, (_, i) => p.bucketOf!(i, null, 45));
    expect(new Set(buckets).size).toBe(20);
  });
  it('key frames and scene changes keep their own picks (neighbourhood rule)', () => {
    expect(candidatePlan({ ...base, mode: { kind: 'keyframes' } }, null).bucketOf).toBeNull();
  });
});
