import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatEta } from './format';

describe('format', () => {
  it('formats media durations with tenths under ten minutes, whole seconds above', () => {
    expect(formatDuration(0)).toBe('0:00.0');
    expect(formatDuration(10)).toBe('0:10.0');
    expect(formatDuration(19.5)).toBe('0:19.5');
    expect(formatDuration(75.4)).toBe('1:15.4');
    expect(formatDuration(599.95)).toBe('9:59.9');
    expect(formatDuration(600.7)).toBe('10:00');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(3725.9)).toBe('1:02:05');
    expect(formatDuration(-3)).toBe('0:00.0');
    expect(formatDuration(Number.NaN)).toBe('0:00.0');
  });

  it('never puts a duration on the other side of a whole-second limit (cut, not rounded)', () => {
    // The cloud limits: MusePose < 20 s, nerf2mesh/gs3d 20..180 s, decal 20..60 s.
    expect(formatDuration(19.5)).toBe('0:19.5'); // was "0:20" beside "< 20 s"
    expect(formatDuration(19.96)).toBe('0:19.9');
    expect(formatDuration(19.999)).toBe('0:19.9');
    expect(formatDuration(20)).toBe('0:20.0');
    expect(formatDuration(59.97)).toBe('0:59.9');
    expect(formatDuration(60.4)).toBe('1:00.4'); // over "at most 60 s", and it says so
    expect(formatDuration(179.5)).toBe('2:59.5');
    expect(formatDuration(180.4)).toBe('3:00.4'); // was "3:00" beside "at most 180 s"
    // A figure below a limit L (in tenths) iff the length is below it, for every tenth up to ten minutes.
    for (let tenth = 0; tenth < 6000; tenth++) {
      const exact = tenth / 10;
      const shown = (s: string) => {
        const [m, rest] = s.split(':');
        return Number(m) * 60 + Number(rest);
      };
      expect(shown(formatDuration(exact))).toBeCloseTo(exact, 9);
      expect(shown(formatDuration(exact + 0.099))).toBeCloseTo(exact, 9);
      if (tenth > 0) expect(shown(formatDuration(exact - 0.001))).toBeLessThan(exact);
    }
  });

  it('formats time left in whole seconds, rounded up', () => {
    expect(formatEta(0)).toBe('0:00');
    expect(formatEta(0.2)).toBe('0:01');
    expect(formatEta(10)).toBe('0:10');
    expect(formatEta(75.4)).toBe('1:16');
    expect(formatEta(3725)).toBe('1:02:05');
    expect(formatEta(Number.POSITIVE_INFINITY)).toBe('0:00');
  });
  it('formats sizes in binary units', () => {
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(formatBytes(3_527_805, 'en')).toBe('3.4 MB');
    expect(formatBytes(200 * 1024 * 1024, 'en')).toBe('200 MB');
  });
});
