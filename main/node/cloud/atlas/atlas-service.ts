/**
 * 3D generation jobs on Atlas (seed 000 §3–§4): pre-flight, then one persisted job per submission — upload
 * (progress; a cut connection restarts the upload cleanly; Atlas unreachable → queued in the outbox and sent
 * when it is back), follow `detail` with back-off until OK or NG, then download every format the model offers
 * (Range resume, format check, temporary name then rename) into `projects/<id>/cloud/<job id>/`. The row in
 * `cloud_jobs` (migration 5) is the job's domain state; its JobRunner job (same id) carries the generic status.
 * A restart, or a sign-in after the session expired, picks up every job that was not finished.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../common/app-error';
import { say } from '../../../common/messages';
import {
  ATLAS_FORMATS,
  ATLAS_MODEL_IDS,
  type AppErrorShape,
  type AtlasStatus,
  type CloudItemDetail,
  type CloudItemFileType,
  type CloudItemPage,
  type CloudJob,
  type CloudJobFields,
  type CloudJobState,
  type CloudModel,
  type CloudResult,
  type CloudResultKind,
  type CloudUploadProgress,
} from '../../../common/contract';
import type { EventBus } from '../../event-bus';
import { toPosixRelative } from '../../files/atomic';
import { safeRelativePath } from '../../files/safe-path';
import type { JobContext, JobRunner } from '../../jobs/job-runner';
import type { MediaService } from '../../media/media-service';
import type { PreflightService } from '../../media/preflight-service';
import type { Db } from '../../store/database';
import { nowIso } from '../../store/database';
import { cancelledError, type CloudErrorDetails } from '../errors';
import type { FileKind } from '../format-check';
import type { HttpClient } from '../http-client';
import type { AtlasSession } from './session';
import { AtlasItemsApi } from './items-api';
import { modelFrom } from './schemas';
import { listTarGz } from './tar-list';
import { createThrottle, type Throttle } from '../../jobs/throttle';

export const ATLAS_JOB = 'cloud.atlas';
export const OUTBOX_KIND = 'atlas.submit';

/** The outbox as this service uses it (main/node/cloud/outbox.ts). */
export interface AtlasOutbox {
  enqueue(x: { service: string; kind: string; payload: unknown; ref?: string }): Promise<{ id: string }> | { id: string };
  register(kind: string, sender: (payload: unknown) => Promise<unknown>): void;
  flush(): Promise<unknown>;
  cancel(id: string): Promise<unknown> | unknown;
}

export interface AtlasServiceDeps {
  db: Db;
  dataDir: string;
  jobs: JobRunner;
  bus: EventBus;
  media: MediaService;
  preflight: PreflightService;
  session: AtlasSession;
  /** An HTTP client for the current Atlas address (INVALID_INPUT when none is set). */
  client: () => HttpClient;
  /** Whether Atlas answers now. */
  reachable: () => Promise<boolean>;
  outbox?: AtlasOutbox;
  /** Follow back-off: first wait and longest wait (ms). Defaults 2 s and 30 s. */
  pollMs?: { first: number; max: number };
  /** Wait between reachability checks while queued (ms). Default 5 s. */
  queuedCheckMs?: number;
  /** Upload attempts when the connection is cut mid-upload. Default 3. */
  uploadAttempts?: number;
}

