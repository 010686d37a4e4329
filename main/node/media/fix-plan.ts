/**
 * One-click fixes as ffmpeg command lines (pure, unit-tested without ffmpeg). All requested fixes go
 * into ONE pass: trim (input -t), downscale (scale to an oriented HD/FHD box), H.264 MP4 (remux when
 * the stream is already H.264, else encode), and a bit rate computed from the output duration to
 * land inside the model's size band.
 */
import type { FixKind, ProbeResult } from '../../common/contract';
import { readableTrimTarget, sizeTarget, trimTarget, type ImageLimits, type VideoLimits } from './cloud-limits';
import { ffFileArg } from './ff-file-arg';

export const AUDIO_BITS_PER_SECOND = 128_000;
/** Container overhead and encoder variance the bit-rate budget leaves room for. */
const MUX_OVERHEAD = 0.02;

export interface FixOptions {
  /** x264 preset (speed/quality); tests use ultrafast. */
  preset?: string;
  /** Multiplies the computed bit rate: a retry after a miss. */
  rateScale?: number;
  ffmpegMajorMinor?: [number, number] | null;
}

export interface VideoFixPlan {
  args: string[];
  /** Seconds of output (for progress and the bit-rate budget). */
  outSeconds: number;
  /** Video bit rate chosen (bits/s), null for quality-based encodes and remuxes. */
  videoBitRate: number | null;
  mode: 'copy' | 'remux' | 'encode';
  size: { width: number; height: number } | null;
}

/**
 * What each fix does, in a sentence said before it runs (the CLI prints it; the page shows its own translation).
 * `fit-size` reads two ways: a file over the limit is re-encoded smaller, one under a minimum bigger.
 */
export function describeFix(fix: FixKind, limits: VideoLimits | ImageLimits | null, probe?: ProbeResult): string {
  const v = limits && 'container' in limits ? limits : null;
  switch (fix) {
    case 'trim':
      return `trim: keeps the first ${v ? trimTarget(v) : '…'} s (a stream copy: the picture is not re-encoded).`;
    case 'trim-readable':
      return `trim-readable: keeps the part of the cut-short file that is really there${probe?.damage ? ` (the first ${readableTrimTarget(probe.damage).toFixed(1)} s)` : ''}, as a new file; the missing end cannot be recovered.`;
    case 'crop-portrait':
      return 'crop-portrait: keeps the centre of the picture as a vertical 9:16 frame (the sides are cut off) and re-encodes it.';
    case 'downscale-fhd':
      return 'downscale-fhd: scales the picture down to fit 1920x1080 (re-encoded).';
    case 'downscale-hd':
      return 'downscale-hd: scales the picture down to fit 1280x720 (re-encoded).';
    case 'transcode':
      return 'transcode: converts to H.264 in an MP4 file (copied without re-encoding when it is H.264 already).';
    case 'fit-size':
      if (v?.minBytes !== undefined && probe && probe.sizeBytes < v.minBytes) {
        return `fit-size: re-encodes at a higher, constant bit rate so the file reaches the model's ${Math.round(v.minBytes / 1048576)} MiB minimum — the server refuses smaller files. The picture does not get better; only the file gets bigger.`;
      }
      return 'fit-size: re-encodes at a bit rate computed to bring the file under the size limit.';
    case 'image-jpeg':
      return 'image-jpeg: converts the image to JPEG (scaled down only if it would still be too large).';
  }
}

/** Centre crop to a vertical 9:16 frame of the display picture (even sizes), or null when it is vertical already. */
export function portraitCrop(width: number, height: number): { width: number; height: number } | null {
  if (height > width) return null;
  const even = (x: number) => Math.max(2, 2 * Math.floor(x / 2));
  return { width: even((height * 9) / 16), height: even(height) };
}

/** The display size that fits a box (oriented like the picture), even numbers, never enlarged. */
export function fitBox(width: number, height: number, box: 'fhd' | 'hd'): { width: number; height: number } | null {
  const [long, short] = box === 'fhd' ? [1920, 1080] : [1280, 720];
  const landscape = width >= height;
  const maxW = landscape ? long : short;
  const maxH = landscape ? short : long;
  const f = Math.min(maxW / width, maxH / height);
  if (f >= 1) return null;
  const even = (x: number) => Math.max(2, 2 * Math.round((x * f) / 2));
  return { width: Math.min(maxW, even(width)), height: Math.min(maxH, even(height)) };
}

