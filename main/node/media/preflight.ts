/**
 * Pre-flight: checks a video and/or image against a cloud model's input limits before a long
 * upload, and says each problem in a plain sentence with the fixes that solve it. Pure checks on
 * probe results, plus a file-level entry point that probes and (for 3D capture) samples quality.
 */
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { formatBytes } from '../../common/byte-size';
import { say, type Said } from '../../common/messages';
import type { CloudModel, FixKind, PreflightProblem, PreflightReport, ProbeResult, QualityHint } from '../../common/contract';
import { sampleCaptureQuality } from './capture-quality';
import { CLOUD_LIMITS, type ImageLimits, type VideoLimits } from './cloud-limits';
import type { Tools } from './ffmpeg-locator';
import { probeFile } from './probe';

const FIX_ORDER: FixKind[] = ['trim-readable', 'trim', 'crop-portrait', 'downscale-fhd', 'downscale-hd', 'transcode', 'fit-size', 'image-jpeg'];

// One size formatter for core and renderer (decimal units, small files in KB), so the panels agree.
const mb = (bytes: number) => formatBytes(bytes);
/**
 * A length beside a limit, in tenths cut towards the side of the limit it is on: rounding would print 19.96 s
 * as "20.0 s" beside "at least 20 s", or 180.04 s as "180.0 s" beside "at most 180 s".
 */
const secDown = (s: number) => `${(Math.floor(s * 10 + 1e-9) / 10).toFixed(1)} s`;
const secUp = (s: number) => `${(Math.ceil(s * 10 - 1e-9) / 10).toFixed(1)} s`;
const ext = (file: string) => path.extname(file).slice(1).toLowerCase();

function problem(code: PreflightProblem['code'], subject: PreflightProblem['subject'], said: Said | string, limit: string | null, actual: string | null, fixes: FixKind[] = [], severity: PreflightProblem['severity'] = 'error'): PreflightProblem {
  if (typeof said === 'string') return { code, severity, subject, message: said, limit, actual, fixes };
  return { code, severity, subject, message: said.message, messageCode: said.messageCode, messageParams: said.messageParams, limit, actual, fixes };
}

