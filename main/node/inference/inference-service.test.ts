/**
 * The inference service end to end under Node: real SQLite on disk, real job runner, the real worker
 * thread, real ONNX models (built here with known weights), real PNGs.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import type { Job } from '../../common/contract';
import { DEFAULT_MIN_SCORE, minScoreOf } from '../../common/contract/inference';
import { EventBus } from '../event-bus';
import { JobRunner } from '../jobs/job-runner';
import { openDatabase, nowIso, type Db } from '../store/database';
import { packageDir } from './builtin-models';
import type { CatalogueItem } from './catalogue';
import { InferenceService } from './inference-service';
import { constantOutput, linearClassifier, redMaskModel } from './testing/onnx-builder';
import { redSquarePng, writeRgbPng } from './testing/fixtures';

let dir: string;
let db: Db;
let bus: EventBus;
let jobs: JobRunner;
let service: InferenceService;
const noGpu = async () => ({ gpus: [], problem: 'test machine' });

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-infsvc-'));
  db = openDatabase(path.join(dir, 'studio.db'));
  bus = new EventBus();
  jobs = new JobRunner(db, bus);
  service = new InferenceService(db, dir, jobs, { probeGpus: noGpu });
  const now = nowIso();
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
});
afterEach(async () => {
  await jobs.shutdown();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Adds n images (2×2 PNGs whose top-left red value is i·10) to the project as a frame set. */
