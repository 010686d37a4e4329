/**
 * The creator's side of the Kraken network: "run this model over this frame set on the network". The model file
 * and each frame go up by sha256 (what the network already holds is skipped), the job is submitted with its
 * redundancy and paid with credit, the studio follows it (polling), and when it is done the outputs come back
 * into the project **as a model run** (provider `network`) beside local runs, so the two can be compared.
 * Jobs are rows of `network_jobs` (migration 11); a restart carries on uploading or following.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../../common/app-error';
import { say } from '../../../common/messages';
import type { InferenceOutput, ModelManifest } from '../../../common/contract/inference';
import type { NetworkAccount, NetworkJob, NetworkJobState } from '../../../common/contract/network';
import { loadOrCreateIdentity, type NodeIdentity } from '../../contributor/identity';
import type { NewResult, RunStore } from '../../inference/run-store';
import { nowIso, type Db } from '../../store/database';
import type { ConnectionSettings } from '../connection';
import { sha256File } from '../../files/atomic';
import { NetworkApi, type ClientOptions, type SubmitBody } from './network-api';
import { ClassificationOut, DetectionOut, type JobStatusReply, type RemoteOutput } from './schemas';

interface Row {
  id: number;
  network_url: string;
  remote_job_id: string | null;
  project_id: number;
  frame_set_id: number | null;
  model_id: string;
  model_name: string;
  task: string;
  redundancy: number;
  cluster: 'cpu' | 'gpu';
  image_ids_json: string;
  inputs_json: string;
  state: NetworkJobState;
  uploaded: number;
  to_upload: number;
  done: number;
  total: number;
  cost: number | null;
  spent: number | null;
  run_id: number | null;
  error_json: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** One frame as it is sent: the image rows that share its bytes, and how it is named on the network. */
interface StoredInput {
  sha256: string;
  bytes: number;
  mediaType: 'image/png' | 'image/jpeg';
  imageIds: number[];
}

interface ImageRow {
  id: number;
  file: string;
  width: number | null;
  height: number | null;
}

export interface VaultLike {
  get(name: string): Promise<string | null> | string | null;
  set(name: string, value: string): Promise<void> | void;
}

export interface NetworkServiceOptions {
  db: Db;
  dataDir: string;
  connection: ConnectionSettings;
  vault: VaultLike;
  library: { get(id: string): Promise<ModelManifest> };
  runs: RunStore;
  client?: ClientOptions;
  /** How often an open job is read again (ms). Default 2000. */
  pollMs?: number;
  /** The studio's identity; default the contributor's key in the vault (made on first use). */
  identity?: () => Promise<NodeIdentity>;
  /** Background work after `submit` and `start` (off for the CLI, which follows only when asked). Default true. */
  background?: boolean;
}

const OPEN: NetworkJobState[] = ['uploading', 'queued', 'running', 'validating'];
const MEDIA: Record<string, 'image/png' | 'image/jpeg'> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };

let identityOnce: Promise<NodeIdentity> | null = null;
let identityVault: VaultLike | null = null;

export class NetworkService {
  private readonly pollMs: number;
  private readonly work = new Map<number, Promise<void>>();
  private readonly aborts = new Map<number, AbortController>();
  private closed = false;

  constructor(private readonly o: NetworkServiceOptions) {
    this.pollMs = o.pollMs ?? 2000;
  }

