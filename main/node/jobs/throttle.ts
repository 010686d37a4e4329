/**
 * A throttle that never loses the last value: at most one `emit` per `ms`, and a value pushed inside the
 * interval is delivered when it ends (trailing edge). Progress streams use it so the screen shows the latest
 * state even when updates stop right after a burst (a stalled upload must not freeze an older bar).
 */
export interface Throttle<T> {
  /** Delivers now when the interval has passed (or `force`), else keeps the value for the interval's end. */
  push(value: T, force?: boolean): void;
  /** Drops a kept value and its timer (call when the stream ends). */
  cancel(): void;
}

export function createThrottle<T>(ms: number, emit: (value: T) => void, now: () => number = Date.now): Throttle<T> {
  let last = -Infinity;
  let timer: NodeJS.Timeout | null = null;
  let kept: { value: T } | null = null;
  const flush = () => {
    timer = null;
    if (!kept) return;
    const { value } = kept;
    kept = null;
    last = now();
    emit(value);
  };
  return {
    push(value, force = false) {
      const t = now();
      if (force || t - last >= ms) {
        if (timer) clearTimeout(timer);
        timer = null;
        kept = null;
        last = t;
        emit(value);
        return;
      }
      kept = { value };
      if (!timer) {
        timer = setTimeout(flush, Math.max(0, ms - (t - last)));
        timer.unref?.();
      }
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      kept = null;
    },
  };
}
