/** A clock tests can move: token expiry, processing time and timestamps all read it, never Date.now() directly. */
export class Clock {
  private offsetMs = 0;

  /** Milliseconds since the epoch, moved by `advance`. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves time forward (or back, with a negative value) for everything that reads this clock. */
  advance(ms: number): number {
    if (!Number.isFinite(ms)) throw new Error('advance needs a finite number of milliseconds');
    this.offsetMs += ms;
    return this.now();
  }

  get offset(): number {
    return this.offsetMs;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
