/**
 * The vision platform's behaviour behind the routes: accounts and plans, chat sessions (intent.ts), datasets
 * (inspect.ts), the workflow queue and its trainings (trainer/), metrics, logs, WebSocket messages, inference
 * with the trained model, batch jobs and the ONNX export. Everything the seed lets a user see is scoped to that
 * user: another user's resource answers 403 FORBIDDEN, an unknown id 404 NOT_FOUND.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../base/clock';
import { hashPassword, passwordMatches, type Tokens } from './auth';
import { CATALOGUE, modelById } from './catalogue';
import { notFound, validationError, VisionError, type FieldError } from './errors';
import { converse, emptyState, type DatasetRef, type IntentState } from './intent';
import { inspectZip, type DatasetFormat, type Inspection } from './inspect';
import { DEFAULT_PLANS, type Plan, type PlanName } from './plans';
import type { DatasetRow, UserRow, VisionStore, WorkflowRow, WorkflowStatus } from './store';
import { imageFeatures, type Region } from './trainer/features';
import { predict, SoftmaxTrainer, type TrainedModel } from './trainer/model';
import { exportOnnx } from './trainer/onnx-export';
import type { WorkflowSockets } from './ws';

export interface VisionSettings {
  epochDelayMs: number;
  exportEnabled: boolean;
  plans: Record<PlanName, Plan>;
  /** Requests per minute of a caller without a valid token (per address). */
  anonymousPerMinute: number;
  /** Trainings that run at once over all users; the rest wait (queue_position). */
  gpuSlots: number;
  maxUploadBytes: number;
}

export interface WorkflowConfig {
  task_type: 'classification' | 'detection' | 'segmentation';
  model: string;
  dataset_id: string;
  class_names: string[] | null;
  hyperparameters: { epochs: number; batch_size: number; learning_rate: number; optimizer: 'adam' | 'sgd' | 'adamw' };
}

export const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
const id = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;
const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;

export const GPU = { gpu_type: 'T4', gpu_count: 1, memory_gb: 16 };

interface Running {
  cancelled: boolean;
  failWith: string | null;
}

export class VisionService {
  private readonly running = new Map<string, Running>();
  private readonly modelCache = new Map<string, TrainedModel>();
  private closed = false;
  sockets: WorkflowSockets | null = null;

  constructor(
    readonly store: VisionStore,
    readonly clock: Clock,
    readonly settings: VisionSettings,
    readonly dataDir: string,
    readonly tokens: Tokens,
  ) {}

  // ---------------------------------------------------------------- accounts
  createUser(input: { email: string; password: string; name?: string; plan?: PlanName }): UserRow {
    if (this.store.userByEmail(input.email)) throw new VisionError(409, `A user with the e-mail ${input.email} already exists`, { field: 'email' });
    const { salt, hash } = hashPassword(input.password);
    const user: UserRow = {
      user_id: id('user'),
      email: input.email,
      name: input.name ?? input.email.split('@')[0]!,
      password_salt: salt,
      password_hash: hash,
      plan: input.plan ?? 'free',
      created_at: this.clock.now(),
    };
    this.store.insertUser(user);
    this.store.insertProject({ project_id: id('proj'), user_id: user.user_id, name: '기본 프로젝트', description: 'Default project', created_at: user.created_at });
    return user;
  }

  login(email: string, password: string): { access_token: string; refresh_token: string; token_type: 'bearer'; expires_in: number } {
    const u = this.store.userByEmail(email);
    if (!u || !passwordMatches(password, u.password_salt, u.password_hash)) throw new VisionError(401, 'Invalid email or password', { reason: 'The e-mail and password do not match an account.' });
    return { access_token: this.tokens.access(u.user_id), refresh_token: this.tokens.refresh(u.user_id), token_type: 'bearer', expires_in: this.tokens.lifetimes.accessTokenSeconds };
  }

  refresh(token: string | null): { access_token: string; token_type: 'bearer'; expires_in: number } {
    const claims = this.tokens.check(token, 'refresh');
    if (!this.store.user(claims.sub)) throw new VisionError(401, 'Refresh token is invalid', { reason: 'The account no longer exists.' });
    return { access_token: this.tokens.access(claims.sub), token_type: 'bearer', expires_in: this.tokens.lifetimes.accessTokenSeconds };
  }

  /** The user of a bearer access token; 401 as the seed shows. */
  userOf(token: string | null): UserRow {
    const claims = this.tokens.check(token, 'access');
    const u = this.store.user(claims.sub);
    if (!u) throw new VisionError(401, 'Access token is invalid', { reason: 'The account no longer exists.' });
    return u;
  }

  plan(u: UserRow): Plan {
    return this.settings.plans[u.plan] ?? DEFAULT_PLANS[u.plan];
  }

  profile(u: UserRow): Record<string, unknown> {
    const plan = this.plan(u);
    return {
      user_id: u.user_id,
      email: u.email,
      name: u.name,
      plan: u.plan,
      created_at: iso(u.created_at),
      usage: {
        gpu_hours_used: round(this.store.gpuMs(u.user_id) / 3_600_000, 4),
        gpu_hours_limit: plan.gpuHoursLimit,
        storage_gb_used: round(this.store.storageBytes(u.user_id) / 1024 ** 3, 4),
        storage_gb_limit: plan.storageGbLimit,
      },
    };
  }

  projects(u: UserRow): Record<string, unknown> {
    return {
      projects: this.store.projects(u.user_id).map((p) => ({ project_id: p.project_id, name: p.name, description: p.description, workflow_count: p.workflow_count, dataset_count: p.dataset_count, created_at: iso(p.created_at) })),
    };
  }

  private defaultProject(u: UserRow, requested: unknown): string | null {
    if (typeof requested === 'string' && requested) {
      const p = this.store.project(requested);
      if (!p) throw notFound('Project', requested);
      if (p.user_id !== u.user_id) throw new VisionError(403, 'This project belongs to another user', { project_id: requested });
      return p.project_id;
    }
    return this.store.projects(u.user_id)[0]?.project_id ?? null;
  }

