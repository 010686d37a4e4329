/** Pure builders for ffmpeg frame-extraction command lines (unit-tested without ffmpeg). */
import type { ExtractParams, ProbeResult } from '../../common/contract';

export interface ExtractArgsInput {
  input: string;
  outDir: string;
  params: ExtractParams;
  /** ffmpeg major version: 5.1+ spells frame-rate passthrough `-fps_mode`, older builds `-vsync`. */
  ffmpegMajorMinor: [number, number] | null;
  /** Resume: first frame number to write and the source time it corresponds to. */
  startNumber?: number;
  seekSeconds?: number;
}

export const FRAME_PATTERN_DIGITS = 6;

/** File name of frame n (1-based). */
export function frameFileName(n: number, format: ExtractParams['format']): string {
  return `${String(n).padStart(FRAME_PATTERN_DIGITS, '0')}.${format}`;
}

/** Maps the 1..100 quality slider onto each encoder's own scale. */
export function qualityArgs(format: ExtractParams['format'], quality: number): string[] {
  switch (format) {
    case 'jpg':
      // mjpeg qscale: 2 (best) .. 31 (worst)
      return ['-q:v', String(Math.round(31 - ((quality - 1) * 29) / 99))];
    case 'png':
      // PNG is lossless; quality trades size for speed via the zlib level (fast at low quality).
      return ['-compression_level', String(Math.min(9, Math.max(0, Math.round((quality / 100) * 9))))];
    case 'webp':
      return ['-c:v', 'libwebp', '-quality', String(quality)];
  }
}

function passthrough(v: [number, number] | null): string[] {
  const modern = !v || v[0] > 5 || (v[0] === 5 && v[1] >= 1);
  return modern ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'];
}

/** The full argument list for one extraction run. */
export function buildExtractArgs(x: ExtractArgsInput): string[] {
  const seek = x.seekSeconds ?? 0;
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];
  if (seek > 0) args.push('-ss', seek.toFixed(6));
  args.push('-i', x.input, '-map', '0:v:0', '-an', '-sn', '-dn');
  const filters: string[] = [];
  switch (x.params.mode.kind) {
    case 'fps':
      // round=up makes output frame n the first source frame at or after n/fps, so its timestamp is exact;
      // the default (near) emits the last frame of each interval, up to one period late.
      filters.push(`fps=${x.params.mode.fps}:round=up`);
      break;
  }
  args.push('-vf', filters.join(','), ...passthrough(x.ffmpegMajorMinor));
  args.push('-start_number', String(x.startNumber ?? 1));
  args.push(...qualityArgs(x.params.format, x.params.quality));
  args.push(`${x.outDir}/%0${FRAME_PATTERN_DIGITS}d.${x.params.format}`);
  return args;
}

/** Source time (seconds) of frame n (1-based) for a mode. */
export function frameTimestamp(params: ExtractParams, n: number): number | null {
  switch (params.mode.kind) {
    case 'fps':
      return (n - 1) / params.mode.fps;
  }
}

/** How many frames a complete run should write, when it can be known in advance. */
export function expectedFrameCount(params: ExtractParams, probe: Pick<ProbeResult, 'durationSeconds'>): number | null {
  if (!probe.durationSeconds) return null;
  switch (params.mode.kind) {
    case 'fps':
      return Math.round(probe.durationSeconds * params.mode.fps);
  }
}

/** Resume point after `framesKept` complete frames: the next frame number and where to seek. */
export function resumePoint(params: ExtractParams, framesKept: number): { startNumber: number; seekSeconds: number } | null {
  switch (params.mode.kind) {
    case 'fps':
      return { startNumber: framesKept + 1, seekSeconds: framesKept / params.mode.fps };
  }
}
