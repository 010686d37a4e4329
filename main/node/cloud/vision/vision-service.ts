/**
 * The vision training service (seed 001): the studio's records of the platform in SQLite (migration 7: datasets
 * uploaded, chat sessions, workflows followed, every epoch's metrics once, pulled models with lineage), live
 * following of running workflows (WebSocket with reconnect, gaps filled from the metrics history, followed again
 * after a restart), the plan's limits checked before a workflow is created, cloud inference stored like a local run,
 * and "bring the model home" (the export proposal → the local model library with labels and lineage).
 * Tokens live in the vault (session.ts); nothing secret is stored here.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../common/app-error';
import { say, type Said } from '../../../common/messages';
import type { ModelLineage, ModelManifest, ImportModelRequest, InferenceOutput } from '../../../common/contract/inference';
import {
  VISION_FINAL_STATES,
  VISION_PLAN_LIMITS,
  type VisionAccount,
  type VisionCatalogueModel,
  type VisionChatReply,
  type VisionChatSession,
  type VisionChatSummary,
  type VisionConnection,
  type VisionCreateWorkflowInput,
  type VisionDataset,
  type VisionHyperparameters,
  type VisionLogLine,
  type VisionMetricPoint,
  type VisionPredictResult,
  type VisionProfile,
  type VisionProject,
  type VisionReachability,
  type VisionTrainingConfig,
  type VisionValidation,
  type VisionWorkflow,
  type VisionWorkflowState,
} from '../../../common/contract/vision';
import type { EventBus } from '../../event-bus';
import type { JobContext, JobRunner } from '../../jobs/job-runner';
import type { Db } from '../../store/database';
import { nowIso } from '../../store/database';
import type { SessionVault } from '../atlas/session';
import { serviceParams, type CloudErrorDetails } from '../errors';
import { checkMessage } from '../connection';
import type { HttpClientOptions } from '../http-client';
import type { UploadProgress } from '../upload';
import type { DownloadProgress } from '../download';
import { ChatApi } from './chat-api';
import { DatasetsApi } from './datasets-api';
import { InferenceApi, type ImageRef } from './inference-api';
import { LiveFollower, type LiveState } from './live';
import { ModelsApi } from './models-api';
import { readOnnxHints } from './onnx-hints';
import type { ChatReply, DatasetDetail, MetricRow, Prediction, TrainingConfig, WorkflowDetail, WsMessage } from './schemas';
import { WsProgressData } from './schemas';
import { VisionSession, visionScope } from './session';
import { UserApi } from './user-api';
import { createVisionClient, RateGate, type VisionHttpClient } from './vision-http';
import { WorkflowsApi } from './workflows-api';

/** Connection settings as the service needs them (main/node/cloud/connection.ts provides them). */
export interface VisionConnectionLike {
  get(service: 'vision'): VisionConnection;
  set(service: 'vision', baseUrl: string | null): VisionConnection;
}

/** What the service needs of the model library (main/node/inference/model-library.ts). */
export interface VisionModelLibrary {
  importModel(req: ImportModelRequest, extra: { source?: 'cloud-trained'; description?: string; lineage?: ModelLineage; inputSize?: { width: number; height: number } }): Promise<ModelManifest>;
}

/** What the service needs of the run store (main/node/inference/run-store.ts), for cloud inference stored like a local run. */
export interface VisionRunStore {
  selectImages(opts: { projectId: number; frameSetId?: number; imageIds?: number[]; mode: 'all' | 'remaining'; modelId: string }): { ids: number[]; inScope: number };
  createRun(r: { projectId: number; frameSetId: number | null; model: Pick<ModelManifest, 'id' | 'name' | 'task'>; mode: 'all' | 'remaining'; batchSize: number; imageIds: number[]; skipped: number }): number;
  setJob(runId: number, jobId: string): void;
  pending(runId: number): number[];
  saveResults(runId: number, modelId: string, results: { imageId: number; ok: boolean; output?: InferenceOutput; error?: { code: AppError['code']; message: string }; width?: number; height?: number; ms: number }[]): void;
  update(runId: number, patch: { status?: 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted'; provider?: string; notice?: string; addSeconds?: number }): void;
  markInterruptedByJob(jobId: string, status: 'interrupted'): void;
}

export interface VisionServiceOptions {
  db: Db;
  dataDir: string;
  bus: Pick<EventBus, 'emit'>;
  connection: VisionConnectionLike;
  vault: SessionVault;
  library?: VisionModelLibrary;
  runs?: VisionRunStore;
  jobs?: JobRunner;
  client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
  /** WebSocket reconnect back-off (ms). */
  liveBackoff?: { first: number; max: number };
  /** Batch inference polling (ms). */
  pollMs?: { first: number; max: number };
  /** How long a validate waits for an upload the platform is still processing (ms; default 5 min). */
  processingWaitMs?: number;
  /** Rate-limit gate knobs (tests). */
  rate?: { maxWaitMs?: number; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> };
  now?: () => number;
  /** false: a sign-in does not start following unfinished workflows (the CLI). */
  followOnSignIn?: boolean;
}

interface WorkflowRow {
  id: number;
  base_url: string;
  workflow_id: string;
  name: string;
  description: string | null;
  project_id: number | null;
  started_here: number;
  state: VisionWorkflowState;
  service_status: string | null;
  task_type: string | null;
  model: string | null;
  dataset_id: string | null;
  class_names_json: string;
  config_json: string | null;
  detail_json: string | null;
  current_epoch: number | null;
  total_epochs: number | null;
  percentage: number | null;
  last_progress_json: string | null;
  final_metrics_json: string | null;
  error: string | null;
  queue_position: number | null;
  estimated_duration_minutes: number | null;
  local_model_id: string | null;
  notified_state: string | null;
  created_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
}

interface DatasetRow {
  id: number;
  base_url: string;
  dataset_id: string;
  name: string;
  format: string | null;
  description: string | null;
  status: string | null;
  size_mb: number | null;
  file_count: number | null;
  project_id: number | null;
  reply_json: string | null;
  validation_json: string | null;
  created_at: string | null;
  uploaded_at: string;
  updated_at: string;
}

interface MetricDbRow {
  epoch: number;
  step: number | null;
  timestamp: string | null;
  metrics_json: string;
  extra_json: string | null;
  source: 'ws' | 'history' | 'detail';
}

const STATE_WORDS: Record<string, VisionWorkflowState> = {
  pending: 'pending',
  queued: 'pending',
  created: 'pending',
  training: 'training',
  running: 'training',
  in_progress: 'training',
  started: 'training',
  completed: 'completed',
  complete: 'completed',
  succeeded: 'completed',
  success: 'completed',
  done: 'completed',
  finished: 'completed',
  failed: 'failed',
  error: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  stopped: 'cancelled',
};

/** A status as the platform wrote it, in the seed's five words (`unknown` for others). */
export function workflowState(status: string | null | undefined): VisionWorkflowState {
  if (!status) return 'unknown';
  return STATE_WORDS[status.trim().toLowerCase()] ?? 'unknown';
}

const isFinal = (s: VisionWorkflowState) => VISION_FINAL_STATES.includes(s);

function json<T>(s: string | null | undefined, fallback: T): T {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

/** Why a new workflow may not start now (the plan's GPU hours, or its concurrent workflows), or null. */
function blockedBy(
  plan: string | null,
  gpuUsed: number | null,
  gpuLimit: number | null,
  concurrent: number | null,
  active: number,
): { said: Said; problem: 'GPU_HOURS_USED' | 'CONCURRENT_LIMIT' } | null {
  if (gpuLimit !== null && gpuUsed !== null && gpuUsed >= gpuLimit) return { said: say('vision.gpu_hours_used', { used: gpuUsed, limit: gpuLimit }), problem: 'GPU_HOURS_USED' };
  if (concurrent !== null && active >= concurrent) {
    const said = say('vision.concurrent_limit', { plan: plan ? `${plan} ` : '', concurrent, workflows: concurrent === 1 ? 'workflow' : 'workflows', active, verb: active === 1 ? 'is' : 'are' });
    return { said, problem: 'CONCURRENT_LIMIT' };
  }
  return null;
}

function problem(code: AppError['code'], message: Said, visionProblem: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError(code, message, { service: 'vision', visionProblem, ...extra });
}

function statusOf(err: unknown): number | undefined {
  return err instanceof AppError ? (err.details as CloudErrorDetails | undefined)?.status : undefined;
}

const IMAGE_TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.bmp': 'image/bmp', '.gif': 'image/gif' };

/** A data URL of an image file, as the seed's `image_base64` shows it. */
export async function imageDataUrl(file: string): Promise<string> {
  const type = IMAGE_TYPES[path.extname(file).toLowerCase()];
  if (!type) throw new AppError('INVALID_INPUT', say('vision.not_an_image', { name: path.basename(file) }), { path: file });
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    throw AppError.from(err);
  }
  if (bytes.length === 0) throw new AppError('INVALID_INPUT', say('vision.empty_file', { name: path.basename(file) }), { path: file });
  return `data:${type};base64,${bytes.toString('base64')}`;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 50) || 'workflow';
}

/** The local model id cloud inference results are stored under (model_runs.model_id). */
export function cloudModelId(workflowId: string): string {
  return `cloud.${slug(workflowId)}`;
}

export class VisionService {
  readonly session: VisionSession;
  private readonly clients = new Map<string, { http: VisionHttpClient; gate: RateGate }>();
  private readonly followers = new Map<string, LiveFollower>();
  private readonly live = new Map<string, LiveState | 'polling'>();
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly o: VisionServiceOptions) {
    this.now = o.now ?? Date.now;
    this.session = new VisionSession({
      vault: o.vault,
      client: () => this.http(),
      scope: () => visionScope(o.dataDir, this.baseUrlOrNull()),
      now: this.now,
      onChange: (a) => o.bus.emit('vision.accountChanged', a),
    });
    o.jobs?.register<{ path: string; name: string; format: string; description?: string; projectId?: number }, { datasetId: string }>('vision.upload', {
      run: async (p, ctx) => {
        const d = await this.uploadDataset(p.path, p, (u) => ctx.progress({ fraction: u.totalBytes ? u.sentBytes / u.totalBytes : 0, stage: 'uploading', done: u.sentBytes, total: u.totalBytes, unit: 'bytes' }), ctx.signal);
        return { datasetId: d.datasetId };
      },
    });
    o.jobs?.register<{ workflowId: string }, { modelId: string }>('vision.pull', {
      run: async (p, ctx) => {
        const r = await this.pull(p.workflowId, {
          signal: ctx.signal,
          onProgress: (d) => ctx.progress({ fraction: d.totalBytes ? Math.min(0.95, d.receivedBytes / d.totalBytes) : 0.5, stage: 'downloading', done: d.receivedBytes, total: d.totalBytes, unit: 'bytes' }),
          onStage: (stage) => ctx.progress({ fraction: 0.96, stage }),
        });
        return { modelId: r.modelId };
      },
    });
    o.jobs?.register<{ runId: number; workflowId: string }, { runId: number; done: number; failed: number }>('vision.batch', {
      run: (p, ctx) => this.executeBatch(p.runId, p.workflowId, ctx),
      onInterrupted: (job) => this.o.runs?.markInterruptedByJob(job.id, 'interrupted'),
    });
  }