  // ---------------------------------------------------------------- chat
  private datasetRefs(u: UserRow): DatasetRef[] {
    return this.store.datasetsOf(u.user_id).map((d) => ({ dataset_id: d.dataset_id, name: d.name, ready: d.status === 'ready', classes: d.inspection_json ? (JSON.parse(d.inspection_json) as Inspection).classes.map((c) => c.name) : [] }));
  }

  chat(u: UserRow, sessionId: string, message: string, context: Record<string, unknown>): Record<string, unknown> {
    const now = this.clock.now();
    let s = this.store.session(sessionId);
    if (s && s.user_id !== u.user_id) throw new VisionError(403, 'This chat session belongs to another user', { session_id: sessionId });
    const state: IntentState = s ? { ...emptyState(), ...(JSON.parse(s.state_json) as IntentState) } : emptyState();
    const reply = converse(state, message, context, this.datasetRefs(u));
    s = { session_id: sessionId, user_id: u.user_id, created_at: s?.created_at ?? now, updated_at: now, status: 'active', state_json: JSON.stringify(state) };
    this.store.saveSession(s);
    this.store.addMessage({ session_id: sessionId, role: 'user', content: message, timestamp: now });
    this.store.addMessage({ session_id: sessionId, role: 'assistant', content: reply.message, timestamp: now });
    return { ...reply, session_id: sessionId };
  }

  private ownSession(u: UserRow, sessionId: string) {
    const s = this.store.session(sessionId);
    if (!s) throw notFound('Session', sessionId);
    if (s.user_id !== u.user_id) throw new VisionError(403, 'This chat session belongs to another user', { session_id: sessionId });
    return s;
  }

  session(u: UserRow, sessionId: string): Record<string, unknown> {
    const s = this.ownSession(u, sessionId);
    return {
      session_id: s.session_id,
      created_at: iso(s.created_at),
      updated_at: iso(s.updated_at),
      messages: this.store.messages(s.session_id).map((m) => ({ role: m.role, content: m.content, timestamp: iso(m.timestamp) })),
      status: s.status,
    };
  }

  deleteSession(u: UserRow, sessionId: string): void {
    this.ownSession(u, sessionId);
    this.store.deleteSession(sessionId);
  }

  // ---------------------------------------------------------------- datasets
  datasetDir(datasetId: string): string {
    return path.join(this.dataDir, 'datasets', datasetId);
  }

  /** Registers an uploaded zip (already moved to the dataset folder) and inspects it in the background. */
  addDataset(u: UserRow, input: { name: string; description: string; format: DatasetFormat; zipFile: string; size: number; fileCount: number; project_id?: unknown }): DatasetRow {
    const projectId = this.defaultProject(u, input.project_id);
    const plan = this.plan(u);
    if (this.store.storageBytes(u.user_id) + input.size > plan.storageGbLimit * 1024 ** 3) {
      throw new VisionError(403, 'Storage limit of your plan reached', { storage_gb_limit: plan.storageGbLimit, plan: u.plan });
    }
    const datasetId = id('ds');
    const dir = this.datasetDir(datasetId);
    fs.mkdirSync(dir, { recursive: true });
    fs.renameSync(input.zipFile, path.join(dir, 'upload.zip'));
    const now = this.clock.now();
    const row: DatasetRow = {
      dataset_id: datasetId,
      user_id: u.user_id,
      project_id: projectId,
      name: input.name,
      description: input.description,
      format: input.format,
      size_bytes: input.size,
      file_count: input.fileCount,
      status: 'processing',
      created_at: now,
      updated_at: now,
      inspection_json: null,
      dir: path.relative(this.dataDir, dir),
    };
    this.store.insertDataset(row);
    void this.processDataset(datasetId);
    return row;
  }

  /** Inspects a dataset still `processing` (also after a restart). */
  async processDataset(datasetId: string): Promise<void> {
    const row = this.store.dataset(datasetId);
    if (!row || row.status !== 'processing') return;
    const dir = path.join(this.dataDir, row.dir);
    let insp: Inspection;
    try {
      fs.rmSync(path.join(dir, 'files'), { recursive: true, force: true });
      insp = await inspectZip(path.join(dir, 'upload.zip'), path.join(dir, 'files'), row.format as DatasetFormat, 42, Math.max(this.settings.maxUploadBytes * 4, 64 * 1024 * 1024));
    } catch (e) {
      insp = { format: row.format as DatasetFormat, classes: [], images: [], boxes: [], splits: { train: 0, val: 0, test: 0 }, problems: [], fatal: `The zip cannot be read: ${(e as Error).message}` };
    }
    if (this.closed) return;
    this.store.finishDataset(datasetId, insp.fatal ? 'failed' : 'ready', insp.images.length, insp, this.clock.now());
  }

  private ownDataset(u: UserRow, datasetId: string): DatasetRow {
    const d = this.store.dataset(datasetId);
    if (!d) throw notFound('Dataset', datasetId);
    if (d.user_id !== u.user_id) throw new VisionError(403, 'This dataset belongs to another user', { dataset_id: datasetId });
    return d;
  }

  static sizeMb(bytes: number): number {
    return round(bytes / (1024 * 1024), 2);
  }

  datasetSummary(d: DatasetRow): Record<string, unknown> {
    return { dataset_id: d.dataset_id, name: d.name, format: d.format, size_mb: VisionService.sizeMb(d.size_bytes), file_count: d.file_count, status: d.status, created_at: iso(d.created_at) };
  }

  datasetList(u: UserRow, page: number, limit: number): Record<string, unknown> {
    const { rows, total } = this.store.datasets(u.user_id, limit, (page - 1) * limit);
    return { datasets: rows.map((d) => this.datasetSummary(d)), total, page, limit };
  }

