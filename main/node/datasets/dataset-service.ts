/**
 * Datasets built in the studio: a project's frame sets and images labelled by class, split train/val/test, checked
 * (health-check.ts) and packaged (pack.ts) before any upload. Build, check and pack are jobs with progress; rows live
 * in `datasets` / `dataset_items` (migration 8), so the lineage dataset → workflow → model survives restarts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import {
  DATASET_BUILD_JOB,
  DATASET_CHECK_JOB,
  DATASET_PACK_JOB,
  HealthReport,
  type CheckOptions,
  type Dataset,
  type DatasetFormat,
  type DatasetItem,
  type DatasetPackage,
  type DatasetSources,
  type DatasetTask,
  type SplitRatios,
} from '../../common/contract/datasets';
import { toPosixRelative } from '../files/atomic';
import type { JobContext, JobRunner } from '../jobs/job-runner';
import type { Db } from '../store/database';
import { nowIso } from '../store/database';
import { checkDataset, type CheckEntry } from './health-check';
import { inspectImage, type ImageInfo } from './image-info';
import { packDataset, type PackBox, type PackItem } from './pack';
import { splitDataset, type SplitName } from './split';

interface DatasetRow {
  id: number;
  project_id: number | null;
  name: string;
  task: DatasetTask;
  format: string;
  classes_json: string;
  split_json: string;
  report_json: string | null;
  package_file: string | null;
  package_bytes: number | null;
  remote_base_url: string | null;
  remote_id: string | null;
  remote_status: string | null;
  uploaded_at: string | null;
  created_at: string;
  updated_at: string;
}

interface ItemRow {
  id: number;
  dataset_id: number;
  image_id: number | null;
  file: string;
  class_name: string;
  split: SplitName;
  sha256: string | null;
  width: number | null;
  height: number | null;
}

export interface BuildRequest {
  projectId: number;
  name: string;
  task: DatasetTask;
  sources: DatasetSources;
  ratios: SplitRatios;
  seed: number;
  check: CheckOptions;
}

interface BuildJobParams {
  datasetId: number;
  sources: DatasetSources;
  check: CheckOptions;
}

/** Files inspected at once (sharp decodes on its own threads; a few in flight keep them busy). */
const INSPECT_CONCURRENCY = 4;