  // ---- connection and clients -------------------------------------------------------------------------

  private baseUrlOrNull(): string | null {
    return this.o.connection.get('vision').baseUrl;
  }

  /** The base URL (including /api/v1), or the "not configured" refusal. */
  baseUrl(): string {
    const b = this.baseUrlOrNull();
    if (!b) throw new AppError('INVALID_INPUT', say('vision.no_address', {}), { service: 'vision' });
    return b;
  }

  private entry(): { http: VisionHttpClient; gate: RateGate } {
    const baseUrl = this.baseUrl();
    let c = this.clients.get(baseUrl);
    if (!c) {
      const gate = new RateGate({
        now: this.now,
        maxWaitMs: this.o.rate?.maxWaitMs,
        sleep: this.o.rate?.sleep ?? this.o.client?.sleep,
        onWait: (w) => this.o.bus.emit('vision.rateLimited', { until: new Date(w.until).toISOString(), waitMs: w.waitMs, limit: w.limit, remaining: w.remaining }),
      });
      const http = createVisionClient({ ...this.o.client, baseUrl, gate, auth: this.session });
      c = { http, gate };
      this.clients.set(baseUrl, c);
    }
    return c;
  }

  /** The HTTP client for the current address. */
  http(): VisionHttpClient {
    return this.entry().http;
  }

  private get chat() {
    return new ChatApi(this.http());
  }
  private get datasets() {
    return new DatasetsApi(this.http());
  }
  private get modelsApi() {
    return new ModelsApi(this.http());
  }
  private get workflows() {
    return new WorkflowsApi(this.http());
  }
  private get inference() {
    return new InferenceApi(this.http());
  }
  private get user() {
    return new UserApi(this.http());
  }

  connection(): VisionConnection {
    return this.o.connection.get('vision');
  }

  /** Saves the address; workflows of the old one stop being followed, those of the new one (signed in) are followed. */
  setConnection(baseUrl: string | null): VisionConnection {
    const before = this.baseUrlOrNull();
    const c = this.o.connection.set('vision', baseUrl);
    if (c.baseUrl !== before) {
      for (const f of this.followers.values()) f.stop();
      this.followers.clear();
      if (this.o.followOnSignIn !== false) void this.start().catch(() => undefined);
    }
    return c;
  }

  /** Reachable when any HTTP answer below 500 comes to GET /models (without credentials a 401 is an answer). */
  async checkConnection(): Promise<VisionReachability> {
    const baseUrl = this.baseUrlOrNull();
    if (!baseUrl) return { baseUrl: null, reachable: false, latencyMs: null, ...checkMessage(say('cloud.no_address_set', serviceParams('vision'))) };
    const started = performance.now();
    try {
      const res = await this.http().requestRaw({ path: '/models', auth: false, retry: false, timeoutMs: 5000, okStatuses: Array.from({ length: 400 }, (_, i) => 100 + i) });
      await res.body?.cancel().catch(() => undefined);
      return { baseUrl, reachable: true, latencyMs: Math.round(performance.now() - started), message: null };
    } catch (err) {
      return { baseUrl, reachable: false, latencyMs: null, ...checkMessage(AppError.from(err)) };
    }
  }

  // ---- account -----------------------------------------------------------------------------------------

  account(): Promise<VisionAccount> {
    return this.session.account();
  }

  async signIn(email: string, password: string): Promise<VisionAccount> {
    this.baseUrl();
    const a = await this.session.signIn(email, password);
    this.o.bus.emit('vision.accountChanged', a);
    // The studio follows what the account left running; the CLI does no background work.
    if (this.o.followOnSignIn !== false) void this.start().catch(() => undefined);
    return a;
  }

  async signOut(): Promise<VisionAccount> {
    for (const f of this.followers.values()) f.stop();
    this.followers.clear();
    const a = await this.session.signOut();
    this.o.bus.emit('vision.accountChanged', a);
    return a;
  }

  private async authed(): Promise<void> {
    this.baseUrl();
    await this.session.require();
  }

  /** The rate-limit state (the last headers seen) of the current address. */
  rateLimit() {
    return this.entry().gate.state();
  }

  // ---- user & projects ---------------------------------------------------------------------------------

  /** GET /user/profile with the plan's limits and whether a new workflow may start. */
  async profile(signal?: AbortSignal): Promise<VisionProfile> {
    await this.authed();
    const p = await this.user.profile(signal);
    const plan = p.plan?.toLowerCase() ?? null;
    const table = plan ? VISION_PLAN_LIMITS[plan] : undefined;
    const concurrent = p.concurrent_workflows ?? table?.concurrentWorkflows ?? null;
    const active = await this.activeCount(signal);
    const u = p.usage;
    const b = blockedBy(p.plan, u.gpu_hours_used, u.gpu_hours_limit, concurrent, active);
    const blocked = b?.said.message ?? null;
    const blockedProblem: VisionProfile['blockedProblem'] = b?.problem ?? null;
    return {
      userId: p.user_id,
      email: p.email,
      name: p.name,
      plan: p.plan,
      createdAt: p.created_at,
      usage: { gpuHoursUsed: u.gpu_hours_used, gpuHoursLimit: u.gpu_hours_limit, storageGbUsed: u.storage_gb_used, storageGbLimit: u.storage_gb_limit },
      limits: { concurrentWorkflows: concurrent, requestsPerMinute: table?.requestsPerMinute ?? null, requestsPerHour: table?.requestsPerHour ?? null },
      activeWorkflows: active,
      blocked,
      blockedProblem,
      rateLimit: this.rateLimit(),
    };
  }

