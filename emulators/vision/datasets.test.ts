import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, classZip, createWorkflow, start, subjectImage, tempDir, upload, writeZip } from './test-kit';
import type { VisionEmulator } from './emulator';

let em: VisionEmulator | null = null;
afterEach(async () => {
  await em?.close();
  em = null;
});

describe('datasets (seed 001 §3)', () => {
  it('upload → 201 processing with the seed fields, then ready; list and detail with statistics and class counts', async () => {
    const s = await start();
    em = s.em;
    const dir = tempDir();
    const r = await upload(em, s.token, await classZip(dir, 20), { name: 'My Cat Dataset', format: 'imagefolder', description: '고양이 품종 데이터셋' });
    expect(r.status).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(['created_at', 'dataset_id', 'file_count', 'format', 'name', 'size_mb', 'status']);
    expect(r.body).toMatchObject({ name: 'My Cat Dataset', format: 'imagefolder', file_count: 60, status: 'processing' });
    expect(r.body.dataset_id).toMatch(/^ds_/);
    expect(await em.waitForDataset(r.body.dataset_id)).toBe('ready');
    const d = (await api(em, 'GET', `/datasets/${r.body.dataset_id}`, { token: s.token })).body;
    expect(d).toMatchObject({ description: '고양이 품종 데이터셋', status: 'ready', file_count: 60 });
    // the seed's split: 80 / 15 / 5 %
    expect(d.statistics).toEqual({ total_images: 60, train_images: 48, val_images: 9, test_images: 3, classes: [{ name: 'disc', count: 20 }, { name: 'noise', count: 20 }, { name: 'stripes', count: 20 }] });
    const list = (await api(em, 'GET', '/datasets?page=1&limit=20', { token: s.token })).body;
    expect(list).toMatchObject({ total: 1, page: 1, limit: 20 });
    expect(list.datasets[0]).toMatchObject({ dataset_id: r.body.dataset_id, status: 'ready' });
    expect((await api(em, 'GET', '/datasets?limit=500', { token: s.token })).status).toBe(400);
    expect((await api(em, 'GET', '/datasets/ds_nope', { token: s.token })).status).toBe(404);
    const p = (await api(em, 'GET', '/projects', { token: s.token })).body.projects[0];
    expect(p.dataset_count).toBe(1);
    expect((await api(em, 'GET', '/user/profile', { token: s.token })).body.usage.storage_gb_used).toBeGreaterThan(0);
  });

  it('validate really inspects: corrupt images, a tiny class, imbalance, expected classes and format', async () => {
    const s = await start();
    em = s.em;
    const dir = tempDir();
    const good = await subjectImage(0, 1);
    const zip = await classZip(dir, 0, {
      names: ['치즈', '나비', '츄르'],
      counts: [35, 32, 3],
      extra: { 'shapes/치즈/broken.jpg': good.subarray(0, 60), 'shapes/나비/empty.png': Buffer.alloc(0), 'stray.png': good },
    });
    const r = await upload(em, s.token, zip, { format: 'imagefolder' });
    await em.waitForDataset(r.body.dataset_id);
    const v = await api(em, 'POST', `/datasets/${r.body.dataset_id}/validate`, { token: s.token, json: { expected_format: 'coco', expected_classes: 3 } });
    expect(v.status).toBe(200);
    expect(v.body.dataset_id).toBe(r.body.dataset_id);
    expect(v.body.valid).toBe(false);
    const byCode = Object.fromEntries(v.body.issues.map((i: any) => [i.code, i]));
    expect(byCode.FORMAT_MISMATCH.severity).toBe('error');
    expect(byCode.CORRUPT_IMAGES).toMatchObject({ severity: 'error', details: { count: 2 } });
    expect(byCode.TOO_FEW_IMAGES.details).toEqual({ 츄르: 3 });
    expect(byCode.CLASS_IMBALANCE).toMatchObject({ severity: 'warning', details: { 치즈: 35, 나비: 32, 츄르: 3 } });
    expect(byCode.CLASS_IMBALANCE.message).toMatch(/^클래스 불균형 감지 \(최대 \d+% 차이\)$/);
    expect(byCode.UNLABELLED_IMAGES.severity).toBe('warning');
    expect(byCode.CLASS_COUNT_MISMATCH).toBeUndefined();
    for (const i of v.body.issues) expect(Object.keys(i).sort()).toEqual(['code', 'details', 'message', 'severity']);
    expect(v.body.recommendations).toContain('데이터 증강(augmentation)을 사용하여 클래스 균형을 맞추는 것을 권장합니다.');
    const ok = await api(em, 'POST', `/datasets/${r.body.dataset_id}/validate`, { token: s.token, json: { expected_classes: 4 } });
    expect(ok.body.issues.find((i: any) => i.code === 'CLASS_COUNT_MISMATCH').details).toMatchObject({ expected: 4, actual: 3 });
    expect((await api(em, 'POST', `/datasets/${r.body.dataset_id}/validate`, { token: s.token, json: { expected_classes: -1 } })).status).toBe(422);
    const detail = (await api(em, 'GET', `/datasets/${r.body.dataset_id}`, { token: s.token })).body;
    expect(detail.statistics.classes).toEqual([{ name: '나비', count: 32 }, { name: '츄르', count: 3 }, { name: '치즈', count: 35 }]);
  });

  it('a balanced clean dataset validates with no issues', async () => {
    const s = await start();
    em = s.em;
    const r = await upload(em, s.token, await classZip(tempDir(), 6));
    await em.waitForDataset(r.body.dataset_id);
    const v = (await api(em, 'POST', `/datasets/${r.body.dataset_id}/validate`, { token: s.token, json: { expected_format: 'imagefolder', expected_classes: 3 } })).body;
    expect(v).toEqual({ dataset_id: r.body.dataset_id, valid: true, issues: [], recommendations: [] });
  });

  it('bad uploads: not a zip, no file, an unknown format, too large → 422 naming the field; nothing is kept', async () => {
    const s = await start({ maxUploadBytes: 200_000 });
    em = s.em;
    const dir = tempDir();
    const txt = path.join(dir, 'notes.zip');
    fs.writeFileSync(txt, 'this is not a zip');
    const a = await upload(em, s.token, txt);
    expect(a.status).toBe(422);
    expect(a.body.error.details.errors[0]).toMatchObject({ field: 'file' });
    const form = new FormData();
    form.set('name', 'x');
    expect((await api(em, 'POST', '/datasets/upload', { token: s.token, form })).body.error.details.errors[0].field).toBe('file');
    const f = await upload(em, s.token, await classZip(dir, 2), { format: 'parquet' });
    expect(f.body.error.details.errors[0]).toMatchObject({ field: 'format', value: 'parquet' });
    const big = path.join(dir, 'big.zip');
    fs.writeFileSync(big, Buffer.alloc(300_000, 1));
    expect((await upload(em, s.token, big)).body.error.details.errors[0].message).toMatch(/upload limit/);
    expect((await api(em, 'POST', '/datasets/upload', { token: s.token, json: { name: 'x' } })).status).toBe(422);
    expect((await api(em, 'GET', '/datasets', { token: s.token })).body.total).toBe(0);
    expect(fs.readdirSync(path.join(em.dataDir, 'uploads'))).toEqual([]);
  });

  it('a zip without class folders ends failed with the reason; training on it is refused', async () => {
    const s = await start();
    em = s.em;
    const zip = await writeZip(path.join(tempDir(), 'flat.zip'), { 'a.png': await subjectImage(0, 1), 'b.png': await subjectImage(1, 1) });
    const r = await upload(em, s.token, zip, { format: 'imagefolder' });
    expect(await em.waitForDataset(r.body.dataset_id)).toBe('failed');
    const d = (await api(em, 'GET', `/datasets/${r.body.dataset_id}`, { token: s.token })).body;
    expect(d.status).toBe('failed');
    expect(d.error.message).toMatch(/class folders/);
    const w = await createWorkflow(em, s.token, r.body.dataset_id);
    expect(w.status).toBe(422);
    expect(w.body.error.details.errors[0].field).toBe('dataset_id');
  });

  it('COCO: classes and counts from the annotations, problems found, a detection workflow trains on the boxes', async () => {
    const s = await start();
    em = s.em;
    const images: any[] = [];
    const annotations: any[] = [];
    const entries: Record<string, Buffer | string> = {};
    let aid = 1;
    for (let i = 0; i < 12; i++) {
      const name = `img${i}.png`;
      // two subjects side by side: noise on the left, stripes on the right
      const left = await subjectImage(0, i, 32);
      const right = await subjectImage(1, i, 32);
      const sharp = (await import('sharp')).default;
      entries[`images/${name}`] = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#000' } })
        .composite([{ input: left, left: 0, top: 0 }, { input: right, left: 32, top: 0 }])
        .png()
        .toBuffer();
      images.push({ id: i + 1, file_name: name, width: 64, height: 32 });
      annotations.push({ id: aid++, image_id: i + 1, category_id: 1, bbox: [0, 0, 32, 32] }, { id: aid++, image_id: i + 1, category_id: 2, bbox: [32, 0, 32, 32] });
    }
    images.push({ id: 99, file_name: 'missing.png' });
    annotations.push({ id: aid++, image_id: 1, category_id: 7, bbox: [0, 0, 1, 1] }, { id: aid++, image_id: 2, category_id: 1, bbox: [50, 0, 32, 32] });
    entries['annotations/instances_default.json'] = JSON.stringify({ images, annotations, categories: [{ id: 1, name: 'noise' }, { id: 2, name: 'stripes' }] });
    const zip = await writeZip(path.join(tempDir(), 'coco.zip'), entries);
    const r = await upload(em, s.token, zip, { format: 'coco', name: 'boxes' });
    expect(r.status).toBe(201);
    expect(r.body.format).toBe('coco');
    expect(await em.waitForDataset(r.body.dataset_id)).toBe('ready');
    const d = (await api(em, 'GET', `/datasets/${r.body.dataset_id}`, { token: s.token })).body;
    expect(d.statistics.classes).toEqual([{ name: 'noise', count: 13 }, { name: 'stripes', count: 12 }]);
    expect(d.statistics.total_images).toBe(12);
    const v = (await api(em, 'POST', `/datasets/${r.body.dataset_id}/validate`, { token: s.token, json: { expected_format: 'coco', expected_classes: 2 } })).body;
    const codes = v.issues.map((i: any) => i.code);
    expect(codes).toEqual(expect.arrayContaining(['MISSING_IMAGES', 'INVALID_ANNOTATIONS', 'BBOX_OUT_OF_BOUNDS']));
    expect(v.valid).toBe(false);
    const w = await api(em, 'POST', '/workflows', { token: s.token, json: { name: 'det', config: { task_type: 'detection', model: 'yolov8n', dataset_id: r.body.dataset_id, hyperparameters: { epochs: 5, batch_size: 8, learning_rate: 0.01 } } } });
    expect(w.status).toBe(201);
    expect(await em.waitForWorkflow(w.body.workflow_id)).toBe('completed');
    const x = await api(em, 'GET', `/workflows/${w.body.workflow_id}/export?format=onnx`, { token: s.token });
    expect(x.status).toBe(409);
    const mismatch = await api(em, 'POST', '/workflows', { token: s.token, json: { name: 'det', config: { task_type: 'classification', model: 'yolov8n', dataset_id: r.body.dataset_id } } });
    expect(mismatch.body.error.details.errors[0].field).toBe('task_type');
  }, 30_000);

  it("the studio's package layout: train/ val/ test/ folders and a dataset.json (format guessed when not given) keep their splits; a COCO image's own split is honoured", async () => {
    const s = await start();
    em = s.em;
    const entries: Record<string, Buffer | string> = { 'dataset.json': JSON.stringify({ format: 'imagefolder', classes: ['a', 'b'] }) };
    const plan: [string, string, number][] = [['train', 'a', 5], ['train', 'b', 5], ['val', 'a', 2], ['val', 'b', 1], ['test', 'b', 1]];
    for (const [split, cls, n] of plan) for (let i = 0; i < n; i++) entries[`${split}/${cls}/${i}.png`] = await subjectImage(cls === 'a' ? 0 : 1, i + split.length * 10);
    const r = await upload(em, s.token, await writeZip(path.join(tempDir(), 'pkg.zip'), entries), { format: '' });
    expect(r.body.format).toBe('imagefolder');
    await em.waitForDataset(r.body.dataset_id);
    const d = (await api(em, 'GET', `/datasets/${r.body.dataset_id}`, { token: s.token })).body;
    expect(d.statistics).toEqual({ total_images: 14, train_images: 10, val_images: 3, test_images: 1, classes: [{ name: 'a', count: 7 }, { name: 'b', count: 7 }] });

    const images = [0, 1, 2, 3].map((i) => ({ id: i + 1, file_name: `images/${i < 2 ? 'train' : 'val'}/${i}.png`, width: 32, height: 32, split: i < 2 ? 'train' : 'val' }));
    const coco: Record<string, Buffer | string> = {
      'dataset.json': '{}',
      'annotations.json': JSON.stringify({ images, annotations: images.map((im, k) => ({ id: k + 1, image_id: im.id, category_id: 1 + (k % 2), bbox: [0, 0, 16, 16] })), categories: [{ id: 1, name: 'x' }, { id: 2, name: 'y' }] }),
    };
    for (const im of images) coco[im.file_name] = await subjectImage(im.id % 2, im.id, 32);
    const c = await upload(em, s.token, await writeZip(path.join(tempDir(), 'coco.zip'), coco), { format: '' });
    expect(c.body.format).toBe('coco');
    await em.waitForDataset(c.body.dataset_id);
    expect((await api(em, 'GET', `/datasets/${c.body.dataset_id}`, { token: s.token })).body.statistics).toMatchObject({ total_images: 4, train_images: 2, val_images: 2, test_images: 0 });
  });
});