  datasetDetail(u: UserRow, datasetId: string): Record<string, unknown> {
    const d = this.ownDataset(u, datasetId);
    const insp = d.inspection_json ? (JSON.parse(d.inspection_json) as Inspection) : null;
    const usable = insp ? insp.images.filter((i) => i.ok).length : 0;
    return {
      dataset_id: d.dataset_id,
      name: d.name,
      description: d.description,
      format: d.format,
      size_mb: VisionService.sizeMb(d.size_bytes),
      file_count: d.file_count,
      status: d.status,
      statistics: insp
        ? { total_images: usable, train_images: insp.splits.train, val_images: insp.splits.val, test_images: insp.splits.test, classes: insp.classes }
        : null,
      ...(insp?.fatal ? { error: { code: 'DATASET_UNUSABLE', message: insp.fatal } } : {}),
      created_at: iso(d.created_at),
      updated_at: iso(d.updated_at),
    };
  }

  validateDataset(u: UserRow, datasetId: string, expected: { format: string | null; classes: number | null }): Record<string, unknown> {
    const d = this.ownDataset(u, datasetId);
    if (d.status === 'processing') throw new VisionError(409, 'The dataset is still being processed; validate it once its status is ready', { status: d.status });
    const insp = JSON.parse(d.inspection_json!) as Inspection;
    const issues: { severity: string; code: string; message: string; details: Record<string, unknown> }[] = [];
    const recommendations: string[] = [];
    if (insp.fatal) issues.push({ severity: 'error', code: 'DATASET_UNUSABLE', message: insp.fatal, details: {} });
    if (expected.format && expected.format !== d.format) issues.push({ severity: 'error', code: 'FORMAT_MISMATCH', message: `데이터셋 형식이 ${d.format}입니다 (기대값: ${expected.format}).`, details: { expected: expected.format, actual: d.format } });
    if (expected.classes !== null && expected.classes !== insp.classes.length) {
      issues.push({ severity: 'error', code: 'CLASS_COUNT_MISMATCH', message: `클래스 수가 ${insp.classes.length}개입니다 (기대값: ${expected.classes}개).`, details: { expected: expected.classes, actual: insp.classes.length, classes: insp.classes.map((c) => c.name) } });
    }
    for (const p of insp.problems) issues.push({ severity: p.severity, code: p.code, message: p.message, details: p.details });
    if (insp.problems.some((p) => p.code === 'CORRUPT_IMAGES')) recommendations.push('손상된 이미지를 제거하거나 다시 내보낸 뒤 업로드하세요.');
    const counts = insp.classes.map((c) => c.count);
    if (insp.classes.length === 1) issues.push({ severity: 'error', code: 'SINGLE_CLASS', message: '클래스가 하나뿐입니다. 분류에는 2개 이상의 클래스가 필요합니다.', details: { classes: insp.classes.map((c) => c.name) } });
    const tiny = insp.classes.filter((c) => c.count < 5);
    if (tiny.length) {
      issues.push({ severity: 'warning', code: 'TOO_FEW_IMAGES', message: `이미지가 5개 미만인 클래스가 ${tiny.length}개 있습니다.`, details: Object.fromEntries(tiny.map((c) => [c.name, c.count])) });
      recommendations.push('클래스마다 최소 5장, 가능하면 50장 이상의 이미지를 준비하세요.');
    }
    if (counts.length >= 2) {
      const max = Math.max(...counts);
      const min = Math.min(...counts);
      const diff = max > 0 ? (max - min) / max : 0;
      if (diff >= 0.05) {
        const pct = Math.ceil(diff * 100);
        issues.push({ severity: diff >= 0.5 ? 'warning' : 'warning', code: 'CLASS_IMBALANCE', message: `클래스 불균형 감지 (최대 ${pct}% 차이)`, details: Object.fromEntries(insp.classes.map((c) => [c.name, c.count])) });
        recommendations.push('데이터 증강(augmentation)을 사용하여 클래스 균형을 맞추는 것을 권장합니다.');
      }
    }
    if (insp.splits.val === 0 && !insp.fatal) recommendations.push('검증(val) 이미지가 없습니다. 클래스마다 2장 이상 준비하세요.');
    return { dataset_id: d.dataset_id, valid: !issues.some((i) => i.severity === 'error'), issues, recommendations };
  }

