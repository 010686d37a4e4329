/**
 * The vision service against helper A's emulator (written from seed 001 a second time, emulators/vision): the
 * seed's chat examples, upload with progress, detail and validate, a real training followed over the WebSocket, the
 * socket dropped mid-training (no epoch missing), the service restarted while training (followed again, gap filled),
 * pull → a registered model with labels and lineage → local inference on new images through the existing pipeline,
 * cloud inference, and the export 404 path. Real SQLite, real onnxruntime, real sharp-made images.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVisionEmulator, type VisionEmulator } from '../../../../emulators/vision';
import { AppError } from '../../../common/app-error';
import { ModelLibrary } from '../../inference/model-library';
import { openPipeline } from '../../inference/pipeline';
import { CLASSES, classZip, subject, until, wire, type Wired } from './scripted-platform.test-kit';

const USER = { email: 'creator@example.com', password: 'Creator-Pass-2026!' };
let em: VisionEmulator;
let work: string;
let zipFile: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-vision-emu-'));
  em = await startVisionEmulator({ quiet: true, epochDelayMs: 0 });
  em.createUser({ ...USER, plan: 'pro' });
  zipFile = await classZip(path.join(work, 'subjects.zip'), 12);
}, 60_000);
afterAll(async () => {
  await em?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function signedIn(opts: Parameters<typeof wire>[1] = {}): Promise<Wired> {
  const w = wire(em.url, opts);
  if ((await w.service.account()).state !== 'signedIn') await w.service.signIn(USER.email, USER.password);
  return w;
}

async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Uploads the three-subject zip and waits until the platform says it is ready. */
async function readyDataset(w: Wired): Promise<string> {
  const progress: { sent: number; total: number }[] = [];
  const d = await w.service.uploadDataset(zipFile, { name: 'subjects', format: 'imagefolder', description: '세 가지 피사체' }, (p) => progress.push({ sent: p.sentBytes, total: p.totalBytes }));
  // From 0 to the whole multipart body (the zip and the fields around it).
  expect(progress[0]!.sent).toBe(0);
  expect(progress.at(-1)!.sent).toBe(progress.at(-1)!.total);
  expect(progress.at(-1)!.total).toBeGreaterThan(fs.statSync(zipFile).size);
  await em.waitForDataset(d.datasetId, 20_000);
  return d.datasetId;
}

