import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createThrottle } from './throttle';

describe('createThrottle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('emits the first value at once and the last of a burst when the interval ends', () => {
    const seen: number[] = [];
    const t = createThrottle(100, (v: number) => seen.push(v), () => Date.now());
    t.push(1);
    t.push(2);
    t.push(3);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(99);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([1, 3]); // the burst's last value, not lost when updates stop
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([1, 3]);
  });

  it('force delivers at once and drops the kept value; cancel drops it too', () => {
    const seen: string[] = [];
    const t = createThrottle(100, (v: string) => seen.push(v), () => Date.now());
    t.push('a');
    t.push('b');
    t.push('done', true);
    vi.advanceTimersByTime(500);
    expect(seen).toEqual(['a', 'done']);
    vi.advanceTimersByTime(100);
    t.push('c');
    t.push('d');
    t.cancel();
    vi.advanceTimersByTime(500);
    expect(seen).toEqual(['a', 'done', 'c']);
  });
});
