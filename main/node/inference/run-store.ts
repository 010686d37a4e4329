/** SQLite access for model runs and their per-image results (tables of migration 2). */
import { AppError } from '../../common/app-error';
import type { AppErrorShape } from '../../common/contract/define';
import type { InferenceOutput, InferenceResultItem, ModelManifest, ModelRun, ProviderAttempt, RunStatus } from '../../common/contract/inference';
import type { Db } from '../store/database';
import { nowIso } from '../store/database';

interface RunRow {
  id: number;
  project_id: number;
  frame_set_id: number | null;
  model_id: string;
  model_name: string;
  task: ModelManifest['task'];
  mode: 'all' | 'remaining';
  status: RunStatus;
  job_id: string | null;
  provider: string | null;
  attempts_json: string;
  batch_size: number;
  notices_json: string;
  image_ids_json: string;
  total: number;
  done: number;
  failed: number;
  skipped: number;
  seconds: number;
  error_json: string | null;
  created_at: string;
  updated_at: string;
}

interface ResultRow {
  id: number;
  run_id: number;
  image_id: number;
  ok: number;
  width: number;
  height: number;
  output_json: string | null;
  error_json: string | null;
  ms: number;
  created_at: string;
  file: string;
}

export interface NewResult {
  imageId: number;
  ok: boolean;
  output?: InferenceOutput;
  error?: AppErrorShape;
  width?: number;
  height?: number;
  ms: number;
}

export interface FrameSetCoverage {
  id: number;
  projectId: number;
  projectName: string;
  status: string;
  mediaName: string | null;
  images: number;
  withResults: number;
  createdAt: string;
}

export class RunStore {
  constructor(private readonly db: Db) {}

  /**
   * The images a run covers: a frame set, explicit ids, or the whole project. "remaining" skips those with a
   * successful result from this model (`withResult`) and those a run of this model is processing right now
   * (`inProgress`), so two "process remaining" runs never do the same image twice; a failed result counts as
   * no result.
   */
  selectImages(opts: { projectId: number; frameSetId?: number; imageIds?: number[]; mode: 'all' | 'remaining'; modelId: string }): {
    ids: number[];
    inScope: number;
    withResult: number;
    inProgress: number;
  } {
    const where = ['i.project_id = ?'];
    const args: unknown[] = [opts.projectId];
    if (opts.imageIds?.length) {
      where.push(`i.id IN (SELECT value FROM json_each(?))`);
      args.push(JSON.stringify(opts.imageIds));
    } else if (opts.frameSetId !== undefined) {
      where.push('i.frame_set_id = ?');
      args.push(opts.frameSetId);
    }
    const all = (this.db.prepare(`SELECT i.id FROM images i WHERE ${where.join(' AND ')} ORDER BY i.frame_set_id, i.frame_index, i.id`).all(...args) as { id: number }[]).map((r) => r.id);
    const done = new Set(
      (this.db
        .prepare(`SELECT DISTINCT r.image_id AS id FROM inference_results r JOIN images i ON i.id = r.image_id WHERE r.model_id = ? AND r.ok = 1 AND ${where.join(' AND ')}`)
        .all(opts.modelId, ...args) as { id: number }[]).map((r) => r.id),
    );
    const active = (this.db.prepare(`SELECT id FROM model_runs WHERE project_id = ? AND model_id = ? AND status = 'running'`).all(opts.projectId, opts.modelId) as { id: number }[])
      .flatMap((r) => this.pending(r.id))
      .filter((id) => !done.has(id));
    const busy = new Set(active);
    const withResult = all.filter((id) => done.has(id)).length;
    const inProgress = all.filter((id) => busy.has(id)).length;
    if (opts.mode === 'all') return { ids: all, inScope: all.length, withResult, inProgress };
    return { ids: all.filter((id) => !done.has(id) && !busy.has(id)), inScope: all.length, withResult, inProgress };
  }

  /** Frame sets (of one project or all) with their image counts and how many images have a result from any model. */
  frameSets(projectId?: number): FrameSetCoverage[] {
    return this.db
      .prepare(
        `SELECT s.id, s.project_id AS projectId, p.name AS projectName, s.status, m.name AS mediaName,
           (SELECT COUNT(*) FROM images i WHERE i.frame_set_id = s.id) AS images,
           (SELECT COUNT(*) FROM images i WHERE i.frame_set_id = s.id AND i.has_result = 1) AS withResults,
           s.created_at AS createdAt
         FROM frame_sets s JOIN projects p ON p.id = s.project_id LEFT JOIN media_sources m ON m.id = s.media_id
         WHERE ? IS NULL OR s.project_id = ? ORDER BY s.project_id, s.id`,
      )
      .all(projectId ?? null, projectId ?? null) as FrameSetCoverage[];
  }

