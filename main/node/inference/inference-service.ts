/**
 * The local-inference service the core wires in: model library, providers report and preferences,
 * catalogue downloads, the opt-in CUDA provider download, and batch runs over a project's images as
 * persisted jobs (`inference.run`) executed in a worker thread, with results stored per image.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { AppError } from '../../common/app-error';
import { isMessageCode, say } from '../../common/messages';
import type {
  CatalogueEntry,
  ExportFormat,
  ImportModelRequest,
  InferencePrefs,
  ModelManifest,
  ModelRun,
  ProviderReport,
  RunPlan,
  RunPlanRequest,
  RunRequest,
  RunSummary,
} from '../../common/contract/inference';
import { minScoreOf, InferencePrefs as PrefsSchema } from '../../common/contract/inference';
import type { FromInferenceWorker, ToInferenceWorker } from '../../../native-workers/protocol/inference-protocol';
import { toPosixRelative, writeFileAtomic } from '../files/atomic';
import type { JobContext, JobRunner } from '../jobs/job-runner';
import type { Db } from '../store/database';
import { startWorker } from '../workers/worker-path';
import { downloadVerified } from './downloader';
import { exportRun, summarise } from './export';
import { probeGpus, type GpuProbe } from './gpu-info';
import type { CatalogueItem } from './catalogue';
import { ModelLibrary } from './model-library';
import { createSessionWithFallback, cudaProviderFilesPresent, onnxRuntimeVersion, ortBinDir, planOnnxProviders } from './providers';
import { RunStore } from './run-store';
import { describeTfjs } from './tfjs-runtime';

/** A 129-byte ONNX model (y = x + 1) used to find out which provider really loads on this machine. */
const PROBE_MODEL = Buffer.from(
  'CAgSE2tyYWtlbi1zdHVkaW8tdGVzdHM6YgoXCgF4CgNvbmUSAXkaBUFkZF95IgNBZGQSC2tyYWtlbi10ZXN0KhAKAQEQASIEAACAP0IDb25lWhMKAXgSDgoMCAESCAoCCAEKAggEYhMKAXkSDgoMCAESCAoCCAEKAggEQgQKABAR',
  'base64',
);

const PREFS_KEY = 'inference';
const DEFAULT_PREFS: InferencePrefs = { forceCpu: false, batchSize: 8, minScores: {} };

export interface InferenceServiceOptions {
  /** A shell's override of the saved force-CPU preference for this process (`kraken infer --force-cpu`); never saved. */
  forceCpu?: boolean;
  /** Test hook: a GPU probe that does not run nvidia-smi. */
  probeGpus?: () => Promise<GpuProbe>;
  /** Test hook: the command that fetches the CUDA provider files. */
  cudaInstallCommand?: () => { file: string; args: string[] };
  /** Test hook: another download catalogue. */
  catalogue?: CatalogueItem[];
}

