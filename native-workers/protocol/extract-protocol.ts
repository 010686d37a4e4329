/** Messages between the frame-extraction worker and its parent. Every message carries the run's seq. */

export interface ExtractRunSpec {
  ffmpeg: string;
  /** Full ffmpeg argument list (no shell). Must include `-progress pipe:1 -nostats`. */
  args: string[];
  /** Seconds of output the run covers, for the fraction. */
  expectedSeconds: number | null;
}

export type ToExtractWorker = { type: 'start'; seq: number; spec: ExtractRunSpec } | { type: 'cancel'; seq: number };

export type ExtractErrorKind = 'spawn-failed' | 'ffmpeg-failed' | 'cancelled';

export type FromExtractWorker =
  | { type: 'progress'; seq: number; outSeconds: number; frame: number; speed: number | null }
  | { type: 'done'; seq: number; frame: number }
  | { type: 'error'; seq: number; kind: ExtractErrorKind; message: string; exitCode: number | null; stderrTail: string };