  createRun(r: { projectId: number; frameSetId: number | null; model: ModelManifest; mode: 'all' | 'remaining'; batchSize: number; imageIds: number[]; skipped: number }): number {
    const now = nowIso();
    const info = this.db
      .prepare(
        `INSERT INTO model_runs (project_id, frame_set_id, model_id, model_name, task, mode, status, batch_size, image_ids_json, total, skipped, created_at, updated_at)
         VALUES (?,?,?,?,?,?,'running',?,?,?,?,?,?)`,
      )
      .run(r.projectId, r.frameSetId, r.model.id, r.model.name, r.model.task, r.mode, r.batchSize, JSON.stringify(r.imageIds), r.imageIds.length, r.skipped, now, now);
    return Number(info.lastInsertRowid);
  }

  setJob(runId: number, jobId: string): void {
    this.db.prepare(`UPDATE model_runs SET job_id = ?, updated_at = ? WHERE id = ?`).run(jobId, nowIso(), runId);
  }

  /** The run's images that still need a (successful) result — what a resume has left to do. */
  pending(runId: number): number[] {
    const row = this.row(runId);
    const ids = JSON.parse(row.image_ids_json) as number[];
    const ok = new Set((this.db.prepare(`SELECT image_id FROM inference_results WHERE run_id = ? AND ok = 1`).all(runId) as { image_id: number }[]).map((r) => r.image_id));
    const existing = new Set(
      (this.db.prepare(`SELECT id FROM images WHERE id IN (SELECT value FROM json_each(?))`).all(row.image_ids_json) as { id: number }[]).map((r) => r.id),
    );
    return ids.filter((id) => !ok.has(id) && existing.has(id));
  }

  /**
   * The run's pending images that another run of the same model has given a successful result since:
   * what a resume must not do again. For a "remaining" run any such result counts; an "all" run still
   * redoes images whose result is older than the run itself (that is what "all" asked for).
   */
  doneElsewhere(runId: number): number[] {
    const row = this.row(runId);
    const since = row.mode === 'remaining' ? '' : row.created_at;
    const done = new Set(
      (this.db
        .prepare(`SELECT DISTINCT image_id FROM inference_results WHERE model_id = ? AND ok = 1 AND run_id != ? AND created_at >= ?`)
        .all(row.model_id, runId, since) as { image_id: number }[]).map((r) => r.image_id),
    );
    return this.pending(runId).filter((id) => done.has(id));
  }

  /** Takes images a run has not done out of it: they count as skipped, and a failed try of theirs is dropped. */
  skipImages(runId: number, imageIds: number[]): void {
    if (imageIds.length === 0) return;
    const drop = new Set(imageIds);
    this.db.transaction(() => {
      const row = this.row(runId);
      const ids = (JSON.parse(row.image_ids_json) as number[]).filter((id) => !drop.has(id));
      const removed = row.total - ids.length;
      this.db.prepare(`DELETE FROM inference_results WHERE run_id = ? AND ok = 0 AND image_id IN (SELECT value FROM json_each(?))`).run(runId, JSON.stringify(imageIds));
      this.db
        .prepare(`UPDATE model_runs SET image_ids_json = ?, total = ?, skipped = skipped + ?, updated_at = ? WHERE id = ?`)
        .run(JSON.stringify(ids), ids.length, removed, nowIso(), runId);
      this.refreshCounts(runId);
    })();
  }

  /** Stores one batch of results in one transaction and marks the images as having a result. */
  saveResults(runId: number, modelId: string, results: NewResult[]): void {
    const now = nowIso();
    const put = this.db.prepare(
      `INSERT INTO inference_results (run_id, image_id, model_id, ok, width, height, output_json, error_json, ms, created_at)
       VALUES (?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(run_id, image_id) DO UPDATE SET ok=excluded.ok, width=excluded.width, height=excluded.height,
         output_json=excluded.output_json, error_json=excluded.error_json, ms=excluded.ms, created_at=excluded.created_at`,
    );
    const mark = this.db.prepare(`UPDATE images SET has_result = 1, updated_at = ? WHERE id = ?`);
    this.db.transaction(() => {
      for (const r of results) {
        // The image may have been deleted while the batch ran.
        if (!this.db.prepare(`SELECT 1 FROM images WHERE id = ?`).get(r.imageId)) continue;
        put.run(runId, r.imageId, modelId, r.ok ? 1 : 0, r.width ?? 0, r.height ?? 0, r.output ? JSON.stringify(r.output) : null, r.error ? JSON.stringify(r.error) : null, r.ms, now);
        if (r.ok) mark.run(now, r.imageId);
      }
      this.refreshCounts(runId);
    })();
  }

  private refreshCounts(runId: number): void {
    this.db
      .prepare(
        `UPDATE model_runs SET
           done = (SELECT COUNT(*) FROM inference_results WHERE run_id = ? AND ok = 1),
           failed = (SELECT COUNT(*) FROM inference_results WHERE run_id = ? AND ok = 0),
           updated_at = ? WHERE id = ?`,
      )
      .run(runId, runId, nowIso(), runId);
  }

