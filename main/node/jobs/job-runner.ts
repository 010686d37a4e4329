/**
 * Long work as persisted jobs: start returns at once with an id, progress is pushed as events
 * (throttled) and saved, cancel aborts, and a job that was running when the app died is marked
 * `interrupted` at the next start and can be resumed by its kind's handler.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import type { Job, JobProgress, JobStatus } from '../../common/contract';
import type { Db } from '../store/database';
import { nowIso } from '../store/database';
import type { EventBus } from '../event-bus';
import { createThrottle } from './throttle';

export interface ProgressUpdate {
  fraction: number;
  stage: string;
  done?: number | null;
  total?: number | null;
  unit?: string | null;
}

export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  /** True when this run continues an interrupted or cancelled one. */
  resuming: boolean;
  progress(update: ProgressUpdate): void;
}

export interface JobKind<P = unknown, R = unknown> {
  run(params: P, ctx: JobContext): Promise<R>;
  /** Called at start-up for jobs that were running when the app stopped (mark domain rows). */
  onInterrupted?(job: Job): void;
  /** Called when a job ends other than completed, to mark domain rows. */
  onSettled?(job: Job): void;
}

interface Row {
  id: string;
  kind: string;
  project_id: number | null;
  status: JobStatus;
  params_json: string;
  progress: number;
  stage: string | null;
  error_json: string | null;
  result_json: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

const PROGRESS_EVENT_MS = 100;
const PROGRESS_SAVE_MS = 1000;

export class JobRunner {
  private readonly kinds = new Map<string, JobKind<any, any>>();
  private readonly running = new Map<string, { abort: AbortController; promise: Promise<void> }>();

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
  ) {}

  /** Registers the handler for a kind of job. */
  register<P, R>(kind: string, handler: JobKind<P, R>): void {
    this.kinds.set(kind, handler);
  }

  /** Marks jobs left running by a previous process as interrupted. Call once after registering kinds. */
  recoverInterrupted(): Job[] {
    const rows = this.db.prepare(`SELECT * FROM jobs WHERE status IN ('running','queued')`).all() as Row[];
    const now = nowIso();
    const mark = this.db.prepare(`UPDATE jobs SET status='interrupted', updated_at=? WHERE id=?`);
    const out: Job[] = [];
    for (const row of rows) {
      mark.run(now, row.id);
      const job = this.get(row.id);
      this.kinds.get(job.kind)?.onInterrupted?.(job);
      out.push(job);
    }
    return out;
  }