  /** Workflows pending or training: the platform's list totals, else the studio's records. */
  private async activeCount(signal?: AbortSignal): Promise<number> {
    try {
      let n = 0;
      for (const status of ['pending', 'training']) {
        const l = await this.workflows.list({ status, limit: 100 }, signal);
        const matching = l.workflows.filter((w) => workflowState(w.status) === status).length;
        n += l.total ?? matching;
      }
      return n;
    } catch (err) {
      if (err instanceof AppError && err.code === 'UNAUTHORIZED') throw err;
      const row = this.o.db.prepare(`SELECT COUNT(*) AS n FROM vision_workflows WHERE base_url = ? AND state IN ('pending','training')`).get(this.baseUrl()) as { n: number };
      return row.n;
    }
  }

  async projects(): Promise<VisionProject[]> {
    await this.authed();
    const r = await this.user.projects();
    return r.projects.map((p) => ({
      projectId: p.project_id,
      name: p.name ?? p.project_id,
      description: p.description,
      workflowCount: p.workflow_count,
      datasetCount: p.dataset_count,
      createdAt: p.created_at,
    }));
  }

  // ---- chat --------------------------------------------------------------------------------------------

  /** POST /chat/message; a new session id (`sess_…`) is made when none is given, and the session is remembered. */
  async chatSend(req: { sessionId?: string; message: string; context?: Record<string, unknown> }): Promise<VisionChatReply> {
    await this.authed();
    const sessionId = req.sessionId ?? `sess_${randomBytes(8).toString('hex')}`;
    const r = await this.chat.message({ session_id: sessionId, message: req.message, context: req.context ?? {} });
    const reply = toChatReply(r, r.session_id ?? sessionId);
    const now = nowIso();
    this.o.db
      .prepare(
        `INSERT INTO vision_chat_sessions (base_url, session_id, title, last_type, last_reply_json, created_at, updated_at) VALUES (?,?,?,?,?,?,?)
         ON CONFLICT(base_url, session_id) DO UPDATE SET last_type = excluded.last_type, last_reply_json = excluded.last_reply_json, updated_at = excluded.updated_at`,
      )
      .run(this.baseUrl(), reply.sessionId, req.message.slice(0, 200), reply.type, JSON.stringify(reply), now, now);
    return reply;
  }