  update(runId: number, patch: { status?: RunStatus; provider?: string; attempts?: ProviderAttempt[]; batchSize?: number; addSeconds?: number; error?: AppErrorShape | null; notice?: string }): void {
    const row = this.row(runId);
    const notices = JSON.parse(row.notices_json) as string[];
    if (patch.notice) notices.push(patch.notice);
    this.db
      .prepare(
        `UPDATE model_runs SET status=?, provider=?, attempts_json=?, batch_size=?, seconds=?, error_json=?, notices_json=?, updated_at=? WHERE id=?`,
      )
      .run(
        patch.status ?? row.status,
        patch.provider ?? row.provider,
        patch.attempts ? JSON.stringify(patch.attempts) : row.attempts_json,
        patch.batchSize ?? row.batch_size,
        row.seconds + (patch.addSeconds ?? 0),
        patch.error === undefined ? row.error_json : patch.error === null ? null : JSON.stringify(patch.error),
        JSON.stringify(notices),
        nowIso(),
        runId,
      );
  }

  get(runId: number): ModelRun {
    return toRun(this.row(runId));
  }

  byJob(jobId: string): ModelRun | null {
    const row = this.db.prepare(`SELECT * FROM model_runs WHERE job_id = ?`).get(jobId) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  list(projectId: number): ModelRun[] {
    return (this.db.prepare(`SELECT * FROM model_runs WHERE project_id = ? ORDER BY id DESC`).all(projectId) as RunRow[]).map(toRun);
  }

  /** Deletes a run and its results; images left with no successful result from any run lose their `has_result` mark. */
  delete(runId: number): boolean {
    return this.db.transaction(() => {
      const images = this.db.prepare(`SELECT image_id FROM inference_results WHERE run_id = ?`).all(runId) as { image_id: number }[];
      const deleted = this.db.prepare(`DELETE FROM model_runs WHERE id = ?`).run(runId).changes > 0;
      this.db
        .prepare(
          `UPDATE images SET has_result = 0, updated_at = ? WHERE id IN (SELECT value FROM json_each(?))
             AND NOT EXISTS (SELECT 1 FROM inference_results r WHERE r.image_id = images.id AND r.ok = 1)`,
        )
        .run(nowIso(), JSON.stringify(images.map((r) => r.image_id)));
      return deleted;
    })();
  }

  results(q: { runId?: number; imageId?: number; offset: number; limit: number }): { total: number; items: InferenceResultItem[] } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.runId !== undefined) {
      where.push('r.run_id = ?');
      args.push(q.runId);
    }
    if (q.imageId !== undefined) {
      where.push('r.image_id = ?');
      args.push(q.imageId);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM inference_results r ${w}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT r.*, i.file FROM inference_results r JOIN images i ON i.id = r.image_id ${w} ORDER BY r.run_id DESC, i.frame_index, r.image_id LIMIT ? OFFSET ?`)
      .all(...args, q.limit, q.offset) as ResultRow[];
    return { total, items: rows.map(toItem) };
  }

  /** Every result of a run, in image order (exports, summaries). */
  *iterate(runId: number): Generator<InferenceResultItem> {
    const stmt = this.db.prepare(`SELECT r.*, i.file FROM inference_results r JOIN images i ON i.id = r.image_id WHERE r.run_id = ? ORDER BY i.frame_index, r.image_id`);
    for (const row of stmt.iterate(runId) as IterableIterator<ResultRow>) yield toItem(row);
  }

  /** Runs left "running" by a process that died. */
  markInterruptedByJob(jobId: string, status: RunStatus): void {
    this.db.prepare(`UPDATE model_runs SET status = ?, updated_at = ? WHERE job_id = ? AND status = 'running'`).run(status, nowIso(), jobId);
  }

  private row(runId: number): RunRow {
    const row = this.db.prepare(`SELECT * FROM model_runs WHERE id = ?`).get(runId) as RunRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No model run ${runId}`);
    return row;
  }
}

function toRun(r: RunRow): ModelRun {
  return {
    id: r.id,
    projectId: r.project_id,
    frameSetId: r.frame_set_id,
    modelId: r.model_id,
    modelName: r.model_name,
    task: r.task,
    mode: r.mode,
    status: r.status,
    jobId: r.job_id,
    provider: r.provider,
    attempts: JSON.parse(r.attempts_json) as ProviderAttempt[],
    batchSize: r.batch_size,
    notices: JSON.parse(r.notices_json) as string[],
    total: r.total,
    done: r.done,
    failed: r.failed,
    skipped: r.skipped,
    seconds: r.seconds,
    error: r.error_json ? (JSON.parse(r.error_json) as AppErrorShape) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toItem(r: ResultRow): InferenceResultItem {
  return {
    id: r.id,
    runId: r.run_id,
    imageId: r.image_id,
    file: r.file,
    width: r.width,
    height: r.height,
    output: r.output_json ? (JSON.parse(r.output_json) as InferenceOutput) : null,
    error: r.error_json ? (JSON.parse(r.error_json) as AppErrorShape) : null,
    ms: r.ms,
    createdAt: r.created_at,
  };
}
