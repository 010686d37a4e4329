/**
 * Pre-flight: checks a video and/or image against a cloud model's input limits before a long
 * upload, and says each problem in a plain sentence with the fixes that solve it. Pure checks on
 * probe results, plus a file-level entry point that probes and (for 3D capture) samples quality.
 */
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { formatBytes } from '../../common/byte-size';
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

function problem(code: PreflightProblem['code'], subject: PreflightProblem['subject'], message: string, limit: string | null, actual: string | null, fixes: FixKind[] = [], severity: PreflightProblem['severity'] = 'error'): PreflightProblem {
  return { code, severity, subject, message, limit, actual, fixes };
}

/** Every way a video breaks the limits. */
export function checkVideo(probe: ProbeResult, limits: VideoLimits, label: string): PreflightProblem[] {
  const out: PreflightProblem[] = [];
  if (probe.kind !== 'video') return [problem('NOT_A_VIDEO', 'video', `${label} needs a video; this is a still image.`, 'video', 'image')];
  const v = probe.video;
  const e = ext(probe.path);
  if (e !== limits.container || !probe.container.split(',').includes('mp4')) {
    out.push(problem('WRONG_CONTAINER', 'video', `${label} accepts only .mp4 files; this is .${e || '?'} (${probe.container.split(',')[0]}). Convert it to MP4.`, 'mp4', e || probe.container, ['transcode']));
  }
  if (v.codec !== 'h264') {
    out.push(problem('WRONG_CODEC', 'video', `The video is ${v.codec.toUpperCase()}; H.264 is the codec the cloud is sure to read. Convert it to be safe.`, 'h264', v.codec, ['transcode'], 'warning'));
  }
  if (probe.damage) {
    const dm = probe.damage;
    out.push(
      problem(
        'DAMAGED',
        'video',
        `The file is cut short: its index promises ${secUp(dm.indexSeconds)} but the picture stops at ${secDown(dm.readableSeconds)}, so ${label} would get a broken upload. Trim it to the readable part (a new file), or copy the whole file from the camera again.`,
        secUp(dm.indexSeconds),
        secDown(dm.readableSeconds),
        ['trim-readable'],
      ),
    );
  }
  // A cut-short file is judged by what it really holds (what a trim to the readable part keeps).
  const d = probe.damage ? probe.damage.completeSeconds : (probe.durationSeconds ?? 0);
  if (limits.minSeconds !== undefined && d < limits.minSeconds) {
    out.push(problem('TOO_SHORT', 'video', `The video is ${secDown(d)} long; ${label} needs at least ${limits.minSeconds} s. Record a longer take.`, `${limits.minSeconds} s`, secDown(d)));
  }
  if (limits.maxSeconds !== undefined && d > limits.maxSeconds) {
    out.push(problem('TOO_LONG', 'video', `The video is ${secUp(d)} long; ${label} takes at most ${limits.maxSeconds} s. Trim it.`, `${limits.maxSeconds} s`, secUp(d), ['trim']));
  }
  if (limits.belowSeconds !== undefined && d >= limits.belowSeconds) {
    out.push(problem('TOO_LONG', 'video', `The video is ${secDown(d)} long; ${label} needs less than ${limits.belowSeconds} s. Trim it.`, `< ${limits.belowSeconds} s`, secDown(d), ['trim']));
  }
  const short = Math.min(v.displayWidth, v.displayHeight);
  const long = Math.max(v.displayWidth, v.displayHeight);
  const size = `${v.displayWidth}x${v.displayHeight}`;
  if (limits.minShortSide !== undefined && short < limits.minShortSide) {
    out.push(problem('RESOLUTION_TOO_LOW', 'video', `The picture is ${size}; ${label} needs ${limits.resolutionWords ?? `at least ${limits.minShortSide}p`}. Record at 720p or more (upscaling cannot add detail).`, limits.resolutionWords ?? `${limits.minShortSide}p`, size));
  }
  if ((limits.maxShortSide !== undefined && short > limits.maxShortSide) || (limits.maxLongSide !== undefined && long > limits.maxLongSide)) {
    out.push(problem('RESOLUTION_TOO_HIGH', 'video', `The picture is ${size}; ${label} takes ${limits.resolutionWords ?? 'Full HD or lower'}. Downscale it.`, limits.resolutionWords ?? '1920x1080', size, ['downscale-fhd', 'downscale-hd']));
  }
  if (limits.vertical && !(v.displayHeight > v.displayWidth)) {
    out.push(problem('NOT_VERTICAL', 'video', `The video is ${size} (landscape or square); ${label} needs a vertical (portrait) video. Crop it to portrait (the centre 9:16 is kept, the sides are cut off), or record it upright.`, 'vertical', size, ['crop-portrait']));
  }
  const bytes = probe.sizeBytes;
  if (limits.minBytes !== undefined && bytes < limits.minBytes) {
    // The seed's "50MB" lower bound is read as mebibytes (the larger reading) so either server reading passes.
    const min = `${Math.round(limits.minBytes / 1048576)} MiB (${mb(limits.minBytes)})`;
    out.push(
      problem(
        'FILE_TOO_SMALL',
        'video',
        `The file is ${mb(bytes)}; ${label} refuses files under ${min}. The fix re-encodes it at a higher bit rate so that it reaches that size: the picture does not get better, only the file bigger.`,
        min,
        mb(bytes),
        ['fit-size'],
      ),
    );
  }
  const upper = limits.maxBytes ?? limits.belowBytes;
  if (upper !== undefined && (limits.maxBytes !== undefined ? bytes > upper : bytes >= upper)) {
    out.push(problem('FILE_TOO_LARGE', 'video', `The file is ${mb(bytes)}; ${label} takes ${limits.maxBytes !== undefined ? 'at most' : 'less than'} ${mb(upper)}. Re-encode it smaller.`, mb(upper), mb(bytes), ['fit-size']));
  }
  return out;
}