/** Every way a video breaks the limits. */
export function checkVideo(probe: ProbeResult, limits: VideoLimits, label: string): PreflightProblem[] {
  const out: PreflightProblem[] = [];
  if (probe.kind !== 'video') return [problem('NOT_A_VIDEO', 'video', say('preflight.not_a_video_image', { label }), 'video', 'image')];
  const v = probe.video;
  const e = ext(probe.path);
  if (e !== limits.container || !probe.container.split(',').includes('mp4')) {
    out.push(problem('WRONG_CONTAINER', 'video', say('preflight.wrong_container', { label, ext: e || '?', container: probe.container.split(',')[0] ?? '' }), 'mp4', e || probe.container, ['transcode']));
  }
  if (v.codec !== 'h264') {
    out.push(problem('WRONG_CODEC', 'video', say('preflight.wrong_codec', { codec: v.codec.toUpperCase() }), 'h264', v.codec, ['transcode'], 'warning'));
  }
  if (probe.damage) {
    const dm = probe.damage;
    out.push(
      problem(
        'DAMAGED',
        'video',
        say('preflight.damaged', { label, index: secUp(dm.indexSeconds), readable: secDown(dm.readableSeconds) }),
        secUp(dm.indexSeconds),
        secDown(dm.readableSeconds),
        ['trim-readable'],
      ),
    );
  }
  // A cut-short file is judged by what it really holds (what a trim to the readable part keeps).
  const d = probe.damage ? probe.damage.completeSeconds : (probe.durationSeconds ?? 0);
  if (limits.minSeconds !== undefined && d < limits.minSeconds) {
    out.push(problem('TOO_SHORT', 'video', say('preflight.too_short', { label, actual: secDown(d), min: limits.minSeconds }), `${limits.minSeconds} s`, secDown(d)));
  }
  if (limits.maxSeconds !== undefined && d > limits.maxSeconds) {
    out.push(problem('TOO_LONG', 'video', say('preflight.too_long_max', { label, actual: secUp(d), max: limits.maxSeconds }), `${limits.maxSeconds} s`, secUp(d), ['trim']));
  }
  if (limits.belowSeconds !== undefined && d >= limits.belowSeconds) {
    out.push(problem('TOO_LONG', 'video', say('preflight.too_long_below', { label, actual: secDown(d), below: limits.belowSeconds }), `< ${limits.belowSeconds} s`, secDown(d), ['trim']));
  }
  const short = Math.min(v.displayWidth, v.displayHeight);
  const long = Math.max(v.displayWidth, v.displayHeight);
  const size = `${v.displayWidth}x${v.displayHeight}`;
  if (limits.minShortSide !== undefined && short < limits.minShortSide) {
    out.push(problem('RESOLUTION_TOO_LOW', 'video', limits.resolutionWords ? say('preflight.resolution_too_low', { label, size, need: limits.resolutionWords }) : say('preflight.resolution_too_low_min', { label, size, min: limits.minShortSide }), limits.resolutionWords ?? `${limits.minShortSide}p`, size));
  }
  if ((limits.maxShortSide !== undefined && short > limits.maxShortSide) || (limits.maxLongSide !== undefined && long > limits.maxLongSide)) {
    out.push(problem('RESOLUTION_TOO_HIGH', 'video', limits.resolutionWords ? say('preflight.resolution_too_high', { label, size, takes: limits.resolutionWords }) : say('preflight.resolution_too_high_fhd', { label, size }), limits.resolutionWords ?? '1920x1080', size, ['downscale-fhd', 'downscale-hd']));
  }
  if (limits.vertical && !(v.displayHeight > v.displayWidth)) {
    out.push(problem('NOT_VERTICAL', 'video', say('preflight.not_vertical_video', { label, size }), 'vertical', size, ['crop-portrait']));
  }
  const bytes = probe.sizeBytes;
  if (limits.minBytes !== undefined && bytes < limits.minBytes) {
    // The seed's "50MB" lower bound is read as mebibytes (the larger reading) so either server reading passes.
    const min = `${Math.round(limits.minBytes / 1048576)} MiB (${mb(limits.minBytes)})`;
    out.push(
      problem(
        'FILE_TOO_SMALL',
        'video',
        say('preflight.file_too_small', { label, actual: mb(bytes), min }),
        min,
        mb(bytes),
        ['fit-size'],
      ),
    );
  }
  const upper = limits.maxBytes ?? limits.belowBytes;
  if (upper !== undefined && (limits.maxBytes !== undefined ? bytes > upper : bytes >= upper)) {
    out.push(problem('FILE_TOO_LARGE', 'video', say(limits.maxBytes !== undefined ? 'preflight.file_too_large_max' : 'preflight.file_too_large_below', { label, actual: mb(bytes), max: mb(upper) }), mb(upper), mb(bytes), ['fit-size']));
  }
  return out;
}

/** Every way an image breaks the limits. */
export function checkImage(probe: ProbeResult, limits: ImageLimits, label: string): PreflightProblem[] {
  const out: PreflightProblem[] = [];
  if (probe.kind !== 'image') return [problem('NOT_AN_IMAGE', 'image', say('preflight.not_an_image', { label }), 'png/jpg', 'video')];
  const e = ext(probe.path);
  const codecOk = probe.video.codec === 'png' || probe.video.codec === 'mjpeg';
  if (!limits.extensions.includes(e) || !codecOk) {
    out.push(problem('WRONG_IMAGE_FORMAT', 'image', e ? say('preflight.wrong_image_format', { label, format: `.${e}`, codec: probe.video.codec }) : say('preflight.wrong_image_format_other', { label, codec: probe.video.codec }), limits.extensions.join('/'), e || probe.video.codec, ['image-jpeg']));
  }
  const { displayWidth: w, displayHeight: h } = probe.video;
  if ((limits.minWidth !== undefined && w < limits.minWidth) || (limits.minHeight !== undefined && h < limits.minHeight)) {
    out.push(problem('IMAGE_TOO_SMALL', 'image', say('preflight.image_too_small', { label, size: `${w}x${h}`, min: `${limits.minWidth}x${limits.minHeight}` }), `${limits.minWidth}x${limits.minHeight}`, `${w}x${h}`));
  }
  if (limits.vertical && !(h > w)) {
    out.push(problem('NOT_VERTICAL', 'image', say('preflight.not_vertical_image', { label, size: `${w}x${h}` }), 'vertical', `${w}x${h}`, ['crop-portrait']));
  }
  const upper = limits.maxBytes ?? limits.belowBytes;
  if (upper !== undefined && (limits.maxBytes !== undefined ? probe.sizeBytes > upper : probe.sizeBytes >= upper)) {
    out.push(problem('FILE_TOO_LARGE', 'image', say(limits.maxBytes !== undefined ? 'preflight.image_too_large_max' : 'preflight.image_too_large_below', { label, actual: mb(probe.sizeBytes), max: mb(upper) }), mb(upper), mb(probe.sizeBytes), ['image-jpeg']));
  }
  return out;
}

