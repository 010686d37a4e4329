/** Parses ffmpeg's `showinfo` filter lines from stderr: each frame's pts (exact, via the link time base) and size. */

export interface ShowinfoFrame {
  /** Source time in seconds. */
  t: number;
  w: number;
  h: number;
}

const CONFIG = /Parsed_showinfo_\d+ @ [^\]]+\] config in time_base: (\d+)\/(\d+)/;
const FRAME = /Parsed_showinfo_\d+ @ [^\]]+\] n:\s*\d+ pts:\s*(-?\d+) pts_time:(\S+).*? s:(\d+)x(\d+)/;

/** Feed stderr chunks; frames come out in order, other lines go to `onOther` (for error reporting). */
export class ShowinfoParser {
  private buf = '';
  private tb: [number, number] | null = null;

  constructor(
    private readonly onFrame: (f: ShowinfoFrame) => void,
    private readonly onOther: (line: string) => void = () => undefined,
  ) {}

  push(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.search(/[\r\n]/)) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line) this.line(line);
    }
  }

  /** Flushes a last line without a newline. */
  end(): void {
    if (this.buf) this.line(this.buf);
    this.buf = '';
  }

  private line(line: string): void {
    if (!line.includes('Parsed_showinfo_')) {
      this.onOther(line);
      return;
    }
    const c = CONFIG.exec(line);
    if (c) {
      // The first config line is the filter's input: the time base its pts values count in.
      if (!this.tb && Number(c[2]) > 0) this.tb = [Number(c[1]), Number(c[2])];
      return;
    }
    const m = FRAME.exec(line);
    if (!m) return;
    const pts = Number(m[1]);
    // pts_time is printed with 6 significant digits only (10 ms at 1000 s): use pts × time base when known.
    const t = this.tb ? (pts * this.tb[0]) / this.tb[1] : Number(m[2]);
    this.onFrame({ t, w: Number(m[3]), h: Number(m[4]) });
  }
}
