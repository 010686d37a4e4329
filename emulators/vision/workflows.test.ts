import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { api, createWorkflow, FAST, readyDataset, start, subjectImage, tempDir, USER } from './test-kit';
import type { VisionEmulator } from './emulator';

let em: VisionEmulator | null = null;
afterEach(async () => {
  await em?.close();
  em = null;
});

interface Msg {
  type: string;
  workflow_id: string;
  timestamp: string;
  data: Record<string, any>;
}

/** Opens the seed's socket and collects messages until `until` says stop. */
function watch(url: string, until: (m: Msg) => boolean): Promise<Msg[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const got: Msg[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as Msg;
      got.push(m);
      if (until(m)) {
        ws.close();
        resolve(got);
      }
    });
    ws.on('error', reject);
    ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused ${res.statusCode}`)));
  });
}

function refusedWith(url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => reject(new Error('opened')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

/** The studio's default input for an imported classifier: stretched, RGB, NCHW, ImageNet normalisation (CONTRACT.md). */
async function studioTensor(image: Buffer, size: number): Promise<ort.Tensor> {
  const { data } = await sharp(image).rotate().resize(size, size, { fit: 'fill', kernel: 'linear' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const out = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) for (let i = 0; i < size * size; i++) out[c * size * size + i] = (data[i * 3 + c]! / 255 - mean[c]!) / std[c]!;
  return new ort.Tensor('float32', out, [1, 3, size, size]);
}

describe('a training, end to end', () => {
  it('upload → train (WebSocket messages in the seed shape) → metrics, logs, list → predict, batch → ONNX export that agrees with the trainer', async () => {
    const s = await start();
    em = s.em;
    const { token } = s;
    const dir = tempDir();
    const ds = await readyDataset(em, token, dir, 14);
    const created = await createWorkflow(em, token, ds, FAST, { class_names: ['noise', 'stripes', 'disc'] });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['created_at', 'estimated_duration_minutes', 'name', 'queue_position', 'status', 'workflow_id']);
    expect(created.body).toMatchObject({ name: '모양 분류', status: 'pending', queue_position: 1 });
    const wf = created.body.workflow_id as string;
    const msgs = await watch(`${em.wsUrl}/workflows/${wf}?token=${token}`, (m) => m.type === 'training_complete');
    const progress = msgs.filter((m) => m.type === 'training_progress');
    expect(progress.length).toBeGreaterThan(0);
    const p = progress[progress.length - 1]!;
    expect(p.workflow_id).toBe(wf);
    expect(Object.keys(p.data)).toEqual(expect.arrayContaining(['epoch', 'step', 'metrics', 'eta_minutes', 'gpu_utilization', 'memory_usage_gb']));
    expect(Object.keys(p.data.metrics).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(p.data.epoch).toBe(12);
    expect(msgs.some((m) => m.type === 'checkpoint_saved' && typeof m.data.checkpoint_id === 'string')).toBe(true);
    const done = msgs[msgs.length - 1]!;
    expect(done.data.model_version).toBe(`${wf}_epoch_12`);
    expect(done.data.metrics.val_accuracy).toBeGreaterThanOrEqual(0.9);
    expect(Number.isNaN(Date.parse(done.timestamp))).toBe(false);

    const detail = (await api(em, 'GET', `/workflows/${wf}`, { token })).body;
    expect(detail).toMatchObject({ status: 'completed', progress: { current_epoch: 12, total_epochs: 12, percentage: 100 }, resources: { gpu_type: 'T4', gpu_count: 1, memory_gb: 16 }, estimated_completion_at: null });
    expect(detail.metrics.val_accuracy).toBeGreaterThanOrEqual(0.9);
    expect(detail.config.class_names).toEqual(['noise', 'stripes', 'disc']);

    const hist = (await api(em, 'GET', `/workflows/${wf}/metrics?metric=loss,accuracy&start_time=2000-01-01T00:00:00Z`, { token })).body;
    expect(hist.metrics).toHaveLength(12);
    expect(Object.keys(hist.metrics[0]).sort()).toEqual(['accuracy', 'epoch', 'loss', 'step', 'timestamp']);
    expect(hist.metrics[11].loss).toBeLessThan(hist.metrics[0].loss);
    const logs = (await api(em, 'GET', `/workflows/${wf}/logs?tail=3`, { token })).body;
    expect(logs.logs).toHaveLength(3);
    expect(logs.total_lines).toBeGreaterThan(12);
    expect(logs.logs[2].message).toMatch(/Training complete/);
    expect(logs.logs[0].level).toBe('INFO');
    const list = (await api(em, 'GET', '/workflows?status=completed&page=1&limit=20', { token })).body;
    expect(list).toMatchObject({ total: 1, page: 1, limit: 20, has_next: false });
    expect(list.workflows[0]).toMatchObject({ workflow_id: wf, status: 'completed', progress: 100 });
    expect((await api(em, 'GET', '/workflows?status=training', { token })).body.total).toBe(0);

    // the trained model on images it never saw
    const fresh: { img: Buffer; want: number }[] = [];
    for (let k = 0; k < 3; k++) for (let i = 100; i < 106; i++) fresh.push({ img: await subjectImage(k, i, 40, i % 2 ? 'jpeg' : 'png'), want: k });
    let right = 0;
    const emulatorTop: string[] = [];
    for (const f of fresh) {
      const r = await api(em, 'POST', `/inference/${wf}/predict`, { token, json: { image_base64: `data:image/png;base64,${f.img.toString('base64')}` } });
      expect(r.status).toBe(200);
      expect(r.body.predictions).toHaveLength(3);
      expect(Object.keys(r.body.predictions[0]).sort()).toEqual(['class', 'class_id', 'confidence']);
      expect(r.body.model_version).toBe(`${wf}_epoch_12`);
      emulatorTop.push(r.body.predictions[0].class);
      if (r.body.predictions[0].class === ['noise', 'stripes', 'disc'][f.want]) right++;
    }
    expect(right / fresh.length).toBeGreaterThanOrEqual(0.9);

    const b = await api(em, 'POST', `/inference/${wf}/batch`, { token, json: { images: [{ image_base64: fresh[0]!.img.toString('base64') }, { image_url: 'data:image/png;base64,' + fresh[8]!.img.toString('base64') }, { image_base64: 'bm90IGFuIGltYWdl' }] } });
    expect(b.status).toBe(202);
    expect(b.body).toMatchObject({ status: 'processing', total_images: 3 });
    let job;
    for (;;) {
      job = (await api(em, 'GET', `/inference/${wf}/batch/${b.body.job_id}`, { token })).body;
      if (job.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(job.completed_images).toBe(3);
    expect(job.results[0].predictions[0].class).toBe(emulatorTop[0]);
    expect(job.results[1].image_url).toMatch(/^data:/);
    expect(job.results[2].error.code).toBe('VALIDATION_ERROR');

    const x = await fetch(`${em.url}/workflows/${wf}/export?format=onnx`, { headers: { authorization: `Bearer ${token}` } });
    expect(x.status).toBe(200);
    expect(x.headers.get('content-type')).toBe('application/octet-stream');
    const onnxFile = path.join(dir, 'model.onnx');
    fs.writeFileSync(onnxFile, Buffer.from(await x.arrayBuffer()));
    const session = await ort.InferenceSession.create(onnxFile);
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['logits', 'probabilities']);
    for (let i = 0; i < fresh.length; i++) {
      const out = await session.run({ input: await studioTensor(fresh[i]!.img, 224) });
      const logits = Array.from(out.logits!.data as Float32Array);
      const best = logits.indexOf(Math.max(...logits));
      expect(['noise', 'stripes', 'disc'][best]).toBe(emulatorTop[i]);
      const probs = Array.from(out.probabilities!.data as Float32Array);
      expect(probs.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 4);
    }
  }, 60_000);
});

describe('workflow errors', () => {
  it('400 unknown model (available_models), 422 epochs / batch_size as the seed example, 404 unknown dataset, 403 another user', async () => {
    const s = await start();
    em = s.em;
    const { token } = s;
    const ds = await readyDataset(em, token, tempDir(), 4);
    const bad = await api(em, 'POST', '/workflows', { token, json: { name: 'x', config: { model: 'resnet999', dataset_id: ds } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'INVALID_REQUEST', message: 'Invalid model name', details: { field: 'model', reason: "Model 'resnet999' not found in registry" } });
    expect(bad.body.error.details.available_models).toEqual(expect.arrayContaining(['resnet50', 'resnet101']));
    const v = await createWorkflow(em, token, ds, { epochs: 5000, batch_size: -32 });
    expect(v.status).toBe(422);
    expect(v.body.error.code).toBe('VALIDATION_ERROR');
    expect(v.body.error.details.errors).toEqual([
      { field: 'epochs', message: 'Must be between 1 and 1000', value: 5000 },
      { field: 'batch_size', message: 'Must be a positive integer', value: -32 },
    ]);
    expect((await api(em, 'POST', '/workflows', { token, json: {} })).body.error.details.errors.map((e: any) => e.field)).toEqual(['name', 'config']);
    const cn = await createWorkflow(em, token, ds, FAST, { class_names: ['cat', 'dog', 'bird'] });
    expect(cn.status).toBe(422);
    expect(cn.body.error.details.errors[0].field).toBe('class_names');
    expect((await createWorkflow(em, token, 'ds_nope')).status).toBe(404);
    em.createUser({ email: 'other@example.com', password: 'pw', plan: 'pro' });
    const other = em.tokensFor('other@example.com').access_token;
    const r = await createWorkflow(em, other, ds);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect((await api(em, 'GET', `/datasets/${ds}`, { token: other })).status).toBe(403);
    const mine = (await createWorkflow(em, token, ds)).body.workflow_id;
    expect((await api(em, 'GET', `/workflows/${mine}`, { token: other })).status).toBe(403);
    expect((await api(em, 'GET', `/workflows/wf_nope`, { token })).body.error.code).toBe('NOT_FOUND');
    expect((await api(em, 'GET', '/workflows?limit=101', { token })).body.error).toMatchObject({ code: 'INVALID_REQUEST', details: { field: 'limit' } });
    expect((await api(em, 'GET', '/workflows?limit=100', { token })).status).toBe(200);
    expect((await api(em, 'GET', '/workflows?status=running', { token })).body.error.details.field).toBe('status');
    expect((await api(em, 'GET', '/workflows?sort=name', { token })).status).toBe(400);
    expect((await api(em, 'GET', `/workflows/${mine}/logs?tail=abc`, { token })).status).toBe(400);
    expect((await api(em, 'GET', `/workflows/${mine}/metrics?metric=f1`, { token })).status).toBe(400);
  });

  it('plan concurrency: Free runs 1 workflow at a time (429 with the limit), cancel frees the slot; DELETE twice → 409', async () => {
    const s = await start({ epochDelayMs: 20 });
    em = s.em;
    em.setPlan(USER.email, 'free');
    const token = s.token;
    const ds = await readyDataset(em, token, tempDir(), 4);
    const first = await createWorkflow(em, token, ds, { epochs: 1000, batch_size: 8, learning_rate: 0.01 });
    expect(first.status).toBe(201);
    const second = await createWorkflow(em, token, ds);
    expect(second.status).toBe(429);
    expect(second.body.error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', details: { reason: 'concurrent_workflows', limit: 1, active_workflows: 1, plan: 'free' } });
    await em.waitForWorkflow(first.body.workflow_id, ['training']);
    const c = await api(em, 'DELETE', `/workflows/${first.body.workflow_id}`, { token });
    expect(c.status).toBe(200);
    expect(Object.keys(c.body).sort()).toEqual(['cancelled_at', 'status', 'workflow_id']);
    expect(c.body.status).toBe('cancelled');
    expect((await api(em, 'DELETE', `/workflows/${first.body.workflow_id}`, { token })).body.error.code).toBe('CONFLICT');
    expect((await api(em, 'GET', '/workflows?status=cancelled', { token })).body.total).toBe(1);
    expect((await createWorkflow(em, token, ds)).status).toBe(201);
    em.setPlan(USER.email, 'pro');
    for (let i = 0; i < 4; i++) expect((await createWorkflow(em, token, ds, { epochs: 1000 })).status).toBe(201);
    expect((await createWorkflow(em, token, ds)).body.error.details.limit).toBe(5);
  });

  it('gpu slots: a workflow beyond them waits pending with its queue position', async () => {
    const s = await start({ epochDelayMs: 20, gpuSlots: 1 });
    em = s.em;
    const ds = await readyDataset(em, s.token, tempDir(), 4);
    const a = await createWorkflow(em, s.token, ds, { epochs: 1000 });
    await em.waitForWorkflow(a.body.workflow_id, ['training']);
    const b = await createWorkflow(em, s.token, ds, { epochs: 2 });
    const c = await createWorkflow(em, s.token, ds, { epochs: 2 });
    expect([b.body.queue_position, c.body.queue_position]).toEqual([1, 2]);
    expect((await api(em, 'GET', `/workflows/${c.body.workflow_id}`, { token: s.token })).body.status).toBe('pending');
    await api(em, 'DELETE', `/workflows/${a.body.workflow_id}`, { token: s.token });
    expect(await em.waitForWorkflow(c.body.workflow_id)).toBe('completed');
  });
});

describe('WebSocket', () => {
  it('refuses without a token (401), an unknown workflow (404) and another user (403) in the seed error shape', async () => {
    const s = await start();
    em = s.em;
    const ds = await readyDataset(em, s.token, tempDir(), 4);
    const wf = (await createWorkflow(em, s.token, ds)).body.workflow_id;
    const a = await refusedWith(`${em.wsUrl}/workflows/${wf}`);
    expect(a.status).toBe(401);
    expect(a.body.error.code).toBe('UNAUTHORIZED');
    expect((await refusedWith(`${em.wsUrl}/workflows/wf_nope?token=${s.token}`)).status).toBe(404);
    em.createUser({ email: 'other@example.com', password: 'pw' });
    expect((await refusedWith(`${em.wsUrl}/workflows/${wf}?token=${em.tokensFor('other@example.com').access_token}`)).body.error.code).toBe('FORBIDDEN');
  });

  it('training_error when a training fails; dropped sockets close and a reconnect gets the current state first (also on the seed example path without /api/v1)', async () => {
    const s = await start({ epochDelayMs: 20 });
    em = s.em;
    const ds = await readyDataset(em, s.token, tempDir(), 4);
    const wf = (await createWorkflow(em, s.token, ds, { epochs: 1000 })).body.workflow_id;
    await em.waitForWorkflow(wf, ['training']);
    const ws = new WebSocket(`${em.wsUrl}/workflows/${wf}?token=${s.token}`);
    const firstProgress = new Promise<void>((r) => ws.once('message', () => r()));
    await firstProgress;
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    expect(em.dropWebSockets()).toBe(1);
    await closed;
    const again = await watch(`${em.origin}/ws/workflows/${wf}?token=${s.token}`.replace(/^http/, 'ws'), () => true);
    expect(again[0]!.type).toBe('training_progress');
    expect(again[0]!.data.epoch).toBeGreaterThan(0);
    const second = new WebSocket(`${em.wsUrl}/workflows/${wf}?token=${s.token}`);
    await new Promise<void>((r) => second.once('message', () => r()));
    const code = new Promise<number>((r) => second.on('close', (c) => r(c)));
    expect((await api({ url: em.origin + '/__emulator' }, 'POST', '/ws/drop', { json: { mode: 'close' } })).body).toEqual({ dropped: 1, mode: 'close' });
    expect(await code).toBe(1012);
    const errP = watch(`${em.wsUrl}/workflows/${wf}?token=${s.token}`, (m) => m.type === 'training_error');
    em.failWorkflow(wf, 'GPU fell off the bus');
    const msgs = await errP;
    expect(msgs[msgs.length - 1]!.data.error).toEqual({ code: 'TRAINING_FAILED', message: 'GPU fell off the bus' });
    const d = (await api(em, 'GET', `/workflows/${wf}`, { token: s.token })).body;
    expect(d.status).toBe('failed');
    expect(d.error.message).toBe('GPU fell off the bus');
    expect((await api(em, 'GET', '/workflows?status=failed', { token: s.token })).body.total).toBe(1);
  });
});

describe('export extension and inference refusals', () => {
  it('409 before completion, 404 when switched off or unknown, 400 for another format; predict needs a completed workflow and an image', async () => {
    const s = await start({ epochDelayMs: 20 });
    em = s.em;
    const ds = await readyDataset(em, s.token, tempDir(), 4);
    const wf = (await createWorkflow(em, s.token, ds, { epochs: 1000 })).body.workflow_id;
    const t = { token: s.token };
    expect((await api(em, 'GET', `/workflows/${wf}/export?format=onnx`, t)).body.error.code).toBe('CONFLICT');
    expect((await api(em, 'POST', `/inference/${wf}/predict`, { ...t, json: { image_base64: 'AAAA' } })).status).toBe(409);
    expect((await api(em, 'GET', `/workflows/wf_nope/export?format=onnx`, t)).status).toBe(404);
    expect((await api(em, 'GET', `/workflows/${wf}/export?format=pt`, t)).body.error.details.field).toBe('format');
    await api(em, 'DELETE', `/workflows/${wf}`, t);
    const done = (await createWorkflow(em, s.token, ds, { epochs: 2 })).body.workflow_id;
    await em.waitForWorkflow(done);
    expect((await fetch(`${em.url}/workflows/${done}/export?format=onnx`, { headers: { authorization: `Bearer ${s.token}` } })).status).toBe(200);
    await api({ url: em.origin + '/__emulator' }, 'PUT', '/export', { json: { enabled: false } });
    const off = await api(em, 'GET', `/workflows/${done}/export?format=onnx`, t);
    expect(off.status).toBe(404);
    expect(off.body.error.code).toBe('NOT_FOUND');
    em.setExportEnabled(true);
    expect((await api(em, 'POST', `/inference/${done}/predict`, { ...t, json: {} })).body.error.details.errors[0].field).toBe('image_url');
    expect((await api(em, 'POST', `/inference/${done}/predict`, { ...t, json: { image_base64: 'bm90IGFuIGltYWdl' } })).status).toBe(422);
    expect((await api(em, 'POST', `/inference/${done}/predict`, { ...t, json: { image_url: 'file:///etc/passwd' } })).status).toBe(422);
    expect((await api(em, 'POST', `/inference/${done}/batch`, { ...t, json: { images: [] } })).status).toBe(422);
    expect((await api(em, 'GET', `/inference/${done}/batch/batch_job_nope`, t)).status).toBe(404);
  });
});

describe('restart', () => {
  it('datasets and workflows survive a restart; a training cut by it resumes from its checkpoint and completes', async () => {
    const dataDir = tempDir();
    let s = await start({ dataDir, epochDelayMs: 30 });
    em = s.em;
    const ds = await readyDataset(em, s.token, tempDir(), 6);
    const wf = (await createWorkflow(em, s.token, ds, { epochs: 40, batch_size: 8, learning_rate: 0.01 })).body.workflow_id;
    for (;;) {
      const d = (await api(em, 'GET', `/workflows/${wf}`, { token: s.token })).body;
      if (d.progress.current_epoch >= 5) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await em.close();
    s = await start({ dataDir, epochDelayMs: 0 });
    em = s.em;
    expect((await api(em, 'GET', `/datasets/${ds}`, { token: s.token })).body.status).toBe('ready');
    expect(await em.waitForWorkflow(wf)).toBe('completed');
    const logs = (await api(em, 'GET', `/workflows/${wf}/logs?tail=1000`, { token: s.token })).body.logs.map((l: any) => l.message);
    expect(logs.some((m: string) => /Emulator restarted during training: resuming from the checkpoint of epoch \d+/.test(m))).toBe(true);
    const hist = (await api(em, 'GET', `/workflows/${wf}/metrics`, { token: s.token })).body.metrics;
    expect(hist.map((m: any) => m.epoch)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await em.close();
    em = null;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);
});

