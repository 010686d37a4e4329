import { describe, expect, it } from 'vitest';
import { formatLength, frameBox, niceCellSize } from './view-math';

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