describe('against the vision emulator', () => {
  it('chat: the seed’s Korean example asks for class names and the dataset; answering completes an editable config', async () => {
    const w = await signedIn();
    try {
      const first = await w.service.chatSend({ message: 'ResNet50으로 고양이 3종류 분류하는 모델 만들어줘' });
      expect(first.type).toBe('clarification_needed');
      expect(first.questions.map((q) => q.field)).toEqual(expect.arrayContaining(['class_names']));
      expect(first.questions.find((q) => q.field === 'class_names')!.required).toBe(true);
      const second = await w.service.chatSend({ sessionId: first.sessionId, message: '치즈, 나비, 츄르 / 데이터셋은 ds_123' });
      const done = second.type === 'intent_complete' ? second : await w.service.chatSend({ sessionId: first.sessionId, message: 'dataset ds_123' });
      expect(done.type).toBe('intent_complete');
      expect(done.trainingConfig).toMatchObject({ taskType: 'classification', classNames: ['치즈', '나비', '츄르'] });
      expect(done.trainingConfig!.modelName?.toLowerCase()).toBe('resnet50');
      const s = await w.service.chatSession(first.sessionId);
      expect(s.messages.length).toBeGreaterThanOrEqual(4);
      expect(s.messages[0]).toMatchObject({ role: 'user' });
      expect((await w.service.chatDelete(first.sessionId)).deleted).toBe(true);
      expect((await caught(w.service.chatSession(first.sessionId))).code).toBe('NOT_FOUND');
    } finally {
      w.close();
    }
  }, 30_000);

  it('upload with progress, detail with class counts, validate; a bad dataset id is NOT_FOUND with the request id', async () => {
    const w = await signedIn();
    try {
      const id = await readyDataset(w);
      const d = await w.service.getDataset(id);
      expect(d).toMatchObject({ datasetId: id, name: 'subjects', uploadedHere: true, status: 'ready' });
      expect(d.statistics!.classes.map((c) => [c.name, c.count]).sort()).toEqual(CLASSES.map((c) => [c, 12]).sort());
      const v = await w.service.validateDataset(id, { expectedClasses: 3 });
      expect(v.datasetId).toBe(id);
      expect(typeof v.valid).toBe('boolean');
      expect((await w.service.listDatasets()).datasets.map((x) => x.datasetId)).toContain(id);
      const e = await caught(w.service.getDataset('ds_does_not_exist'));
      expect(e.code).toBe('NOT_FOUND');
      expect(e.details?.serviceCode).toBe('NOT_FOUND');
    } finally {
      w.close();
    }
  }, 60_000);

  it('trains for real, followed live with every epoch once; pull registers a classifier with labels and lineage that classifies new images offline', async () => {
    const w = await signedIn();
    try {
      const datasetId = await readyDataset(w);
      const lib = new ModelLibrary(w.db, w.dir);
      const catalogue = await w.service.models({ taskType: 'classification' });
      expect(catalogue.models.map((m) => m.modelId)).toContain('resnet50');
      const wf = await w.service.createWorkflow({ name: '세 피사체', taskType: 'classification', model: 'resnet50', datasetId, classNames: CLASSES, hyperparameters: { epochs: 8, batchSize: 16, learningRate: 0.01 } });
      await until(() => w.of('vision.workflowFinished').length === 1, 60_000);
      const finished = w.of('vision.workflowFinished')[0]!;
      expect(finished.outcome).toBe('completed');
      const points = (await w.service.metrics(wf.workflowId)).points;
      expect(points.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const emitted = w.of('vision.metrics').flatMap((m) => m.points.map((p) => p.epoch));
      expect([...emitted].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(points.at(-1)!.metrics.loss).toBeLessThan(points[0]!.metrics.loss!);

      const pulled = await w.service.pull(wf.workflowId);
      expect(pulled.manifest).toMatchObject({ task: 'classification', source: 'cloud-trained', labels: CLASSES, inputSize: { width: 224, height: 224 } });
      expect(pulled.manifest.lineage).toMatchObject({ platform: 'vision', workflowId: wf.workflowId, datasetId, baseModel: 'resnet50', classNames: CLASSES });
      expect(Object.keys(pulled.manifest.lineage!.finalMetrics).length).toBeGreaterThan(0);
      // Kept when listing, and the workflow points at it.
      expect((await lib.list()).find((m) => m.id === pulled.modelId)!.lineage?.workflowId).toBe(wf.workflowId);
      expect((await w.service.getWorkflow(wf.workflowId)).localModelId).toBe(pulled.modelId);

      // New images of the same subjects, classified offline through the studio's pipeline.
      const pipe = await openPipeline(pulled.manifest, { forceCpu: true, gpus: [] });
      let right = 0;
      const fresh = path.join(work, 'fresh');
      fs.mkdirSync(fresh, { recursive: true });
      for (let k = 0; k < 3; k++)
        for (let i = 100; i < 104; i++) {
          const f = path.join(fresh, `${k}-${i}.png`);
          fs.writeFileSync(f, await subject(k, i, 64));
          const p = await pipe.prepare(f);
          const [out] = await pipe.infer([p]);
          const res = await pipe.finish(p, out!, { root: work, dir: path.join(work, 'out'), stem: `${k}-${i}` });
          if (res.task === 'classification' && res.top[0]!.label === CLASSES[k]) right++;
        }
      await pipe.dispose();
      expect(right / 12).toBeGreaterThanOrEqual(0.9);

      // Cloud inference on one of them agrees with the label set.
      const cloud = await w.service.predict(wf.workflowId, path.join(fresh, '2-100.png'));
      expect(CLASSES).toContain(cloud.predictions[0]!.label);
      expect(cloud.predictions[0]!.label).toBe('green-disc');

      // The export switched off: the clear 404 path, nothing registered.
      em.setExportEnabled(false);
      const e = await caught(w.service.pull(wf.workflowId));
      expect(e.details?.visionProblem).toBe('EXPORT_NOT_OFFERED');
      em.setExportEnabled(true);
    } finally {
      w.close();
    }
  }, 120_000);

  it('the WebSocket dropped mid-training and the service restarted while training: followed again, no epoch missing or doubled', async () => {
    em.setEpochDelay(60);
    const w = await signedIn();
    let w2: Wired | null = null;
    try {
      const datasetId = await readyDataset(w);
      const wf = await w.service.createWorkflow({ name: 'drop', taskType: 'classification', model: 'resnet50', datasetId, classNames: CLASSES, hyperparameters: { epochs: 12 } });
      await until(() => w.of('vision.metrics').flatMap((m) => m.points).length >= 2, 30_000);
      expect(em.dropWebSockets('terminate')).toBeGreaterThanOrEqual(1);
      await until(() => w.of('vision.metrics').flatMap((m) => m.points).some((p) => p.epoch >= 5), 30_000);
      w.close(); // the studio quits mid-training
      w2 = await signedIn({ dir: w.dir, vault: w.vault });
      await w2.service.start();
      expect(w2.service.isFollowing(wf.workflowId)).toBe(true);
      await until(() => w2!.of('vision.workflowFinished').length === 1, 60_000);
      const all = [...w.of('vision.metrics'), ...w2.of('vision.metrics')].flatMap((m) => m.points.map((p) => p.epoch));
      expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect((await w2.service.metrics(wf.workflowId)).points.map((p) => p.epoch)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    } finally {
      em.setEpochDelay(0);
      w2?.close();
    }
  }, 120_000);
});

describe('faults against the vision emulator (its own limiter, token expiry and fault injection)', () => {
  it('stays under a 3-per-minute plan by waiting (the emulator’s clock moved by the waits); a window used up elsewhere gives a 429 that is waited out once; an expired token is refreshed; 503 is retried', async () => {
    const em2 = await startVisionEmulator({ quiet: true, rateLimits: { pro: 3 }, accessTokenSeconds: 1800 });
    const waits: number[] = [];
    // Every wait of the client moves the emulator's clock instead of real time.
    const advance = async (ms: number) => {
      waits.push(ms);
      em2.clock.advance(ms);
    };
    const knobs = { client: { sleep: advance, baseDelayMs: 1, maxDelayMs: 4 }, rate: { sleep: advance } };
    em2.createUser({ ...USER, plan: 'pro' });
    const w = wire(em2.url, { extra: { ...knobs, now: () => em2.clock.now() } });
    try {
      await w.service.signIn(USER.email, USER.password);
      // Ten calls on a plan of three a minute: the client spaces them and never runs into the limit.
      for (let i = 0; i < 10; i++) await w.service.listDatasets();
      const statuses = em2.requests().filter((r) => r.path.endsWith('/datasets')).map((r) => (r as { status?: number }).status);
      expect(statuses.filter((s) => s === 429)).toEqual([]);
      expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(60_000); // at least two minute windows were waited for
      expect(w.of('vision.rateLimited').length).toBeGreaterThanOrEqual(1);

      // Another client of the same account uses up the window: the studio's next call gets the 429, waits for the
      // reset the emulator names, and succeeds with its second request.
      const token = em2.tokensFor(USER.email).access_token;
      let used = 0;
      for (let i = 0; i < 5 && used < 3; i++) {
        const r = await fetch(`${em2.url}/models`, { headers: { authorization: `Bearer ${token}` } });
        if (r.status === 429) break;
        used++;
      }
      const before = w.of('vision.rateLimited').length;
      em2.clearRequests();
      expect((await w.service.models()).models.length).toBeGreaterThan(0);
      const mine = em2.requests().filter((r) => r.path.endsWith('/models'));
      expect(mine.map((r) => (r as { status?: number }).status)).toEqual([429, 200]);
      expect(w.of('vision.rateLimited').length).toBeGreaterThan(before);

      // 503 twice, then the answer.
      em2.faults.add({ route: 'GET /api/v1/datasets', status: 503, times: 2 });
      em2.clearRequests();
      expect(Array.isArray((await w.service.listDatasets()).datasets)).toBe(true);
      // The emulator counts the failed tries against the 3-a-minute window too: a 429 may come before the answer, once.
      const st = em2.requests().map((r) => (r as { status?: number }).status);
      expect(st.slice(0, 2)).toEqual([503, 503]);
      expect(st.at(-1)).toBe(200);
      expect(st.filter((x) => x === 429).length).toBeLessThanOrEqual(1);
    } finally {
      w.close();
    }

    // The studio's clock says the token is fresh, the platform's says it expired: 401 → /auth/refresh → repeated.
    const w2 = wire(em2.url, { dir: w.dir, vault: w.vault, extra: knobs });
    try {
      em2.clock.advance(2 * 3600_000);
      em2.clearRequests();
      expect((await w2.service.listDatasets()).datasets).toBeDefined();
      const paths = em2.requests().map((r) => r.path);
      expect(paths.filter((p) => p.endsWith('/auth/refresh'))).toHaveLength(1);
    } finally {
      w2.close();
      await em2.close();
      fs.rmSync(w.dir, { recursive: true, force: true });
    }
  }, 60_000);
});