async function addImages(n: number, start = 1): Promise<number[]> {
  const now = nowIso();
  if (!db.prepare('SELECT 1 FROM media_sources WHERE id = 1').get()) {
    db.prepare(`INSERT INTO media_sources (id, project_id, kind, name, path, size_bytes, sha256, probe_json, created_at) VALUES (1, 1, 'video', 'v', '/v', 1, 'x', '{}', ?)`).run(now);
    db.prepare(`INSERT INTO frame_sets (id, project_id, media_id, params_json, status, dir, created_at, updated_at) VALUES (1, 1, 1, '{}', 'complete', 'frames/1', ?, ?)`).run(now, now);
  }
  const ids: number[] = [];
  for (let i = start; i < start + n; i++) {
    const rel = `frames/1/${String(i).padStart(6, '0')}.png`;
    await writeRgbPng(path.join(dir, rel), 2, 2, [i * 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const info = db
      .prepare(`INSERT INTO images (project_id, frame_set_id, media_id, kind, file, width, height, frame_index, created_at, updated_at) VALUES (1, 1, 1, 'frame', ?, 2, 2, ?, ?, ?)`)
      .run(rel, i, now, now);
    ids.push(Number(info.lastInsertRowid));
  }
  return ids;
}

async function importClassifier(): Promise<string> {
  const file = path.join(dir, 'upload', 'corner.onnx');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // logit0 = 2·(top-left red in 0..1), logit1 = 0.5
  const W = [[2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], new Array(12).fill(0)];
  fs.writeFileSync(file, linearClassifier(2, 2, W, [0, 0.5]));
  const m = await service.importModel({
    path: file,
    task: 'classification',
    name: 'Corner classifier',
    labels: ['red', 'plain'],
    normalization: { mean: [0, 0, 0], std: [1, 1, 1], scale: 1 / 255 },
    licence: 'MIT',
  });
  return m.id;
}

async function expectAppError(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  expect((err as AppError).message).toMatch(message);
}

function waitJob(id: string): Promise<Job> {
  return new Promise((resolve) => {
    const check = () => {
      const j = jobs.get(id);
      if (!['running', 'queued'].includes(j.status)) {
        off();
        resolve(j);
      }
    };
    const off = bus.on('job.updated', (j) => j.id === id && check());
    check();
  });
}

describe('model library', () => {
  it('lists the bundled models and an imported one with its inspected inputs', async () => {
    const id = await importClassifier();
    const list = await service.listModels();
    expect(list.map((m) => m.id)).toEqual(expect.arrayContaining(['human-movenet-lightning', 'human-centernet', 'paddleocr-v4-det', id]));
    // The OCR recogniser is a step of the OCR model: not listed, and refused when asked for by id.
    expect(list.map((m) => m.id)).not.toContain('paddleocr-v4-rec');
    await expect(service.runnableModel('paddleocr-v4-rec')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/step of paddleocr-v4-det/) });
    const m = list.find((x) => x.id === id)!;
    expect(m).toMatchObject({ source: 'imported', task: 'classification', inputSize: { width: 2, height: 2 }, labels: ['red', 'plain'], licence: 'MIT' });
    expect(m.inputs[0]).toEqual({ name: 'image', shape: ['N', 3, 2, 2], type: 'float32' });
    expect(m.location.startsWith(path.join(dir, 'models'))).toBe(true);
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Importing the same file again gives the same model.
    expect((await importClassifier())).toBe(id);
  });

  it('rejects malformed, mis-shaped and mislabelled models with clear messages', async () => {
    const up = path.join(dir, 'upload');
    fs.mkdirSync(up, { recursive: true });
    fs.writeFileSync(path.join(up, 'junk.onnx'), 'not a model');
    await expectAppError(service.importModel({ path: path.join(up, 'junk.onnx'), task: 'classification' }), 'MODEL_INVALID', /^junk\.onnx is not a valid ONNX model: .*protobuf parsing failed/i);
    fs.writeFileSync(path.join(up, 'notes.txt'), 'x');
    await expectAppError(service.importModel({ path: path.join(up, 'notes.txt'), task: 'classification' }), 'MODEL_INVALID', /neither an \.onnx file nor a TF\.js model folder/);
    // A one-channel model: the studio feeds RGB.
    fs.writeFileSync(path.join(up, 'gray.onnx'), constantOutput(['N', 1, 8, 8], 'out', [1, 2], [0, 1]));
    await expectAppError(service.importModel({ path: path.join(up, 'gray.onnx'), task: 'classification' }), 'MODEL_INVALID', /3-channel images/);
    fs.writeFileSync(path.join(up, 'two.onnx'), linearClassifier(2, 2, [new Array(12).fill(1), new Array(12).fill(0)], [0, 0]));
    await expectAppError(service.importModel({ path: path.join(up, 'two.onnx'), task: 'classification', labels: ['a', 'b', 'c'] }), 'MODEL_INVALID', /outputs 2 classes but 3 labels/);
    fs.mkdirSync(path.join(up, 'tfjs'));
    fs.writeFileSync(path.join(up, 'tfjs', 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [] }] }));
    await expectAppError(service.importModel({ path: path.join(up, 'tfjs'), task: 'pose' }), 'MODEL_INVALID', /missing its weights file w\.bin/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM models').get()).toEqual({ n: 0 });
  });

  it('imports a TF.js graph model (model.json + weights) and runs it in the worker', async () => {
    const human = path.join(packageDir('@vladmandic/human')!, 'models');
    const folder = path.join(dir, 'upload', 'movenet');
    fs.mkdirSync(folder, { recursive: true });
    fs.copyFileSync(path.join(human, 'movenet-lightning.json'), path.join(folder, 'model.json'));
    fs.copyFileSync(path.join(human, 'movenet-lightning.bin'), path.join(folder, 'movenet-lightning.bin'));
    const m = await service.importModel({
      path: folder,
      task: 'pose',
      name: 'My MoveNet',
      normalization: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'pad-square' },
    });
    expect(m).toMatchObject({ runtime: 'tfjs', inputSize: { width: 192, height: 192 }, normalization: { layout: 'NHWC', dtype: 'int32' }, postprocess: { kind: 'movenet' } });
    expect(fs.existsSync(path.join(dir, 'models', m.id, 'movenet-lightning.bin'))).toBe(true);
    await addImages(1);
    const { jobId, runId } = await service.startRun({ projectId: 1, modelId: m.id, mode: 'all' });
    expect((await waitJob(jobId)).status).toBe('completed');
    const run = service.runs.get(runId);
    expect(['wasm', 'cpu']).toContain(run.provider);
    expect(run.attempts.find((a) => a.name === 'tfjs-node-gpu')?.status).toBe('skipped');
    expect(run.done).toBe(1);
  });

  it('removes imported models but never bundled ones', async () => {
    const id = await importClassifier();
    expect(service.removeModel(id)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'models', id))).toBe(false);
    expect(() => service.removeModel('human-centernet')).toThrow(/cannot be removed/);
  });
});