type Input = ProbeResult | AppError | null | undefined;

/**
 * The report from already-probed inputs. For each of `video` / `image`: a probe, an AppError (could not
 * be read), null (missing although the model needs it) or undefined (not part of this check).
 */
export function buildReport(model: CloudModel, inputs: { video?: Input; image?: Input }, quality: QualityHint | null = null): PreflightReport {
  const limits = CLOUD_LIMITS[model];
  const problems: PreflightProblem[] = [];
  const unreadable = (subject: 'video' | 'image', e: AppError) => problems.push(problem('UNREADABLE', subject, e.messageCode ? { messageCode: e.messageCode, messageParams: e.messageParams ?? {}, message: e.message } : e.message, null, null));
  const { video, image } = inputs;
  if (limits.video && video !== undefined) {
    if (video instanceof AppError) unreadable('video', video);
    else if (video) problems.push(...checkVideo(video, limits.video, limits.label));
    else problems.push(problem('NOT_A_VIDEO', 'video', say('preflight.not_a_video_missing', { label: limits.label }), 'video', null));
  }
  if (limits.image && image !== undefined) {
    if (image instanceof AppError) unreadable('image', image);
    else if (image) problems.push(...checkImage(image, limits.image, limits.label));
    else problems.push(problem('IMAGE_REQUIRED', 'image', say(limits.image.vertical ? 'preflight.image_required_vertical' : 'preflight.image_required', { label: limits.label }), 'image', null));
  }
  const fixes = FIX_ORDER.filter((f) => problems.some((p) => p.fixes.includes(f)) && f !== 'downscale-hd');
  const pathOf = (x: Input) => (x && !(x instanceof AppError) ? x.path : null);
  return {
    model,
    ok: !problems.some((p) => p.severity === 'error'),
    problems,
    fixes,
    videoPath: limits.video ? pathOf(video) : null,
    imagePath: limits.image ? pathOf(image) : null,
    quality,
  };
}

export interface PreflightFilesInput {
  tools: Tools;
  model: CloudModel;
  /** The main input: the video, or for instant-mesh the image. */
  file: string;
  /** musepose: the still image. */
  image?: string | null;
  /** Sample frames for the 3D capture quality hint. */
  quality?: boolean;
  signal?: AbortSignal;
}

/** Probes the inputs and checks them; unreadable inputs become problems, not exceptions. */
export async function preflightFiles(x: PreflightFilesInput): Promise<PreflightReport> {
  const limits = CLOUD_LIMITS[x.model];
  const probe = async (f: string): Promise<ProbeResult | AppError> => {
    try {
      return await probeFile(x.tools.ffprobe.path, f, { signal: x.signal, sample: false });
    } catch (err) {
      const e = AppError.from(err);
      if (e.code === 'CANCELLED' || e.code === 'FFMPEG_MISSING') throw e;
      return e;
    }
  };
  const main = await probe(x.file);
  const image = x.image ? await probe(x.image) : null;
  let quality: QualityHint | null = null;
  // A cut-short file is refused anyway; sampling past its end would only fail.
  if (x.quality && limits.capture3d && !(main instanceof AppError) && main.kind === 'video' && main.durationSeconds && !main.damage) {
    quality = await sampleCaptureQuality(x.tools.ffmpeg.path, main, { signal: x.signal });
  }
  return buildReport(x.model, limits.video ? { video: main, image: limits.image ? image : undefined } : { image: main }, quality);
}
