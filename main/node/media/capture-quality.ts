/**
 * Predicted quality of a 3D capture from a few sampled frames: how many look blurry (motion blur,
 * focus) and over how much of the video the picture changes (the camera moving around the subject).
 * Each sample is one fast seek decoded straight to a small grey picture; nothing large is held.
 */
import { execFile } from 'node:child_process';
import { AppError } from '../../common/app-error';
import { say, type Said } from '../../common/messages';
import type { ProbeResult, QualityHint } from '../../common/contract';
import { ffFileArg } from './ff-file-arg';
import { laplacianVariance, meanAbsDiff, median, SHARPNESS_SIDE } from './sharpness';

export const QUALITY_SAMPLES = 16;
/** Below this sharpness (variance of the Laplacian at 256 px) a frame looks soft to a reconstruction. */
export const BLURRY_SHARPNESS = 60;
/** Mean grey-level change (0..255) between neighbouring samples above which the view has moved. */
export const MOTION_DIFF = 3;

interface Gray {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Parses a binary PGM (P5) image. */
export function parsePgm(buf: Buffer): Gray {
  // Header: "P5" whitespace width whitespace height whitespace maxval single-whitespace data
  const tokens: string[] = [];
  let i = 0;
  while (tokens.length < 4 && i < buf.length) {
    while (i < buf.length && /\s/.test(String.fromCharCode(buf[i]!))) i++;
    if (buf[i] === 0x23) {
      while (i < buf.length && buf[i] !== 0x0a) i++;
      continue;
    }
    let t = '';
    while (i < buf.length && !/\s/.test(String.fromCharCode(buf[i]!))) t += String.fromCharCode(buf[i++]!);
    tokens.push(t);
  }
  if (tokens[0] !== 'P5') throw new Error('not a binary PGM');
  const width = Number(tokens[1]);
  const height = Number(tokens[2]);
  i += 1;
  return { data: new Uint8Array(buf.buffer, buf.byteOffset + i, width * height), width, height };
}

function sampleAt(ffmpeg: string, file: string, t: number, signal?: AbortSignal): Promise<Gray | null> {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-ss', t.toFixed(3), '-i', ffFileArg(file), '-frames:v', '1', '-an', '-vf', `scale=${SHARPNESS_SIDE}:${SHARPNESS_SIDE}:force_original_aspect_ratio=decrease,format=gray`, '-f', 'image2pipe', '-c:v', 'pgm', 'pipe:1'];
  return new Promise((resolve, reject) => {
    execFile(ffmpeg, args, { encoding: 'buffer', maxBuffer: 4 * 1024 * 1024, timeout: 30_000, windowsHide: true, signal }, (err, stdout) => {
      if (err && (err as { name?: string }).name === 'AbortError') return reject(new AppError('CANCELLED', 'Cancelled'));
      if (err || stdout.length === 0) return resolve(null);
      try {
        resolve(parsePgm(stdout));
      } catch {
        resolve(null);
      }
    });
  });
}

/** Turns sample measurements into the hint (pure, for tests). */
export function qualityFrom(sharpness: number[], diffs: number[]): QualityHint {
  const samples = sharpness.length;
  const blurryShare = samples ? sharpness.filter((s) => s < BLURRY_SHARPNESS).length / samples : 0;
  const motionCoverage = diffs.length ? diffs.filter((d) => d > MOTION_DIFF).length / diffs.length : 0;
  const said: Said[] = [];
  if (blurryShare > 0.15) said.push(say('quality.blurry', { percent: Math.round(blurryShare * 100) }));
  if (motionCoverage < 0.6) said.push(say('quality.still', { percent: Math.round((1 - motionCoverage) * 100) }));
  const level = blurryShare > 0.4 || motionCoverage < 0.3 ? 'poor' : blurryShare > 0.15 || motionCoverage < 0.6 ? 'fair' : 'good';
  if (level === 'good') said.push(say('quality.good', {}));
  const advice = said.map((a) => a.message);
  const adviceCodes = said.map((a) => ({ code: a.messageCode, params: a.messageParams }));
  return { samples, blurryShare, motionCoverage, medianSharpness: median(sharpness), level, advice, adviceCodes };
}

/** Samples `count` frames evenly over the video and predicts capture quality. */
export async function sampleCaptureQuality(ffmpeg: string, probe: ProbeResult, opts: { count?: number; signal?: AbortSignal } = {}): Promise<QualityHint> {
  const count = opts.count ?? QUALITY_SAMPLES;
  const d = probe.durationSeconds ?? 0;
  const times = Array.from({ length: count }, (_, i) => ((i + 0.5) * d) / count);
  const grays: (Gray | null)[] = new Array(count).fill(null);
  // Two seeks at a time: enough to keep both cores busy without starving the rest of the app.
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      grays[i] = await sampleAt(ffmpeg, probe.path, times[i]!, opts.signal);
    }
  };
  await Promise.all([worker(), worker()]);
  const ok = grays.filter((g): g is Gray => g !== null);
  const sharpness = ok.map((g) => laplacianVariance(g.data, g.width, g.height));
  const diffs: number[] = [];
  for (let i = 1; i < ok.length; i++) diffs.push(meanAbsDiff(ok[i - 1]!.data, ok[i]!.data));
  return qualityFrom(sharpness, diffs);
}