describe('providers and preferences', () => {
  it('reports the CPU as used, GPU providers skipped with reasons, and honours force CPU', async () => {
    const report = await service.providers();
    expect(report.onnx.selected).toBe('cpu');
    expect(report.onnx.attempts.find((a) => a.name === 'cpu')!.status).toBe('used');
    for (const a of report.onnx.attempts.filter((x) => x.name !== 'cpu')) expect(a.reason).toBeTruthy();
    expect(report.tfjs.attempts.find((a) => a.name === 'tfjs-node-gpu')!.reason).toMatch(/binding|not installed/);
    expect(report.gpus).toEqual([]);
    expect(report.cuda.offered).toBe(false);
    expect(service.setPrefs({ forceCpu: true })).toEqual({ forceCpu: true, batchSize: 8, minScores: {} });
    const forced = await service.providers();
    expect(forced.forceCpu).toBe(true);
    expect(forced.tfjs.attempts.find((a) => a.name === 'tfjs-node-gpu')!.reason).toMatch(/Force CPU/);
  });

  it('remembers a detection threshold per model: a patch adds to the others, another preference keeps them, out of range is refused', () => {
    const before = service.prefs();
    expect(minScoreOf(before, 'human-centernet')).toBe(DEFAULT_MIN_SCORE);
    service.setPrefs({ minScores: { 'human-centernet': 0.55 } });
    service.setPrefs({ minScores: { 'my-yolo': 0.3 } });
    service.setPrefs({ batchSize: 4 });
    const after = service.prefs();
    expect(after.minScores).toEqual({ ...before.minScores, 'human-centernet': 0.55, 'my-yolo': 0.3 });
    expect(minScoreOf(after, 'human-centernet')).toBe(0.55);
    expect(() => service.setPrefs({ minScores: { 'my-yolo': 1.5 } })).toThrow();
    service.setPrefs({ batchSize: before.batchSize, minScores: { 'human-centernet': DEFAULT_MIN_SCORE, 'my-yolo': DEFAULT_MIN_SCORE } });
  });

  it('refuses the CUDA download without an NVIDIA GPU, and reports a failing download clearly', async () => {
    await expect(service.startCudaInstall()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const failing = new InferenceService(db, dir, jobs, {
      probeGpus: async () => ({ gpus: [{ name: 'NVIDIA T4', vendor: 'nvidia', memoryMiB: 15360, driver: '550', source: 'nvidia-smi' }], problem: null }),
      cudaInstallCommand: () => ({ file: process.execPath, args: ['-e', "console.error('Error: getaddrinfo ENOTFOUND api.nuget.org'); process.exit(1)"] }),
    });
    const { jobId } = await failing.startCudaInstall();
    const job = await waitJob(jobId);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'NETWORK', message: expect.stringMatching(/ENOTFOUND api\.nuget\.org.*needs internet access/) });
  });
});

