import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../formats/model';
import { compareFitBox, formatLength, frameBox, niceCellSize, viewAspect, type Box3Like } from './view-math';

describe('view maths', () => {
  it('frames a box so its bounding sphere fits the narrower field of view', () => {
    const f = frameBox([0, 0, 0], [2, 2, 2], 45, 1);
    expect(f.target).toEqual([1, 1, 1]);
    const r = Math.sqrt(3);
    expect(f.distance).toBeCloseTo((r / Math.sin((22.5 * Math.PI) / 180)) * 1.15, 6);
    const d = Math.hypot(f.position[0] - 1, f.position[1] - 1, f.position[2] - 1);
    expect(d).toBeCloseTo(f.distance, 6);
    expect(f.near).toBeLessThan(f.distance - r);
    expect(f.far).toBeGreaterThan(f.distance + r);
    // a tall narrow viewport needs to stand further back
    expect(frameBox([0, 0, 0], [2, 2, 2], 45, 0.5).distance).toBeGreaterThan(f.distance);
  });

  it('picks round grid cells and formats lengths', () => {
    expect(niceCellSize(15)).toBe(1);
    expect(niceCellSize(150)).toBe(10);
    expect(niceCellSize(40)).toBe(2);
    expect(niceCellSize(0.6)).toBeCloseTo(0.05, 10);
    expect(niceCellSize(0)).toBe(1);
    expect(formatLength(2)).toBe('2');
    expect(formatLength(1.23456)).toBe('1.235');
    expect(formatLength(0.012345)).toBe('0.0123');
    expect(formatLength(12345.6)).toBe('12346');
    expect(formatLength(0.5)).toBe('0.5');
  });
});

/** Whether every corner of `box` is inside the view of a camera at `position` looking at `target` (y up). */
function showsWhole(f: ReturnType<typeof frameBox>, box: Box3Like, fovDeg: number, aspect: number): boolean {
  const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
  const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const norm = (a: Vec3): Vec3 => {
    const l = Math.hypot(...a);
    return [a[0] / l, a[1] / l, a[2] / l];
  };
  const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const forward = norm(sub(f.target, f.position));
  const right = norm(cross(forward, [0, 1, 0]));
  const up = cross(right, forward);
  const tanV = Math.tan((fovDeg * Math.PI) / 360);
  const tanH = tanV * aspect;
  for (let i = 0; i < 8; i++) {
    const corner: Vec3 = [i & 1 ? box.max[0] : box.min[0], i & 2 ? box.max[1] : box.min[1], i & 4 ? box.max[2] : box.min[2]];
    const v = sub(corner, f.position);
    const z = dot(v, forward);
    if (!(z > 0) || Math.abs(dot(v, right)) / z > tanH || Math.abs(dot(v, up)) / z > tanV) return false;
  }
  return true;
}

describe('compare mode framing', () => {
  const wide: Box3Like = { min: [0, 0, 0], max: [5, 1, 0.5] }; // two boxes side by side
  const small: Box3Like = { min: [-0.5, -0.5, -0.5], max: [0.5, 0.5, 0.5] };
  const page = viewAspect(1200, 700);
  const half = viewAspect(599, 700); // each compare panel: half the width, the 1 px gap taken off

  it('a fit for the panel shows the model whole in that panel', () => {
    expect(showsWhole(frameBox(wide.min, wide.max, 45, page), wide, 45, page)).toBe(true);
    expect(showsWhole(frameBox(wide.min, wide.max, 45, half), wide, 45, half)).toBe(true);
  });

  it('synced cameras frame both models: neither is cropped in either panel', () => {
    const box = compareFitBox(small, wide, true);
    expect(box).toEqual({ min: [-0.5, -0.5, -0.5], max: [5, 1, 0.5] });
    expect(compareFitBox(wide, small, true)).toEqual(box); // both views agree, whichever fits last
    const f = frameBox(box.min, box.max, 45, half);
    expect(showsWhole(f, wide, 45, half)).toBe(true);
    expect(showsWhole(f, small, 45, half)).toBe(true);
    // the old way: the small model's own fit, synced onto the wide one's view, cuts the wide one
    expect(showsWhole(frameBox(small.min, small.max, 45, half), wide, 45, half)).toBe(false);
  });

  it('unsynced, each view frames its own model; alone, nothing changes', () => {
    expect(compareFitBox(small, wide, false)).toBe(small);
    expect(compareFitBox(small, null, true)).toBe(small);
  });

  it('every panel shape shows the model whole', () => {
    for (const aspect of [0.25, 0.5, 0.86, 1, 1.7, 3]) expect(showsWhole(frameBox(wide.min, wide.max, 45, aspect), wide, 45, aspect)).toBe(true);
    expect(viewAspect(0, 700)).toBe(1);
    expect(viewAspect(800, 0)).toBe(1);
  });
});
