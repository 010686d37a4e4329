/**
 * Pre-flight and one-click fixes for a project's media: checks against the cloud limits, and fix
 * jobs (progress, cancel, resume = run again) that write a new file under the project's data and
 * import it as a new media source. The original is never touched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import type { CloudModel, FixKind, PreflightReport } from '../../common/contract';
import { toPosixRelative } from '../files/atomic';
import type { JobContext, JobRunner } from '../jobs/job-runner';
import { runFix } from './fix-runner';
import type { MediaService } from './media-service';
import { preflightFiles } from './preflight';
import { probeFile } from './probe';
import type { ToolBox } from './tool-box';

export const FIX_JOB = 'media.fix';

interface FixJobParams {
  mediaId: number;
  model: CloudModel;
  fixes?: FixKind[];
}

export interface FixJobResult {
  mediaId: number;
  /** Relative to the data folder. */
  file: string;
  fixes: FixKind[];
  report: PreflightReport;
}

export class PreflightService {
  constructor(
    private readonly dataDir: string,
    private readonly tools: ToolBox,
    private readonly jobs: JobRunner,
    private readonly media: MediaService,
    /** x264 preset for fixes (tests pass ultrafast). */
    private readonly preset?: string,
  ) {
    jobs.register<FixJobParams, FixJobResult>(FIX_JOB, { run: (p, ctx) => this.runFixJob(p, ctx) });
  }

  /** Checks a media source (plus, for musepose, an image source) against a model's limits. */
  async preflight(req: { mediaId: number; model: CloudModel; imageMediaId?: number; quality?: boolean }, signal?: AbortSignal): Promise<PreflightReport> {
    const m = this.media.get(req.mediaId);
    const image = req.imageMediaId !== undefined ? this.media.get(req.imageMediaId) : null;
    if (image && image.projectId !== m.projectId) throw new AppError('INVALID_INPUT', 'The image belongs to another project');
    return preflightFiles({ tools: await this.tools.require(), model: req.model, file: m.path, image: image?.path ?? null, quality: req.quality, signal });
  }

  /** Starts a fix job; returns at once. */
  async startFix(req: FixJobParams): Promise<{ jobId: string }> {
    const m = this.media.get(req.mediaId);
    await this.tools.require();
    const job = this.jobs.start<FixJobParams>(FIX_JOB, req, m.projectId);
    return { jobId: job.id };
  }

  private async runFixJob(p: FixJobParams, ctx: JobContext): Promise<FixJobResult> {
    const m = this.media.get(p.mediaId);
    const tools = await this.tools.require();
    ctx.progress({ fraction: 0, stage: 'checking' });
    const probe = await probeFile(tools.ffprobe.path, m.path, { signal: ctx.signal, sample: false });
    const dir = path.join(this.dataDir, 'projects', String(m.projectId), 'media', 'fixed');
    const stem = path.parse(m.name).name.replace(/[^\p{L}\p{N}._ -]+/gu, '_').slice(0, 80) || 'media';
    const out = path.join(dir, `${stem}.${p.model}.${ctx.jobId.slice(0, 8)}.${probe.kind === 'image' ? 'jpg' : 'mp4'}`);
    const result = await runFix({
      tools,
      model: p.model,
      probe,
      fixes: p.fixes,
      out,
      signal: ctx.signal,
      preset: this.preset,
      onProgress: (fraction, stage) => ctx.progress({ fraction: Math.min(0.97, fraction), stage }),
    });
    ctx.progress({ fraction: 0.98, stage: 'importing' });
    const imported = await this.media.importPaths(m.projectId, [out]);
    let mediaId = imported.imported[0]?.id;
    if (mediaId === undefined) {
      const err = imported.failed[0]?.error;
      // The same fix made before gives the same bytes: point at that copy and drop this one.
      const existing = err?.code === 'CONFLICT' ? (err.details?.mediaId as number | undefined) : undefined;
      if (existing === undefined) throw new AppError(err?.code ?? 'INTERNAL', err?.message ?? 'Could not import the fixed file');
      fs.rmSync(out, { force: true });
      mediaId = existing;
    }
    const file = this.media.get(mediaId).path;
    return { mediaId, file: toPosixRelative(this.dataDir, file), fixes: result.fixes, report: result.report };
  }
}
