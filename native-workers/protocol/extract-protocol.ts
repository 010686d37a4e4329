/** Messages between the frame-extraction workers and their parent. Every message carries the run's seq. */

export interface ExtractRunSpec {
  ffmpeg: string;
  /** Full ffmpeg argument list (no shell). Must include `-progress pipe:1 -nostats`. */
  args: string[];
  /** Seconds of output the run covers, for the fraction. */
  expectedSeconds: number | null;
  /**
   * When set, the run ends its filter chain with `showinfo`: each frame's line is parsed and appended
   * to this file as `n<TAB>seconds<TAB>width<TAB>height`, frame n = startNumber + order of appearance.
   */
  framesFile?: string;
  startNumber?: number;
}

/** One written frame as ffmpeg reported it: its number and its source time in seconds. */
export interface FrameInfo {
  n: number;
  t: number;
  w: number;
  h: number;
}

export type ToExtractWorker = { type: 'start'; seq: number; spec: ExtractRunSpec } | { type: 'cancel'; seq: number };

export type ExtractErrorKind = 'spawn-failed' | 'ffmpeg-failed' | 'killed' | 'cancelled';

export type FromExtractWorker =
  | { type: 'started'; seq: number; pid: number }
  | { type: 'progress'; seq: number; outSeconds: number; frame: number; speed: number | null }
  | { type: 'frames'; seq: number; frames: FrameInfo[] }
  /** `damage`: ffmpeg's lines about unreadable input (a truncated file still exits 0). */
  | { type: 'done'; seq: number; frame: number; damage: string }
  | { type: 'error'; seq: number; kind: ExtractErrorKind; message: string; exitCode: number | null; stderrTail: string };

/** Sharpness worker: scores image files (variance of the Laplacian of a small grey copy). */
export type ToSharpnessWorker = { type: 'score'; seq: number; files: string[]; side: number } | { type: 'cancel'; seq: number };

export type FromSharpnessWorker =
  | { type: 'scores'; seq: number; scores: { index: number; sharpness: number }[] }
  | { type: 'done'; seq: number }
  | { type: 'error'; seq: number; kind: 'unreadable' | 'cancelled' | 'internal'; message: string; file?: string };