describe('batch runs', () => {
  it('runs a model over a frame set in the worker, stores results, and "remaining" skips done images', async () => {
    const ids = await addImages(5);
    const modelId = await importClassifier();
    const progress: number[] = [];
    bus.on('job.progress', (p) => progress.push(p.fraction));
    const first = await service.startRun({ projectId: 1, modelId, frameSetId: 1, mode: 'all', batchSize: 2 });
    const job = await waitJob(first.jobId);
    expect(job.status).toBe('completed');
    const run = service.runs.get(first.runId);
    expect(run).toMatchObject({ status: 'completed', total: 5, done: 5, failed: 0, skipped: 0, provider: 'cpu', batchSize: 2 });
    expect(run.attempts.find((a) => a.status === 'used')?.name).toBe('cpu');
    expect(progress.at(-1)).toBe(1);

    const { items, total } = service.results({ runId: first.runId, offset: 0, limit: 100 });
    expect(total).toBe(5);
    // Image i has top-left red = 10·i/255; logit0 = 2·that, logit1 = 0.5.
    for (const it of items) {
      const i = ids.indexOf(it.imageId) + 1;
      const l0 = (2 * i * 10) / 255;
      const p0 = Math.exp(l0) / (Math.exp(l0) + Math.exp(0.5));
      if (it.output?.task !== 'classification') throw new Error('wrong task');
      const red = it.output.top.find((t) => t.label === 'red')!;
      expect(red.score).toBeCloseTo(p0, 5);
    }
    expect(db.prepare('SELECT COUNT(*) AS n FROM images WHERE has_result = 1').get()).toEqual({ n: 5 });

    // Process remaining: nothing left for this model.
    const again = await service.startRun({ projectId: 1, modelId, frameSetId: 1, mode: 'remaining' });
    await waitJob(again.jobId);
    expect(service.runs.get(again.runId)).toMatchObject({ total: 0, skipped: 5, status: 'completed' });

    // New frames appear: only they are processed.
    await addImages(2, 6);
    const rest = await service.startRun({ projectId: 1, modelId, frameSetId: 1, mode: 'remaining' });
    await waitJob(rest.jobId);
    expect(service.runs.get(rest.runId)).toMatchObject({ total: 2, done: 2, skipped: 5 });

    const summary = service.summary(first.runId);
    expect(summary.classCounts.reduce((n, c) => n + c.count, 0)).toBe(5);
    expect(summary.msPerImage!.mean).toBeGreaterThan(0);
    expect(summary.imagesPerSecond).toBeGreaterThan(0);
  });

  it('says before a run how many images remain: done ones and those a running run is doing are left out', async () => {
    await addImages(300);
    const modelId = await importClassifier();
    const plan = (mode: 'all' | 'remaining' = 'remaining') => service.planRun({ projectId: 1, modelId, frameSetId: 1, mode });
    expect(await plan()).toEqual({ inScope: 300, withResult: 0, inProgress: 0, toProcess: 300 });

    const first = await service.startRun({ projectId: 1, modelId, mode: 'all', batchSize: 1 });
    // While it runs, "remaining" leaves its images to it (nothing to do twice); "all" would do them all.
    const during = await plan();
    expect(during.toProcess).toBe(0);
    expect(during.withResult + during.inProgress).toBe(300);
    expect((await plan('all')).toProcess).toBe(300);
    await new Promise<void>((resolve) => {
      const off = bus.on('job.progress', (p) => {
        if (p.jobId === first.jobId && (p.done ?? 0) >= 2) {
          off();
          resolve();
        }
      });
    });
    await jobs.cancel(first.jobId);
    const done = service.runs.get(first.runId).done;
    expect(done).toBeGreaterThanOrEqual(2);
    expect(await plan()).toEqual({ inScope: 300, withResult: done, inProgress: 0, toProcess: 300 - done });

    // "Process remaining" does exactly the rest.
    const rest = await service.startRun({ projectId: 1, modelId, frameSetId: 1, mode: 'remaining' });
    expect((await waitJob(rest.jobId)).status).toBe('completed');
    expect(service.runs.get(rest.runId)).toMatchObject({ total: 300 - done, done: 300 - done, skipped: done });
    expect(await plan()).toEqual({ inScope: 300, withResult: 300, inProgress: 0, toProcess: 0 });

    // Deleting the cancelled run's results makes its images remaining again, and unmarks them.
    await service.deleteRun(first.runId);
    expect(await plan()).toEqual({ inScope: 300, withResult: 300 - done, inProgress: 0, toProcess: done });
    expect(db.prepare('SELECT COUNT(*) AS n FROM images WHERE has_result = 0').get()).toEqual({ n: done });
    await expect(service.planRun({ projectId: 1, modelId, frameSetId: 9, mode: 'remaining' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('records a corrupt image as failed and completes the rest', async () => {
    await addImages(3);
    fs.writeFileSync(path.join(dir, 'frames/1/000002.png'), 'broken');
    const modelId = await importClassifier();
    const { jobId, runId } = await service.startRun({ projectId: 1, modelId, mode: 'all' });
    await waitJob(jobId);
    const run = service.runs.get(runId);
    expect(run).toMatchObject({ done: 2, failed: 1, status: 'completed' });
    const s = service.summary(runId);
    expect(s.errors).toEqual([{ code: 'MEDIA_UNREADABLE', count: 1, example: expect.stringMatching(/000002\.png/) }]);
    // A failed result is no result: "remaining" tries that image again.
    expect(await service.planRun({ projectId: 1, modelId, mode: 'remaining' })).toEqual({ inScope: 3, withResult: 2, inProgress: 0, toProcess: 1 });
  });

  /** Starts a run with batches of one and cancels it once a few results are in; returns the images it did. */
  async function startAndCancel(req: { modelId: string; mode: 'all' | 'remaining' }): Promise<{ jobId: string; runId: number; did: Set<number> }> {
    const { jobId, runId } = await service.startRun({ projectId: 1, ...req, batchSize: 1 });
    await new Promise<void>((resolve) => {
      const off = bus.on('job.progress', (p) => {
        if (p.jobId === jobId && (p.done ?? 0) >= 2) {
          off();
          resolve();
        }
      });
    });
    await jobs.cancel(jobId);
    expect(service.runs.get(runId).status).toBe('cancelled');
    return { jobId, runId, did: new Set(service.results({ runId, offset: 0, limit: 1000 }).items.map((r) => r.imageId)) };
  }
  const imagesOf = (runId: number) => service.results({ runId, offset: 0, limit: 1000 }).items.map((r) => r.imageId).sort((a, b) => a - b);

  it('cancels a run and resumes it where it stopped', async () => {
    await addImages(300);
    const modelId = await importClassifier();
    // Cancel once the first results are in.
    const { jobId, runId } = await startAndCancel({ modelId, mode: 'all' });
    const cancelled = service.runs.get(runId);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.done).toBeGreaterThanOrEqual(2);
    expect(cancelled.done).toBeLessThan(300);
    jobs.resume(jobId);
    const job = await waitJob(jobId);
    expect(job.status).toBe('completed');
    expect(service.runs.get(runId)).toMatchObject({ status: 'completed', done: 300, failed: 0 });
    expect(service.results({ runId, offset: 0, limit: 1000 }).total).toBe(300);
  });


  it('resuming a cancelled "remaining" run skips images a later "remaining" run has done meanwhile', async () => {
    const ids = await addImages(300);
    const modelId = await importClassifier();
    const a = await startAndCancel({ modelId, mode: 'remaining' });
    expect(a.did.size).toBeLessThan(300);
    // "Process remaining" while the first run stands cancelled: it does every image the first one did not.
    const b = await service.startRun({ projectId: 1, modelId, mode: 'remaining', batchSize: 16 });
    expect((await waitJob(b.jobId)).status).toBe('completed');
    const rest = ids.filter((id) => !a.did.has(id));
    expect(imagesOf(b.runId)).toEqual(rest);
    const bResults = service.results({ runId: b.runId, offset: 0, limit: 1000 }).items;

    jobs.resume(a.jobId);
    expect((await waitJob(a.jobId)).status).toBe('completed');
    // Nothing was done twice: the resumed run kept its own results and skipped the rest.
    expect(imagesOf(a.runId)).toEqual([...a.did].sort((x, y) => x - y));
    expect(service.runs.get(a.runId)).toMatchObject({ status: 'completed', total: a.did.size, done: a.did.size, failed: 0, skipped: rest.length });
    expect(service.runs.get(a.runId).notices).toEqual([`${rest.length} images got a result from another run of this model meanwhile and were skipped.`]);
    expect(service.results({ runId: b.runId, offset: 0, limit: 1000 }).items).toEqual(bResults);
    expect(db.prepare('SELECT COUNT(*) AS n FROM inference_results').get()).toEqual({ n: 300 });
    expect(await service.planRun({ projectId: 1, modelId, mode: 'remaining' })).toEqual({ inScope: 300, withResult: 300, inProgress: 0, toProcess: 0 });
  });

  it('resuming a cancelled "all" run skips what a later run did, and still redoes results older than it', async () => {
    const ids = await addImages(300);
    const modelId = await importClassifier();
    // Results from before the "all" run: the last ten images, the ones it reaches last.
    const old = ids.slice(-10);
    const first = await service.startRun({ projectId: 1, modelId, imageIds: old, mode: 'all' });
    expect((await waitJob(first.jobId)).status).toBe('completed');
    const a = await startAndCancel({ modelId, mode: 'all' });
    const b = await service.startRun({ projectId: 1, modelId, mode: 'remaining', batchSize: 16 });
    expect((await waitJob(b.jobId)).status).toBe('completed');
    const byB = ids.filter((id) => !a.did.has(id) && !old.includes(id));
    expect(imagesOf(b.runId)).toEqual(byB);

    jobs.resume(a.jobId);
    expect((await waitJob(a.jobId)).status).toBe('completed');
    const expected = ids.filter((id) => a.did.has(id) || old.includes(id));
    expect(imagesOf(a.runId)).toEqual(expected);
    expect(service.runs.get(a.runId)).toMatchObject({ status: 'completed', total: expected.length, done: expected.length, skipped: byB.length });
  });

  it('cancels running runs of a project that is about to be deleted', async () => {
    await addImages(200);
    const modelId = await importClassifier();
    const { jobId } = await service.startRun({ projectId: 1, modelId, mode: 'all', batchSize: 1 });
    await service.cancelProjectJobs(1);
    expect(jobs.get(jobId).status).toBe('cancelled');
    db.prepare('DELETE FROM projects WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM model_runs').get()).toEqual({ n: 0 });
  });

  it('fails the run with MODEL_INVALID when the model cannot take the images', async () => {
    await addImages(2);
    const file = path.join(dir, 'upload', 'fixed.onnx');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, linearClassifier(2, 2, [new Array(12).fill(1)], [0]));
    const m = await service.importModel({ path: file, task: 'classification' });
    // Break the manifest on purpose: a 4×4 input for a 2×2 model.
    const row = db.prepare('SELECT manifest_json FROM models WHERE id = ?').get(m.id) as { manifest_json: string };
    db.prepare('UPDATE models SET manifest_json = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(row.manifest_json), inputSize: { width: 4, height: 4 } }), m.id);
    const { jobId, runId } = await service.startRun({ projectId: 1, modelId: m.id, mode: 'all' });
    const job = await waitJob(jobId);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/Wrong input shape/) });
    expect(service.runs.get(runId).status).toBe('failed');
  });

  it('runs segmentation and writes masks and cut-outs under the data folder', async () => {
    const now = nowIso();
    const file = path.join(dir, 'upload', 'red.onnx');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, redMaskModel(32, 32));
    const m = await service.importModel({ path: file, task: 'segmentation', normalization: { mean: [0, 0, 0], std: [1, 1, 1], scale: 1 / 255 } });
    await redSquarePng(path.join(dir, 'imports', 'sq.png'), 64, 48, { x: 16, y: 12, w: 32, h: 24 });
    db.prepare(`INSERT INTO images (project_id, kind, file, created_at, updated_at) VALUES (1, 'imported', 'imports/sq.png', ?, ?)`).run(now, now);
    const { jobId, runId } = await service.startRun({ projectId: 1, modelId: m.id, mode: 'all' });
    await waitJob(jobId);
    const [item] = service.results({ runId, offset: 0, limit: 10 }).items;
    if (item?.output?.task !== 'segmentation') throw new Error(`no segmentation result: ${JSON.stringify(item)}`);
    expect(item.output.cutout).toMatch(new RegExp(`^results/run-${runId}/\\d+-cutout\\.png$`));
    expect(fs.existsSync(path.join(dir, item.output.cutout))).toBe(true);
    expect(item.output.coverage).toBeGreaterThan(0.2);
    expect(item.output.coverage).toBeLessThan(0.3);
    await service.deleteRun(runId);
    expect(fs.existsSync(path.join(dir, 'results', `run-${runId}`))).toBe(false);
  });
});

