/**
 * Pure builders for ffmpeg frame-extraction command lines (unit-tested without ffmpeg).
 *
 * Every mode picks REAL source frames with the `select` filter (never duplicates, never invents
 * timestamps) and ends the chain with `showinfo`, whose per-frame line gives the source time the
 * worker records. `-copyts -start_at_zero` keeps the filter's clock equal to the file's clock
 * (seconds from the start of the file), also after an input seek, so resumed runs pick exactly the
 * frames an uninterrupted run would have picked.
 */
import type { ExtractParams, ProbeResult } from '../../common/contract';
import { ffFileArg } from './ff-file-arg';

export interface ExtractArgsInput {
  input: string;
  outDir: string;
  params: ExtractParams;
  /** ffmpeg major version: 5.1+ spells frame-rate passthrough `-fps_mode`, older builds `-vsync`. */
  ffmpegMajorMinor: [number, number] | null;
  /** Resume: first frame number to write and the source time to seek to. */
  startNumber?: number;
  seekSeconds?: number;
  /** Resume: source time of the last frame already kept (frames at or before it are not written again). */
  lastTimestamp?: number | null;
  /** Resume in fps mode: index of the next tick (derived from seekSeconds when absent). */
  tick?: number;
  /** Count mode: the source times still to write, ascending (from the packet scan). */
  countTimes?: number[];
  /** Count mode: half-width of the window that matches a chosen time (less than half the frame spacing). */
  countTolerance?: number;
  /** Where a filter graph too long for a command line is written (`-filter_script:v`). */
  filterScriptPath?: string;
  /** An ffmpeg whose showinfo has no `checksum` option (it then hashes every picture: slower, same result). */
  legacyShowinfo?: boolean;
}

export interface ExtractPlan {
  args: string[];
  /** The video filter graph. */
  filter: string;
  /** When set, write `filter` to this path before running (the command line refers to it). */
  scriptPath: string | null;
}

export const FRAME_PATTERN_DIGITS = 6;
/** Name of the per-frame record (frame number, source seconds, width, height[, sharpness]) in an extraction folder. */
export const FRAMES_FILE = '.frames.tsv';
/** Frames closer than this (seconds) are the same frame: well under any real frame spacing (1 ms at 1000 fps). */
export const SAME_FRAME_SECONDS = 0.00001;
/** How far before the last kept frame a resumed scene run starts decoding (rebuilds the score history). */
export const SCENE_HISTORY_SECONDS = 1;
/** Filter graphs longer than this go to a script file (Windows limits a whole command line to 32 767 characters). */
export const MAX_INLINE_FILTER = 2000;

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

function atLeast(v: [number, number] | null, major: number, minor: number): boolean {
  return !v || v[0] > major || (v[0] === major && v[1] >= minor);
}

function passthrough(v: [number, number] | null): string[] {
  return atLeast(v, 5, 1) ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'];
}

/** Seconds rounded DOWN to the microsecond ffmpeg parses: a seek never lands after the frame it aims at. */
export function floorMicro(seconds: number): number {
  return Math.floor(seconds * 1e6 + 1e-6) / 1e6;
}

function num(v: number): string {
  // Plain decimal (no exponent), enough digits for microseconds.
  return Number(v.toFixed(7)).toString();
}

/**
 * Frames this close before a tick (in ticks) count as at the tick: containers round timestamps
 * (a 1/1000000 time base stores 1/30 s as 0.033333), which must not push a frame to the next tick.
 */
export const TICK_TOLERANCE = 0.001;

/** `select` expression: true for the first frame at or after each tick start + k/fps, k = tick0, tick0+1, … */
export function fpsSelect(fps: number, start: number, tick0: number): string {
  const pos = `(t-${num(start)})*${num(fps)}+${TICK_TOLERANCE}`;
  const next = tick0 > 0 ? `ld(0)+${tick0}` : 'ld(0)';
  // while() advances the tick past this frame, so a gap in a VFR source skips ticks instead of duplicating frames.
  return `if(gte(${pos},${next}),while(gte(${pos},${next}),st(0,ld(0)+1)))`;
}

/** `select` expression matching a sorted list of times (±tol) as a balanced binary tree: O(log n) per frame. */
export function timesSelect(times: number[], tol: number): string {
  if (times.length === 0) return '0';
  const build = (lo: number, hi: number): string => {
    if (hi - lo === 1) return `between(t,${num(times[lo]! - tol)},${num(times[lo]! + tol)})`;
    const mid = (lo + hi) >> 1;
    const split = (times[mid - 1]! + times[mid]!) / 2;
    return `if(lt(t,${num(split)}),${build(lo, mid)},${build(mid, hi)})`;
  };
  return build(0, times.length);
}