  /** Creates a job and starts it; returns the stored job at once. */
  start<P>(kind: string, params: P, projectId: number | null = null, id: string = randomUUID()): Job {
    if (!this.kinds.has(kind)) throw new AppError('INTERNAL', `No handler for job kind ${kind}`);
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO jobs (id, kind, project_id, status, params_json, progress, stage, created_at, updated_at) VALUES (?,?,?,?,?,0,?,?,?)`,
      )
      .run(id, kind, projectId, 'running', JSON.stringify(params ?? null), 'starting', now, now);
    this.launch(id, false);
    return this.get(id);
  }

  /** Starts an interrupted, failed or cancelled job again; its handler decides how much is already done. */
  resume(id: string): Job {
    const job = this.get(id);
    if (job.status === 'running' || job.status === 'queued') throw new AppError('CONFLICT', say('job.already_running', {}));
    if (job.status === 'completed') throw new AppError('CONFLICT', say('job.already_completed', {}));
    this.db.prepare(`UPDATE jobs SET status='running', error_json=NULL, finished_at=NULL, updated_at=? WHERE id=?`).run(nowIso(), id);
    this.launch(id, true);
    return this.get(id);
  }

  /** Cancels a running job; resolves when it has stopped. */
  async cancel(id: string): Promise<Job> {
    const entry = this.running.get(id);
    if (!entry) {
      const job = this.get(id);
      if (job.status === 'interrupted') {
        this.finish(id, 'cancelled', null, null);
        const cancelled = this.get(id);
        this.kinds.get(job.kind)?.onSettled?.(cancelled);
        this.bus.emit('job.updated', cancelled);
        return cancelled;
      }
      return job;
    }
    entry.abort.abort();
    await entry.promise;
    return this.get(id);
  }

  get(id: string): Job {
    const row = this.db.prepare(`SELECT * FROM jobs WHERE id=?`).get(id) as Row | undefined;
    if (!row) throw new AppError('NOT_FOUND', say('job.no_job', { id }));
    return toJob(row);
  }

  list(filter: { projectId?: number; status?: JobStatus[]; limit?: number } = {}): Job[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.projectId !== undefined) {
      where.push('project_id = ?');
      args.push(filter.projectId);
    }
    if (filter.status?.length) {
      where.push(`status IN (${filter.status.map(() => '?').join(',')})`);
      args.push(...filter.status);
    }
    const sql = `SELECT * FROM jobs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 100) as Row[]).map(toJob);
  }

  /** Resolves when every running job has settled (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((r) => r.promise));
  }

  /** Cancels everything (app quit). Jobs left running by a crash are recovered at next start instead. */
  async shutdown(): Promise<void> {
    for (const entry of this.running.values()) entry.abort.abort();
    await this.idle();
  }

  private launch(id: string, resuming: boolean): void {
    const job = this.get(id);
    const kind = this.kinds.get(job.kind);
    if (!kind) throw new AppError('INTERNAL', `No handler for job kind ${job.kind}`);
    const abort = new AbortController();
    const startedAt = Date.now();
    // the last update of a burst still reaches the page when the interval ends (a stalled job shows where it is)
    const events = createThrottle<JobProgress>(PROGRESS_EVENT_MS, (p) => this.bus.emit('job.progress', p));
    let lastSave = 0;
    let startDone: number | null = null;
    const ctx: JobContext = {
      jobId: id,
      signal: abort.signal,
      resuming,
      progress: (u) => {
        const now = Date.now();
        const fraction = Math.min(1, Math.max(0, u.fraction));
        if (now - lastSave >= PROGRESS_SAVE_MS || fraction === 1) {
          lastSave = now;
          this.db.prepare(`UPDATE jobs SET progress=?, stage=?, updated_at=? WHERE id=?`).run(fraction, u.stage, nowIso(), id);
        }
        const elapsed = (now - startedAt) / 1000;
        if (startDone === null && u.done != null) startDone = u.done;
        const doneThisRun = u.done != null && startDone !== null ? u.done - startDone : null;
        const rate = doneThisRun !== null && elapsed > 0.2 ? doneThisRun / elapsed : null;
        const eta = fraction > 0.01 && elapsed > 0.5 ? (elapsed * (1 - fraction)) / fraction : null;
        const payload: JobProgress = {
          jobId: id,
          fraction,
          stage: u.stage,
          rate,
          unit: u.unit ?? null,
          etaSeconds: eta,
          done: u.done ?? null,
          total: u.total ?? null,
        };
        events.push(payload, fraction === 1);
      },
    };
    this.bus.emit('job.updated', job);
    const promise = (async () => {
      try {
        const result = await kind.run(job.params, ctx);
        if (abort.signal.aborted) this.finish(id, 'cancelled', null, null);
        else this.finish(id, 'completed', result ?? null, null);
      } catch (err) {
        const appErr = AppError.from(err);
        if (abort.signal.aborted || appErr.code === 'CANCELLED') this.finish(id, 'cancelled', null, null);
        else this.finish(id, 'failed', null, appErr);
      } finally {
        events.cancel();
        this.running.delete(id);
      }
      const done = this.get(id);
      if (done.status !== 'completed') kind.onSettled?.(done);
      this.bus.emit('job.updated', done);
    })();
    this.running.set(id, { abort, promise });
  }

  private finish(id: string, status: JobStatus, result: unknown, error: AppError | null): void {
    const now = nowIso();
    this.db
      .prepare(
        `UPDATE jobs SET status=?, result_json=?, error_json=?, progress=CASE WHEN ?='completed' THEN 1 ELSE progress END, updated_at=?, finished_at=? WHERE id=?`,
      )
      .run(status, result === null ? null : JSON.stringify(result), error ? JSON.stringify(error.toShape()) : null, status, now, now, id);
  }
}

function toJob(row: Row): Job {
  return {
    id: row.id,
    kind: row.kind,
    projectId: row.project_id,
    status: row.status,
    params: JSON.parse(row.params_json),
    progress: row.progress,
    stage: row.stage,
    error: row.error_json ? JSON.parse(row.error_json) : null,
    result: row.result_json ? JSON.parse(row.result_json) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