interface Row {
  id: string;
  project_id: number;
  service: string;
  model: CloudModel;
  media_id: number;
  image_media_id: number | null;
  fields_json: string;
  state: CloudJobState;
  note: string | null;
  upload_json: string | null;
  download_json: string | null;
  request_id: string | null;
  cloud_status: AtlasStatus | null;
  results_json: string;
  error_json: string | null;
  outbox_id: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

function toJob(r: Row): CloudJob {
  return {
    id: r.id,
    projectId: r.project_id,
    service: 'atlas',
    model: r.model,
    mediaId: r.media_id,
    imageMediaId: r.image_media_id,
    fields: JSON.parse(r.fields_json) as CloudJobFields,
    state: r.state,
    note: r.note,
    upload: r.upload_json ? (JSON.parse(r.upload_json) as CloudUploadProgress) : null,
    download: r.download_json ? (JSON.parse(r.download_json) as CloudJob['download']) : null,
    requestId: r.request_id,
    cloudStatus: r.cloud_status,
    results: JSON.parse(r.results_json) as CloudResult[],
    error: r.error_json ? (JSON.parse(r.error_json) as AppErrorShape) : null,
    outboxId: r.outbox_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

const FILE_KIND: Record<CloudResultKind, FileKind | undefined> = { ply: 'ply', glb: 'glb', obj: 'obj', gif: 'gif', 'tar.gz': 'gzip', other: undefined };
const SNIFFED: Record<string, CloudResultKind> = { ply: 'ply', glb: 'glb', obj: 'obj', gif: 'gif', gzip: 'tar.gz' };

const status = (err: unknown) => (err instanceof AppError ? (err.details as CloudErrorDetails | undefined)?.status : undefined);
const networkReason = (err: unknown) => (err instanceof AppError && err.code === 'NETWORK' ? (err.details as CloudErrorDetails | undefined)?.reason : undefined);

/** A name for files on disk from the item name: letters, digits, `._ -`, at most 80 characters. */
export function fileStem(itemName: string): string {
  return itemName.replace(/[^\p{L}\p{N}._ -]+/gu, '_').replace(/^[. ]+|[. ]+$/g, '').slice(0, 80) || 'item';
}

export class AtlasService {
  private readonly waiting = new Map<string, () => void>();
  private closed = false;

  constructor(private readonly d: AtlasServiceDeps) {
    d.jobs.register<{ cloudJobId: string }, { state: CloudJobState }>(ATLAS_JOB, {
      run: (p, ctx) => this.run(p.cloudJobId, ctx),
      onInterrupted: () => undefined,
    });
    d.outbox?.register(OUTBOX_KIND, (payload) => this.sendQueued(payload));
  }

  private api(): AtlasItemsApi {
    return new AtlasItemsApi(this.d.client());
  }

  // ---- rows ---------------------------------------------------------------------------------------------

  private row(id: string): Row {
    const r = this.d.db.prepare(`SELECT * FROM cloud_jobs WHERE id = ?`).get(id) as Row | undefined;
    if (!r) throw new AppError('NOT_FOUND', say('atlas.no_job', { id }));
    return r;
  }

  get(id: string): CloudJob {
    return toJob(this.row(id));
  }

  list(filter: { projectId?: number } = {}): CloudJob[] {
    const rows =
      filter.projectId !== undefined
        ? (this.d.db.prepare(`SELECT * FROM cloud_jobs WHERE project_id = ? ORDER BY created_at DESC, rowid DESC`).all(filter.projectId) as Row[])
        : (this.d.db.prepare(`SELECT * FROM cloud_jobs ORDER BY created_at DESC, rowid DESC`).all() as Row[]);
    return rows.map(toJob);
  }

  /** cloud.jobUpdated per job, at most every 100 ms for progress, the last value always delivered. */
  private readonly emitters = new Map<string, Throttle<CloudJob>>();

  private update(id: string, patch: Partial<Omit<Row, 'id'>>, opts: { throttle?: boolean } = {}): CloudJob {
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    const now = nowIso();
    if (keys.length) {
      const sets = keys.map((k) => `${k} = @${k}`).join(', ');
      this.d.db.prepare(`UPDATE cloud_jobs SET ${sets}, updated_at = @updated_at WHERE id = @id`).run({ ...patch, updated_at: now, id });
    }
    const job = this.get(id);
    let emitter = this.emitters.get(id);
    if (!emitter) {
      emitter = createThrottle<CloudJob>(100, (j) => this.d.bus.emit('cloud.jobUpdated', j));
      this.emitters.set(id, emitter);
    }
    emitter.push(job, !opts.throttle);
    return job;
  }

  // ---- submit -------------------------------------------------------------------------------------------

  /** Pre-flight, then a persisted job that uploads, follows and downloads. Refused inputs carry the report in details. */
  async submit(req: {
    projectId: number;
    model: CloudModel;
    mediaId: number;
    imageMediaId?: number;
    itemName?: string;
    epoch?: number;
    resize?: boolean;
    deviceType?: 'android';
  }): Promise<CloudJob> {
    const media = this.d.media.get(req.mediaId);
    if (media.projectId !== req.projectId) throw new AppError('INVALID_INPUT', say('atlas.media_other_project', {}));
    if (req.model === 'musepose' && req.imageMediaId === undefined) throw new AppError('INVALID_INPUT', say('atlas.musepose_needs_image', {}));
    if (req.model !== 'musepose' && req.imageMediaId !== undefined) throw new AppError('INVALID_INPUT', say('atlas.one_input', { model: req.model }));
    if (req.imageMediaId !== undefined && this.d.media.get(req.imageMediaId).projectId !== req.projectId) throw new AppError('INVALID_INPUT', say('atlas.image_other_project', {}));
    this.d.client(); // an address must be set before anything is queued
    await this.d.session.requireSignedIn();
    const report = await this.d.preflight.preflight({ mediaId: req.mediaId, model: req.model, imageMediaId: req.imageMediaId });
    if (!report.ok) {
      const errors = report.problems.filter((p) => p.severity === 'error');
      const problems = errors.map((p) => p.message).join(' ');
      throw new AppError('INVALID_INPUT', report.fixes.length ? say('atlas.preflight_refused_fix', { problems }) : say('atlas.preflight_refused', { problems }), {
        preflight: report,
        problems: errors,
        fixes: report.fixes,
      });
    }
    const id = randomUUID();
    const fields: CloudJobFields = {
      itemName: req.itemName ?? path.parse(media.name).name.slice(0, 200),
      epoch: req.model === 'decal' ? null : (req.epoch ?? 10),
      resize: req.model === 'nerf2mesh' ? (req.resize ?? false) : null,
      deviceType: req.model === 'decal' ? (req.deviceType ?? 'android') : null,
    };
    const now = nowIso();
    this.d.db
      .prepare(
        `INSERT INTO cloud_jobs (id, project_id, service, model, media_id, image_media_id, fields_json, state, results_json, created_at, updated_at)
         VALUES (?, ?, 'atlas', ?, ?, ?, ?, 'uploading', '[]', ?, ?)`,
      )
      .run(id, req.projectId, req.model, req.mediaId, req.imageMediaId ?? null, JSON.stringify(fields), now, now);
    this.d.jobs.start(ATLAS_JOB, { cloudJobId: id }, req.projectId, id);
    return this.get(id);
  }

  /** Retry a failed, cancelled or queued job from where it stopped. */
  retry(id: string): CloudJob {
    const job = this.get(id);
    if (job.state === 'done') throw new AppError('CONFLICT', say('atlas.retry_done', {}));
    const wake = this.waiting.get(id);
    if (wake) {
      wake();
      return this.get(id);
    }
    const runner = this.d.jobs.get(id);
    if (runner.status === 'running' || runner.status === 'queued') return job;
    // Atlas failed the item (NG) or no longer has it: a retry submits the input again as a new item.
    const again = job.cloudStatus === 'NG' || (job.error?.code === 'NOT_FOUND' && job.requestId !== null && job.cloudStatus !== 'OK');
    if (again) this.update(id, { request_id: null, cloud_status: null, upload_json: null });
    const requestId = again ? null : job.requestId;
    this.update(id, { state: requestId ? (job.cloudStatus === 'OK' ? 'downloading' : 'processing') : 'uploading', error_json: null, note: null, finished_at: null });
    this.d.jobs.resume(id);
    return this.get(id);
  }

  /** Stops a job here; an item already created in the cloud stays (My items can delete it). */
  async cancel(id: string): Promise<CloudJob> {
    const job = this.get(id);
    if (job.state === 'done' || job.state === 'cancelled') return job;
    this.update(id, { state: 'cancelled', note: null, finished_at: nowIso() });
    if (job.outboxId) await Promise.resolve(this.d.outbox?.cancel(job.outboxId)).catch(() => undefined);
    this.waiting.get(id)?.();
    await this.d.jobs.cancel(id);
    return this.update(id, { outbox_id: null });
  }

  /** Stops every unfinished job of a project (before the project is deleted; its cloud items stay in My items). */
  async cancelProjectJobs(projectId: number): Promise<void> {
    const rows = this.d.db.prepare(`SELECT id FROM cloud_jobs WHERE project_id = ? AND state NOT IN ('done','failed','cancelled')`).all(projectId) as { id: string }[];
    for (const r of rows) await this.cancel(r.id);
  }

  /**
   * Start-up (and after a sign-in): every job that is not finished and not running is picked up again —
   * uploads restart, jobs with a requestId are followed, downloads resume.
   */
  reattach(opts: { afterSignIn?: boolean } = {}): string[] {
    const rows = this.d.db.prepare(`SELECT * FROM cloud_jobs WHERE state IN ('queued','uploading','processing','downloading','failed')`).all() as Row[];
    const resumed: string[] = [];
    for (const r of rows) {
      if (r.state === 'failed') {
        // Only jobs stopped by an ended session come back by themselves, and only after a sign-in.
        const err = r.error_json ? (JSON.parse(r.error_json) as AppErrorShape) : null;
        if (!opts.afterSignIn || err?.code !== 'UNAUTHORIZED') continue;
      }
      let runner;
      try {
        runner = this.d.jobs.get(r.id);
      } catch {
        continue;
      }
      if (runner.status === 'running' || runner.status === 'queued' || runner.status === 'completed') continue;
      if (r.state === 'failed') this.update(r.id, { state: r.request_id ? 'processing' : 'uploading', error_json: null, note: null, finished_at: null });
      this.d.jobs.resume(r.id);
      resumed.push(r.id);
    }
    return resumed;
  }

  /** Stops waiting loops (the runner's shutdown aborts the jobs themselves). */
  close(): void {
    this.closed = true;
    for (const wake of this.waiting.values()) wake();
  }

  // ---- the job ------------------------------------------------------------------------------------------

  private async run(id: string, ctx: JobContext): Promise<{ state: CloudJobState }> {
    try {
      let job = this.get(id);
      if (job.state === 'cancelled' || job.state === 'done') return { state: job.state };
      if (!job.requestId) job = await this.uploadPhase(id, ctx);
      if (job.cloudStatus !== 'OK') job = await this.followPhase(id, ctx);
      job = await this.downloadPhase(id, ctx);
      return { state: job.state };
    } catch (err) {
      const e = AppError.from(err);
      if (ctx.signal.aborted || e.code === 'CANCELLED') throw e;
      const job = this.get(id);
      if (job.state !== 'cancelled') {
        this.update(id, {
          state: 'failed',
          error_json: JSON.stringify(e.toShape()),
          note: e.code === 'UNAUTHORIZED' ? 'Sign in again; the job continues by itself after the sign-in.' : null,
          upload_json: job.state === 'uploading' ? null : (this.row(id).upload_json ?? null),
          finished_at: nowIso(),
        });
      }
      throw e;
    }
  }

  private inputs(job: CloudJob): { video: string | null; image: string | null } {
    const main = this.d.media.get(job.mediaId);
    const image = job.imageMediaId !== null ? this.d.media.get(job.imageMediaId) : null;
    if (job.model === 'instant-mesh') return { video: null, image: main.path };
    return { video: main.path, image: image?.path ?? null };
  }

  private async uploadPhase(id: string, ctx: JobContext): Promise<CloudJob> {
    const attempts = this.d.uploadAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      if (ctx.signal.aborted) throw cancelledError();
      // A queued job (after a restart too) stays queued until Atlas answers.
      if (this.row(id).state === 'queued' && !(await this.d.reachable().catch(() => false))) {
        await this.waitQueued(id, ctx);
        attempt = 0;
        continue;
      }
      let job = this.update(id, { state: 'uploading', error_json: null, upload_json: null, finished_at: null });
      const { video, image } = this.inputs(job);
      try {
        await this.d.session.requireSignedIn();
        const items = this.api();
        // The upload body is a stream and cannot be repeated after a 401, so the token is made fresh first.
        await this.d.session.header();
        ctx.progress({ fraction: 0, stage: 'upload', unit: 'B' });
        const requestId = await items.create(
          this.d.session,
          { model: job.model, video, image, itemName: job.fields.itemName, epoch: job.fields.epoch, resize: job.fields.resize, deviceType: job.fields.deviceType },
          {
            signal: ctx.signal,
            onProgress: (p) => {
              const upload: CloudUploadProgress = { sentBytes: p.sentBytes, totalBytes: p.totalBytes, rateBytesPerSec: p.rateBytesPerSec ?? null, etaSec: p.etaSec ?? null };
              this.update(id, { upload_json: JSON.stringify(upload) }, { throttle: true });
              ctx.progress({ fraction: p.totalBytes > 0 ? p.sentBytes / p.totalBytes : 0, stage: 'upload', done: p.sentBytes, total: p.totalBytes, unit: 'B' });
            },
          },
        );
        const outboxId = this.row(id).outbox_id;
        job = this.update(id, { request_id: requestId, state: 'processing', cloud_status: 'PROGRESS', note: null, outbox_id: null });
        if (outboxId) await Promise.resolve(this.d.outbox?.cancel(outboxId)).catch(() => undefined);
        return job;
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        const reason = networkReason(err);
        if (status(err) === 401) {
          // A 401 on the stream: refresh once, then upload again from the start.
          if (attempt < attempts && (await this.d.session.refresh())) continue;
          throw err;
        }
        if (reason === 'unreachable') {
          await this.waitQueued(id, ctx);
          attempt = 0;
          continue;
        }
        if ((reason === 'dropped' || reason === 'interrupted' || reason === 'timeout') && attempt < attempts) {
          this.update(id, { note: `The connection was cut during the upload; starting the upload again (attempt ${attempt + 1} of ${attempts}).` });
          await sleep(Math.min(5000, 500 * 2 ** (attempt - 1)), ctx.signal);
          continue;
        }
        throw err;
      }
    }
  }

  /** Atlas is unreachable: the submission waits in the outbox; the job goes on when it is sent (or retried). */
  private async waitQueued(id: string, ctx: JobContext): Promise<void> {
    let job = this.get(id);
    if (!job.outboxId && this.d.outbox) {
      const entry = await this.d.outbox.enqueue({ service: 'atlas', kind: OUTBOX_KIND, payload: { cloudJobId: id }, ref: id });
      job = this.update(id, { outbox_id: entry.id });
    }
    this.update(id, { state: 'queued', upload_json: null, note: 'Atlas cannot be reached. The job is queued and will be sent when Atlas is back.' });
    ctx.progress({ fraction: 0, stage: 'queued' });
    const every = this.d.queuedCheckMs ?? 5000;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const done = () => {
        if (timer) clearTimeout(timer);
        this.waiting.delete(id);
        ctx.signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiting.set(id, done);
      ctx.signal.addEventListener('abort', done);
      const check = async () => {
        if (this.closed || ctx.signal.aborted) return done();
        if (await this.d.reachable().catch(() => false)) {
          if (this.d.outbox) await this.d.outbox.flush().catch(() => undefined);
          // The outbox's sender wakes us; if it did not (its own back-off), go on anyway.
          if (this.waiting.has(id)) return done();
          return;
        }
        timer = setTimeout(() => void check(), every);
      };
      timer = setTimeout(() => void check(), Math.min(every, 1000));
    });
    if (ctx.signal.aborted || this.closed) throw cancelledError();
  }

  /** The outbox sends a queued submission: wake its job (or start it again after a restart). */
  private async sendQueued(payload: unknown): Promise<void> {
    const cloudJobId = (payload as { cloudJobId?: unknown } | null)?.cloudJobId;
    if (typeof cloudJobId !== 'string') return;
    let job: CloudJob;
    try {
      job = this.get(cloudJobId);
    } catch {
      return; // the job is gone: nothing to send
    }
    if (job.state !== 'queued') return;
    if (!(await this.d.reachable().catch(() => false))) throw new AppError('NETWORK', say('atlas.unreachable_yet', {}), { service: 'atlas', reason: 'unreachable' });
    this.update(cloudJobId, { outbox_id: null });
    const wake = this.waiting.get(cloudJobId);
    if (wake) return wake();
    const runner = this.d.jobs.get(cloudJobId);
    if (runner.status !== 'running' && runner.status !== 'queued' && runner.status !== 'completed') this.d.jobs.resume(cloudJobId);
  }

  private async followPhase(id: string, ctx: JobContext): Promise<CloudJob> {
    const first = this.d.pollMs?.first ?? 2000;
    const max = this.d.pollMs?.max ?? 30_000;
    let wait = first;
    let job = this.update(id, { state: 'processing', upload_json: this.row(id).upload_json, note: null });
    ctx.progress({ fraction: 0, stage: 'processing' });
    for (;;) {
      if (ctx.signal.aborted) throw cancelledError();
      try {
        const d = await this.api().detail(this.d.session, job.requestId!, ctx.signal);
        if (d.status !== job.cloudStatus || job.note) job = this.update(id, { cloud_status: d.status, note: null });
        if (d.status === 'OK') return this.update(id, { state: 'downloading' });
        if (d.status === 'NG') throw new AppError('REMOTE', say('atlas.failed_ng', {}), { service: 'atlas', requestId: job.requestId, cloudStatus: 'NG' });
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        const e = AppError.from(err);
        if (e.code === 'NETWORK' || (e.code === 'REMOTE' && (status(e) ?? 0) >= 500)) {
          job = this.update(id, { note: 'Atlas cannot be reached right now; still following the job.' });
        } else if (status(e) === 404) {
          throw new AppError('NOT_FOUND', say('atlas.item_gone', { id: job.requestId! }), { service: 'atlas', status: 404, requestId: job.requestId });
        } else throw e;
      }
      await sleep(wait, ctx.signal);
      wait = Math.min(max, Math.round(wait * 1.5));
    }
  }

  private async downloadPhase(id: string, ctx: JobContext): Promise<CloudJob> {
    let job = this.get(id);
    const dir = path.join(this.d.dataDir, 'projects', String(job.projectId), 'cloud', id);
    await fs.promises.mkdir(dir, { recursive: true });
    const stem = fileStem(job.fields.itemName);
    const formats = ATLAS_FORMATS[job.model];
    let firstError: AppError | null = null;
    for (const f of formats) {
      if (job.results.some((r) => r.code === f.code)) continue;
      if (ctx.signal.aborted) throw cancelledError();
      job = this.update(id, { state: 'downloading', download_json: JSON.stringify({ code: f.code, sentBytes: 0, totalBytes: null }) });
      const sendCode = job.model !== 'musepose';
      const name = f.suffix ? `${stem}${f.suffix}` : `${stem}.result`;
      const dest = path.join(dir, safeRelativePath(name));
      try {
        const out = await this.api().download(this.d.session, {
          requestId: job.requestId!,
          code: sendCode ? f.code : null,
          dest,
          expect: FILE_KIND[f.kind],
          signal: ctx.signal,
          onProgress: (p) => {
            this.update(id, { download_json: JSON.stringify({ code: f.code, sentBytes: p.receivedBytes, totalBytes: p.totalBytes ?? null }) }, { throttle: true });
            ctx.progress({ fraction: p.totalBytes ? p.receivedBytes / p.totalBytes : 0, stage: `download ${f.code}`, done: p.receivedBytes, total: p.totalBytes ?? null, unit: 'B' });
          },
        });
        let file = out.path;
        let kind = f.kind;
        if (kind === 'other') {
          // MusePose has no code table in the seed: name the file after what it turned out to be.
          kind = SNIFFED[out.kind ?? ''] ?? 'other';
          const ext = kind === 'other' ? '.bin' : kind === 'tar.gz' ? '.tar.gz' : `.${kind}`;
          const named = path.join(dir, `${stem}${ext}`);
          await fs.promises.rename(file, named);
          file = named;
        }
        const entries = kind === 'tar.gz' ? (await listTarGz(file)).entries : null;
        const stat = await fs.promises.stat(file);
        const result: CloudResult = { code: f.code, kind, label: f.label, file: toPosixRelative(this.d.dataDir, file), bytes: stat.size, entries };
        job = this.update(id, { results_json: JSON.stringify([...this.get(id).results, result]), download_json: null });
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        const e = AppError.from(err);
        // A format without a file at Atlas (404) is skipped; anything else stops the job after the others.
        if (status(e) === 404 && formats.length > 1) continue;
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
    if (job.results.length === 0) throw new AppError('REMOTE', say('atlas.no_result', {}), { service: 'atlas', requestId: job.requestId });
    ctx.progress({ fraction: 1, stage: 'done' });
    return this.update(id, { state: 'done', download_json: null, note: null, error_json: null, finished_at: nowIso() });
  }

  // ---- My items -----------------------------------------------------------------------------------------

  async myItems(req: { model: CloudModel; cursor?: string | null; limit?: number }): Promise<CloudItemPage> {
    await this.d.session.requireSignedIn();
    const page = await this.api().my(this.d.session, { modelId: ATLAS_MODEL_IDS[req.model], cursor: req.cursor, limit: req.limit });
    return {
      items: page.items.map((i) => ({ ...i, model: modelFrom(null, i.modelName) ?? req.model })),
      hasNextItem: page.hasNextItem && page.nextCursor !== null,
      nextCursor: page.hasNextItem ? page.nextCursor : null,
    };
  }

  async itemDetail(requestId: string, opts: { mine?: boolean } = { mine: true }): Promise<CloudItemDetail> {
    await this.d.session.requireSignedIn();
    const api = this.api();
    let d;
    try {
      d = opts.mine === false ? await api.detail(this.d.session, requestId) : await api.detailMy(this.d.session, requestId);
    } catch (err) {
      if (status(err) === 404) throw new AppError('NOT_FOUND', say('atlas.no_item_yours', { id: requestId }), { service: 'atlas', status: 404, requestId });
      throw err;
    }
    const model = modelFrom(d.modelId, d.modelName);
    return { ...d, requestId: d.requestId ?? requestId, model, formats: model ? ATLAS_FORMATS[model] : [] };
  }

  async deleteItem(requestId: string): Promise<{ requestId: string }> {
    await this.d.session.requireSignedIn();
    try {
      return { requestId: await this.api().remove(this.d.session, requestId) };
    } catch (err) {
      if (status(err) === 403) throw new AppError('FORBIDDEN', say('atlas.not_yours', {}), { service: 'atlas', status: 403, requestId });
      if (status(err) === 404) throw new AppError('NOT_FOUND', say('atlas.no_item', { id: requestId }), { service: 'atlas', status: 404, requestId });
      throw err;
    }
  }

  /**
   * Fetches an item's thumbnail/request/reply/output/log into `results/cloud/<requestId>/` (a folder both shells
   * serve), named by what the bytes are (`thumbnail.png`, `log.txt`, `request.tar.gz`, …) so it opens for viewing.
   */
  async itemFile(requestId: string, type: CloudItemFileType): Promise<{ file: string; bytes: number; contentType: string | null }> {
    await this.d.session.requireSignedIn();
    const dir = path.join(this.d.dataDir, 'results', 'cloud', safeRelativePath(fileStem(requestId)));
    await fs.promises.mkdir(dir, { recursive: true });
    try {
      const out = await this.api().file(this.d.session, { requestId, type, dest: path.join(dir, `${type}.download`) });
      const ext = out.kind ? (FILE_EXT[out.kind] ?? '') : type === 'log' ? '.txt' : '';
      const file = path.join(dir, `${type}${ext}`);
      await fs.promises.rename(out.path, file);
      return { file: toPosixRelative(this.d.dataDir, file), bytes: out.bytes, contentType: out.contentType };
    } catch (err) {
      if (status(err) === 404) throw new AppError('NOT_FOUND', say('atlas.no_file', { type, id: requestId }), { service: 'atlas', status: 404, requestId });
      throw err;
    }
  }
}

const FILE_EXT: Record<string, string> = { png: '.png', jpeg: '.jpg', gif: '.gif', gzip: '.tar.gz', zip: '.zip', glb: '.glb', ply: '.ply', obj: '.obj' };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelledError());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelledError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
