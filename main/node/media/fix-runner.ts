/**
 * Runs a one-click fix: one ffmpeg pass (in the ffmpeg worker: progress, cancel) into a temporary
 * file beside the target, checks the result with pre-flight, retries the bit rate when the size
 * missed, and only then renames it into place. The original is only ever read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import type { CloudModel, FixKind, PreflightReport, ProbeResult } from '../../common/contract';
import { tempPathFor } from '../files/atomic';
import { CLOUD_LIMITS } from './cloud-limits';
import { runFfmpeg } from './extractor';
import { parseVersion, type Tools } from './ffmpeg-locator';
import { planImageFix, planVideoFix } from './fix-plan';
import { buildReport } from './preflight';
import { probeFile } from './probe';

export interface FixRun {
  tools: Tools;
  model: CloudModel;
  /** The input as probed (video for video models, image for instant-mesh). */
  probe: ProbeResult;
  /** Fixes to apply; default: every fix pre-flight offers for this input. */
  fixes?: FixKind[];
  /** Where the new file goes (never the input). */
  out: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number, stage: string) => void;
  preset?: string;
}

export interface FixResult {
  path: string;
  fixes: FixKind[];
  /** Pre-flight of the new file (for musepose, of the video part). */
  report: PreflightReport;
  attempts: number;
}

const MAX_ATTEMPTS = 3;

/** Applies the fixes and returns the new file with its pre-flight. */
export async function runFix(x: FixRun): Promise<FixResult> {
  const limits = CLOUD_LIMITS[x.model];
  const isImage = x.probe.kind === 'image';
  if (path.resolve(x.out) === path.resolve(x.probe.path)) throw new AppError('INVALID_INPUT', say('fix.overwrite', {}));
  const before = buildReport(x.model, isImage ? { image: x.probe } : { video: x.probe });
  const fixes = x.fixes ?? before.fixes;
  if (fixes.length === 0) throw new AppError('INVALID_INPUT', say('fix.nothing', {}), { problems: before.problems.map((p) => p.code) });
  if (isImage ? !limits.image : !limits.video) throw new AppError('INVALID_INPUT', `${limits.label} does not take ${isImage ? 'an image' : 'a video'} here.`);
  try {
    fs.mkdirSync(path.dirname(x.out), { recursive: true });
  } catch (err) {
    throw AppError.from(err);
  }
  const tmp = tempPathFor(x.out) + (isImage ? '.jpg' : '.mp4');
  let rateScale = 1;
  let imageScale = 1;
  try {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      let damage = '';
      if (isImage) {
        ({ damage } = await runFfmpeg(x.tools.ffmpeg, { args: planImageFix(x.probe, limits.image!, tmp, imageScale, fixes), expectedSeconds: null }, { signal: x.signal }, path.dirname(x.out)));
      } else {
        const plan = planVideoFix(x.probe, limits.video!, fixes, tmp, { preset: x.preset, rateScale, ffmpegMajorMinor: parseVersion(x.tools.ffmpeg.version) });
        ({ damage } = await runFfmpeg(
          x.tools.ffmpeg,
          { args: plan.args, expectedSeconds: plan.outSeconds },
          { signal: x.signal, onProgress: (p) => x.onProgress?.(Math.min(0.97, (((attempt - 1) + p.outSeconds / Math.max(0.1, plan.outSeconds)) / attempt) * 0.97), 'fixing') },
          path.dirname(x.out),
        ));
      }
      if (x.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled');
      if (/partial file/i.test(damage)) throw new AppError('MEDIA_UNREADABLE', say('fix.damaged', {}));
      // Probe the result as the file it will become (the name decides the container check).
      const probed = { ...(await probeFile(x.tools.ffprobe.path, tmp, { sample: false })), path: x.out };
      const report = buildReport(x.model, isImage ? { image: probed } : { video: probed });
      const tooBig = report.problems.find((p) => p.code === 'FILE_TOO_LARGE');
      const tooSmall = report.problems.find((p) => p.code === 'FILE_TOO_SMALL');
      if ((tooBig || tooSmall) && attempt < MAX_ATTEMPTS) {
        // Encoders miss a bit-rate budget now and then: aim lower (or higher) and go again.
        rateScale *= tooBig ? 0.75 : 1.25;
        imageScale *= 0.7;
        continue;
      }
      fs.renameSync(tmp, x.out);
      x.onProgress?.(1, 'done');
      return { path: x.out, fixes, report: { ...report, videoPath: isImage ? null : x.out, imagePath: isImage ? x.out : null }, attempts: attempt };
    }
    throw new AppError('INTERNAL', 'The fix did not converge');
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