describe('exports', () => {
  it('writes JSON, CSV and COCO (detection only)', async () => {
    await addImages(2);
    const file = path.join(dir, 'upload', 'det.onnx');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, constantOutput(['N', 3, 16, 16], 'dets', [1, 2, 6], [0, 0, 8, 8, 0.9, 1, 4, 4, 16, 16, 0.8, 0]));
    const det = await service.importModel({ path: file, task: 'detection', labels: ['cat', 'dog'], normalization: { resize: 'stretch' } });
    expect(det.postprocess.kind).toBe('detections-xyxy');
    const { jobId, runId } = await service.startRun({ projectId: 1, modelId: det.id, mode: 'all' });
    await waitJob(jobId);
    const coco = await service.exportRun(runId, 'coco');
    const c = JSON.parse(fs.readFileSync(coco.path, 'utf8')) as { images: unknown[]; annotations: { bbox: number[]; category_id: number }[]; categories: { id: number; name: string }[] };
    expect(c.images).toHaveLength(2);
    expect(c.annotations).toHaveLength(4);
    expect(c.categories).toEqual([
      { id: 1, name: 'cat', supercategory: 'object' },
      { id: 2, name: 'dog', supercategory: 'object' },
    ]);
    // 2×2 images stretched to 16×16: the box (0,0)-(8,8) is (0,0,1,1) in image pixels.
    expect(c.annotations[0]).toMatchObject({ category_id: 2, bbox: [0, 0, 1, 1] });
    const csv = fs.readFileSync((await service.exportRun(runId, 'csv')).path, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('image_id,file,label,class_index,score,x,y,width,height,error');
    expect(csv).toHaveLength(5);
    const json = JSON.parse(fs.readFileSync((await service.exportRun(runId, 'json')).path, 'utf8')) as { run: { id: number }; results: unknown[] };
    expect(json.run.id).toBe(runId);
    expect(json.results).toHaveLength(2);
    const summary = service.summary(runId);
    expect(summary.classCounts).toEqual([
      { label: 'cat', count: 2 },
      { label: 'dog', count: 2 },
    ]);
    // The summary counts what the page shows: at a remembered threshold of 0.85 the 0.8 "cat" boxes are left out
    // (the exports above keep everything the model found).
    service.setPrefs({ minScores: { [det.id]: 0.85 } });
    expect(service.summary(runId)).toMatchObject({ classCounts: [{ label: 'dog', count: 2 }], objectCount: 2 });
    service.setPrefs({ minScores: { [det.id]: 0.4 } });

    const cls = await importClassifier();
    const other = await service.startRun({ projectId: 1, modelId: cls, mode: 'all' });
    await waitJob(other.jobId);
    await expect(service.exportRun(other.runId, 'coco')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('catalogue download job', () => {
  it('downloads from a server, verifies, installs, and lists the model as downloaded', async () => {
    const bytes = Buffer.from(linearClassifier(2, 2, [new Array(12).fill(1), new Array(12).fill(-1)], [0, 0]));
    const server = http.createServer((_req, res) => res.writeHead(200, { 'content-length': bytes.length }).end(bytes));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m.onnx`;
    try {
      const svc = new InferenceService(db, dir, jobs, {
        probeGpus: noGpu,
        catalogue: [
          {
            id: 'tiny-cls',
            name: 'Tiny classifier',
            task: 'classification',
            description: 'test',
            url,
            sizeBytes: bytes.length,
            sha256: createHash('sha256').update(bytes).digest('hex'),
            licence: 'MIT',
            licenceUrl: null,
            manifest: {
              normalization: { layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', dtype: 'float32' },
              postprocess: { kind: 'softmax', scoreThreshold: 0.3, iouThreshold: 0.45, topK: 2, maxDetections: 10, minMaxMask: false, inverseDepth: true },
              labels: ['bright', 'dark'],
              maxSide: 2,
              sizeMultiple: 1,
            },
          },
        ],
      });
      expect(svc.catalogue()[0]!.installed).toBe(false);
      const stages: string[] = [];
      const off = bus.on('job.progress', (p) => stages.push(p.stage));
      const { jobId } = svc.startDownload('tiny-cls');
      const job = await waitJob(jobId);
      off();
      expect(job.status).toBe('completed');
      // The page can say "connecting…" from the first progress on, before any byte arrives.
      expect(stages[0]).toBe('connecting');
      expect(svc.catalogue()[0]!.installed).toBe(true);
      const m = await svc.getModel('tiny-cls');
      expect(m).toMatchObject({ source: 'downloaded', inputSize: { width: 2, height: 2 }, licence: 'MIT' });
      expect(() => svc.startDownload('nope')).toThrow(AppError);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('never writes outside models/: a catalogue id that climbs is refused, a planted models/<id> link is refused', async () => {
    const bytes = Buffer.from(linearClassifier(2, 2, [new Array(12).fill(1), new Array(12).fill(-1)], [0, 0]));
    const server = http.createServer((_req, res) => res.writeHead(200, { 'content-length': bytes.length }).end(bytes));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m.onnx`;
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-infsvc-outside-'));
    const item = (id: string): CatalogueItem => ({
      id,
      name: id,
      task: 'classification',
      description: 'test',
      url,
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      licence: 'MIT',
      licenceUrl: null,
      manifest: {
        normalization: { layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', dtype: 'float32' },
        postprocess: { kind: 'softmax', scoreThreshold: 0.3, iouThreshold: 0.45, topK: 2, maxDetections: 10, minMaxMask: false, inverseDepth: true },
        labels: [],
        maxSide: 2,
        sizeMultiple: 1,
      },
    });
    try {
      const svc = new InferenceService(db, dir, jobs, { probeGpus: noGpu, catalogue: [item('../../escaped'), item('planted')] });
      const refused = await Promise.resolve()
        .then(() => svc.startDownload('../../escaped'))
        .then((r) => waitJob(r.jobId))
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'INVALID_INPUT' });
      expect(fs.existsSync(path.join(dir, '..', '..', 'escaped'))).toBe(false);
      fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
      fs.symlinkSync(outside, path.join(dir, 'models', 'planted'));
      const job = await waitJob(svc.startDownload('planted').jobId);
      expect(job.status).toBe('failed');
      expect(job.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/outside/) });
      expect(fs.readdirSync(outside)).toEqual([]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
