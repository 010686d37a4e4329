/**
 * Seed 001's rate limits: requests per minute and per hour for the caller's plan, in fixed windows on the
 * emulator clock (a window starts on a whole minute / hour), reported on every reply as X-RateLimit-Limit /
 * -Remaining / -Reset (the minute window; Reset in epoch seconds, as the seed's example). Callers without a
 * valid token are counted per address under `anonymousPerMinute`.
 */
import type { Clock } from '../base/clock';

export interface LimitState {
  limit: number;
  remaining: number;
  /** Epoch seconds when the window that decides resets. */
  reset: number;
  exceeded: boolean;
}

interface Window {
  start: number;
  count: number;
}

export class RateLimiter {
  private minute = new Map<string, Window>();
  private hour = new Map<string, Window>();

  constructor(private readonly clock: Clock) {}

  private bump(map: Map<string, Window>, key: string, size: number, now: number): Window {
    const start = Math.floor(now / size) * size;
    let w = map.get(key);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      map.set(key, w);
    }
    w.count++;
    return w;
  }

  /** Counts one request of `key` and says whether it is over the limit. */
  hit(key: string, perMinute: number, perHour: number): LimitState {
    const now = this.clock.now();
    const m = this.bump(this.minute, key, 60_000, now);
    const h = this.bump(this.hour, key, 3_600_000, now);
    if (h.count > perHour && m.count <= perMinute) {
      return { limit: perHour, remaining: 0, reset: Math.floor((h.start + 3_600_000) / 1000), exceeded: true };
    }
    return { limit: perMinute, remaining: Math.max(0, perMinute - m.count), reset: Math.floor((m.start + 60_000) / 1000), exceeded: m.count > perMinute };
  }

  clear(): void {
    this.minute.clear();
    this.hour.clear();
  }
}
