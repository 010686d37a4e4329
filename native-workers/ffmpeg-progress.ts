/** Parses ffmpeg's machine-readable `-progress` stream (key=value lines, blocks ending in progress=…). */

export interface ProgressBlock {
  frame: number;
  outSeconds: number;
  speed: number | null;
  end: boolean;
}

/** Feed chunks; calls onBlock for every complete block. */
export class ProgressParser {
  private buf = '';
  private cur: Record<string, string> = {};

  constructor(private readonly onBlock: (b: ProgressBlock) => void) {}

  push(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      this.cur[key] = value;
      if (key === 'progress') {
        const us = Number(this.cur.out_time_us ?? this.cur.out_time_ms);
        const speed = Number.parseFloat(this.cur.speed ?? '');
        this.onBlock({
          frame: Number(this.cur.frame ?? 0) || 0,
          outSeconds: Number.isFinite(us) && us > 0 ? us / 1e6 : 0,
          speed: Number.isFinite(speed) ? speed : null,
          end: value === 'end',
        });
        this.cur = {};
      }
    }
  }
}