/** Downscale so the longer side is at most `maxSide`, keeping aspect (even sizes for encoders that need them). */
export function maxSideFilter(maxSide: number): string {
  return `scale='if(gte(iw,ih),min(iw,${maxSide}),-2)':'if(gte(iw,ih),-2,min(ih,${maxSide}))'`;
}

/** The video filter graph for a run. */
export function extractFilter(x: ExtractArgsInput): string {
  const mode = x.params.mode;
  const start = x.params.start ?? 0;
  const last = x.lastTimestamp ?? null;
  const after = last !== null ? `gt(t,${num(last + SAME_FRAME_SECONDS)})` : null;
  const filters: string[] = [];
  switch (mode.kind) {
    case 'fps': {
      const tick0 = x.tick ?? (x.seekSeconds !== undefined && x.seekSeconds > start ? Math.round((x.seekSeconds - start) * mode.fps) : 0);
      filters.push(`select='${fpsSelect(mode.fps, start, tick0)}'`);
      break;
    }
    case 'every':
      // n counts from the first decoded frame: the range start, or on resume the last kept frame (itself a multiple of N).
      filters.push(`select='${last !== null ? 'gt(n,0)*' : ''}not(mod(n,${mode.n}))'`);
      break;
    case 'keyframes': {
      // -skip_frame nokey (an input option) makes most decoders skip the rest; some (VP9) ignore it, so select too.
      const key = 'gt(key+eq(pict_type,I),0)';
      filters.push(`select='${after ? `${after}*${key}` : key}'`);
      break;
    }
    case 'scene':
      // The first frame opens the first scene; later frames are picked when the picture changes by more than the threshold.
      filters.push(`select='${after ? `${after}*gt(scene,${num(mode.threshold)})` : `eq(n,0)+gt(scene,${num(mode.threshold)})`}'`);
      break;
    case 'count':
      filters.push(`select='${timesSelect(x.countTimes ?? [], x.countTolerance ?? 0.001)}'`);
      break;
  }
  if (x.params.maxSide) filters.push(maxSideFilter(x.params.maxSide));
  // showinfo prints each frame's pts; checksums (on by default) would cost a pass over every picture.
  filters.push(x.legacyShowinfo ? 'showinfo' : 'showinfo=checksum=0');
  return filters.join(',');
}

/** The full argument list and filter graph for one extraction run. */
export function buildExtractPlan(x: ExtractArgsInput): ExtractPlan {
  const start = x.params.start ?? 0;
  const seek = Math.max(start, x.seekSeconds ?? 0);
  // showinfo logs at "info"; the worker keeps only its lines and real errors.
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'info', '-progress', 'pipe:1', '-nostats'];
  if (x.params.mode.kind === 'keyframes') args.push('-skip_frame', 'nokey');
  args.push('-copyts', '-start_at_zero');
  if (seek > 0) args.push('-ss', floorMicro(seek).toFixed(6));
  if (x.params.end !== undefined) args.push('-t', Math.max(0, x.params.end - seek).toFixed(6));
  args.push('-i', ffFileArg(x.input), '-map', '0:v:0', '-an', '-sn', '-dn');
  const filter = extractFilter(x);
  const useScript = filter.length > MAX_INLINE_FILTER && x.filterScriptPath !== undefined;
  if (useScript) args.push('-filter_script:v', ffFileArg(x.filterScriptPath!));
  else args.push('-vf', filter);
  args.push(...passthrough(x.ffmpegMajorMinor));
  args.push('-start_number', String(x.startNumber ?? 1));
  args.push(...qualityArgs(x.params.format, x.params.quality));
  args.push(`${ffFileArg(x.outDir)}/%0${FRAME_PATTERN_DIGITS}d.${x.params.format}`);
  return { args, filter, scriptPath: useScript ? x.filterScriptPath! : null };
}

/** The full argument list for one extraction run. */
export function buildExtractArgs(x: ExtractArgsInput): string[] {
  return buildExtractPlan(x).args;
}

/** Nominal source time (seconds) of frame n (1-based) in fps mode: tick n-1. Other modes record real times from ffmpeg. */
export function frameTimestamp(params: ExtractParams, n: number): number | null {
  if (params.mode.kind !== 'fps') return null;
  return (params.start ?? 0) + (n - 1) / params.mode.fps;
}

/** Seconds of source the run covers. */
export function rangeOf(params: ExtractParams, probe: Pick<ProbeResult, 'durationSeconds'>): { start: number; end: number | null } {
  const start = params.start ?? 0;
  const end = params.end !== undefined ? (probe.durationSeconds ? Math.min(params.end, probe.durationSeconds) : params.end) : probe.durationSeconds;
  return { start, end };
}