  /** Carries on with jobs a previous run left open (uploading or following). */
  start(): void {
    if (this.o.background === false) return;
    for (const r of this.rows().filter((x) => OPEN.includes(x.state))) this.kick(r.id);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const a of this.aborts.values()) a.abort();
    await Promise.allSettled([...this.work.values()]);
  }

  private identity(): Promise<NodeIdentity> {
    if (this.o.identity) return this.o.identity();
    // one identity per vault even when two callers ask at once (a second key would split earn and spend)
    if (!identityOnce || identityVault !== this.o.vault) {
      identityVault = this.o.vault;
      identityOnce = loadOrCreateIdentity(this.o.vault).catch((e: unknown) => {
        identityOnce = null;
        throw e;
      });
    }
    return identityOnce;
  }

  private address(): { baseUrl: string; emulator: boolean } {
    const c = this.o.connection.get('network');
    if (!c.baseUrl) throw new AppError('INVALID_INPUT', say('network.no_address', {}), { service: 'network', reason: 'not_configured' });
    return { baseUrl: c.baseUrl, emulator: c.emulator };
  }

  private async api(baseUrl: string): Promise<NetworkApi> {
    return new NetworkApi(baseUrl, await this.identity(), this.o.client);
  }

  // ------------------------------------------------------------------ channels

  /** Checks the request, records the job and starts uploading; returns the job at once. */
  submit = async (req: { frameSetId: number; modelId: string; redundancy?: number; cluster?: 'cpu' | 'gpu'; batchSize?: number; maxDurationMinutes?: number }): Promise<NetworkJob> => {
    const { baseUrl } = this.address();
    const redundancy = req.redundancy ?? 2;
    if (!Number.isInteger(redundancy) || redundancy < 1 || redundancy > 3) throw new AppError('INVALID_INPUT', say('network.bad_redundancy', {}), { field: 'redundancy' });
    const fs0 = this.o.db.prepare('SELECT id, project_id FROM frame_sets WHERE id = ?').get(req.frameSetId) as { id: number; project_id: number } | undefined;
    if (!fs0) throw new AppError('NOT_FOUND', say('network.no_frame_set', { id: req.frameSetId }), { frameSetId: req.frameSetId });
    const model = await this.o.library.get(req.modelId);
    networkTask(model);
    const images = this.o.db.prepare('SELECT id, file, width, height FROM images WHERE frame_set_id = ? ORDER BY frame_index, id').all(req.frameSetId) as ImageRow[];
    if (!images.length) throw new AppError('INVALID_INPUT', say('network.no_frames', { id: req.frameSetId }), { frameSetId: req.frameSetId });
    for (const img of images) {
      if (!MEDIA[path.extname(img.file).toLowerCase()]) throw new AppError('UNSUPPORTED', say('network.not_png_jpeg', { file: img.file }), { imageId: img.id });
    }
    const now = nowIso();
    const info = this.o.db
      .prepare(
        `INSERT INTO network_jobs (network_url, project_id, frame_set_id, model_id, model_name, task, redundancy, cluster, image_ids_json, state, total, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'uploading', ?, ?, ?)`,
      )
      .run(baseUrl, fs0.project_id, req.frameSetId, model.id, model.name, model.task, redundancy, req.cluster ?? 'cpu', JSON.stringify(images.map((i) => i.id)), images.length, now, now);
    const id = Number(info.lastInsertRowid);
    this.settings.set(id, { batchSize: req.batchSize ?? 8, maxDurationMinutes: req.maxDurationMinutes ?? 30 });
    if (this.o.background !== false) this.kick(id);
    return this.get(id);
  };

  jobs = (req: { projectId?: number } = {}): { jobs: NetworkJob[] } => ({ jobs: this.rows(req.projectId).map(toJob) });

  /** The job; an open one is read again from the network first (and, when done, brought home). */
  job = async (req: { id: number }): Promise<NetworkJob> => {
    const r = this.row(req.id);
    if (r.remote_job_id && OPEN.includes(r.state) && !this.work.has(r.id)) await this.refresh(r.id).catch(() => undefined);
    return this.get(req.id);
  };

  cancel = async (req: { id: number }): Promise<NetworkJob> => {
    const r = this.row(req.id);
    if (!OPEN.includes(r.state)) return toJob(r);
    this.aborts.get(r.id)?.abort();
    if (r.remote_job_id) {
      const api = await this.api(r.network_url);
      await api.cancel(r.remote_job_id);
    }
    this.update(r.id, { state: 'cancelled', finished_at: nowIso() });
    return this.get(r.id);
  };

  account = async (): Promise<NetworkAccount> => {
    const c = this.o.connection.get('network');
    const spentByDay = (this.o.db
      .prepare(`SELECT substr(finished_at, 1, 10) AS day, SUM(spent) AS credit FROM network_jobs WHERE state = 'done' AND spent IS NOT NULL GROUP BY day ORDER BY day`)
      .all() as { day: string; credit: number }[]).map((d) => ({ day: d.day, credit: d.credit }));
    if (!c.baseUrl) return { networkUrl: null, emulator: false, accountId: null, credit: null, spentByDay, error: null };
    try {
      const api = await this.api(c.baseUrl);
      const a = await api.account();
      return { networkUrl: c.baseUrl, emulator: c.emulator, accountId: a.accountId, credit: a.credit, spentByDay, error: null };
    } catch (e) {
      const id = await this.identity().catch(() => null);
      return { networkUrl: c.baseUrl, emulator: c.emulator, accountId: id?.nodeId ?? null, credit: null, spentByDay, error: AppError.from(e).toShape() };
    }
  };

  /**
   * The node's credit as the network sees it (`GET /v1/nodes/me`), with what may be paid out. A studio that never
   * registered as a node has no such record: then its account (`/v1/accounts/me`) with nothing payable.
   */
  nodeCredit = async (): Promise<{ nodeId: string; credit: { earned: number; spent: number; balance: number; payable: number | null } }> => {
    const api = await this.api(this.address().baseUrl);
    try {
      const me = await api.nodeMe();
      return { nodeId: me.nodeId, credit: { earned: me.credit.earned, spent: me.credit.spent, balance: me.credit.balance, payable: me.credit.payable ?? null } };
    } catch (e) {
      // 401 UNKNOWN_NODE (the emulator), or 404/403 from a server that words it otherwise: not a node
      const notNode = e instanceof AppError && (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN' || (e.details as { serviceCode?: string } | undefined)?.serviceCode === 'UNKNOWN_NODE');
      if (!notNode) throw e;
      const a = await api.account();
      return { nodeId: a.accountId, credit: { earned: a.credit.earned, spent: a.credit.spent, balance: a.credit.balance, payable: 0 } };
    }
  };

  /** `POST /v1/nodes/me/payout`: earned credit to a Solana address (the wallet's). */
  payout = async (req: { address: string; credit?: number }) => {
    const api = await this.api(this.address().baseUrl);
    try {
      return await api.payout(req);
    } catch (e) {
      if (e instanceof AppError && (e.details as { serviceCode?: string } | undefined)?.serviceCode === 'UNKNOWN_NODE') {
        throw new AppError('INVALID_INPUT', say('network.nothing_earned', {}), { service: 'network', serviceCode: 'UNKNOWN_NODE' });
      }
      throw e;
    }
  };

  // ------------------------------------------------------------------ work

  /** Uploads (if needed), submits and follows job `id` until it ends; for the CLI's --wait and the background. */
  async drive(id: number, signal?: AbortSignal): Promise<NetworkJob> {
    let r = this.row(id);
    try {
      if (r.state === 'uploading') await this.upload(id, signal);
      r = this.row(id);
      while (OPEN.includes(r.state) && !signal?.aborted && !this.closed) {
        await this.refresh(id);
        r = this.row(id);
        if (!OPEN.includes(r.state)) break;
        await sleep(this.pollMs, undefined, { signal }).catch(() => undefined);
      }
    } catch (e) {
      const err = AppError.from(e);
      if (err.code === 'CANCELLED' || signal?.aborted || this.closed) return this.get(id);
      // a refusal ends the job; a network outage leaves it open for the next start / refresh
      if (err.code === 'NETWORK' || err.code === 'REMOTE' || err.code === 'RATE_LIMITED') this.update(id, { error_json: JSON.stringify(err.toShape()) });
      else this.update(id, { state: 'failed', error_json: JSON.stringify(err.toShape()), finished_at: nowIso() });
    }
    return this.get(id);
  }

  /** Submits job `id` (uploading what is missing) without following it: the CLI's `submit` without --wait. */
  async submitOnly(id: number, signal?: AbortSignal): Promise<NetworkJob> {
    try {
      await this.upload(id, signal);
    } catch (e) {
      const err = AppError.from(e);
      this.update(id, { state: 'failed', error_json: JSON.stringify(err.toShape()), finished_at: nowIso() });
      throw err;
    }
    return this.get(id);
  }

  private kick(id: number): void {
    if (this.work.has(id) || this.closed) return;
    const ac = new AbortController();
    this.aborts.set(id, ac);
    const p = this.drive(id, ac.signal).then(
      () => undefined,
      () => undefined,
    );
    this.work.set(id, p);
    void p.finally(() => {
      this.work.delete(id);
      this.aborts.delete(id);
    });
  }

  /** Per-job settings not worth a column (batch size, maximum duration), kept for the upload step. */
  private readonly settings = new Map<number, { batchSize: number; maxDurationMinutes: number }>();

  private async upload(id: number, signal?: AbortSignal): Promise<void> {
    const r = this.row(id);
    if (r.state !== 'uploading') return;
    const api = await this.api(r.network_url);
    const model = await this.o.library.get(r.model_id);
    const task = networkTask(model);
    const modelBytes = fs.statSync(model.location).size;
    const modelSha = await sha256File(model.location);
    if (modelSha !== model.sha256) throw new AppError('MODEL_INVALID', say('network.model_changed', { id: model.id }), { modelId: model.id });
    const imageIds = JSON.parse(r.image_ids_json) as number[];
    const rows = this.o.db.prepare(`SELECT id, file, width, height FROM images WHERE id IN (SELECT value FROM json_each(?))`).all(r.image_ids_json) as ImageRow[];
    const byId = new Map(rows.map((x) => [x.id, x]));
    const inputs: StoredInput[] = [];
    const bySha = new Map<string, StoredInput>();
    const files = new Map<string, string>();
    for (const imageId of imageIds) {
      const img = byId.get(imageId);
      if (!img) continue; // deleted since
      const file = path.join(this.o.dataDir, img.file);
      const sha = await sha256File(file);
      const seen = bySha.get(sha);
      if (seen) {
        seen.imageIds.push(imageId);
        continue;
      }
      const input: StoredInput = { sha256: sha, bytes: fs.statSync(file).size, mediaType: MEDIA[path.extname(img.file).toLowerCase()]!, imageIds: [imageId] };
      inputs.push(input);
      bySha.set(sha, input);
      files.set(sha, file);
    }
    if (!inputs.length) throw new AppError('INVALID_INPUT', say('network.frames_gone', {}));
    this.update(id, { to_upload: inputs.length + 1, uploaded: 0, inputs_json: JSON.stringify(inputs), total: inputs.length });
    let uploaded = 0;
    const send = async (sha: string, file: string) => {
      if (signal?.aborted) throw new AppError('CANCELLED', say('cloud.cancelled', {}));
      if (!(await api.hasBlob(sha))) await api.putBlob(sha, await fs.promises.readFile(file));
      uploaded++;
      this.update(id, { uploaded });
    };
    await send(modelSha, model.location);
    for (const inp of inputs) await send(inp.sha256, files.get(inp.sha256)!);
    const s = this.settings.get(id) ?? { batchSize: 8, maxDurationMinutes: 30 };
    const body: SubmitBody = {
      kind: 'inference',
      model: { sha256: modelSha, bytes: modelBytes, format: 'onnx', task, inputSize: [model.inputSize?.width ?? model.maxSide, model.inputSize?.height ?? model.maxSide], labels: model.labels.length ? model.labels : undefined },
      inputs: inputs.map((i) => ({ sha256: i.sha256, bytes: i.bytes, mediaType: i.mediaType })),
      batchSize: s.batchSize,
      redundancy: r.redundancy,
      maxDurationMinutes: s.maxDurationMinutes,
      cluster: r.cluster,
      label: `${model.name} over frame set ${r.frame_set_id ?? ''}`.trim(),
    };
    if (signal?.aborted) throw new AppError('CANCELLED', say('cloud.cancelled', {}));
    const reply = await api.submit(body);
    this.update(id, { remote_job_id: reply.jobId, cost: reply.cost, state: 'queued', error_json: null });
  }

  /** Reads the job from the network once; a done job's outputs come home as a model run. */
  private async refresh(id: number): Promise<void> {
    const r = this.row(id);
    if (!r.remote_job_id) return;
    const api = await this.api(r.network_url);
    const st = await api.job(r.remote_job_id);
    if (st.status === 'done') {
      await this.bringHome(r, st);
      return;
    }
    if (st.status === 'failed') {
      const cancelled = st.failReason === 'cancelled';
      const err = cancelled ? null : new AppError('REMOTE', st.failReason ? say('network.job_failed_reason', { reason: st.failReason }) : say('network.job_failed', {}), { service: 'network', serviceCode: 'JOB_FAILED', reason: st.failReason ?? null });
      this.update(id, { state: cancelled ? 'cancelled' : 'failed', done: st.progress.done, error_json: err ? JSON.stringify(err.toShape()) : null, finished_at: nowIso() });
      return;
    }
    this.update(id, { state: st.status, done: st.progress.done, total: st.progress.total, cost: st.cost, error_json: null });
  }

  /** The outputs as a model run of the project, one result per image (frames with the same bytes share one output). */
  private async bringHome(r: Row, st: JobStatusReply): Promise<void> {
    if (r.run_id !== null) return;
    // the library's manifest (labels for detection class indices); a model removed since still gets its run
    const manifest = await this.o.library.get(r.model_id).catch(() => ({ id: r.model_id, name: r.model_name, task: r.task, labels: [] as string[] }) as unknown as ModelManifest);
    const inputs = JSON.parse(r.inputs_json) as StoredInput[];
    const outputs = new Map<string, RemoteOutput>((st.outputs ?? []).map((o) => [o.input, o]));
    const images = this.o.db.prepare(`SELECT id, width, height FROM images WHERE id IN (SELECT value FROM json_each(?))`).all(r.image_ids_json) as ImageRow[];
    const size = new Map(images.map((i) => [i.id, i]));
    const imageIds = inputs.flatMap((i) => i.imageIds).filter((x) => size.has(x));
    const results: NewResult[] = [];
    for (const inp of inputs) {
      const out = outputs.get(inp.sha256);
      const converted = out ? toInferenceOutput(r.task, out.output, manifest.labels ?? []) : null;
      for (const imageId of inp.imageIds) {
        const img = size.get(imageId);
        if (!img) continue;
        if (converted) results.push({ imageId, ok: true, output: converted, width: img.width ?? 0, height: img.height ?? 0, ms: 0 });
        else results.push({ imageId, ok: false, error: new AppError('REMOTE', out ? say('network.output_not_understood', {}) : say('network.no_output', {})).toShape(), ms: 0 });
      }
    }
    this.o.db.transaction(() => {
      const runId = this.o.runs.createRun({ projectId: r.project_id, frameSetId: r.frame_set_id, model: manifest, mode: 'all', batchSize: 1, imageIds, skipped: 0 });
      this.o.runs.saveResults(runId, r.model_id, results);
      this.o.runs.update(runId, { status: 'completed', provider: 'network', notice: `Ran on the Kraken network: job ${st.jobId}, ${r.redundancy} replica(s) compared, ${st.spent ?? st.cost} credits.` });
      this.update(r.id, { state: 'done', run_id: runId, done: st.progress.total, total: st.progress.total, spent: st.spent ?? st.cost, error_json: null, finished_at: nowIso() });
    })();
  }

  // ------------------------------------------------------------------ rows

  private rows(projectId?: number): Row[] {
    if (projectId === undefined) return this.o.db.prepare('SELECT * FROM network_jobs ORDER BY id DESC').all() as Row[];
    return this.o.db.prepare('SELECT * FROM network_jobs WHERE project_id = ? ORDER BY id DESC').all(projectId) as Row[];
  }

  private row(id: number): Row {
    const r = this.o.db.prepare('SELECT * FROM network_jobs WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new AppError('NOT_FOUND', say('network.no_job', { id }), { id });
    return r;
  }

  get(id: number): NetworkJob {
    return toJob(this.row(id));
  }

  private update(id: number, fields: Partial<Row>): void {
    const keys = Object.keys(fields);
    if (!keys.length) return;
    this.o.db.prepare(`UPDATE network_jobs SET ${keys.map((k) => `${k} = @${k}`).join(', ')}, updated_at = @updated_at WHERE id = @id`).run({ ...fields, updated_at: nowIso(), id });
  }
}

/** The protocol's task for a library model, or UNSUPPORTED saying which models the network runs. */
export function networkTask(model: ModelManifest): 'classification' | 'detection' {
  if (model.runtime !== 'onnx' || (model.task !== 'classification' && model.task !== 'detection'))
    throw new AppError('UNSUPPORTED', say('network.unsupported_model', { name: model.name, runtime: model.runtime, task: model.task }), {
      modelId: model.id,
      runtime: model.runtime,
      task: model.task,
    });
  return model.task;
}

/** A node's output (protocol shape) as the studio's InferenceOutput, or null when it does not fit. */
export function toInferenceOutput(task: string, out: Record<string, unknown>, labels: readonly string[] = []): InferenceOutput | null {
  if (task === 'classification') {
    const p = ClassificationOut.safeParse(out);
    return p.success ? { task: 'classification', top: p.data.top.map((t) => ({ classIndex: t.index, label: t.label, score: t.score })) } : null;
  }
  if (task === 'detection') {
    const p = DetectionOut.safeParse(out);
    return p.success ? { task: 'detection', detections: p.data.boxes.map((b) => ({ box: { x: b.x, y: b.y, width: b.w, height: b.h }, score: b.score, classIndex: labels.indexOf(b.label), label: b.label })) } : null;
  }
  return null;
}

function toJob(r: Row): NetworkJob {
  return {
    id: r.id,
    networkUrl: r.network_url,
    remoteJobId: r.remote_job_id,
    projectId: r.project_id,
    frameSetId: r.frame_set_id,
    modelId: r.model_id,
    modelName: r.model_name,
    task: r.task,
    redundancy: r.redundancy,
    cluster: r.cluster,
    state: r.state,
    uploaded: r.uploaded,
    toUpload: r.to_upload,
    done: r.done,
    total: r.total,
    cost: r.cost,
    spent: r.spent,
    runId: r.run_id,
    error: r.error_json ? JSON.parse(r.error_json) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}