  // ---------------------------------------------------------------- workflows
  /** Checks a POST /workflows body; 400 for an unknown model (the seed's example), 422 with every field error. */
  parseWorkflow(u: UserRow, body: Record<string, unknown>): { name: string; description: string; config: WorkflowConfig; project_id: unknown } {
    const errors: FieldError[] = [];
    const name = body.name;
    if (typeof name !== 'string' || !name.trim()) errors.push({ field: 'name', message: 'Required, a non-empty string', value: name ?? null });
    else if (name.length > 200) errors.push({ field: 'name', message: 'At most 200 characters', value: name.length });
    const description = body.description === undefined || body.description === null ? '' : body.description;
    if (typeof description !== 'string') errors.push({ field: 'description', message: 'Must be a string', value: description });
    const cfg = (body.config ?? body.training_config) as Record<string, unknown> | undefined;
    if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) {
      errors.push({ field: 'config', message: 'Required, an object with task_type, model, dataset_id and hyperparameters', value: cfg ?? null });
      throw validationError(errors);
    }
    const modelName = (cfg.model ?? cfg.model_name) as unknown;
    if (typeof modelName !== 'string' || !modelName) errors.push({ field: 'model', message: 'Required, a model_id from GET /models', value: modelName ?? null });
    const model = typeof modelName === 'string' && modelName ? modelById(modelName) : null;
    if (typeof modelName === 'string' && modelName && !model) {
      throw new VisionError(400, 'Invalid model name', { field: 'model', reason: `Model '${modelName}' not found in registry`, available_models: CATALOGUE.map((m) => m.model_id) });
    }
    const task = cfg.task_type ?? model?.task_types[0];
    if (task !== 'classification' && task !== 'detection' && task !== 'segmentation') errors.push({ field: 'task_type', message: 'Must be classification, detection or segmentation', value: task ?? null });
    else if (model && !model.task_types.includes(task)) errors.push({ field: 'task_type', message: `Model ${model.model_id} supports ${model.task_types.join(', ')}`, value: task });
    const ds = (cfg.dataset_id ?? (cfg.dataset as Record<string, unknown> | undefined)?.dataset_id) as unknown;
    if (typeof ds !== 'string' || !ds) errors.push({ field: 'dataset_id', message: 'Required, a dataset_id from POST /datasets/upload', value: ds ?? null });
    const hp = (cfg.hyperparameters ?? {}) as Record<string, unknown>;
    if (typeof hp !== 'object' || Array.isArray(hp)) errors.push({ field: 'hyperparameters', message: 'Must be an object', value: hp });
    const epochs = hp.epochs ?? 100;
    if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 1 || epochs > 1000) errors.push({ field: 'epochs', message: 'Must be between 1 and 1000', value: epochs });
    const batch = hp.batch_size ?? 32;
    if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1) errors.push({ field: 'batch_size', message: 'Must be a positive integer', value: batch });
    else if (batch > 1024) errors.push({ field: 'batch_size', message: 'Must be at most 1024', value: batch });
    const lr = hp.learning_rate ?? 0.001;
    if (typeof lr !== 'number' || !(lr > 0 && lr <= 10)) errors.push({ field: 'learning_rate', message: 'Must be a number greater than 0 and at most 10', value: lr });
    const opt = hp.optimizer ?? 'adam';
    if (opt !== 'adam' && opt !== 'sgd' && opt !== 'adamw') errors.push({ field: 'optimizer', message: 'Must be adam, adamw or sgd', value: opt });
    const names = cfg.class_names;
    if (names !== undefined && names !== null && (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n.trim()) || names.length < 1)) {
      errors.push({ field: 'class_names', message: 'Must be a list of class names', value: names });
    }
    if (errors.length) throw validationError(errors);
    const dataset = this.ownDataset(u, ds as string);
    if (dataset.status === 'processing') throw new VisionError(409, 'The dataset is still being processed', { dataset_id: dataset.dataset_id, status: dataset.status });
    const insp = JSON.parse(dataset.inspection_json!) as Inspection;
    if (dataset.status === 'failed' || insp.classes.length < 2) {
      throw validationError([{ field: 'dataset_id', message: insp.fatal ?? `The dataset has ${insp.classes.length} class(es); training needs at least 2`, value: ds }]);
    }
    let classNames: string[] | null = null;
    if (Array.isArray(names)) {
      const given = (names as string[]).map((n) => n.normalize('NFC'));
      const have = insp.classes.map((c) => c.name);
      const match = given.length === have.length && given.every((g) => have.some((h) => h.toLowerCase() === g.toLowerCase()));
      if (!match) throw validationError([{ field: 'class_names', message: `Must be the dataset's classes (${have.join(', ')}), in any order`, value: given }]);
      classNames = given.map((g) => have.find((h) => h.toLowerCase() === g.toLowerCase())!);
    }
    return {
      name: (name as string).trim(),
      description: description as string,
      project_id: body.project_id,
      config: {
        task_type: task as WorkflowConfig['task_type'],
        model: model!.model_id,
        dataset_id: dataset.dataset_id,
        class_names: classNames,
        hyperparameters: { epochs: epochs as number, batch_size: batch as number, learning_rate: lr as number, optimizer: opt as 'adam' },
      },
    };
  }

  private estimateMinutes(epochs: number): number {
    return Math.max(1, Math.ceil((epochs * (this.settings.epochDelayMs + 50)) / 60_000));
  }

  createWorkflow(u: UserRow, body: Record<string, unknown>): Record<string, unknown> {
    const parsed = this.parseWorkflow(u, body);
    const plan = this.plan(u);
    const active = this.store.activeCount(u.user_id);
    if (active >= plan.concurrentWorkflows) {
      throw new VisionError(429, `Concurrent workflow limit of the ${u.plan} plan reached (${plan.concurrentWorkflows})`, {
        reason: 'concurrent_workflows',
        limit: plan.concurrentWorkflows,
        active_workflows: active,
        plan: u.plan,
      });
    }
    if (this.store.gpuMs(u.user_id) >= plan.gpuHoursLimit * 3_600_000) throw new VisionError(403, 'GPU hours of your plan are used up', { gpu_hours_limit: plan.gpuHoursLimit, plan: u.plan });
    const projectId = this.defaultProject(u, parsed.project_id);
    const now = this.clock.now();
    const wf: WorkflowRow = {
      workflow_id: id('wf'),
      user_id: u.user_id,
      project_id: projectId,
      name: parsed.name,
      description: parsed.description,
      config_json: JSON.stringify(parsed.config),
      status: 'pending',
      total_epochs: parsed.config.hyperparameters.epochs,
      current_epoch: 0,
      step: 0,
      created_at: now,
      started_at: null,
      completed_at: null,
      cancelled_at: null,
      error_json: null,
      metrics_json: null,
      model_file: null,
      checkpoint_file: null,
      checkpoint_epoch: 0,
      gpu_ms: 0,
    };
    this.store.insertWorkflow(wf);
    this.store.addLog(wf.workflow_id, now, 'INFO', `Workflow created: ${parsed.config.model} on ${parsed.config.dataset_id}, ${wf.total_epochs} epochs`);
    const queue_position = this.store.workflowsByStatus('pending').findIndex((w) => w.workflow_id === wf.workflow_id) + 1;
    setImmediate(() => this.schedule());
    return { workflow_id: wf.workflow_id, name: wf.name, status: wf.status, created_at: iso(now), estimated_duration_minutes: this.estimateMinutes(wf.total_epochs), queue_position };
  }

  ownWorkflow(u: UserRow, workflowId: string): WorkflowRow {
    const w = this.store.workflow(workflowId);
    if (!w) throw notFound('Workflow', workflowId);
    if (w.user_id !== u.user_id) throw new VisionError(403, 'This workflow belongs to another user', { workflow_id: workflowId });
    return w;
  }

  private percentage(w: WorkflowRow): number {
    if (w.status === 'completed') return 100;
    return w.total_epochs ? Math.floor((w.current_epoch / w.total_epochs) * 100) : 0;
  }

  workflowList(u: UserRow, status: WorkflowStatus | null, page: number, limit: number, desc: boolean): Record<string, unknown> {
    const { rows, total } = this.store.workflows(u.user_id, status, desc, limit, (page - 1) * limit);
    return {
      workflows: rows.map((w) => ({ workflow_id: w.workflow_id, name: w.name, status: w.status, progress: this.percentage(w), created_at: iso(w.created_at), started_at: iso(w.started_at) })),
      total,
      page,
      limit,
      has_next: page * limit < total,
    };
  }

  private estimatedCompletion(w: WorkflowRow): number | null {
    if (w.status === 'completed' || w.status === 'failed' || w.status === 'cancelled') return null;
    const perEpoch = this.settings.epochDelayMs + 50;
    return this.clock.now() + (w.total_epochs - w.current_epoch) * perEpoch;
  }

  workflowDetail(u: UserRow, workflowId: string): Record<string, unknown> {
    const w = this.ownWorkflow(u, workflowId);
    const cfg = JSON.parse(w.config_json) as WorkflowConfig;
    const metrics = w.metrics_json ? JSON.parse(w.metrics_json) : null;
    return {
      workflow_id: w.workflow_id,
      name: w.name,
      description: w.description,
      status: w.status,
      progress: { current_epoch: w.current_epoch, total_epochs: w.total_epochs, percentage: this.percentage(w) },
      metrics,
      resources: GPU,
      created_at: iso(w.created_at),
      started_at: iso(w.started_at),
      completed_at: iso(w.completed_at),
      estimated_completion_at: iso(this.estimatedCompletion(w)),
      // beyond the seed: what the studio needs to label an exported model and to show why a training failed
      config: { ...cfg, class_names: this.classNamesOf(w) },
      ...(w.cancelled_at ? { cancelled_at: iso(w.cancelled_at) } : {}),
      ...(w.error_json ? { error: JSON.parse(w.error_json) } : {}),
      ...(w.model_file ? { model_version: this.modelVersion(w) } : {}),
    };
  }

  private classNamesOf(w: WorkflowRow): string[] | null {
    const cfg = JSON.parse(w.config_json) as WorkflowConfig;
    if (cfg.class_names) return cfg.class_names;
    const d = this.store.dataset(cfg.dataset_id);
    return d?.inspection_json ? (JSON.parse(d.inspection_json) as Inspection).classes.map((c) => c.name) : null;
  }

  modelVersion(w: WorkflowRow): string {
    return `${w.workflow_id}_epoch_${w.current_epoch}`;
  }

  metricsHistory(u: UserRow, workflowId: string, names: string[] | null, since: number | null): Record<string, unknown> {
    const w = this.ownWorkflow(u, workflowId);
    const keys = names ?? ['loss', 'accuracy', 'val_loss', 'val_accuracy'];
    return {
      workflow_id: w.workflow_id,
      metrics: this.store.metrics(w.workflow_id, since).map((m) => {
        const out: Record<string, unknown> = { timestamp: iso(m.timestamp), epoch: m.epoch, step: m.step };
        for (const k of keys) out[k] = (m as unknown as Record<string, number>)[k]!;
        return out;
      }),
    };
  }

  logs(u: UserRow, workflowId: string, tail: number): Record<string, unknown> {
    const w = this.ownWorkflow(u, workflowId);
    const { rows, total } = this.store.logs(w.workflow_id, tail);
    return { workflow_id: w.workflow_id, logs: rows.map((l) => ({ timestamp: iso(l.timestamp), level: l.level, message: l.message })), total_lines: total };
  }

  cancel(u: UserRow, workflowId: string): Record<string, unknown> {
    const w = this.ownWorkflow(u, workflowId);
    if (w.status !== 'pending' && w.status !== 'training') {
      throw new VisionError(409, `The workflow is already ${w.status}`, { workflow_id: w.workflow_id, status: w.status });
    }
    const now = this.clock.now();
    const r = this.running.get(w.workflow_id);
    if (r) r.cancelled = true;
    this.store.updateWorkflow(w.workflow_id, { status: 'cancelled', cancelled_at: now, completed_at: null });
    this.store.addLog(w.workflow_id, now, 'WARNING', 'Workflow cancelled by the user');
    this.emit(w.workflow_id, 'training_error', { epoch: w.current_epoch, step: w.step, error: { code: 'CANCELLED', message: 'The workflow was cancelled.' }, status: 'cancelled' });
    setImmediate(() => this.schedule());
    return { workflow_id: w.workflow_id, status: 'cancelled', cancelled_at: iso(now) };
  }

  /** Ends a workflow `failed` (admin: a training error on purpose). */
  failWorkflow(workflowId: string, message: string): void {
    const w = this.store.workflow(workflowId);
    if (!w) throw notFound('Workflow', workflowId);
    if (w.status !== 'pending' && w.status !== 'training') throw new VisionError(409, `The workflow is already ${w.status}`, { status: w.status });
    const r = this.running.get(workflowId);
    if (r) r.failWith = message;
    else this.markFailed(w, 'TRAINING_FAILED', message);
  }

  private markFailed(w: WorkflowRow, code: string, message: string): void {
    const now = this.clock.now();
    this.store.updateWorkflow(w.workflow_id, { status: 'failed', completed_at: now, error_json: JSON.stringify({ code, message }) });
    this.store.addLog(w.workflow_id, now, 'ERROR', `Training failed: ${message}`);
    const cur = this.store.workflow(w.workflow_id)!;
    this.emit(w.workflow_id, 'training_error', { epoch: cur.current_epoch, step: cur.step, error: { code, message }, status: 'failed' });
  }

  private emit(workflowId: string, type: string, data: Record<string, unknown>): void {
    this.sockets?.send(workflowId, this.message(workflowId, type, data));
  }

  message(workflowId: string, type: string, data: Record<string, unknown>): Record<string, unknown> {
    return { type, workflow_id: workflowId, timestamp: iso(this.clock.now()), data };
  }

  private progressData(w: WorkflowRow, perEpochMs: number): Record<string, unknown> {
    const cfg = JSON.parse(w.config_json) as WorkflowConfig;
    const m = w.metrics_json ? JSON.parse(w.metrics_json) : {};
    const remaining = w.total_epochs - w.current_epoch;
    return {
      epoch: w.current_epoch,
      step: w.step,
      metrics: m,
      eta_minutes: remaining > 0 ? Math.max(1, Math.ceil((remaining * perEpochMs) / 60_000)) : 0,
      gpu_utilization: 80 + ((w.current_epoch * 7) % 16),
      memory_usage_gb: round(Math.min(GPU.memory_gb - 0.5, 1.5 + cfg.hyperparameters.batch_size * 0.08), 1),
      total_epochs: w.total_epochs,
      progress: this.percentage(w),
    };
  }

  /** What a socket that connects now receives first. */
  snapshot(workflowId: string): unknown[] {
    const w = this.store.workflow(workflowId);
    if (!w) return [];
    if (w.status === 'training' && w.current_epoch > 0) return [this.message(w.workflow_id, 'training_progress', this.progressData(w, this.settings.epochDelayMs + 50))];
    if (w.status === 'completed') return [this.message(w.workflow_id, 'training_complete', this.completeData(w))];
    if (w.status === 'failed' || w.status === 'cancelled') {
      const error = w.error_json ? JSON.parse(w.error_json) : { code: 'CANCELLED', message: 'The workflow was cancelled.' };
      return [this.message(w.workflow_id, 'training_error', { epoch: w.current_epoch, step: w.step, error, status: w.status })];
    }
    return [];
  }

  private completeData(w: WorkflowRow): Record<string, unknown> {
    return {
      epoch: w.current_epoch,
      step: w.step,
      metrics: w.metrics_json ? JSON.parse(w.metrics_json) : {},
      model_version: this.modelVersion(w),
      duration_seconds: w.started_at && w.completed_at ? round((w.completed_at - w.started_at) / 1000, 1) : null,
      status: 'completed',
    };
  }

  /** On start: trainings cut by a restart go back to the queue and resume from their last checkpoint. */
  recover(): void {
    for (const w of this.store.workflowsByStatus('training')) {
      const at = this.store.metrics(w.workflow_id, null).find((m) => m.epoch === w.checkpoint_epoch);
      this.store.updateWorkflow(w.workflow_id, { status: 'pending', current_epoch: w.checkpoint_epoch, step: at?.step ?? 0, metrics_json: at ? JSON.stringify({ loss: at.loss, accuracy: at.accuracy, val_loss: at.val_loss, val_accuracy: at.val_accuracy }) : null });
      this.store.dropMetricsAfter(w.workflow_id, w.checkpoint_epoch);
      this.store.addLog(w.workflow_id, this.clock.now(), 'WARNING', `Emulator restarted during training: resuming from ${w.checkpoint_epoch ? `the checkpoint of epoch ${w.checkpoint_epoch}` : 'the start'}`);
    }
    for (const d of this.store.db.prepare("SELECT dataset_id FROM datasets WHERE status = 'processing'").all() as { dataset_id: string }[]) void this.processDataset(d.dataset_id);
    for (const j of this.store.jobsByStatus('processing')) void this.runBatch(j.job_id);
    setImmediate(() => this.schedule());
  }

  schedule(): void {
    if (this.closed) return;
    const pending = this.store.workflowsByStatus('pending');
    for (const w of pending) {
      if (this.running.size >= this.settings.gpuSlots) return;
      if (this.running.has(w.workflow_id)) continue;
      const r: Running = { cancelled: false, failWith: null };
      this.running.set(w.workflow_id, r);
      void this.train(w.workflow_id, r).finally(() => {
        this.running.delete(w.workflow_id);
        this.schedule();
      });
    }
  }

  private async samples(cfg: WorkflowConfig, classNames: string[], size: number): Promise<{ train: Float32Array[]; trainY: number[]; val: Float32Array[]; valY: number[]; skipped: number }> {
    const d = this.store.dataset(cfg.dataset_id);
    if (!d || !d.inspection_json) throw new Error(`dataset ${cfg.dataset_id} is gone`);
    const insp = JSON.parse(d.inspection_json) as Inspection;
    const files = path.join(this.dataDir, d.dir, 'files');
    const out = { train: [] as Float32Array[], trainY: [] as number[], val: [] as Float32Array[], valY: [] as number[], skipped: 0 };
    const add = async (file: string, cls: string, split: string, region?: Region) => {
      const y = classNames.indexOf(cls);
      if (y < 0) return;
      try {
        const f = await imageFeatures(fs.readFileSync(path.join(files, file)), size, region);
        if (split === 'val') {
          out.val.push(f);
          out.valY.push(y);
        } else if (split === 'train') {
          out.train.push(f);
          out.trainY.push(y);
        }
      } catch {
        out.skipped++;
      }
    };
    if (insp.format === 'coco') {
      for (const b of insp.boxes) await add(b.image, b.class, b.split, { left: b.bbox[0], top: b.bbox[1], width: b.bbox[2], height: b.bbox[3] });
    } else {
      for (const i of insp.images) if (i.ok && i.class) await add(i.file, i.class, i.split);
    }
    return out;
  }

  private async train(workflowId: string, r: Running): Promise<void> {
    let w = this.store.workflow(workflowId)!;
    const cfg = JSON.parse(w.config_json) as WorkflowConfig;
    const started = Date.now();
    let lastTick = started;
    const log = (level: string, message: string) => this.store.addLog(workflowId, this.clock.now(), level, message);
    try {
      this.store.updateWorkflow(workflowId, { status: 'training', started_at: w.started_at ?? this.clock.now() });
      log('INFO', 'Starting training...');
      const classNames = this.classNamesOf(w)!;
      const model = modelById(cfg.model)!;
      const size = model.input_size[0];
      const data = await this.samples(cfg, classNames, size);
      if (r.cancelled || this.closed) return;
      log('INFO', `Loaded ${data.train.length} training and ${data.val.length} validation samples (${classNames.length} classes: ${classNames.join(', ')})${data.skipped ? `, ${data.skipped} unreadable skipped` : ''}`);
      if (!data.train.length) throw Object.assign(new Error('The dataset has no training images that can be decoded.'), { code: 'DATASET_UNUSABLE' });
      let init: TrainedModel | undefined;
      if (w.checkpoint_file && w.checkpoint_epoch > 0) {
        init = JSON.parse(fs.readFileSync(path.join(this.dataDir, w.checkpoint_file), 'utf8')) as TrainedModel;
        log('INFO', `Resuming from checkpoint ${workflowId}_epoch_${w.checkpoint_epoch}`);
      }
      const hp = cfg.hyperparameters;
      const trainer = new SoftmaxTrainer(data.train, data.trainY, data.val, data.valY, classNames, size, { batchSize: hp.batch_size, learningRate: hp.learning_rate, optimizer: hp.optimizer, seed: 7 + w.checkpoint_epoch }, init);
      const every = Math.max(1, Math.round(w.total_epochs / 10));
      const dir = path.join(this.dataDir, 'models', workflowId);
      fs.mkdirSync(dir, { recursive: true });
      for (let epoch = (init ? w.checkpoint_epoch : 0) + 1; epoch <= w.total_epochs; epoch++) {
        if (r.cancelled || this.closed) return;
        if (r.failWith) throw Object.assign(new Error(r.failWith), { code: 'TRAINING_FAILED' });
        const m = await trainer.epoch(() => r.cancelled || this.closed);
        if (!m || r.cancelled || this.closed) return;
        w = this.store.workflow(workflowId)!;
        const sig = (v: number) => Number(v.toPrecision(4));
        const metrics = { loss: sig(m.loss), accuracy: round(m.accuracy), val_loss: sig(m.val_loss), val_accuracy: round(m.val_accuracy) };
        const now = Date.now();
        const step = w.step + m.steps;
        this.store.updateWorkflow(workflowId, { current_epoch: epoch, step, metrics_json: JSON.stringify(metrics), gpu_ms: w.gpu_ms + (now - lastTick) });
        lastTick = now;
        this.store.addMetric({ workflow_id: workflowId, epoch, step, timestamp: this.clock.now(), ...metrics });
        log('INFO', `Epoch ${epoch}/${w.total_epochs} - Loss: ${metrics.loss.toFixed(3)} - Accuracy: ${metrics.accuracy.toFixed(3)} - Val Loss: ${metrics.val_loss.toFixed(3)} - Val Accuracy: ${metrics.val_accuracy.toFixed(3)}`);
        w = this.store.workflow(workflowId)!;
        const perEpoch = (now - started) / Math.max(1, epoch - (init ? init.epoch : 0)) + this.settings.epochDelayMs;
        this.emit(workflowId, 'training_progress', this.progressData(w, perEpoch));
        if (epoch % every === 0 || epoch === w.total_epochs) {
          const file = path.join(dir, `checkpoint.json`);
          fs.writeFileSync(file + '.tmp', JSON.stringify(trainer.snapshot(epoch)));
          fs.renameSync(file + '.tmp', file);
          this.store.updateWorkflow(workflowId, { checkpoint_file: path.relative(this.dataDir, file), checkpoint_epoch: epoch });
          const checkpoint_id = `${workflowId}_epoch_${epoch}`;
          log('INFO', `Checkpoint saved: ${checkpoint_id}`);
          this.emit(workflowId, 'checkpoint_saved', { epoch, step, checkpoint_id, metrics });
        }
        if (epoch < w.total_epochs && this.settings.epochDelayMs > 0) await sleep(this.settings.epochDelayMs);
      }
      if (r.cancelled || this.closed) return;
      if (r.failWith) throw Object.assign(new Error(r.failWith), { code: 'TRAINING_FAILED' });
      const file = path.join(dir, 'model.json');
      fs.writeFileSync(file + '.tmp', JSON.stringify(trainer.snapshot(w.total_epochs)));
      fs.renameSync(file + '.tmp', file);
      this.store.updateWorkflow(workflowId, { status: 'completed', completed_at: this.clock.now(), model_file: path.relative(this.dataDir, file) });
      log('INFO', `Training complete: ${workflowId}_epoch_${w.total_epochs}`);
      this.emit(workflowId, 'training_complete', this.completeData(this.store.workflow(workflowId)!));
    } catch (e) {
      if (this.closed) return;
      const cur = this.store.workflow(workflowId);
      if (cur && (cur.status === 'training' || cur.status === 'pending')) markFailedSafe(this, cur, (e as { code?: string }).code ?? 'TRAINING_FAILED', (e as Error).message);
    }
  }

  /** Internal: for markFailedSafe. */
  _markFailed(w: WorkflowRow, code: string, message: string): void {
    this.markFailed(w, code, message);
  }

  // ---------------------------------------------------------------- inference
  trainedModel(w: WorkflowRow): TrainedModel {
    if (w.status !== 'completed' || !w.model_file) throw new VisionError(409, `The workflow is ${w.status}; inference needs a completed training`, { workflow_id: w.workflow_id, status: w.status });
    let m = this.modelCache.get(w.workflow_id);
    if (!m) {
      m = JSON.parse(fs.readFileSync(path.join(this.dataDir, w.model_file), 'utf8')) as TrainedModel;
      this.modelCache.set(w.workflow_id, m);
    }
    return m;
  }

  async predictImage(model: TrainedModel, image: Buffer): Promise<{ class: string; confidence: number; class_id: number }[]> {
    const probs = predict(model, await imageFeatures(image, model.inputSize));
    return probs
      .map((p, i) => ({ class: model.classNames[i]!, confidence: round(p, 4), class_id: i }))
      .sort((a, b) => b.confidence - a.confidence || a.class_id - b.class_id);
  }

  async predict(u: UserRow, workflowId: string, image: Buffer): Promise<Record<string, unknown>> {
    const w = this.ownWorkflow(u, workflowId);
    const model = this.trainedModel(w);
    const t0 = performance.now();
    let predictions;
    try {
      predictions = await this.predictImage(model, image);
    } catch (e) {
      throw validationError([{ field: 'image', message: `The image cannot be decoded: ${String((e as Error).message).split('\n')[0]}` }]);
    }
    return { predictions, inference_time_ms: Math.max(1, Math.round(performance.now() - t0)), model_version: this.modelVersion(w) };
  }

  createBatch(u: UserRow, workflowId: string, images: { image_url?: string; image_base64?: string }[]): Record<string, unknown> {
    const w = this.ownWorkflow(u, workflowId);
    this.trainedModel(w);
    const now = this.clock.now();
    const job = {
      job_id: id('batch_job'),
      workflow_id: w.workflow_id,
      user_id: u.user_id,
      status: 'processing',
      total_images: images.length,
      completed_images: 0,
      results_json: JSON.stringify({ inputs: images, results: [] }),
      created_at: now,
      estimated_at: now + images.length * 100,
      completed_at: null,
    };
    this.store.insertJob(job);
    setImmediate(() => void this.runBatch(job.job_id));
    return { job_id: job.job_id, status: job.status, total_images: job.total_images, estimated_completion_time: iso(job.estimated_at) };
  }

  loadImage: (ref: { image_url?: string; image_base64?: string }) => Promise<Buffer> = async () => Buffer.alloc(0);

  async runBatch(jobId: string): Promise<void> {
    try {
      await this.runBatchSteps(jobId);
    } catch (e) {
      // closed under us (the job carries on after a restart); anything else ends the job with its reason
      if (this.closed) return;
      this.store.updateJob(jobId, { status: 'failed', completed_at: this.clock.now(), results_json: JSON.stringify({ inputs: [], results: [], error: { code: 'INTERNAL_ERROR', message: (e as Error).message } }) });
    }
  }

  private async runBatchSteps(jobId: string): Promise<void> {
    const job = this.store.job(jobId);
    if (!job || job.status !== 'processing') return;
    const w = this.store.workflow(job.workflow_id)!;
    const model = this.trainedModel(w);
    const { inputs, results } = JSON.parse(job.results_json) as { inputs: { image_url?: string; image_base64?: string }[]; results: unknown[] };
    for (let i = results.length; i < inputs.length; i++) {
      if (this.closed) return;
      const ref = inputs[i]!;
      const label = ref.image_url !== undefined ? { image_url: ref.image_url } : { image_index: i };
      try {
        const predictions = await this.predictImage(model, await this.loadImage(ref));
        results.push({ ...label, predictions });
      } catch (e) {
        results.push({ ...label, predictions: [], error: { code: e instanceof VisionError ? e.code : 'VALIDATION_ERROR', message: String((e as Error).message).split('\n')[0] } });
      }
      if (this.closed) return;
      this.store.updateJob(jobId, { completed_images: results.length, results_json: JSON.stringify({ inputs, results }) });
    }
    this.store.updateJob(jobId, { status: 'completed', completed_at: this.clock.now() });
  }

  batch(u: UserRow, workflowId: string, jobId: string): Record<string, unknown> {
    const w = this.ownWorkflow(u, workflowId);
    const job = this.store.job(jobId);
    if (!job || job.workflow_id !== w.workflow_id) throw notFound('Batch job', jobId);
    const { results } = JSON.parse(job.results_json) as { results: unknown[] };
    return { job_id: job.job_id, status: job.status, total_images: job.total_images, completed_images: job.completed_images, results, completed_at: iso(job.completed_at) };
  }

  // ---------------------------------------------------------------- export
  exportFile(u: UserRow, workflowId: string): { file: string; name: string } {
    if (!this.settings.exportEnabled) throw new VisionError(404, 'Not found: model export is not available on this server', { extension: 'export' });
    const w = this.ownWorkflow(u, workflowId);
    const cfg = JSON.parse(w.config_json) as WorkflowConfig;
    if (w.status !== 'completed') throw new VisionError(409, `The workflow is ${w.status}; only a completed training can be exported`, { workflow_id: w.workflow_id, status: w.status });
    if (cfg.task_type !== 'classification') throw new VisionError(409, `Export is available for classification workflows (this one is ${cfg.task_type})`, { task_type: cfg.task_type });
    const model = this.trainedModel(w);
    const file = path.join(this.dataDir, 'models', w.workflow_id, 'model.onnx');
    if (!fs.existsSync(file)) {
      fs.writeFileSync(file + '.tmp', exportOnnx(model, { workflow_id: w.workflow_id, model_version: this.modelVersion(w), base_model: cfg.model }));
      fs.renameSync(file + '.tmp', file);
    }
    return { file, name: `${w.workflow_id}.onnx` };
  }

  close(): void {
    this.closed = true;
    for (const r of this.running.values()) r.cancelled = true;
  }

  isRunning(workflowId: string): boolean {
    return this.running.has(workflowId);
  }
}

function markFailedSafe(svc: VisionService, w: WorkflowRow, code: string, message: string): void {
  try {
    svc._markFailed(w, code, message);
  } catch {
    // closed under us
  }
}