export class InferenceService {
  readonly library: ModelLibrary;
  readonly runs: RunStore;
  private gpuProbe: Promise<GpuProbe> | null = null;
  private report: ProviderReport | null = null;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly jobs: JobRunner,
    private readonly options: InferenceServiceOptions = {},
  ) {
    this.library = new ModelLibrary(db, dataDir, options.catalogue);
    this.runs = new RunStore(db);
    jobs.register<{ runId: number }, unknown>('inference.run', {
      run: (params, ctx) => this.executeRun(params.runId, ctx),
      onInterrupted: (job) => this.runs.markInterruptedByJob(job.id, 'interrupted'),
      onSettled: (job) => {
        const run = this.runs.byJob(job.id);
        if (!run) return;
        const status = job.status === 'failed' ? 'failed' : job.status === 'cancelled' ? 'cancelled' : 'interrupted';
        this.runs.update(run.id, { status, error: job.error ?? null });
      },
    });
    jobs.register<{ id: string }, unknown>('models.download', { run: (params, ctx) => this.executeDownload(params.id, ctx) });
    jobs.register<Record<string, never>, unknown>('models.installCuda', { run: (_p, ctx) => this.executeCudaInstall(ctx) });
  }

  // ---- preferences and devices ----

  /** Force-CPU and batch size, with defaults. */
  prefs(): InferencePrefs {
    const row = this.db.prepare(`SELECT value_json FROM settings WHERE key = ?`).get(PREFS_KEY) as { value_json: string } | undefined;
    const parsed = PrefsSchema.safeParse({ ...DEFAULT_PREFS, ...(row ? (JSON.parse(row.value_json) as object) : {}) });
    return parsed.success ? parsed.data : DEFAULT_PREFS;
  }

  /** Saves preferences; the providers report is recomputed on next read. */
  setPrefs(patch: Partial<InferencePrefs>): InferencePrefs {
    const prev = this.prefs();
    // Thresholds are per model: a patch adds to (or changes) the remembered ones.
    const next = PrefsSchema.parse({ ...prev, ...patch, minScores: { ...prev.minScores, ...patch.minScores } });
    this.db
      .prepare(`INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json`)
      .run(PREFS_KEY, JSON.stringify(next));
    this.report = null;
    return next;
  }

  /** Force CPU as runs and the providers report use it: the shell's override, else the saved preference. */
  forceCpu(): boolean {
    return this.options.forceCpu ?? this.prefs().forceCpu;
  }

  gpus(refresh = false): Promise<GpuProbe> {
    if (!this.gpuProbe || refresh) this.gpuProbe = (this.options.probeGpus ?? probeGpus)();
    return this.gpuProbe;
  }

  /** GPUs, ONNX Runtime providers (really tried on a tiny model) and TF.js backends, with reasons. */
  async providers(refresh = false): Promise<ProviderReport> {
    if (this.report && !refresh) return this.report;
    const forceCpu = this.forceCpu();
    const probe = await this.gpus(refresh);
    const plan = planOnnxProviders({ forceCpu, gpus: probe.gpus });
    let attempts = plan;
    let selected: string | null = null;
    try {
      const res = await createSessionWithFallback(PROBE_MODEL, plan);
      await res.session.release();
      attempts = res.attempts;
      selected = res.provider;
    } catch (err) {
      attempts = ((err as AppError).details?.attempts as typeof plan | undefined) ?? plan;
    }
    const tf = describeTfjs({ forceCpu });
    const nvidia = probe.gpus.some((g) => g.vendor === 'nvidia');
    const filesPresent = cudaProviderFilesPresent();
    const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
    this.report = {
      platform: `${process.platform}-${process.arch}`,
      forceCpu,
      gpus: probe.gpus,
      gpuProblem: probe.problem,
      onnx: { version: onnxRuntimeVersion(), attempts, selected },
      tfjs: { version: tf.version, attempts: tf.attempts, selected: tf.attempts.find((a) => a.status === 'available')?.name ?? null },
      cuda: {
        filesPresent,
        offered: linuxX64 && nvidia && !filesPresent,
        hint: !linuxX64
          ? null
          : filesPresent
            ? null
            : nvidia
              ? say('provider.cuda_offer', {}).message
              : null,
        ...(linuxX64 && !filesPresent && nvidia ? { hintCode: 'provider.cuda_offer' } : {}),
      },
    };
    return this.report;
  }

  // ---- library ----

  /** The models a creator can run: internal steps of another model (the OCR recogniser) are left out. */
  async listModels(): Promise<ModelManifest[]> {
    return (await this.library.list()).filter((m) => !m.partOf);
  }

  /** A model to run on its own: NOT_FOUND when absent, INVALID_INPUT for an internal step of another model. */
  async runnableModel(id: string): Promise<ModelManifest> {
    const m = await this.library.get(id);
    if (m.partOf) throw new AppError('INVALID_INPUT', say('inference.step_of', { name: m.name, partOf: m.partOf }), { modelId: m.id, partOf: m.partOf });
    return m;
  }

  getModel(id: string): Promise<ModelManifest> {
    return this.library.get(id);
  }

  importModel(req: ImportModelRequest): Promise<ModelManifest> {
    return this.library.importModel(req);
  }

  removeModel(id: string): boolean {
    return this.library.remove(id);
  }

  catalogue(): CatalogueEntry[] {
    return this.library.catalogue();
  }

  /** Starts a catalogue download job. */
  startDownload(id: string): { jobId: string } {
    this.library.catalogueItem(id);
    this.library.modelDir(id); // an id that is not one plain folder name is refused before a job starts
    const job = this.jobs.start('models.download', { id });
    return { jobId: job.id };
  }

  private async executeDownload(id: string, ctx: JobContext): Promise<{ modelId: string; bytes: number; connections: number }> {
    const item = this.library.catalogueItem(id);
    const dir = this.library.modelDir(id);
    fs.mkdirSync(dir, { recursive: true });
    const dest = path.join(dir, 'model.onnx');
    // 'connecting' at once: the page says so (and names the host) instead of showing an empty bar.
    let received = 0;
    const connecting = () => ctx.progress({ fraction: (received / item.sizeBytes) * 0.98, stage: 'connecting', done: received, total: item.sizeBytes, unit: 'bytes' });
    connecting();
    const res = await downloadVerified({
      onStage: (stage) => {
        if (stage === 'connecting') connecting();
      },
      url: item.url,
      dest,
      // models/<id> could be a link someone planted: the bytes must still land inside models/.
      root: path.dirname(dir),
      sha256: item.sha256,
      sizeBytes: item.sizeBytes,
      signal: ctx.signal,
      onProgress: (p) => {
        received = p.received;
        ctx.progress({ fraction: (p.received / p.total) * 0.98, stage: 'downloading', done: p.received, total: p.total, unit: 'bytes' });
      },
    });
    ctx.progress({ fraction: 0.99, stage: 'verifying' });
    const manifest = await this.library.installDownloaded(item, res.path);
    ctx.progress({ fraction: 1, stage: 'installed' });
    return { modelId: manifest.id, bytes: res.bytes, connections: res.connections };
  }

  /** Starts the opt-in download of onnxruntime-node's CUDA provider files (Linux x64 with an NVIDIA GPU). */
  async startCudaInstall(): Promise<{ jobId: string }> {
    if (!(process.platform === 'linux' && process.arch === 'x64') && !this.options.cudaInstallCommand) {
      throw new AppError('UNSUPPORTED', say('inference.cuda_linux_only', { platform: `${process.platform}-${process.arch}` }));
    }
    const { gpus } = await this.gpus();
    if (!gpus.some((g) => g.vendor === 'nvidia') && !this.options.cudaInstallCommand) {
      throw new AppError('UNSUPPORTED', say('inference.cuda_no_gpu', {}));
    }
    return { jobId: this.jobs.start('models.installCuda', {}).id };
  }

  private executeCudaInstall(ctx: JobContext): Promise<{ installed: boolean }> {
    const cmd = this.options.cudaInstallCommand?.() ?? {
      file: process.execPath,
      args: [path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'script', 'install.js'), '--onnxruntime-node-install=cuda12'],
    };
    ctx.progress({ fraction: 0.05, stage: 'downloading CUDA provider' });
    return new Promise((resolve, reject) => {
      const child = spawn(cmd.file, cmd.args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
      let tail = '';
      const keep = (c: Buffer) => (tail = (tail + c.toString()).slice(-4000));
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const onAbort = () => child.kill('SIGKILL');
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.on('error', (err) => reject(new AppError('INTERNAL', say('inference.cuda_start_failed', { error: err.message }))));
      child.on('close', (code) => {
        ctx.signal.removeEventListener('abort', onAbort);
        if (ctx.signal.aborted) return reject(new AppError('CANCELLED', say('error.cancelled', {})));
        const last = tail.trim().split(/\r?\n/).filter(Boolean).slice(-2).join(' ').slice(0, 400);
        if (code !== 0) {
          return reject(
            new AppError('NETWORK', say(process.platform === 'linux' ? 'inference.cuda_fetch_failed_cpu' : 'inference.cuda_fetch_failed_current', { detail: last || `exit code ${code}` }), {
              exitCode: code,
            }),
          );
        }
        this.report = null;
        if (!this.options.cudaInstallCommand && !cudaProviderFilesPresent()) {
          return reject(new AppError('IO_ERROR', say('inference.cuda_files_absent', { dir: ortBinDir() })));
        }
        ctx.progress({ fraction: 1, stage: 'installed' });
        resolve({ installed: true });
      });
    });
  }

  // ---- runs ----

  private async scope(req: Pick<RunRequest, 'projectId' | 'modelId' | 'frameSetId' | 'imageIds' | 'mode'>) {
    const project = this.db.prepare(`SELECT id FROM projects WHERE id = ?`).get(req.projectId);
    if (!project) throw new AppError('NOT_FOUND', say('inference.no_project', { id: req.projectId }));
    if (req.frameSetId !== undefined && !this.db.prepare(`SELECT id FROM frame_sets WHERE id = ? AND project_id = ?`).get(req.frameSetId, req.projectId)) {
      throw new AppError('NOT_FOUND', say('inference.no_frame_set', { frameSet: req.frameSetId, project: req.projectId }));
    }
    const model = await this.runnableModel(req.modelId);
    return { model, ...this.runs.selectImages({ projectId: req.projectId, frameSetId: req.frameSetId, imageIds: req.imageIds, mode: req.mode, modelId: model.id }) };
  }

  /** What a run would do, before it starts: images in scope, those this model already did or is doing, and those it would process. */
  async planRun(req: RunPlanRequest): Promise<RunPlan> {
    const { ids, inScope, withResult, inProgress } = await this.scope(req);
    return { inScope, withResult, inProgress, toProcess: ids.length };
  }

  /** Creates a run over the chosen images and starts its job; "remaining" skips images this model already did. */
  async startRun(req: RunRequest): Promise<{ jobId: string; runId: number }> {
    const { model, ids, inScope } = await this.scope(req);
    if (inScope === 0) throw new AppError('INVALID_INPUT', say('inference.no_images', {}));
    const batchSize = req.batchSize ?? this.prefs().batchSize;
    const runId = this.runs.createRun({ projectId: req.projectId, frameSetId: req.frameSetId ?? null, model, mode: req.mode, batchSize, imageIds: ids, skipped: inScope - ids.length });
    const job = this.jobs.start('inference.run', { runId }, req.projectId);
    this.runs.setJob(runId, job.id);
    return { jobId: job.id, runId };
  }

  private async executeRun(runId: number, ctx: JobContext): Promise<{ runId: number; done: number; failed: number; skipped: number }> {
    const run = this.runs.get(runId);
    this.runs.update(runId, { status: 'running', error: null });
    const manifest = await this.library.get(run.modelId);
    const companion = manifest.companion ? await this.library.get(manifest.companion).catch(() => null) : null;
    if (ctx.resuming) {
      // Another run (a later "process remaining") may have done some of these images while this one stood still.
      const elsewhere = this.runs.doneElsewhere(runId);
      if (elsewhere.length > 0) {
        this.runs.skipImages(runId, elsewhere);
        this.runs.update(runId, { notice: `${elsewhere.length} ${elsewhere.length === 1 ? 'image' : 'images'} got a result from another run of this model meanwhile and ${elsewhere.length === 1 ? 'was' : 'were'} skipped.` });
      }
    }
    const pending = this.runs.pending(runId);
    const total = this.runs.get(runId).total;
    const alreadyDone = () => {
      const r = this.runs.get(runId);
      return r.done + r.failed;
    };
    ctx.progress({ fraction: total ? alreadyDone() / total : 1, stage: ctx.resuming ? 'resuming' : 'loading model', done: alreadyDone(), total, unit: 'images' });
    if (pending.length === 0) {
      this.runs.update(runId, { status: 'completed' });
      const r = this.runs.get(runId);
      return { runId, done: r.done, failed: r.failed, skipped: r.skipped };
    }
    const files = new Map(
      (this.db.prepare(`SELECT id, file FROM images WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(pending)) as { id: number; file: string }[]).map((r) => [r.id, r.file]),
    );
    const images = pending.filter((id) => files.has(id)).map((id) => ({ id, file: path.join(this.dataDir, files.get(id)!) }));
    const forceCpu = this.forceCpu();
    const { gpus } = await this.gpus();
    const started = Date.now();
    const worker = startWorker('inference-worker');
    const seq = 1;
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          worker.postMessage({ type: 'cancel', seq } satisfies ToInferenceWorker);
          // A worker stuck inside one long inference call is stopped the hard way.
          setTimeout(() => void worker.terminate(), 10_000).unref();
        };
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        worker.on('message', (m: FromInferenceWorker) => {
          if (m.seq !== seq) return;
          try {
            switch (m.type) {
              case 'ready':
                this.runs.update(runId, { provider: m.provider, attempts: m.attempts, batchSize: m.batchSize });
                ctx.progress({ fraction: alreadyDone() / total, stage: `running on ${m.provider}`, done: alreadyDone(), total, unit: 'images' });
                break;
              case 'results':
                this.runs.saveResults(runId, manifest.id, m.items.map((i) => (i.ok ? { imageId: i.imageId, ok: true, output: i.output, width: i.width, height: i.height, ms: i.ms } : { imageId: i.imageId, ok: false, error: i.error, ms: i.ms })));
                ctx.progress({ fraction: Math.min(0.999, alreadyDone() / total), stage: 'running', done: alreadyDone(), total, unit: 'images' });
                break;
              case 'notice':
                this.runs.update(runId, { notice: m.message });
                break;
              case 'done':
                this.runs.update(runId, { batchSize: m.batchSize });
                ctx.signal.removeEventListener('abort', onAbort);
                resolve();
                break;
              case 'error':
                ctx.signal.removeEventListener('abort', onAbort);
                reject(new AppError(m.error.code, isMessageCode(m.error.messageCode) ? { messageCode: m.error.messageCode, messageParams: m.error.messageParams ?? {}, message: m.error.message } : m.error.message, { ...m.error.details, kind: m.kind }));
                break;
            }
          } catch (err) {
            reject(err);
          }
        });
        worker.on('error', (err) => reject(new AppError('INTERNAL', say('inference.worker_crashed', { error: err.message }))));
        worker.on('exit', (code) => {
          if (ctx.signal.aborted) reject(new AppError('CANCELLED', say('error.cancelled', {})));
          else reject(new AppError('INTERNAL', say('inference.worker_stopped', { code: String(code) })));
        });
        const spec: ToInferenceWorker = {
          type: 'start',
          seq,
          spec: { manifest, companion, forceCpu, gpus, batchSize: this.runs.get(runId).batchSize, dataDir: this.dataDir, outDir: path.join('results', `run-${runId}`), images },
        };
        worker.postMessage(spec);
      });
    } finally {
      this.runs.update(runId, { addSeconds: (Date.now() - started) / 1000 });
      await terminate(worker);
    }
    this.runs.update(runId, { status: 'completed' });
    const r = this.runs.get(runId);
    ctx.progress({ fraction: 1, stage: 'done', done: r.done + r.failed, total, unit: 'images' });
    return { runId, done: r.done, failed: r.failed, skipped: r.skipped };
  }

  /** Cancels the project's running model runs (before the project is deleted). */
  async cancelProjectJobs(projectId: number): Promise<void> {
    const running = this.runs.list(projectId).filter((r) => r.status === 'running' && r.jobId);
    await Promise.all(running.map((r) => this.jobs.cancel(r.jobId!).catch(() => undefined)));
  }

  listRuns(projectId: number): ModelRun[] {
    return this.runs.list(projectId);
  }

  results(q: { runId?: number; imageId?: number; offset: number; limit: number }) {
    return this.runs.results(q);
  }

  /** Counts as the Models page shows the run: a detection run's at the threshold remembered for its model. */
  summary(runId: number): RunSummary {
    const run = this.runs.get(runId);
    return summarise(run, this.runs.iterate(runId), run.task === 'detection' ? minScoreOf(this.prefs(), run.modelId) : 0);
  }

  /** Writes an export under `<data>/exports/`; returns its absolute and data-relative paths. */
  async exportRun(runId: number, format: ExportFormat): Promise<{ path: string; file: string; count: number }> {
    const run = this.runs.get(runId);
    const labels = (await this.library.get(run.modelId).catch(() => null))?.labels ?? [];
    const text = exportRun(format, run, labels, () => this.runs.iterate(runId));
    const ext = format === 'csv' ? 'csv' : 'json';
    const file = path.join(this.dataDir, 'exports', `run-${runId}-${run.modelId}${format === 'coco' ? '-coco' : ''}.${ext}`);
    await writeFileAtomic(file, text);
    return { path: file, file: toPosixRelative(this.dataDir, file), count: run.done + run.failed };
  }

  /** Deletes a run (not while it runs), its results and its files. */
  async deleteRun(runId: number): Promise<boolean> {
    const run = this.runs.get(runId);
    if (run.status === 'running' && run.jobId) await this.jobs.cancel(run.jobId).catch(() => undefined);
    const deleted = this.runs.delete(runId);
    fs.rmSync(path.join(this.dataDir, 'results', `run-${runId}`), { recursive: true, force: true });
    return deleted;
  }
}

async function terminate(worker: Worker): Promise<void> {
  worker.removeAllListeners('exit');
  worker.removeAllListeners('message');
  await worker.terminate().catch(() => undefined);
}