/** The single ffmpeg pass that applies `fixes` to a video for `limits`, writing `out`. */
export function planVideoFix(probe: ProbeResult, limits: VideoLimits, fixes: FixKind[], out: string, opts: FixOptions = {}): VideoFixPlan {
  const duration = probe.durationSeconds ?? 0;
  // A cut-short file keeps its readable part (reading stops before the missing bytes); a limit may cut more.
  const cuts = [fixes.includes('trim') ? trimTarget(limits) : null, fixes.includes('trim-readable') && probe.damage ? readableTrimTarget(probe.damage) : null].filter((x): x is number => x !== null);
  const trimTo = cuts.length ? Math.min(...cuts) : null;
  const outSeconds = trimTo !== null && duration > trimTo ? trimTo : duration;
  const box = fixes.includes('downscale-hd') ? 'hd' : fixes.includes('downscale-fhd') ? 'fhd' : null;
  // Crop first (the display picture: ffmpeg applies rotation before filters), then scale what is left.
  const crop = fixes.includes('crop-portrait') ? portraitCrop(probe.video.displayWidth, probe.video.displayHeight) : null;
  const framed = crop ?? { width: probe.video.displayWidth, height: probe.video.displayHeight };
  const scaled = box ? fitBox(framed.width, framed.height, box) : null;
  const size = scaled ?? crop;
  const fitSize = fixes.includes('fit-size');
  const h264 = probe.video.codec === 'h264' && (probe.video.pixelFormat === 'yuv420p' || probe.video.pixelFormat === 'yuvj420p');
  const isMp4 = probe.container.split(',').includes('mp4') && /\.mp4$/i.test(probe.path);
  const encode = size !== null || fitSize || (fixes.includes('transcode') && !h264);
  const mode: VideoFixPlan['mode'] = encode ? 'encode' : isMp4 ? 'copy' : 'remux';

  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];
  if (trimTo !== null && duration > trimTo) args.push('-t', trimTo.toFixed(3));
  args.push('-i', ffFileArg(probe.path), '-map', '0:v:0', '-map', '0:a:0?', '-sn', '-dn', '-map_metadata', '-1');
  let videoBitRate: number | null = null;
  if (mode === 'encode') {
    const filters = [crop ? `crop=${crop.width}:${crop.height}` : null, scaled ? `scale=${scaled.width}:${scaled.height}` : null].filter(Boolean);
    if (filters.length) args.push('-vf', filters.join(','));
    args.push('-c:v', 'libx264', '-preset', opts.preset ?? 'veryfast', '-pix_fmt', 'yuv420p', '-profile:v', 'high');
    const budget = (bytes: number) => Math.max(100_000, Math.floor(((bytes * 8 * (1 - MUX_OVERHEAD)) / Math.max(0.5, outSeconds) - AUDIO_BITS_PER_SECOND) * (opts.rateScale ?? 1)));
    const band = limits.minBytes !== undefined ? sizeTarget(limits, 0) : null;
    const upper = limits.maxBytes ?? (limits.belowBytes !== undefined ? limits.belowBytes - 1 : undefined);
    if (band !== null) {
      // A lower size limit: constant bit rate with filler data, so even simple pictures reach the size.
      videoBitRate = budget(band);
      const r = String(videoBitRate);
      args.push('-b:v', r, '-minrate', r, '-maxrate', r, '-bufsize', String(Math.floor(videoBitRate / 2)), '-x264-params', 'nal-hrd=cbr:filler=1');
    } else if (upper !== undefined) {
      // Only an upper limit: quality-based, capped by a VBV rate that cannot overshoot the budget.
      const target = fitSize ? (sizeTarget(limits, probe.sizeBytes) ?? upper * 0.85) : upper * 0.85;
      videoBitRate = budget(target * (outSeconds / (outSeconds + 1)));
      args.push('-crf', '20', '-maxrate', String(videoBitRate), '-bufsize', String(videoBitRate));
    } else {
      args.push('-crf', '20');
    }
    args.push('-c:a', 'aac', '-b:a', String(AUDIO_BITS_PER_SECOND));
  } else {
    // Already H.264: copy the picture untouched (rotation metadata included); audio to AAC, which MP4 always takes.
    args.push('-c:v', 'copy', '-c:a', 'aac', '-b:a', String(AUDIO_BITS_PER_SECOND));
  }
  args.push('-movflags', '+faststart', '-f', 'mp4', ffFileArg(out));
  return { args, outSeconds, videoBitRate, mode, size };
}

/** JPEG re-encode of a still, downscaled by `scale` (never below the model's minimum size). */
export function planImageFix(probe: ProbeResult, limits: ImageLimits, out: string, scale = 1, fixes: readonly FixKind[] = ['image-jpeg']): string[] {
  const crop = fixes.includes('crop-portrait') ? portraitCrop(probe.video.displayWidth, probe.video.displayHeight) : null;
  const w = crop?.width ?? probe.video.displayWidth;
  const h = crop?.height ?? probe.video.displayHeight;
  const minScale = Math.max((limits.minWidth ?? 1) / w, (limits.minHeight ?? 1) / h);
  const s = Math.min(1, Math.max(scale, minScale));
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-i', ffFileArg(probe.path), '-frames:v', '1', '-map_metadata', '-1'];
  const filters = [crop ? `crop=${crop.width}:${crop.height}` : null, s < 1 ? `scale=${2 * Math.round((w * s) / 2)}:${2 * Math.round((h * s) / 2)}` : null].filter(Boolean);
  if (filters.length) args.push('-vf', filters.join(','));
  args.push('-q:v', '2', '-pix_fmt', 'yuvj420p', '-c:v', 'mjpeg', '-f', 'image2', ffFileArg(out));
  return args;
}