export class DatasetService {
  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly jobs: JobRunner,
  ) {
    jobs.register<BuildJobParams, Dataset>(DATASET_BUILD_JOB, { run: (p, ctx) => this.runBuild(p, ctx) });
    jobs.register<{ datasetId: number; options: CheckOptions }, HealthReport>(DATASET_CHECK_JOB, { run: (p, ctx) => this.runCheck(p.datasetId, p.options, ctx) });
    jobs.register<{ datasetId: number; force: boolean }, DatasetPackage>(DATASET_PACK_JOB, { run: (p, ctx) => this.runPack(p.datasetId, p.force, ctx) });
  }

  list(projectId?: number): Dataset[] {
    const rows = (projectId === undefined ? this.db.prepare(`SELECT * FROM datasets ORDER BY id DESC`).all() : this.db.prepare(`SELECT * FROM datasets WHERE project_id=? ORDER BY id DESC`).all(projectId)) as DatasetRow[];
    return rows.map((r) => this.toDataset(r));
  }

  get(id: number): Dataset {
    return this.toDataset(this.row(id));
  }

  items(q: { id: number; split?: SplitName; className?: string; offset: number; limit: number }): { total: number; items: DatasetItem[] } {
    this.row(q.id);
    const where = ['dataset_id=?'];
    const args: unknown[] = [q.id];
    if (q.split) {
      where.push('split=?');
      args.push(q.split);
    }
    if (q.className !== undefined) {
      where.push('class_name=?');
      args.push(q.className);
    }
    const sql = where.join(' AND ');
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM dataset_items WHERE ${sql}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM dataset_items WHERE ${sql} ORDER BY id LIMIT ? OFFSET ?`).all(...args, q.limit, q.offset) as ItemRow[];
    return { total, items: rows.map((r) => ({ id: r.id, imageId: r.image_id, file: r.file, className: r.class_name, split: r.split, width: r.width, height: r.height })) };
  }

  /** Creates the dataset row and starts the build job (resolve, inspect, split, check); returns at once. */
  startBuild(req: BuildRequest): { jobId: string; datasetId: number } {
    const project = this.db.prepare(`SELECT id FROM projects WHERE id=?`).get(req.projectId);
    if (!project) throw new AppError('NOT_FOUND', say('dataset.no_project', { id: req.projectId }));
    if (req.sources.frameSets.length === 0 && req.sources.images.length === 0) throw new AppError('INVALID_INPUT', say('dataset.no_sources', {}));
    // Checked before the job starts, so a wrong id is an answer to the call, not a failed job.
    this.resolveSources(req.projectId, req.sources);
    const classes = [...new Set([...req.sources.frameSets.map((f) => f.className), ...req.sources.images.map((i) => i.className)])];
    const format: DatasetFormat = req.task === 'detection' ? 'coco' : 'imagefolder';
    const now = nowIso();
    const info = this.db
      .prepare(`INSERT INTO datasets (project_id, name, task, format, classes_json, split_json, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)`)
      .run(req.projectId, req.name, req.task, format, JSON.stringify(classes), JSON.stringify({ ratios: req.ratios, seed: req.seed }), now, now);
    const datasetId = Number(info.lastInsertRowid);
    const job = this.jobs.start<BuildJobParams>(DATASET_BUILD_JOB, { datasetId, sources: req.sources, check: req.check }, req.projectId);
    return { jobId: job.id, datasetId };
  }

  /** Starts the health check again with new options (the model's input size); the report is stored on the dataset. */
  startCheck(id: number, options: CheckOptions): { jobId: string } {
    const row = this.row(id);
    return { jobId: this.jobs.start(DATASET_CHECK_JOB, { datasetId: id, options }, row.project_id).id };
  }

  /** Starts packaging; refused while the last report has errors (unless forced) or before any check. */
  startPack(id: number, force: boolean): { jobId: string } {
    const d = this.get(id);
    if (!d.report) throw new AppError('CONFLICT', say('dataset.check_first', {}));
    if (!d.report.ok && !force) throw new AppError('CONFLICT', say('dataset.check_errors_upload', { count: d.report.counts.error }), { errors: d.report.counts.error });
    return { jobId: this.jobs.start(DATASET_PACK_JOB, { datasetId: id, force }, d.projectId).id };
  }

  /** Records where the package was uploaded (the platform's dataset id). */
  linkRemote(id: number, remote: { baseUrl: string; datasetId: string; status: string | null }): Dataset {
    this.row(id);
    const now = nowIso();
    this.db.prepare(`UPDATE datasets SET remote_base_url=?, remote_id=?, remote_status=?, uploaded_at=?, updated_at=? WHERE id=?`).run(remote.baseUrl, remote.datasetId, remote.status, now, now, id);
    return this.get(id);
  }

  /** The local dataset uploaded as this platform id, if any (lineage). */
  findByRemote(remoteId: string): Dataset | null {
    const row = this.db.prepare(`SELECT * FROM datasets WHERE remote_id=? ORDER BY id DESC LIMIT 1`).get(remoteId) as DatasetRow | undefined;
    return row ? this.toDataset(row) : null;
  }

  async delete(id: number): Promise<boolean> {
    const row = this.db.prepare(`SELECT * FROM datasets WHERE id=?`).get(id) as DatasetRow | undefined;
    if (!row) return false;
    for (const j of this.jobs.list({ status: ['running', 'queued'], limit: 500 })) {
      if ([DATASET_BUILD_JOB, DATASET_CHECK_JOB, DATASET_PACK_JOB].includes(j.kind) && (j.params as { datasetId?: number })?.datasetId === id) await this.jobs.cancel(j.id);
    }
    this.db.prepare(`DELETE FROM datasets WHERE id=?`).run(id);
    fs.rmSync(this.datasetDir(id), { recursive: true, force: true });
    return true;
  }

  private row(id: number): DatasetRow {
    const row = this.db.prepare(`SELECT * FROM datasets WHERE id=?`).get(id) as DatasetRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', say('dataset.no_dataset', { id }));
    return row;
  }

  private datasetDir(id: number): string {
    return path.join(this.dataDir, 'datasets', String(id));
  }

  private toDataset(r: DatasetRow): Dataset {
    const counts = { train: 0, val: 0, test: 0 };
    for (const c of this.db.prepare(`SELECT split, COUNT(*) AS n FROM dataset_items WHERE dataset_id=? GROUP BY split`).all(r.id) as { split: SplitName; n: number }[]) counts[c.split] = c.n;
    const report = r.report_json ? HealthReport.safeParse(JSON.parse(r.report_json)) : null;
    return {
      id: r.id,
      projectId: r.project_id,
      name: r.name,
      task: r.task,
      format: r.format as DatasetFormat,
      classes: JSON.parse(r.classes_json) as string[],
      split: JSON.parse(r.split_json) as Dataset['split'],
      counts,
      report: report?.success ? report.data : null,
      packageFile: r.package_file,
      packagePath: r.package_file ? path.join(this.dataDir, ...r.package_file.split('/')) : null,
      packageBytes: r.package_bytes,
      remote: r.remote_id && r.remote_base_url ? { baseUrl: r.remote_base_url, datasetId: r.remote_id, status: r.remote_status, uploadedAt: r.uploaded_at ?? r.updated_at } : null,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  /** The images the sources name, each with its class (an image's own assignment wins over its set's). */
  private resolveSources(projectId: number, sources: DatasetSources): { imageId: number; file: string; className: string }[] {
    const out = new Map<number, { imageId: number; file: string; className: string }>();
    for (const fsrc of sources.frameSets) {
      const set = this.db.prepare(`SELECT id, project_id, status FROM frame_sets WHERE id=?`).get(fsrc.frameSetId) as { id: number; project_id: number; status: string } | undefined;
      if (!set) throw new AppError('NOT_FOUND', say('dataset.no_frame_set', { id: fsrc.frameSetId }));
      if (set.project_id !== projectId) throw new AppError('INVALID_INPUT', say('dataset.frame_set_other_project', { id: fsrc.frameSetId }));
      if (set.status !== 'complete') throw new AppError('CONFLICT', say('dataset.frame_set_unfinished', { id: fsrc.frameSetId }));
      for (const img of this.db.prepare(`SELECT id, file FROM images WHERE frame_set_id=? ORDER BY frame_index, id`).all(fsrc.frameSetId) as { id: number; file: string }[]) {
        out.set(img.id, { imageId: img.id, file: img.file, className: fsrc.className });
      }
    }
    for (const isrc of sources.images) {
      const img = this.db.prepare(`SELECT id, project_id, file FROM images WHERE id=?`).get(isrc.imageId) as { id: number; project_id: number; file: string } | undefined;
      if (!img) throw new AppError('NOT_FOUND', say('dataset.no_image', { id: isrc.imageId }));
      if (img.project_id !== projectId) throw new AppError('INVALID_INPUT', say('dataset.image_other_project', { id: isrc.imageId }));
      out.set(img.id, { imageId: img.id, file: img.file, className: isrc.className });
    }
    return [...out.values()];
  }

  private async inspectAll(files: string[], ctx: JobContext, stage: string): Promise<ImageInfo[]> {
    const infos: ImageInfo[] = new Array(files.length);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < files.length) {
        if (ctx.signal.aborted) throw new AppError('CANCELLED', say('error.cancelled', {}));
        const i = next++;
        infos[i] = await inspectImage(path.join(this.dataDir, ...files[i]!.split('/')));
        done++;
        ctx.progress({ fraction: (0.9 * done) / files.length, stage, done, total: files.length, unit: 'images' });
      }
    };
    await Promise.all(Array.from({ length: Math.min(INSPECT_CONCURRENCY, files.length) }, worker));
    return infos;
  }

  private async runBuild(p: BuildJobParams, ctx: JobContext): Promise<Dataset> {
    const row = this.row(p.datasetId);
    const split = JSON.parse(row.split_json) as Dataset['split'];
    const resolved = this.resolveSources(row.project_id!, p.sources);
    if (resolved.length === 0) throw new AppError('INVALID_INPUT', say('dataset.no_pictures', {}));
    ctx.progress({ fraction: 0, stage: 'inspecting', done: 0, total: resolved.length, unit: 'images' });
    const infos = await this.inspectAll(
      resolved.map((r) => r.file),
      ctx,
      'inspecting',
    );
    // Byte-identical files are one group, so a copy can never sit in train with its twin in val.
    const splits = splitDataset(
      resolved.map((r, i) => ({ key: String(r.imageId), className: r.className, group: infos[i]!.sha256 ? `sha:${infos[i]!.sha256}` : undefined })),
      { ratios: split.ratios, seed: split.seed },
    );
    ctx.progress({ fraction: 0.92, stage: 'checking' });
    const insert = this.db.prepare(`INSERT INTO dataset_items (dataset_id, image_id, file, class_name, split, sha256, width, height) VALUES (?,?,?,?,?,?,?,?)`);
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM dataset_items WHERE dataset_id=?`).run(p.datasetId);
      resolved.forEach((r, i) => {
        const info = infos[i]!;
        insert.run(p.datasetId, r.imageId, r.file, r.className, splits.get(String(r.imageId))!, info.sha256, info.ok ? info.width : null, info.ok ? info.height : null);
      });
    })();
    const report = this.checkRows(row, this.itemRows(p.datasetId), infos, p.check);
    this.storeReport(p.datasetId, report);
    ctx.progress({ fraction: 1, stage: 'done' });
    return this.get(p.datasetId);
  }

  private itemRows(datasetId: number): ItemRow[] {
    return this.db.prepare(`SELECT * FROM dataset_items WHERE dataset_id=? ORDER BY id`).all(datasetId) as ItemRow[];
  }

  private checkRows(row: DatasetRow, items: ItemRow[], infos: ImageInfo[], options: CheckOptions): HealthReport {
    const entries: CheckEntry[] = items.map((it, i) => ({ key: String(it.id), file: it.file, className: it.class_name, split: it.split, info: infos[i]! }));
    return checkDataset({ entries, classes: JSON.parse(row.classes_json) as string[], task: row.task, options });
  }

  private storeReport(id: number, report: HealthReport): void {
    this.db.prepare(`UPDATE datasets SET report_json=?, updated_at=? WHERE id=?`).run(JSON.stringify(report), nowIso(), id);
  }

  private async runCheck(datasetId: number, options: CheckOptions, ctx: JobContext): Promise<HealthReport> {
    const row = this.row(datasetId);
    const items = this.itemRows(datasetId);
    const infos = await this.inspectAll(
      items.map((it) => it.file),
      ctx,
      'inspecting',
    );
    const report = this.checkRows(row, items, infos, options);
    this.storeReport(datasetId, report);
    ctx.progress({ fraction: 1, stage: 'done' });
    return report;
  }

  /** Detection boxes: the newest stored detection result of each image (confidence ≥ 0.5), labelled as the model labelled them. */
  private boxesOf(imageId: number | null): PackBox[] {
    if (imageId === null) return [];
    const row = this.db.prepare(`SELECT output_json FROM inference_results WHERE image_id=? AND ok=1 AND output_json LIKE '%"task":"detection"%' ORDER BY id DESC LIMIT 1`).get(imageId) as { output_json: string } | undefined;
    if (!row) return [];
    const out = JSON.parse(row.output_json) as { detections?: { box: { x: number; y: number; width: number; height: number }; score: number; label: string }[] };
    return (out.detections ?? []).filter((d) => d.score >= 0.5).map((d) => ({ className: d.label, bbox: [d.box.x, d.box.y, d.box.width, d.box.height] as [number, number, number, number] }));
  }

  private async runPack(datasetId: number, force: boolean, ctx: JobContext): Promise<DatasetPackage> {
    const row = this.row(datasetId);
    const d = this.toDataset(row);
    const readable = this.itemRows(datasetId).filter((it) => it.width !== null);
    if (!force && d.report && !d.report.ok) throw new AppError('CONFLICT', say('dataset.check_errors', {}));
    let classes = d.classes;
    const items: PackItem[] = readable.map((it) => ({
      abs: path.join(this.dataDir, ...it.file.split('/')),
      className: it.class_name,
      split: it.split,
      name: path.posix.basename(it.file),
      width: it.width,
      height: it.height,
      ...(d.format === 'coco' ? { boxes: this.boxesOf(it.image_id) } : {}),
    }));
    if (d.format === 'coco') classes = [...new Set(items.flatMap((it) => it.boxes!.map((b) => b.className)))];
    const dir = this.datasetDir(datasetId);
    const safe = d.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'dataset';
    const file = path.join(dir, `${safe}-${Date.now()}.zip`);
    const old = row.package_file;
    ctx.progress({ fraction: 0, stage: 'packing', done: 0, total: items.length, unit: 'images' });
    const r = await packDataset(items, file, {
      format: d.format,
      classes,
      name: d.name,
      seed: d.split.seed,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress({ fraction: done / total, stage: 'packing', done, total, unit: 'images' }),
    });
    const rel = toPosixRelative(this.dataDir, file);
    this.db.prepare(`UPDATE datasets SET package_file=?, package_bytes=?, updated_at=? WHERE id=?`).run(rel, r.bytes, nowIso(), datasetId);
    if (old && old !== rel) fs.rmSync(path.join(this.dataDir, ...old.split('/')), { force: true });
    return { datasetId, format: d.format, file: rel, path: file, bytes: r.bytes, entries: r.entries };
  }
}
