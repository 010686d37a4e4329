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
  it('formats sizes in decimal units (1 KB = 1000 B, 1 MB = 10^6 B, like the cloud limits), small files in whole KB', () => {
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(formatBytes(999, 'en')).toBe('999 B');
    expect(formatBytes(1000, 'en')).toBe('1 KB');
    expect(formatBytes(1499, 'en')).toBe('1 KB');
    expect(formatBytes(46_000, 'en')).toBe('46 KB'); // was "0.0 MB" in pre-flight
    expect(formatBytes(46_499, 'en')).toBe('46 KB');
    expect(formatBytes(999_499, 'en')).toBe('999 KB');
    expect(formatBytes(999_500, 'en')).toBe('1.0 MB'); // rounds up into the next unit, never "1000 KB"
    expect(formatBytes(1_000_000, 'en')).toBe('1.0 MB');
    expect(formatBytes(3_527_805, 'en')).toBe('3.5 MB'); // the metadata panel said 3.3 MB (MiB), pre-flight 3.5 MB
    expect(formatBytes(52_428_800, 'en')).toBe('52.4 MB'); // 50 MiB
    expect(formatBytes(300_000_000, 'en')).toBe('300.0 MB');
    expect(formatBytes(300_400_000, 'en')).toBe('300.4 MB'); // not "300 MB" beside "at most 300 MB"
    expect(formatBytes(999_949_999, 'en')).toBe('999.9 MB');
    expect(formatBytes(999_950_000, 'en')).toBe('1.0 GB');
    expect(formatBytes(1_500_000_000, 'en')).toBe('1.5 GB');
    expect(formatBytes(2e15, 'en')).toBe('2,000.0 TB');
    expect(formatBytes(-5, 'en')).toBe('0 B');
    expect(formatBytes(Number.NaN, 'en')).toBe('0 B');
    expect(formatBytes(3_527_805, 'ko')).toBe('3.5 MB');
    expect(formatBytes(3_527_805, 'de')).toBe('3,5 MB');
  });

  it('is the one size formatter: no page prints sizes with its own arithmetic', () => {
    const sources = import.meta.glob<string>(['../**/*.{ts,tsx}', '!../**/*.test.{ts,tsx}', '!../pages/viewer/formats/**', '!../pages/viewer/fixtures/**', '!../pages/viewer/render/**', '!../pages/viewer/workers/**'], {
      eager: true,
      query: '?raw',
      import: 'default',
    });
    const offenders = Object.entries(sources)
      .filter(([, text]) => /\/\s*(1024|1048576|1e6|1_000_000)\b[^\n]*\b(KB|MB|GB)\b|`[^`]*\}\s*(KB|MB|GB)`/.test(text))
      .map(([file]) => file);
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });
});