/** Every way an image breaks the limits. */
export function checkImage(probe: ProbeResult, limits: ImageLimits, label: string): PreflightProblem[] {
  const out: PreflightProblem[] = [];
  if (probe.kind !== 'image') return [problem('NOT_AN_IMAGE', 'image', `${label} needs a still image (PNG or JPEG); this is a video.`, 'png/jpg', 'video')];
  const e = ext(probe.path);
  const codecOk = probe.video.codec === 'png' || probe.video.codec === 'mjpeg';
  if (!limits.extensions.includes(e) || !codecOk) {
    out.push(problem('WRONG_IMAGE_FORMAT', 'image', `${label} accepts PNG or JPEG images; this is ${e ? `.${e}` : 'another format'} (${probe.video.codec}). Convert it to JPEG.`, limits.extensions.join('/'), e || probe.video.codec, ['image-jpeg']));
  }
  const { displayWidth: w, displayHeight: h } = probe.video;
  if ((limits.minWidth !== undefined && w < limits.minWidth) || (limits.minHeight !== undefined && h < limits.minHeight)) {
    out.push(problem('IMAGE_TOO_SMALL', 'image', `The image is ${w}x${h}; ${label} needs at least ${limits.minWidth}x${limits.minHeight}. Use a larger photo.`, `${limits.minWidth}x${limits.minHeight}`, `${w}x${h}`));
  }
  if (limits.vertical && !(h > w)) {
    out.push(problem('NOT_VERTICAL', 'image', `The image is ${w}x${h}; ${label} needs a vertical (portrait) image. Crop it to portrait (the centre 9:16 is kept), or use another photo.`, 'vertical', `${w}x${h}`, ['crop-portrait']));
  }
  const upper = limits.maxBytes ?? limits.belowBytes;
  if (upper !== undefined && (limits.maxBytes !== undefined ? probe.sizeBytes > upper : probe.sizeBytes >= upper)) {
    out.push(problem('FILE_TOO_LARGE', 'image', `The image is ${mb(probe.sizeBytes)}; ${label} takes ${limits.maxBytes !== undefined ? 'at most' : 'less than'} ${mb(upper)}. Convert it to a smaller JPEG.`, mb(upper), mb(probe.sizeBytes), ['image-jpeg']));
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
  const unreadable = (subject: 'video' | 'image', e: AppError) => problems.push(problem('UNREADABLE', subject, e.message, null, null));
  const { video, image } = inputs;
  if (limits.video && video !== undefined) {
    if (video instanceof AppError) unreadable('video', video);
    else if (video) problems.push(...checkVideo(video, limits.video, limits.label));
    else problems.push(problem('NOT_A_VIDEO', 'video', `${limits.label} needs a video.`, 'video', null));
  }
  if (limits.image && image !== undefined) {
    if (image instanceof AppError) unreadable('image', image);
    else if (image) problems.push(...checkImage(image, limits.image, limits.label));
    else problems.push(problem('IMAGE_REQUIRED', 'image', `${limits.label} also needs a still image (PNG or JPEG${limits.image.vertical ? ', vertical' : ''}): import one into the project and choose it for the check.`, 'image', null));
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