/** How many frames a complete run should write, when it can be known in advance (progress only; count mode is exact). */
export function expectedFrameCount(params: ExtractParams, probe: Pick<ProbeResult, 'durationSeconds'> & { video?: { fps: number } }): number | null {
  const { start, end } = rangeOf(params, probe);
  const mode = params.mode;
  if (mode.kind === 'count') return mode.count;
  if (end === null || end <= start) return null;
  const span = end - start;
  const sourceFrames = probe.video?.fps ? Math.round(span * probe.video.fps) : null;
  switch (mode.kind) {
    case 'fps': {
      const ticks = Math.round(span * mode.fps);
      return sourceFrames !== null ? Math.min(ticks, sourceFrames) : ticks;
    }
    case 'every':
      return sourceFrames !== null ? Math.ceil(sourceFrames / mode.n) : null;
    default:
      return null;
  }
}

export interface ResumePoint {
  startNumber: number;
  seekSeconds: number;
  /** Source time of the last kept frame (absent when not recorded). */
  lastTimestamp?: number;
  /** fps mode: the next tick (absent when it follows from seekSeconds). */
  tick?: number;
}

/**
 * Resume point after `framesKept` complete frames, the last of them at source time `lastTimestamp`:
 * the next frame number, where to seek, and what the filter must skip. Null means start over
 * (every-N without a recorded time cannot know where it was).
 */
export function resumePoint(params: ExtractParams, framesKept: number, lastTimestamp: number | null = null): ResumePoint | null {
  if (framesKept <= 0) return null;
  const start = params.start ?? 0;
  const mode = params.mode;
  if (mode.kind === 'fps') {
    if (lastTimestamp === null) return { startNumber: framesKept + 1, seekSeconds: floorMicro(start + framesKept / mode.fps) };
    // The kept frame answered the last tick at or before it (a VFR gap may have skipped some); the next tick follows.
    const tick = Math.floor((lastTimestamp - start) * mode.fps + TICK_TOLERANCE) + 1;
    // Seek a little before the tick: a frame within the tolerance before it belongs to it.
    return { startNumber: framesKept + 1, seekSeconds: floorMicro(Math.max(start, start + (tick - TICK_TOLERANCE) / mode.fps)), lastTimestamp, tick };
  }
  if (lastTimestamp === null) return null;
  if (mode.kind === 'scene') {
    // A scene score compares a frame with the one before AND with that one's own change (ffmpeg keeps the
    // previous difference), so decoding restarts a second earlier to rebuild that history; the filter skips to the kept frame.
    return { startNumber: framesKept + 1, seekSeconds: floorMicro(Math.max(start, lastTimestamp - SCENE_HISTORY_SECONDS)), lastTimestamp };
  }
  // Seek to the last kept frame itself: every-N counts from it.
  return { startNumber: framesKept + 1, seekSeconds: floorMicro(lastTimestamp), lastTimestamp };
}

/**
 * Count mode: picks exactly `n` distinct frames from the sorted frame times, spread evenly in time
 * from the first to the last frame (each target takes the nearest frame still free, in order).
 */
export function chooseSpread(times: number[], n: number): number[] {
  const f = times.length;
  if (n >= f) return times.map((_, i) => i);
  if (n === 1) return [Math.floor((f - 1) / 2)];
  const first = times[0]!;
  const span = times[f - 1]! - first;
  const out: number[] = [];
  let lo = 0;
  for (let k = 0; k < n; k++) {
    const target = first + (k * span) / (n - 1);
    let i = lowerBound(times, target);
    if (i > 0 && (i >= f || target - times[i - 1]! <= times[i]! - target)) i -= 1;
    // Keep the picks strictly increasing and leave room for the picks still to come.
    i = Math.min(Math.max(i, lo), f - (n - k));
    out.push(i);
    lo = i + 1;
  }
  return out;
}

/** Half-width of a matching window around chosen times: a third of the closest spacing to a neighbour, at most 2 ms. */
export function countTolerance(times: number[], chosen: number[]): number {
  let gap = Infinity;
  for (const i of chosen) {
    if (i > 0) gap = Math.min(gap, times[i]! - times[i - 1]!);
    if (i + 1 < times.length) gap = Math.min(gap, times[i + 1]! - times[i]!);
  }
  return Math.max(SAME_FRAME_SECONDS, Math.min(Number.isFinite(gap) ? gap / 3 : 0.002, 0.002));
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
