/**
 * Frame sets: extraction jobs that write into a `.partial` folder and only become a complete
 * set (folder renamed, image rows inserted, status `complete`) in one step at the very end.
 * Interrupted or cancelled runs keep their finished frames and resume after them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import {
  ExtractParams,
  FRAMES_EXPORT_JOB,
  FrameSetExportJobParams,
  FrameSetReport,
  type ContactSheet,
  type FrameSet,
  type FrameSetExport,
  type FrameSetExportFormat,
  type ImageItem,
  type Job,
  type MediaSource,
} from '../../common/contract';
import { toPosixRelative } from '../files/atomic';
import type { JobContext, JobRunner } from '../jobs/job-runner';
import type { ProjectService } from '../projects/project-service';
import type { Db } from '../store/database';
import { nowIso } from '../store/database';
import { frameTimestamp } from './extract-args';
import { readResult, runExtractionPipeline } from './extract-pipeline';
import { assertExportTargetFree, contactSheet, exportFolder, exportZip, removeStaleExportTemps, type ExportProgress, type SetFrame } from './frame-set-files';
import type { MediaService } from './media-service';
import type { ToolBox } from './tool-box';

export const EXTRACT_JOB = 'frames.extract';

interface ExtractJobParams {
  frameSetId: number;
}

interface SetRow {
  id: number;
  project_id: number;
  media_id: number;
  params_json: string;
  status: FrameSet['status'];
  frame_count: number;
  dir: string;
  job_id: string | null;
  report_json: string | null;
  created_at: string;
  updated_at: string;
}

interface ImageRow {
  id: number;
  project_id: number;
  frame_set_id: number | null;
  kind: 'frame' | 'imported';
  file: string;
  width: number | null;
  height: number | null;
  timestamp_s: number | null;
  frame_index: number | null;
  sharpness: number | null;
  has_result: number;
}

export class FrameService {
  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly tools: ToolBox,
    private readonly jobs: JobRunner,
    private readonly media: MediaService,
    private readonly projects: ProjectService,
  ) {
    jobs.register<ExtractJobParams, { frameCount: number }>(EXTRACT_JOB, {
      run: (params, ctx) => this.runExtraction(params.frameSetId, ctx),
      onInterrupted: (job) => this.markSetFromJob(job, 'interrupted'),
      onSettled: (job) => this.markSetFromJob(job, job.status === 'cancelled' ? 'cancelled' : job.status === 'interrupted' ? 'interrupted' : 'failed'),
    });
    jobs.register<FrameSetExportJobParams, FrameSetExport>(FRAMES_EXPORT_JOB, {
      run: (params, ctx) => this.runExport(FrameSetExportJobParams.parse(params), ctx),
      // A killed process never ran the writers' clean-up: its temporary copy goes now. A resume starts over.
      onInterrupted: (job) => {
        const p = FrameSetExportJobParams.safeParse(job.params);
        if (p.success) removeStaleExportTemps(p.data.path);
      },
    });
  }

  /** Creates a frame set and starts its extraction job; returns at once. */
  async startExtraction(projectId: number, mediaId: number, params: ExtractParams): Promise<{ jobId: string; frameSetId: number }> {
    const media = this.media.get(mediaId);
    if (media.projectId !== projectId) throw new AppError('INVALID_INPUT', 'That media belongs to another project');
    if (media.kind !== 'video') throw new AppError('INVALID_INPUT', 'Frames can only be extracted from a video');
    await this.tools.require();
    const now = nowIso();
    const info = this.db
      .prepare(`INSERT INTO frame_sets (project_id, media_id, params_json, status, dir, created_at, updated_at) VALUES (?,?,?,?,?,?,?)`)
      .run(projectId, mediaId, JSON.stringify(params), 'running', '', now, now);
    const frameSetId = Number(info.lastInsertRowid);
    const dir = ['projects', projectId, 'frames', frameSetId].join('/');
    this.db.prepare(`UPDATE frame_sets SET dir=? WHERE id=?`).run(dir, frameSetId);
    const job = this.jobs.start<ExtractJobParams>(EXTRACT_JOB, { frameSetId }, projectId);
    this.db.prepare(`UPDATE frame_sets SET job_id=? WHERE id=?`).run(job.id, frameSetId);
    this.projects.setStatus(projectId, 'PROCESSING');
    return { jobId: job.id, frameSetId };
  }

  listSets(projectId: number): FrameSet[] {
    return (this.db.prepare(`SELECT * FROM frame_sets WHERE project_id=? ORDER BY id DESC`).all(projectId) as SetRow[]).map(toSet);
  }

  getSet(id: number): FrameSet {
    const row = this.db.prepare(`SELECT * FROM frame_sets WHERE id=?`).get(id) as SetRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `Frame set ${id} does not exist`);
    return toSet(row);
  }

  /** Images of a set (or of the whole project), paged. */
  listImages(q: { projectId: number; frameSetId?: number; offset: number; limit: number }): { total: number; items: ImageItem[] } {
    const where = q.frameSetId !== undefined ? 'project_id=? AND frame_set_id=?' : 'project_id=?';
    const args = q.frameSetId !== undefined ? [q.projectId, q.frameSetId] : [q.projectId];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM images WHERE ${where}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM images WHERE ${where} ORDER BY frame_set_id, frame_index, id LIMIT ? OFFSET ?`)
      .all(...args, q.limit, q.offset) as ImageRow[];
    return { total, items: rows.map(toImage) };
  }

  /** Deletes a set, cancelling its extraction and exports first. */
  async deleteSet(id: number): Promise<boolean> {
    const set = this.getSet(id);
    if (set.jobId && this.jobs.get(set.jobId).status === 'running') await this.jobs.cancel(set.jobId);
    for (const j of this.runningExports(set)) await this.jobs.cancel(j.id);
    this.db.prepare(`DELETE FROM frame_sets WHERE id=?`).run(id);
    const abs = path.join(this.dataDir, ...this.setDir(id, set.projectId).split('/'));
    fs.rmSync(abs, { recursive: true, force: true });
    fs.rmSync(abs + '.partial', { recursive: true, force: true });
    fs.rmSync(abs + '-contact.jpg', { force: true });
    return true;
  }

  /** Deletes frames of a finished set: rows (and their model results) in one transaction, then the files. */
  deleteImages(frameSetId: number, imageIds: number[]): { deleted: number; frameCount: number } {
    this.assertEditable(frameSetId);
    const ids = [...new Set(imageIds)];
    const rows = this.db
      .prepare(`SELECT id, file FROM images WHERE frame_set_id=? AND id IN (SELECT value FROM json_each(?))`)
      .all(frameSetId, JSON.stringify(ids)) as { id: number; file: string }[];
    if (rows.length !== ids.length) throw new AppError('INVALID_INPUT', `${ids.length - rows.length} of those images are not in frame set ${frameSetId}`);
    return this.removeRows(frameSetId, rows);
  }

  /** Keeps only the given frames of a finished set; the others are deleted. */
  keepImages(frameSetId: number, imageIds: number[]): { deleted: number; frameCount: number } {
    this.assertEditable(frameSetId);
    const keep = JSON.stringify([...new Set(imageIds)]);
    const known = (this.db.prepare(`SELECT COUNT(*) AS n FROM images WHERE frame_set_id=? AND id IN (SELECT value FROM json_each(?))`).get(frameSetId, keep) as { n: number }).n;
    if (known !== new Set(imageIds).size) throw new AppError('INVALID_INPUT', `Some of those images are not in frame set ${frameSetId}`);
    const rows = this.db
      .prepare(`SELECT id, file FROM images WHERE frame_set_id=? AND id NOT IN (SELECT value FROM json_each(?))`)
      .all(frameSetId, keep) as { id: number; file: string }[];
    return this.removeRows(frameSetId, rows);
  }

  /**
   * Checks an export and starts it as a job; returns at once. Refusals (unfinished set, relative or taken
   * destination) come here, before any job exists. The target is fixed now, so a resume writes the same one.
   */
  startExport(frameSetId: number, opts: { format?: FrameSetExportFormat; dest?: string } = {}): { jobId: string } {
    const { set, format, target } = this.exportTarget(frameSetId, opts);
    assertExportTargetFree(format, target);
    const job = this.jobs.start<FrameSetExportJobParams>(FRAMES_EXPORT_JOB, { frameSetId, format, path: target }, set.projectId);
    return { jobId: job.id };
  }

  /**
   * Writes a finished set out with frames.csv: a folder, or one zip (frames stored). Default destination:
   * <data>/exports/project-<p>-set-<s>-<time>[.zip]; `dest` is the folder or the .zip file, an absolute path.
   */
  async exportSet(frameSetId: number, opts: { format?: FrameSetExportFormat; dest?: string } = {}, signal?: AbortSignal, onProgress?: ExportProgress): Promise<FrameSetExport> {
    const { format, target } = this.exportTarget(frameSetId, opts);
    const frames = this.setFrames(frameSetId);
    const r = format === 'zip' ? await exportZip(frames, target, signal, onProgress) : await exportFolder(frames, target, signal, onProgress);
    const rel = path.relative(this.dataDir, target);
    const inside = !rel.startsWith('..') && !path.isAbsolute(rel);
    return { format, path: target, relative: inside ? toPosixRelative(this.dataDir, target) : null, files: r.files, bytes: r.bytes, manifest: 'frames.csv' };
  }

  private exportTarget(frameSetId: number, opts: { format?: FrameSetExportFormat; dest?: string }): { set: FrameSet; format: FrameSetExportFormat; target: string } {
    const format = opts.format ?? 'folder';
    const set = this.getSet(frameSetId);
    if (set.status !== 'complete') throw new AppError('CONFLICT', say('frames.export_unfinished', {}));
    if (opts.dest !== undefined && !path.isAbsolute(opts.dest)) throw new AppError('INVALID_INPUT', `The export ${format === 'zip' ? 'file' : 'folder'} must be an absolute path`);
    if (format === 'zip' && opts.dest !== undefined && path.extname(opts.dest).toLowerCase() !== '.zip') throw new AppError('INVALID_INPUT', 'The export file must end in .zip');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const name = `project-${set.projectId}-set-${set.id}-${stamp}${format === 'zip' ? '.zip' : ''}`;
    return { set, format, target: opts.dest ? path.resolve(opts.dest) : path.join(this.dataDir, 'exports', name) };
  }

  private async runExport(p: FrameSetExportJobParams, ctx: JobContext): Promise<FrameSetExport> {
    const report: ExportProgress = (done, total) => ctx.progress({ fraction: total > 0 ? done / total : 1, stage: 'export', done, total, unit: 'frames' });
    // Zero done first, so the runner's rate counts every frame of this run.
    report(0, this.getSet(p.frameSetId).frameCount);
    return this.exportSet(p.frameSetId, { format: p.format, dest: p.path }, ctx.signal, report);
  }

  /** Export jobs of this set that are still running. */
  private runningExports(set: FrameSet): Job[] {
    return this.jobs
      .list({ projectId: set.projectId, status: ['running', 'queued'], limit: 500 })
      .filter((j) => j.kind === FRAMES_EXPORT_JOB && FrameSetExportJobParams.safeParse(j.params).data?.frameSetId === set.id);
  }

  /** (Re)makes the set's contact sheet beside its folder. */
  async contactSheet(frameSetId: number, opts: { columns: number; thumbWidth: number; maxFrames: number }): Promise<ContactSheet> {
    const set = this.getSet(frameSetId);
    if (set.status !== 'complete') throw new AppError('CONFLICT', say('frames.unfinished', {}));
    const out = path.join(this.dataDir, ...this.setDir(set.id, set.projectId).split('/')) + '-contact.jpg';
    const r = await contactSheet(this.setFrames(frameSetId), out, opts);
    return { file: toPosixRelative(this.dataDir, out), ...r };
  }

  private setFrames(frameSetId: number): SetFrame[] {
    return (this.db.prepare(`SELECT * FROM images WHERE frame_set_id=? ORDER BY frame_index, id`).all(frameSetId) as ImageRow[]).map((r) => ({
      abs: path.join(this.dataDir, ...r.file.split('/')),
      frameIndex: r.frame_index,
      timestampSeconds: r.timestamp_s,
      width: r.width,
      height: r.height,
      sharpness: r.sharpness,
    }));
  }

  private assertEditable(frameSetId: number): void {
    const set = this.getSet(frameSetId);
    if (set.status !== 'complete') throw new AppError('CONFLICT', say('frames.delete_unfinished', {}));
    // An export copies the frames one by one: deleting one under it would fail the export half-way.
    if (this.runningExports(set).length > 0) throw new AppError('CONFLICT', say('frames.exporting', {}));
  }

  private removeRows(frameSetId: number, rows: { id: number; file: string }[]): { deleted: number; frameCount: number } {
    const del = this.db.prepare(`DELETE FROM images WHERE id=?`);
    let frameCount = 0;
    this.db.transaction(() => {
      for (const r of rows) del.run(r.id);
      frameCount = (this.db.prepare(`SELECT COUNT(*) AS n FROM images WHERE frame_set_id=?`).get(frameSetId) as { n: number }).n;
      this.db.prepare(`UPDATE frame_sets SET frame_count=?, updated_at=? WHERE id=?`).run(frameCount, nowIso(), frameSetId);
    })();
    // Files go after the rows: a crash in between leaves a stray file, never a row without its file.
    for (const r of rows) fs.rmSync(path.join(this.dataDir, ...r.file.split('/')), { force: true });
    return { deleted: rows.length, frameCount };
  }

  /** Cancels the running jobs of a project (before deleting it). */
  async cancelProjectJobs(projectId: number): Promise<void> {
    for (const j of this.jobs.list({ projectId, status: ['running', 'queued'] })) await this.jobs.cancel(j.id);
  }

  private setDir(id: number, projectId: number): string {
    return ['projects', projectId, 'frames', id].join('/');
  }

  private markSetFromJob(job: Job, status: FrameSet['status']): void {
    const p = job.params as Partial<ExtractJobParams> | null;
    if (!p?.frameSetId) return;
    this.db.prepare(`UPDATE frame_sets SET status=?, updated_at=? WHERE id=? AND status!='complete'`).run(status, nowIso(), p.frameSetId);
  }

  private async runExtraction(frameSetId: number, ctx: JobContext): Promise<{ frameCount: number }> {
    const set = this.getSet(frameSetId);
    const media = this.media.get(set.mediaId);
    const finalDir = path.join(this.dataDir, ...this.setDir(set.id, set.projectId).split('/'));
    const partialDir = finalDir + '.partial';
    this.db.prepare(`UPDATE frame_sets SET status='running', updated_at=? WHERE id=?`).run(nowIso(), set.id);

    // A previous run may have renamed the folder and died before the database step.
    if (!fs.existsSync(finalDir)) {
      if (!fs.existsSync(media.path)) throw new AppError('NOT_FOUND', say('frames.source_gone', { path: media.path }));
      try {
        fs.mkdirSync(partialDir, { recursive: true });
      } catch (err) {
        throw AppError.from(err);
      }
      await runExtractionPipeline({
        tools: await this.tools.require(),
        input: media.path,
        probe: media.probe,
        params: set.params,
        workDir: partialDir,
        resuming: ctx.resuming,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress({ fraction: p.fraction, stage: p.stage, done: p.done, total: p.total, unit: 'frames' }),
      });
      if (ctx.signal.aborted) throw new AppError('CANCELLED', 'Cancelled');
      ctx.progress({ fraction: 0.99, stage: 'saving' });
      fs.renameSync(partialDir, finalDir);
    }
    const frameCount = this.commitFrames(set, media, finalDir);
    ctx.progress({ fraction: 1, stage: 'done', done: frameCount, total: frameCount, unit: 'frames' });
    this.projects.setStatus(set.projectId, 'COMPLETED');
    return { frameCount };
  }

  /** Inserts the image rows and marks the set complete, in one transaction. */
  private commitFrames(set: FrameSet, media: MediaSource, dir: string): number {
    const { frames, report } = readResult(dir, set.params.format);
    if (frames.length === 0) throw new AppError('MEDIA_UNREADABLE', say('extract.no_frames', {}));
    const now = nowIso();
    const { displayWidth, displayHeight } = media.probe.video;
    const insert = this.db.prepare(
      `INSERT INTO images (project_id, frame_set_id, media_id, kind, file, width, height, timestamp_s, frame_index, sharpness, created_at, updated_at)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM images WHERE frame_set_id=?`).run(set.id);
      for (const f of frames) {
        insert.run(
          set.projectId,
          set.id,
          media.id,
          'frame',
          toPosixRelative(this.dataDir, path.join(dir, f.file)),
          f.width ?? displayWidth,
          f.height ?? displayHeight,
          // Folders from before per-frame times were recorded fall back to the nominal fps tick.
          f.timestampSeconds ?? frameTimestamp(set.params, f.n),
          f.n,
          f.sharpness,
          now,
          now,
        );
      }
      this.db
        .prepare(`UPDATE frame_sets SET status='complete', frame_count=?, report_json=?, updated_at=? WHERE id=?`)
        .run(frames.length, JSON.stringify(report), now, set.id);
    })();
    return frames.length;
  }
}

function toSet(r: SetRow): FrameSet {
  return {
    id: r.id,
    projectId: r.project_id,
    mediaId: r.media_id,
    // Parsing applies defaults to params saved by older versions.
    params: ExtractParams.parse(JSON.parse(r.params_json)),
    status: r.status,
    frameCount: r.frame_count,
    jobId: r.job_id,
    report: r.report_json ? FrameSetReport.parse(JSON.parse(r.report_json)) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toImage(r: ImageRow): ImageItem {
  return {
    id: r.id,
    projectId: r.project_id,
    frameSetId: r.frame_set_id,
    kind: r.kind,
    file: r.file,
    width: r.width,
    height: r.height,
    timestampSeconds: r.timestamp_s,
    frameIndex: r.frame_index,
    sharpness: r.sharpness,
    hasResult: r.has_result === 1,
  };
}