  /** The sessions this studio remembers for the current address, newest first. */
  chatSessions(): VisionChatSummary[] {
    const base = this.baseUrlOrNull();
    if (!base) return [];
    const rows = this.o.db.prepare(`SELECT * FROM vision_chat_sessions WHERE base_url = ? ORDER BY updated_at DESC, id DESC`).all(base) as {
      session_id: string;
      title: string;
      last_type: string | null;
      last_reply_json: string | null;
      created_at: string;
      updated_at: string;
    }[];
    return rows.map((r) => ({ sessionId: r.session_id, title: r.title, lastType: r.last_type, lastReply: json<VisionChatReply | null>(r.last_reply_json, null), createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  async chatSession(sessionId: string): Promise<VisionChatSession> {
    await this.authed();
    const r = await this.chat.session(sessionId);
    return {
      sessionId: r.session_id ?? sessionId,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      messages: r.messages.map((m) => ({ role: m.role ?? 'assistant', content: m.content ?? '', timestamp: m.timestamp })),
      status: r.status,
    };
  }

  /** DELETE /chat/sessions/{id}; a session the platform no longer knows (404) is forgotten here too. */
  async chatDelete(sessionId: string): Promise<{ deleted: boolean }> {
    await this.authed();
    let deleted = true;
    try {
      await this.chat.remove(sessionId);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      deleted = false;
    }
    const n = this.o.db.prepare(`DELETE FROM vision_chat_sessions WHERE base_url = ? AND session_id = ?`).run(this.baseUrl(), sessionId).changes;
    return { deleted: deleted || n > 0 };
  }

  // ---- datasets ----------------------------------------------------------------------------------------

  /** POST /datasets/upload (multipart `file`, `name`, `format`, `description`), streamed with progress; remembered here. */
  async uploadDataset(
    file: string,
    meta: { name: string; format: string; description?: string; projectId?: number },
    onProgress?: (p: UploadProgress) => void,
    signal?: AbortSignal,
  ): Promise<VisionDataset> {
    await this.authed();
    const src = path.resolve(file);
    let st: fs.Stats;
    try {
      st = fs.statSync(src);
    } catch {
      throw new AppError('NOT_FOUND', say('vision.no_dataset_file', { path: src }), { path: src });
    }
    if (!st.isFile()) throw new AppError('INVALID_INPUT', say('vision.dataset_not_a_file', { path: src }), { path: src });
    if (st.size === 0) throw new AppError('INVALID_INPUT', say('vision.empty_file', { name: path.basename(src) }), { path: src });
    const name = meta.name.trim();
    const format = meta.format.trim();
    if (!name) throw new AppError('INVALID_INPUT', say('vision.dataset_needs_name', {}), { field: 'name' });
    if (!format) throw new AppError('INVALID_INPUT', say('vision.dataset_needs_format', {}), { field: 'format' });
    const r = await this.datasets.upload(src, { name, format, description: meta.description }, { onProgress, signal });
    const now = nowIso();
    this.o.db
      .prepare(
        `INSERT INTO vision_datasets (base_url, dataset_id, name, format, description, status, size_mb, file_count, project_id, reply_json, created_at, uploaded_at, updated_at)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
         ON CONFLICT(base_url, dataset_id) DO UPDATE SET name = excluded.name, format = excluded.format, status = excluded.status, size_mb = excluded.size_mb,
           file_count = excluded.file_count, reply_json = excluded.reply_json, updated_at = excluded.updated_at`,
      )
      .run(this.baseUrl(), r.dataset_id, r.name ?? name, r.format ?? format, r.description ?? meta.description ?? null, r.status, r.size_mb, r.file_count, meta.projectId ?? null, JSON.stringify(r), r.created_at, now, now);
    const d = this.datasetOf(this.datasetRow(r.dataset_id)!);
    this.o.bus.emit('vision.datasetUpdated', d);
    return d;
  }

  private datasetRow(datasetId: string): DatasetRow | undefined {
    return this.o.db.prepare(`SELECT * FROM vision_datasets WHERE base_url = ? AND dataset_id = ?`).get(this.baseUrl(), datasetId) as DatasetRow | undefined;
  }

  private datasetOf(row: DatasetRow, detail?: DatasetDetail): VisionDataset {
    const reply = detail ?? json<DatasetDetail | null>(row.reply_json, null);
    const st = reply?.statistics ?? null;
    return {
      datasetId: row.dataset_id,
      name: row.name,
      description: row.description,
      format: row.format,
      sizeMb: row.size_mb,
      fileCount: row.file_count,
      status: row.status,
      statistics: st
        ? { totalImages: st.total_images, trainImages: st.train_images, valImages: st.val_images, testImages: st.test_images, classes: st.classes.map((c) => ({ name: c.name, count: c.count })) }
        : null,
      validation: json<VisionValidation | null>(row.validation_json, null),
      projectId: row.project_id,
      uploadedHere: true,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private fromRemote(d: DatasetDetail): VisionDataset {
    const row = this.datasetRow(d.dataset_id);
    if (row) return this.datasetOf({ ...row, name: d.name ?? row.name, status: d.status ?? row.status, size_mb: d.size_mb ?? row.size_mb, file_count: d.file_count ?? row.file_count, format: d.format ?? row.format }, { ...json<DatasetDetail>(row.reply_json, d), ...d });
    const st = 'statistics' in d ? d.statistics : null;
    return {
      datasetId: d.dataset_id,
      name: d.name ?? d.dataset_id,
      description: d.description,
      format: d.format,
      sizeMb: d.size_mb,
      fileCount: d.file_count,
      status: d.status,
      statistics: st
        ? { totalImages: st.total_images, trainImages: st.train_images, valImages: st.val_images, testImages: st.test_images, classes: st.classes.map((c) => ({ name: c.name, count: c.count })) }
        : null,
      validation: null,
      projectId: null,
      uploadedHere: false,
      createdAt: d.created_at,
      updatedAt: d.updated_at,
    };
  }

  /** GET /datasets (paged); datasets uploaded here that the page does not list are not added (the platform's list is the truth). */
  async listDatasets(q: { page?: number; limit?: number } = {}): Promise<{ datasets: VisionDataset[]; total: number | null }> {
    await this.authed();
    const r = await this.datasets.list({ page: q.page, limit: q.limit === undefined ? undefined : Math.min(100, q.limit) });
    return { datasets: r.datasets.map((d) => this.fromRemote({ ...d, statistics: null })), total: r.total };
  }

  /** GET /datasets/{id}: statistics and class counts (kept with the record of an upload made here). */
  async getDataset(datasetId: string): Promise<VisionDataset> {
    await this.authed();
    const d = await this.datasets.detail(datasetId);
    const row = this.datasetRow(d.dataset_id);
    if (row) {
      this.o.db
        .prepare(`UPDATE vision_datasets SET status = ?, size_mb = ?, file_count = ?, reply_json = ?, updated_at = ? WHERE id = ?`)
        .run(d.status ?? row.status, d.size_mb ?? row.size_mb, d.file_count ?? row.file_count, JSON.stringify(d), nowIso(), row.id);
    }
    const out = this.fromRemote(d);
    this.o.bus.emit('vision.datasetUpdated', out);
    return out;
  }

  /**
   * Runs `call` once the platform has inspected the upload. Seed 001 answers an upload with status `processing` and
   * lists it `ready` later, and says nothing of validating in between: a platform may refuse that (the emulator
   * answers 409) or answer on a half-read dataset. So the detail is polled (back-off from `pollMs`) while it says
   * `processing`, and a 409 from `call` is taken as "not yet" the same way, up to `processingWaitMs` in all.
   */
  private async afterProcessing<T>(datasetId: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const deadline = this.now() + (this.o.processingWaitMs ?? 5 * 60_000);
    let wait = this.o.pollMs?.first ?? 1000;
    const pause = async (): Promise<boolean> => {
      if (this.now() + wait > deadline) return false;
      await this.http().wait(wait, signal);
      wait = Math.min(this.o.pollMs?.max ?? 5000, wait * 2);
      return true;
    };
    for (;;) {
      // A detail that cannot be read is no reason not to try: `call` then gives the platform's own answer.
      const status = await this.getDataset(datasetId).then((d) => (d.status ?? '').toLowerCase(), () => null);
      if (status === 'processing' && (await pause())) continue;
      try {
        return await call();
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'CONFLICT') || !(await pause())) throw err;
      }
    }
  }

  /** POST /datasets/{id}/validate: issues by severity and recommendations (kept with the dataset's record). */
  async validateDataset(datasetId: string, opts: { expectedFormat?: string; expectedClasses?: number } = {}): Promise<VisionValidation> {
    await this.authed();
    const body: { expected_format?: string; expected_classes?: number } = {};
    if (opts.expectedFormat !== undefined) body.expected_format = opts.expectedFormat;
    if (opts.expectedClasses !== undefined) body.expected_classes = opts.expectedClasses;
    const r = await this.afterProcessing(datasetId, () => this.datasets.validate(datasetId, body));
    const v: VisionValidation = {
      datasetId: r.dataset_id ?? datasetId,
      valid: r.valid ?? !r.issues.some((i) => (i.severity ?? '').toLowerCase() === 'error'),
      issues: r.issues.map((i) => ({ severity: (i.severity ?? 'info').toLowerCase(), message: i.message ?? '', details: i.details })),
      recommendations: r.recommendations,
      checkedAt: nowIso(),
    };
    const row = this.datasetRow(datasetId);
    if (row) {
      this.o.db.prepare(`UPDATE vision_datasets SET validation_json = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(v), nowIso(), row.id);
      this.o.bus.emit('vision.datasetUpdated', this.datasetOf(this.datasetRow(datasetId)!));
    }
    return v;
  }

  // ---- models ------------------------------------------------------------------------------------------

  async models(q: { taskType?: string; framework?: string; search?: string; page?: number; limit?: number } = {}) {
    await this.authed();
    const r = await this.modelsApi.list({ task_type: q.taskType, framework: q.framework, search: q.search, page: q.page, limit: q.limit });
    return { models: r.models.map(toCatalogueModel), total: r.total, page: r.page, limit: r.limit };
  }

  async model(modelId: string): Promise<VisionCatalogueModel> {
    await this.authed();
    return toCatalogueModel(await this.modelsApi.detail(modelId));
  }

  // ---- workflows ---------------------------------------------------------------------------------------

  private row(workflowId: string): WorkflowRow | undefined {
    return this.o.db.prepare(`SELECT * FROM vision_workflows WHERE base_url = ? AND workflow_id = ?`).get(this.baseUrl(), workflowId) as WorkflowRow | undefined;
  }

  private rowById(id: number): WorkflowRow {
    return this.o.db.prepare(`SELECT * FROM vision_workflows WHERE id = ?`).get(id) as WorkflowRow;
  }

  private toWorkflow(r: WorkflowRow): VisionWorkflow {
    const detail = json<WorkflowDetail | null>(r.detail_json, null);
    const last = json<VisionMetricPoint | null>(r.last_progress_json, null);
    const cfg = json<{ hyperparameters?: VisionHyperparameters }>(r.config_json, {});
    const finalMetrics = json<Record<string, number> | null>(r.final_metrics_json, null);
    const liveState = this.live.get(r.workflow_id);
    return {
      workflowId: r.workflow_id,
      name: r.name,
      description: r.description,
      state: r.state,
      serviceStatus: r.service_status,
      projectId: r.project_id,
      startedHere: r.started_here === 1,
      taskType: r.task_type,
      model: r.model,
      datasetId: r.dataset_id,
      classNames: json<string[]>(r.class_names_json, []),
      hyperparameters: cfg.hyperparameters ?? {},
      currentEpoch: r.current_epoch,
      totalEpochs: r.total_epochs,
      percentage: r.percentage,
      metrics: { ...(detail?.metrics ?? {}), ...(last?.metrics ?? {}), ...(finalMetrics ?? {}) },
      etaMinutes: isFinal(r.state) ? null : (last?.etaMinutes ?? null),
      gpuUtilization: last?.gpuUtilization ?? null,
      memoryUsageGb: last?.memoryUsageGb ?? null,
      resources: { gpuType: detail?.resources?.gpu_type ?? null, gpuCount: detail?.resources?.gpu_count ?? null, memoryGb: detail?.resources?.memory_gb ?? null },
      queuePosition: r.queue_position,
      estimatedDurationMinutes: r.estimated_duration_minutes,
      estimatedCompletionAt: detail?.estimated_completion_at ?? null,
      error: r.error,
      localModelId: r.local_model_id,
      live: liveState === undefined || liveState === 'off' ? 'off' : liveState,
      createdAt: r.created_at,
      startedAt: r.started_at,
      completedAt: r.completed_at,
      updatedAt: r.updated_at,
    };
  }

  private emitWorkflow(id: number): VisionWorkflow {
    const w = this.toWorkflow(this.rowById(id));
    this.o.bus.emit('vision.workflowUpdated', w);
    const row = this.rowById(id);
    if (isFinal(row.state) && row.notified_state !== row.state) {
      this.o.db.prepare(`UPDATE vision_workflows SET notified_state = ? WHERE id = ?`).run(row.state, id);
      this.o.bus.emit('vision.workflowFinished', { workflow: w, outcome: row.state as 'completed' | 'failed' | 'cancelled' });
    }
    return w;
  }

  /** Creates or updates the record of a workflow from what the platform said (never clears what it did not say). */
  private upsert(
    workflowId: string,
    patch: Partial<{
      name: string | null;
      description: string | null;
      status: string | null;
      projectId: number | null;
      startedHere: boolean;
      taskType: string | null;
      model: string | null;
      datasetId: string | null;
      classNames: string[];
      config: unknown;
      detail: WorkflowDetail;
      currentEpoch: number | null;
      totalEpochs: number | null;
      percentage: number | null;
      error: string | null;
      queuePosition: number | null;
      estimatedDurationMinutes: number | null;
      createdAt: string | null;
      startedAt: string | null;
      completedAt: string | null;
    }>,
  ): number {
    const base = this.baseUrl();
    const now = nowIso();
    const existing = this.row(workflowId);
    const state = patch.status !== undefined ? workflowState(patch.status) : undefined;
    if (!existing) {
      const info = this.o.db
        .prepare(
          `INSERT INTO vision_workflows (base_url, workflow_id, name, description, project_id, started_here, state, service_status, task_type, model, dataset_id,
             class_names_json, config_json, detail_json, current_epoch, total_epochs, percentage, error, queue_position, estimated_duration_minutes, created_at, started_at, completed_at, updated_at)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
        )
        .run(
          base,
          workflowId,
          patch.name ?? workflowId,
          patch.description ?? null,
          patch.projectId ?? null,
          patch.startedHere ? 1 : 0,
          state ?? 'unknown',
          patch.status ?? null,
          patch.taskType ?? null,
          patch.model ?? null,
          patch.datasetId ?? null,
          JSON.stringify(patch.classNames ?? []),
          patch.config === undefined ? null : JSON.stringify(patch.config),
          patch.detail ? JSON.stringify(patch.detail) : null,
          patch.currentEpoch ?? null,
          patch.totalEpochs ?? null,
          patch.percentage ?? null,
          patch.error ?? null,
          patch.queuePosition ?? null,
          patch.estimatedDurationMinutes ?? null,
          patch.createdAt ?? null,
          patch.startedAt ?? null,
          patch.completedAt ?? null,
          now,
        );
      return Number(info.lastInsertRowid);
    }
    // A final state is never undone by a late or lax reply (a list read before the cancel arrived).
    const nextState = state === undefined || state === 'unknown' || (isFinal(existing.state) && !isFinal(state)) ? existing.state : state;
    const keep = <T>(v: T | null | undefined, old: T | null): T | null => (v === undefined || v === null ? old : v);
    const classNames = patch.classNames && patch.classNames.length ? patch.classNames : json<string[]>(existing.class_names_json, []);
    this.o.db
      .prepare(
        `UPDATE vision_workflows SET name=?, description=?, state=?, service_status=?, task_type=?, model=?, dataset_id=?, class_names_json=?, detail_json=?,
           current_epoch=?, total_epochs=?, percentage=?, error=?, queue_position=?, estimated_duration_minutes=?, created_at=?, started_at=?, completed_at=?, updated_at=? WHERE id=?`,
      )
      .run(
        keep(patch.name, existing.name),
        keep(patch.description, existing.description),
        nextState,
        keep(patch.status, existing.service_status),
        keep(patch.taskType, existing.task_type),
        keep(patch.model, existing.model),
        keep(patch.datasetId, existing.dataset_id),
        JSON.stringify(classNames),
        patch.detail ? JSON.stringify(patch.detail) : existing.detail_json,
        Math.max(patch.currentEpoch ?? -1, existing.current_epoch ?? -1) >= 0 ? Math.max(patch.currentEpoch ?? -1, existing.current_epoch ?? -1) : null,
        keep(patch.totalEpochs, existing.total_epochs),
        nextState === 'completed' ? 100 : keep(patch.percentage, existing.percentage),
        keep(patch.error, existing.error),
        nextState === 'pending' ? keep(patch.queuePosition, existing.queue_position) : null,
        keep(patch.estimatedDurationMinutes, existing.estimated_duration_minutes),
        keep(patch.createdAt, existing.created_at),
        keep(patch.startedAt, existing.started_at),
        keep(patch.completedAt, existing.completed_at),
        now,
        existing.id,
      );
    return existing.id;
  }

  private fromDetail(d: WorkflowDetail): number {
    const cfg = d.config;
    return this.upsert(d.workflow_id, {
      name: d.name,
      description: d.description,
      status: d.status,
      detail: d,
      currentEpoch: d.progress?.current_epoch ?? null,
      totalEpochs: d.progress?.total_epochs ?? null,
      percentage: d.progress?.percentage ?? null,
      classNames: d.class_names.length ? d.class_names : (cfg?.class_names ?? []),
      taskType: cfg?.task_type ?? null,
      model: cfg?.model ?? cfg?.model_name ?? null,
      datasetId: cfg?.dataset_id ?? cfg?.dataset?.dataset_id ?? null,
      error: errorText(d.error),
      createdAt: d.created_at,
      startedAt: d.started_at,
      completedAt: d.completed_at,
    });
  }

  /**
   * POST /workflows: the plan's concurrent-workflow limit and GPU hours are checked first (a plain refusal before
   * anything is sent), then the workflow is remembered and followed live.
   */
  async createWorkflow(req: VisionCreateWorkflowInput, opts: { follow?: boolean } = {}): Promise<VisionWorkflow> {
    await this.authed();
    try {
      const p = await this.profile();
      const b = blockedBy(p.plan, p.usage.gpuHoursUsed, p.usage.gpuHoursLimit, p.limits.concurrentWorkflows, p.activeWorkflows);
      if (p.blocked && b) throw problem(b.problem === 'GPU_HOURS_USED' ? 'FORBIDDEN' : 'CONFLICT', b.said, b.problem, { plan: p.plan, limit: p.limits.concurrentWorkflows, active: p.activeWorkflows });
    } catch (err) {
      // The platform decides when its profile cannot be read; a refusal of ours or a sign-in problem stands.
      if (err instanceof AppError && ((err.details as { visionProblem?: string } | undefined)?.visionProblem || err.code === 'UNAUTHORIZED')) throw err;
    }
    const h = req.hyperparameters ?? {};
    const hyper: Record<string, number | string> = {};
    if (h.epochs !== undefined) hyper.epochs = h.epochs;
    if (h.batchSize !== undefined) hyper.batch_size = h.batchSize;
    if (h.learningRate !== undefined) hyper.learning_rate = h.learningRate;
    if (h.optimizer !== undefined) hyper.optimizer = h.optimizer;
    const body = {
      name: req.name,
      ...(req.description !== undefined ? { description: req.description } : {}),
      config: {
        task_type: req.taskType,
        model: req.model,
        dataset_id: req.datasetId,
        hyperparameters: hyper,
        // Not in the seed's example, but a classifier needs them; a platform that does not read them ignores them.
        num_classes: req.classNames.length,
        class_names: req.classNames,
      },
    };
    const r = await this.workflows.create(body);
    const id = this.upsert(r.workflow_id, {
      name: r.name ?? req.name,
      description: req.description ?? null,
      status: r.status ?? 'pending',
      projectId: req.projectId ?? null,
      startedHere: true,
      taskType: req.taskType,
      model: req.model,
      datasetId: req.datasetId,
      classNames: req.classNames,
      totalEpochs: h.epochs ?? null,
      queuePosition: r.queue_position,
      estimatedDurationMinutes: r.estimated_duration_minutes,
      createdAt: r.created_at,
    });
    this.o.db.prepare(`UPDATE vision_workflows SET config_json = ?, started_here = 1, project_id = COALESCE(?, project_id) WHERE id = ?`).run(
      JSON.stringify({ ...body.config, hyperparameters: h }),
      req.projectId ?? null,
      id,
    );
    if (opts.follow !== false) this.follow(r.workflow_id);
    return this.emitWorkflow(id);
  }

  /** GET /workflows (status filter, paging with limit ≤ 100, sort); each listed workflow is remembered. */
  async listWorkflows(q: { status?: string; page?: number; limit?: number; sort?: string } = {}) {
    await this.authed();
    const r = await this.workflows.list({ status: q.status, page: q.page, limit: q.limit === undefined ? undefined : Math.min(100, Math.max(1, q.limit)), sort: q.sort });
    const workflows = r.workflows.map((w) => {
      const id = this.upsert(w.workflow_id, {
        name: w.name,
        description: w.description,
        status: w.status,
        percentage: w.progress?.percentage ?? null,
        currentEpoch: w.progress?.current_epoch ?? null,
        totalEpochs: w.progress?.total_epochs ?? null,
        createdAt: w.created_at,
        startedAt: w.started_at,
        completedAt: w.completed_at,
      });
      return this.toWorkflow(this.rowById(id));
    });
    const hasNext = r.has_next ?? (r.total !== null && r.page !== null && r.limit !== null ? r.page * r.limit < r.total : false);
    return { workflows, total: r.total, page: r.page, limit: r.limit, hasNext };
  }

  /** GET /workflows/{id}; when the platform cannot be reached the studio's record is returned with state kept. */
  async getWorkflow(workflowId: string, opts: { offline?: boolean } = {}): Promise<VisionWorkflow> {
    await this.authed();
    try {
      const d = await this.workflows.detail(workflowId);
      const id = this.fromDetail(d);
      const row = this.rowById(id);
      if (isFinal(row.state)) this.stopFollowing(workflowId);
      return this.emitWorkflow(id);
    } catch (err) {
      const row = this.row(workflowId);
      if (row && opts.offline !== false && err instanceof AppError && (err.code === 'NETWORK' || err.code === 'REMOTE' || err.code === 'RATE_LIMITED')) return this.toWorkflow(row);
      throw err;
    }
  }

  /** The workflows this studio remembers (of the current address), newest first. */
  knownWorkflows(): VisionWorkflow[] {
    const base = this.baseUrlOrNull();
    if (!base) return [];
    return (this.o.db.prepare(`SELECT * FROM vision_workflows WHERE base_url = ? ORDER BY COALESCE(created_at, updated_at) DESC, id DESC`).all(base) as WorkflowRow[]).map((r) => this.toWorkflow(r));
  }

  private points(id: number): VisionMetricPoint[] {
    const rows = this.o.db.prepare(`SELECT epoch, step, timestamp, metrics_json, extra_json, source FROM vision_metrics WHERE workflow = ? ORDER BY epoch`).all(id) as MetricDbRow[];
    return rows.map(pointOf);
  }

  /** Stores points not stored yet (each epoch once) and returns those that were new, in epoch order. */
  private store(id: number, points: VisionMetricPoint[]): VisionMetricPoint[] {
    const put = this.o.db.prepare(
      `INSERT OR IGNORE INTO vision_metrics (workflow, epoch, step, timestamp, metrics_json, extra_json, source, received_at) VALUES (?,?,?,?,?,?,?,?)`,
    );
    const fresh: VisionMetricPoint[] = [];
    const now = nowIso();
    this.o.db.transaction(() => {
      for (const p of [...points].sort((a, b) => a.epoch - b.epoch)) {
        if (!Number.isInteger(p.epoch) || p.epoch < 0) continue;
        const extra = { etaMinutes: p.etaMinutes, gpuUtilization: p.gpuUtilization, memoryUsageGb: p.memoryUsageGb };
        if (put.run(id, p.epoch, p.step, p.timestamp, JSON.stringify(p.metrics), JSON.stringify(extra), p.source, now).changes > 0) fresh.push(p);
      }
    })();
    if (fresh.length) {
      const row = this.rowById(id);
      this.o.bus.emit('vision.metrics', { workflowId: row.workflow_id, points: fresh });
    }
    return fresh;
  }

  /** GET /workflows/{id}/metrics: every epoch not received yet is stored and emitted (the gap after a drop or restart). */
  async fillGap(workflowId: string, signal?: AbortSignal): Promise<VisionMetricPoint[]> {
    const r = await this.workflows.metrics(workflowId, {}, signal);
    const id = this.row(workflowId)?.id ?? this.upsert(workflowId, {});
    const fresh = this.store(id, r.metrics.map((m: MetricRow) => ({ epoch: m.epoch, step: m.step, timestamp: m.timestamp, metrics: m.metrics, etaMinutes: null, gpuUtilization: null, memoryUsageGb: null, source: 'history' as const })));
    const maxEpoch = r.metrics.reduce((n, m) => Math.max(n, m.epoch), -1);
    if (maxEpoch >= 0) this.upsert(workflowId, { currentEpoch: maxEpoch });
    return fresh;
  }

  /** Every epoch's metrics once: the gap is filled from the history first (when the platform answers). */
  async metrics(workflowId: string): Promise<{ workflowId: string; points: VisionMetricPoint[] }> {
    await this.authed();
    try {
      await this.fillGap(workflowId);
    } catch (err) {
      if (!this.row(workflowId) || !(err instanceof AppError) || !['NETWORK', 'REMOTE', 'RATE_LIMITED'].includes(err.code)) throw err;
    }
    const row = this.row(workflowId);
    return { workflowId, points: row ? this.points(row.id) : [] };
  }

  async logs(workflowId: string, tail = 100): Promise<{ workflowId: string; logs: VisionLogLine[]; totalLines: number | null }> {
    await this.authed();
    const r = await this.workflows.logs(workflowId, tail);
    return { workflowId, logs: r.logs.map((l) => ({ timestamp: l.timestamp, level: l.level, message: l.message ?? '' })), totalLines: r.total_lines };
  }

  /** DELETE /workflows/{id}. */
  async cancelWorkflow(workflowId: string): Promise<VisionWorkflow> {
    await this.authed();
    const r = await this.workflows.cancel(workflowId);
    this.stopFollowing(workflowId);
    const id = this.upsert(workflowId, { status: r.status ?? 'cancelled', completedAt: r.cancelled_at });
    if (this.rowById(id).state !== 'cancelled' && !isFinal(this.rowById(id).state)) this.o.db.prepare(`UPDATE vision_workflows SET state = 'cancelled' WHERE id = ?`).run(id);
    return this.emitWorkflow(id);
  }

  // ---- live following ----------------------------------------------------------------------------------

  /** Follows a workflow live until it ends (WebSocket, reconnects, gaps filled); a second call joins the first. */
  follow(workflowId: string): VisionWorkflow {
    const baseUrl = this.baseUrl();
    const id = this.row(workflowId)?.id ?? this.upsert(workflowId, {});
    if (isFinal(this.rowById(id).state) || this.closed) return this.toWorkflow(this.rowById(id));
    if (this.followers.has(workflowId)) return this.toWorkflow(this.rowById(id));
    const f = new LiveFollower({
      baseUrl,
      workflowId,
      backoff: this.o.liveBackoff,
      hooks: {
        token: () => this.session.accessToken(),
        refresh: () => this.session.refresh(),
        sync: (reason) => this.sync(workflowId, reason),
        message: (m) => this.onMessage(workflowId, m),
        state: (s) => {
          if (this.closed) return;
          const before = this.live.get(workflowId);
          this.live.set(workflowId, s);
          if (before !== s && this.row(workflowId)) this.o.bus.emit('vision.workflowUpdated', this.toWorkflow(this.row(workflowId)!));
        },
      },
    });
    this.followers.set(workflowId, f);
    void f.finished().then(() => {
      if (this.followers.get(workflowId) === f) this.followers.delete(workflowId);
    });
    f.start();
    return this.toWorkflow(this.rowById(id));
  }

  /** `vision.follow`: the workflow is read first (a wrong id is NOT_FOUND at once), then followed live. */
  async followChecked(workflowId: string): Promise<VisionWorkflow> {
    const w = await this.getWorkflow(workflowId, { offline: true });
    if (isFinal(w.state)) return w;
    return this.follow(workflowId);
  }

  /** Resolves when following `workflowId` stops (it ended, or the service closed). */
  async waitFollowed(workflowId: string): Promise<VisionWorkflow> {
    await this.followers.get(workflowId)?.finished();
    return this.toWorkflow(this.row(workflowId)!);
  }

  isFollowing(workflowId: string): boolean {
    return this.followers.has(workflowId);
  }

  private stopFollowing(workflowId: string): void {
    const f = this.followers.get(workflowId);
    if (f) {
      this.followers.delete(workflowId);
      f.stop();
    }
  }

  /** Before each (re)connect: detail and the metrics history. False when the workflow has ended (follow no more). */
  private async sync(workflowId: string, _reason: 'start' | 'reconnect'): Promise<boolean> {
    if (this.closed) return false;
    let d: WorkflowDetail;
    try {
      d = await this.workflows.detail(workflowId);
    } catch (err) {
      // Gone, or not ours: nothing to follow. Signed out: the socket cannot be opened either.
      const status = statusOf(err);
      if (status === 403 || status === 404 || (err instanceof AppError && err.code === 'UNAUTHORIZED')) {
        const row = this.row(workflowId);
        if (row && status === 404 && !isFinal(row.state)) {
          this.o.db.prepare(`UPDATE vision_workflows SET state = 'unknown', error = ?, updated_at = ? WHERE id = ?`).run('The platform no longer knows this workflow (HTTP 404).', nowIso(), row.id);
        }
        return false;
      }
      throw err;
    }
    const id = this.fromDetail(d);
    await this.fillGap(workflowId).catch(() => []);
    const row = this.rowById(id);
    this.emitWorkflow(id);
    return !isFinal(row.state);
  }

  private async onMessage(workflowId: string, m: WsMessage): Promise<void> {
    if (this.closed) return;
    if (m.workflow_id && m.workflow_id !== workflowId) return;
    const row = this.row(workflowId);
    if (!row) return;
    const type = m.type.toLowerCase();
    if (type === 'training_progress') {
      const d = WsProgressData.safeParse(m.data);
      if (!d.success) return;
      const p = d.data;
      const point: VisionMetricPoint = {
        epoch: Math.trunc(p.epoch),
        step: p.step,
        timestamp: m.timestamp,
        metrics: p.metrics,
        etaMinutes: p.eta_minutes,
        gpuUtilization: p.gpu_utilization,
        memoryUsageGb: p.memory_usage_gb,
        source: 'ws',
      };
      this.store(row.id, [point]);
      const total = p.total_epochs ?? row.total_epochs;
      this.upsert(workflowId, {
        status: isFinal(row.state) ? undefined : 'training',
        currentEpoch: point.epoch,
        totalEpochs: total,
        percentage: total ? Math.min(100, Math.round((point.epoch / total) * 1000) / 10) : null,
      });
      this.o.db.prepare(`UPDATE vision_workflows SET last_progress_json = ? WHERE id = ?`).run(JSON.stringify(point), row.id);
      this.emitWorkflow(row.id);
    } else if (type === 'checkpoint_saved') {
      const epoch = typeof m.data.epoch === 'number' ? m.data.epoch : null;
      this.o.bus.emit('vision.checkpointSaved', { workflowId, epoch, data: m.data });
    } else if (type === 'training_complete' || type === 'training_error') {
      const failed = type === 'training_error';
      const finalMetrics = m.data.metrics ?? m.data.final_metrics;
      if (finalMetrics && typeof finalMetrics === 'object') {
        const nums: Record<string, number> = {};
        for (const [k, v] of Object.entries(finalMetrics as Record<string, unknown>)) if (typeof v === 'number') nums[k] = v;
        this.o.db.prepare(`UPDATE vision_workflows SET final_metrics_json = ? WHERE id = ?`).run(JSON.stringify(nums), row.id);
      }
      // The last epochs may have gone by unseen (a drop just before the end): the history has them.
      await this.fillGap(workflowId).catch(() => []);
      try {
        this.fromDetail(await this.workflows.detail(workflowId));
      } catch {
        // the message is enough to end it
      }
      this.upsert(workflowId, { status: failed ? 'failed' : 'completed', error: failed ? (errorText(m.data.error) ?? errorText(m.data.message) ?? 'Training failed.') : undefined, completedAt: m.timestamp });
      const now = this.rowById(row.id);
      if (!isFinal(now.state)) this.o.db.prepare(`UPDATE vision_workflows SET state = ? WHERE id = ?`).run(failed ? 'failed' : 'completed', row.id);
      this.stopFollowing(workflowId);
      this.emitWorkflow(row.id);
    }
  }

  /** Follows every workflow of the current address that has not ended (after a restart or a sign-in). */
  async start(): Promise<void> {
    const base = this.baseUrlOrNull();
    if (!base || this.closed) return;
    if ((await this.session.account()).state !== 'signedIn' || this.closed) return;
    const rows = this.o.db.prepare(`SELECT workflow_id FROM vision_workflows WHERE base_url = ? AND state IN ('pending','training','unknown')`).all(base) as { workflow_id: string }[];
    for (const r of rows) this.follow(r.workflow_id);
  }

  close(): void {
    this.closed = true;
    for (const f of this.followers.values()) f.stop();
    this.followers.clear();
  }

  // ---- bring the model home ----------------------------------------------------------------------------

  /**
   * GET /workflows/{id}/export?format=onnx (the studio's proposal): downloaded to a temp file, loaded with
   * onnxruntime, registered in the model library as a classification (or detection) model with the workflow's class
   * names as labels, the catalogue's input size and the lineage. 404: EXPORT_NOT_OFFERED (use cloud inference).
   */
  async pull(
    workflowId: string,
    opts: { signal?: AbortSignal; onProgress?: (p: DownloadProgress) => void; onStage?: (stage: string) => void } = {},
  ): Promise<{ modelId: string; manifest: ModelManifest; workflow: VisionWorkflow }> {
    await this.authed();
    if (!this.o.library) throw new AppError('UNSUPPORTED', say('vision.no_library', {}));
    const wf = await this.getWorkflow(workflowId);
    if (wf.state !== 'completed') {
      throw problem('CONFLICT', say('vision.not_finished', { id: workflowId, state: wf.state }), 'NOT_FINISHED', { state: wf.state });
    }
    const row = this.row(workflowId)!;
    let classNames = json<string[]>(row.class_names_json, []);
    if (!classNames.length && row.dataset_id) {
      classNames = (await this.getDataset(row.dataset_id).catch(() => null))?.statistics?.classes.map((c) => c.name) ?? [];
    }
    let inputSize: { width: number; height: number } | undefined;
    if (row.model) {
      const m = await this.model(row.model).catch(() => null);
      const s = m?.inputSize;
      if (s && s.length >= 2 && s[0]! > 0 && s[1]! > 0) inputSize = { height: Math.round(s[0]!), width: Math.round(s[1]!) };
    }
    const tmpDir = path.join(this.o.dataDir, 'tmp');
    fs.mkdirSync(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `vision-export-${slug(workflowId)}-${randomBytes(4).toString('hex')}.onnx`);
    try {
      try {
        await this.workflows.export(workflowId, tmp, { signal: opts.signal, onProgress: opts.onProgress });
      } catch (err) {
        if (statusOf(err) === 404) {
          throw problem(
            'NOT_FOUND',
            say('vision.export_not_offered', { id: workflowId }),
            'EXPORT_NOT_OFFERED',
            { status: 404, workflowId, ...(err instanceof AppError && (err.details as { requestId?: string })?.requestId ? { requestId: (err.details as { requestId?: string }).requestId } : {}) },
          );
        }
        throw err;
      }
      opts.onStage?.('verifying');
      const hints = await readOnnxHints(tmp).catch(() => null);
      if (!classNames.length && hints?.classNames?.length) classNames = hints.classNames;
      const task = row.task_type === 'detection' ? 'detection' : 'classification';
      const lineage: ModelLineage = {
        platform: 'vision',
        baseUrl: this.baseUrl(),
        workflowId,
        workflowName: row.name,
        datasetId: row.dataset_id,
        baseModel: row.model,
        taskType: row.task_type,
        classNames,
        finalMetrics: wf.metrics,
        hyperparameters: json<{ hyperparameters?: Record<string, unknown> }>(row.config_json, {}).hyperparameters ?? {},
        trainedAt: row.completed_at,
        pulledAt: nowIso(),
      };
      let manifest: ModelManifest;
      try {
        manifest = await this.o.library.importModel(
          {
            path: tmp,
            task,
            name: row.name.slice(0, 120),
            labels: classNames,
            ...(hints?.normalization ? { normalization: hints.normalization } : {}),
            licence: 'trained by you on the vision training platform',
          },
          { source: 'cloud-trained', description: `Trained in the cloud (workflow ${workflowId}${row.model ? `, from ${row.model}` : ''}${row.dataset_id ? `, dataset ${row.dataset_id}` : ''}).`, lineage, inputSize: hints?.inputSize ?? inputSize },
        );
      } catch (err) {
        const e = AppError.from(err);
        if (e.code === 'MODEL_INVALID') throw problem('MODEL_INVALID', say('vision.export_invalid', { id: workflowId, reason: e.message }), 'EXPORT_INVALID', { workflowId });
        throw e;
      }
      this.o.db.prepare(`UPDATE vision_workflows SET local_model_id = ?, updated_at = ? WHERE id = ?`).run(manifest.id, nowIso(), row.id);
      this.o.db
        .prepare(`INSERT OR REPLACE INTO vision_models (model_id, base_url, workflow_id, dataset_id, base_model, lineage_json, pulled_at) VALUES (?,?,?,?,?,?,?)`)
        .run(manifest.id, this.baseUrl(), workflowId, row.dataset_id, row.model, JSON.stringify(lineage), lineage.pulledAt);
      const workflow = this.emitWorkflow(row.id);
      return { modelId: manifest.id, manifest, workflow };
    } finally {
      fs.rmSync(tmp, { force: true });
      fs.rmSync(`${tmp}.part`, { force: true });
    }
  }

  /** The pull as a job (IPC): the job's result is {modelId}. */
  startPull(workflowId: string): { jobId: string } {
    if (!this.o.jobs) throw new AppError('UNSUPPORTED', say('vision.no_jobs', {}));
    return { jobId: this.o.jobs.start('vision.pull', { workflowId }).id };
  }

  /** The upload as a job (IPC): the job's result is {datasetId}. */
  startUpload(p: { path: string; name: string; format: string; description?: string; projectId?: number }): { jobId: string } {
    if (!this.o.jobs) throw new AppError('UNSUPPORTED', say('vision.no_jobs', {}));
    const src = path.resolve(p.path);
    if (!fs.existsSync(src)) throw new AppError('NOT_FOUND', say('vision.no_dataset_file', { path: src }), { path: src });
    return { jobId: this.o.jobs.start('vision.upload', { ...p, path: src }, p.projectId ?? null).id };
  }

  // ---- cloud inference ---------------------------------------------------------------------------------

  private labelsOf(workflowId: string): string[] {
    const row = this.row(workflowId);
    return row ? json<string[]>(row.class_names_json, []) : [];
  }

  private predictions(workflowId: string, preds: Prediction[]) {
    const labels = this.labelsOf(workflowId);
    return preds
      .map((p, i) => {
        const idx = p.class_id !== null ? Math.trunc(p.class_id) : p.class !== undefined && labels.includes(p.class) ? labels.indexOf(p.class) : i;
        return { classIndex: idx, label: p.class ?? p.label ?? labels[idx] ?? String(idx), score: p.confidence ?? p.score ?? 0 };
      })
      .sort((a, b) => b.score - a.score);
  }

  /** POST /inference/{id}/predict with one image file as image_base64. */
  async predict(workflowId: string, file: string, signal?: AbortSignal): Promise<VisionPredictResult> {
    await this.authed();
    const image = await imageDataUrl(file);
    const r = await this.inference.predict(workflowId, { image_base64: image }, signal);
    return { workflowId, image: file, predictions: this.predictions(workflowId, r.predictions), inferenceTimeMs: r.inference_time_ms, modelVersion: r.model_version };
  }

  /** predict on a project image (by id). */
  async predictImage(workflowId: string, imageId: number): Promise<VisionPredictResult> {
    const img = this.o.db.prepare(`SELECT file FROM images WHERE id = ?`).get(imageId) as { file: string } | undefined;
    if (!img) throw new AppError('NOT_FOUND', say('vision.no_image', { id: imageId }));
    const r = await this.predict(workflowId, path.join(this.o.dataDir, img.file));
    return { ...r, image: String(imageId) };
  }

  /** Batch inference over a frame set or chosen images, stored as a model run (model id `cloud.<workflow>`); returns the job at once. */
  async startBatch(req: { workflowId: string; projectId: number; frameSetId?: number; imageIds?: number[] }): Promise<{ jobId: string; runId: number }> {
    await this.authed();
    if (!this.o.jobs || !this.o.runs) throw new AppError('UNSUPPORTED', say('vision.no_runner', {}));
    const row = this.row(req.workflowId);
    const modelId = cloudModelId(req.workflowId);
    const { ids } = this.o.runs.selectImages({ projectId: req.projectId, frameSetId: req.frameSetId, imageIds: req.imageIds, mode: 'all', modelId });
    if (ids.length === 0) throw new AppError('INVALID_INPUT', say('vision.nothing_to_classify', {}));
    const runId = this.o.runs.createRun({
      projectId: req.projectId,
      frameSetId: req.frameSetId ?? null,
      model: { id: modelId, name: `${row?.name ?? req.workflowId} (cloud)`, task: row?.task_type === 'detection' ? 'detection' : 'classification' },
      mode: 'all',
      batchSize: Math.min(32, ids.length),
      imageIds: ids,
      skipped: 0,
    });
    const job = this.o.jobs.start('vision.batch', { runId, workflowId: req.workflowId }, req.projectId);
    this.o.runs.setJob(runId, job.id);
    return { jobId: job.id, runId };
  }

  private async executeBatch(runId: number, workflowId: string, ctx: JobContext): Promise<{ runId: number; done: number; failed: number }> {
    const runs = this.o.runs!;
    runs.update(runId, { status: 'running', provider: 'cloud' });
    const started = Date.now();
    const modelId = cloudModelId(workflowId);
    const pending = runs.pending(runId);
    const files = new Map((this.o.db.prepare(`SELECT id, file, width, height FROM images WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(pending)) as { id: number; file: string; width: number | null; height: number | null }[]).map((r) => [r.id, r]));
    let done = 0;
    let failed = 0;
    const total = pending.length;
    const chunk = 32;
    try {
      for (let i = 0; i < pending.length; i += chunk) {
        const ids = pending.slice(i, i + chunk).filter((id) => files.has(id));
        const images: ImageRef[] = [];
        for (const id of ids) images.push({ image_base64: await imageDataUrl(path.join(this.o.dataDir, files.get(id)!.file)) });
        const job = await this.inference.batch(workflowId, images, ctx.signal);
        let wait = this.o.pollMs?.first ?? 1000;
        let status = await this.inference.batchStatus(workflowId, job.job_id, ctx.signal);
        for (;;) {
          const s = (status.status ?? '').toLowerCase();
          const completed = status.completed_images ?? status.results.length;
          ctx.progress({ fraction: Math.min(0.999, (done + failed + completed) / total), stage: 'classifying in the cloud', done: done + failed + completed, total, unit: 'images' });
          if (s === 'completed' || s === 'failed' || s === 'error' || (status.results.length >= ids.length && s !== 'processing')) break;
          await this.http().wait(wait, ctx.signal);
          wait = Math.min(this.o.pollMs?.max ?? 5000, wait * 2);
          status = await this.inference.batchStatus(workflowId, job.job_id, ctx.signal);
        }
        const results = ids.map((imageId, k) => {
          const res = status.results.find((x) => x.index === k) ?? status.results[k];
          const img = files.get(imageId)!;
          if (!res || res.error !== undefined && res.error !== null) {
            return { imageId, ok: false, error: { code: 'REMOTE' as const, message: errorText(res?.error) ?? 'The platform gave no result for this image.' }, ms: 0 };
          }
          return { imageId, ok: true, output: { task: 'classification' as const, top: this.predictions(workflowId, res.predictions).slice(0, 5) }, width: img.width ?? 0, height: img.height ?? 0, ms: 0 };
        });
        runs.saveResults(runId, modelId, results);
        done += results.filter((r) => r.ok).length;
        failed += results.filter((r) => !r.ok).length;
      }
    } catch (err) {
      runs.update(runId, { status: ctx.signal.aborted ? 'cancelled' : 'failed', addSeconds: (Date.now() - started) / 1000 });
      throw err;
    }
    runs.update(runId, { status: 'completed', addSeconds: (Date.now() - started) / 1000 });
    ctx.progress({ fraction: 1, stage: 'done', done: done + failed, total, unit: 'images' });
    return { runId, done, failed };
  }
}

function pointOf(r: MetricDbRow): VisionMetricPoint {
  const extra = json<{ etaMinutes?: number | null; gpuUtilization?: number | null; memoryUsageGb?: number | null }>(r.extra_json, {});
  return {
    epoch: r.epoch,
    step: r.step,
    timestamp: r.timestamp,
    metrics: json<Record<string, number>>(r.metrics_json, {}),
    etaMinutes: extra.etaMinutes ?? null,
    gpuUtilization: extra.gpuUtilization ?? null,
    memoryUsageGb: extra.memoryUsageGb ?? null,
    source: r.source,
  };
}

/** An error as a platform may send it: a string, `{message}`, `{error: {message}}`. */
function errorText(e: unknown): string | null {
  if (e === null || e === undefined) return null;
  if (typeof e === 'string') return e.slice(0, 500) || null;
  if (typeof e === 'object') {
    const o = e as Record<string, unknown>;
    if (typeof o.message === 'string') return o.message.slice(0, 500);
    if (o.error) return errorText(o.error);
  }
  return null;
}

function toConfig(c: TrainingConfig): VisionTrainingConfig {
  const h = c.hyperparameters;
  const hyper: VisionHyperparameters = {};
  if (h?.epochs !== null && h?.epochs !== undefined) hyper.epochs = Math.trunc(h.epochs);
  if (h?.batch_size !== null && h?.batch_size !== undefined) hyper.batchSize = Math.trunc(h.batch_size);
  if (h?.learning_rate !== null && h?.learning_rate !== undefined) hyper.learningRate = h.learning_rate;
  if (h?.optimizer) hyper.optimizer = h.optimizer;
  return {
    taskType: c.task_type,
    modelName: c.model_name ?? c.model,
    modelSource: c.model_source,
    numClasses: c.num_classes ?? (c.class_names.length || null),
    classNames: c.class_names,
    datasetId: c.dataset?.dataset_id ?? c.dataset_id,
    datasetSource: c.dataset?.source ?? null,
    hyperparameters: hyper,
  };
}

function toChatReply(r: ChatReply, sessionId: string): VisionChatReply {
  return {
    sessionId,
    type: r.type ?? (r.training_config ? 'intent_complete' : r.questions.length ? 'clarification_needed' : 'message'),
    message: r.message,
    parsedIntent: r.parsed_intent,
    questions: r.questions.map((q, i) => ({ id: q.id ?? `q${i + 1}`, field: q.field ?? `q${i + 1}`, question: q.question ?? '', required: q.required ?? false, suggestions: q.suggestions })),
    trainingConfig: r.training_config ? toConfig(r.training_config) : null,
    actions: r.actions.flatMap((a) => (a.type ? [{ type: a.type, label: a.label ?? a.type }] : [])),
  };
}

function toCatalogueModel(m: import('./schemas').CatalogueModel): VisionCatalogueModel {
  return {
    modelId: m.model_id,
    name: m.name ?? m.model_id,
    framework: m.framework,
    taskTypes: m.task_types,
    parameters: m.parameters,
    pretrainedWeights: m.pretrained_weights,
    description: m.description,
    metrics: m.metrics,
    inputSize: m.input_size,
    supportedBackends: m.supported_backends,
    documentationUrl: m.documentation_url,
  };
}
