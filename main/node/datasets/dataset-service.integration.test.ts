/**
 * Datasets through the core: real ffmpeg frames of three visibly different subjects (lavfi testsrc2, mandelbrot,
 * noisy solid colour), real SQLite, sharp and yazl; the package read back with yauzl.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../../test-support/read-zip';
import { fixtureFfmpeg } from '../../../test-support/media-fixtures';
import type { DatasetPackage, HealthReport } from '../../common/contract/datasets';
import { createCore, type Core } from '../core';

let work: string;
const cores: Core[] = [];
const videos: Record<string, string> = {};

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-ds-svc-'));
  const src = {
    pattern: 'testsrc2=size=320x240:rate=10:duration=3',
    fractal: 'mandelbrot=size=320x240:rate=10',
    noise: 'color=c=0x2080e0:size=320x240:rate=10',
  };
  for (const [name, lavfi] of Object.entries(src)) {
    const out = path.join(work, `${name}.mp4`);
    const vf = name === 'noise' ? ['-vf', 'noise=alls=60:allf=t'] : [];
    execFileSync(fixtureFfmpeg(), ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', lavfi, '-t', '3', ...vf, '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', out]);
    videos[name] = out;
  }
});
afterAll(async () => {
  for (const c of cores) await c.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function projectWithSets() {
  const c = createCore({ dataDir: fs.mkdtempSync(path.join(work, 'data-')), shell: 'cli', cloud: { keychain: false } });
  cores.push(c);
  const p = c.projects.create({ name: 'cats' });
  const sets: Record<string, number> = {};
  for (const name of Object.keys(videos)) {
    const { imported } = await c.media.importPaths(p.id, [videos[name]!]);
    const { frameSetId } = await c.frames.startExtraction(p.id, imported[0]!.id, { mode: { kind: 'fps', fps: 5 }, format: 'jpg', quality: 85 });
    sets[name] = frameSetId;
  }
  await c.jobs.idle();
  return { c, p, sets };
}

describe('DatasetService', () => {
  it('builds a dataset with one class per frame set, splits 80/10/10 per class, checks it and packs an imagefolder zip', async () => {
    const { c, p, sets } = await projectWithSets();
    const { jobId, datasetId } = c.datasets.startBuild({
      projectId: p.id,
      name: '고양이 3종',
      task: 'classification',
      sources: { frameSets: [{ frameSetId: sets.pattern!, className: '치즈' }, { frameSetId: sets.fractal!, className: '나비' }, { frameSetId: sets.noise!, className: '츄르' }], images: [] },
      ratios: { train: 0.8, val: 0.1, test: 0.1 },
      seed: 42,
      check: { minInputSize: { width: 224, height: 224 }, minPerClass: 2, recommendedPerClass: 10, imbalanceRatio: 1.5, nearThreshold: 5 },
    });
    await c.jobs.idle();
    expect(c.jobs.get(jobId)).toMatchObject({ status: 'completed' });
    const d = c.datasets.get(datasetId);
    expect(d.classes).toEqual(['치즈', '나비', '츄르']);
    expect(d.format).toBe('imagefolder');
    expect(d.counts).toEqual({ train: 33, val: 6, test: 6 });
    const report = d.report!;
    expect(report.images).toBe(45);
    expect(report.classes.map((x) => [x.name, x.total, x.train, x.val, x.test])).toEqual([
      ['치즈', 15, 11, 2, 2],
      ['나비', 15, 11, 2, 2],
      ['츄르', 15, 11, 2, 2],
    ]);
    expect(report.ok).toBe(true);
    expect(report.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(c.datasets.items({ id: datasetId, split: 'val', offset: 0, limit: 100 }).total).toBe(6);

    // Re-check without the input size, then pack.
    const check = c.datasets.startCheck(datasetId, { minInputSize: null, minPerClass: 2, recommendedPerClass: 10, imbalanceRatio: 1.5, nearThreshold: 5 });
    await c.jobs.idle();
    expect((c.jobs.get(check.jobId).result as HealthReport).minInputSize).toBeNull();
    const pack = c.datasets.startPack(datasetId, false);
    await c.jobs.idle();
    const pkg = c.jobs.get(pack.jobId).result as DatasetPackage;
    expect(pkg).toMatchObject({ datasetId, format: 'imagefolder', entries: 46 });
    const zip = await readZip(pkg.path);
    const names = [...zip.keys()];
    expect(names.filter((n) => n.startsWith('train/치즈/'))).toHaveLength(11);
    expect(names.filter((n) => n.startsWith('val/나비/'))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith('test/츄르/'))).toHaveLength(2);
    expect(c.datasets.get(datasetId)).toMatchObject({ packageFile: pkg.file, packageBytes: pkg.bytes, packagePath: pkg.path });

    const linked = c.datasets.linkRemote(datasetId, { baseUrl: 'http://127.0.0.1:1/api/v1', datasetId: 'ds_1', status: 'processing' });
    expect(linked.remote).toMatchObject({ datasetId: 'ds_1', status: 'processing' });
    expect(c.datasets.findByRemote('ds_1')!.id).toBe(datasetId);
    expect(await c.datasets.delete(datasetId)).toBe(true);
    expect(fs.existsSync(pkg.path)).toBe(false);
    // The frames it came from stay.
    expect(c.frames.listImages({ projectId: p.id, offset: 0, limit: 1 }).total).toBe(45);
  });

  it('names a corrupt frame and a class of one image before any package, and refuses to pack', async () => {
    const { c, p, sets } = await projectWithSets();
    const pattern = c.frames.listImages({ projectId: p.id, frameSetId: sets.pattern!, offset: 0, limit: 100 }).items;
    const fractal = c.frames.listImages({ projectId: p.id, frameSetId: sets.fractal!, offset: 0, limit: 100 }).items;
    // Cut one frame in half on disk.
    const victim = path.join(c.dataDir, pattern[3]!.file);
    fs.writeFileSync(victim, fs.readFileSync(victim).subarray(0, 200));
    const { datasetId } = c.datasets.startBuild({
      projectId: p.id,
      name: 'faults',
      task: 'classification',
      sources: { frameSets: [{ frameSetId: sets.pattern!, className: 'pattern' }], images: [{ imageId: fractal[0]!.id, className: 'lonely' }] },
      ratios: { train: 0.8, val: 0.1, test: 0.1 },
      seed: 1,
      check: { minInputSize: null, minPerClass: 2, recommendedPerClass: 10, imbalanceRatio: 1.5, nearThreshold: 5 },
    });
    await c.jobs.idle();
    const r = c.datasets.get(datasetId).report!;
    expect(r.ok).toBe(false);
    expect(r.issues.find((i) => i.code === 'CORRUPT_IMAGE')).toMatchObject({ severity: 'error', files: [pattern[3]!.file] });
    expect(r.issues.find((i) => i.code === 'CLASS_TOO_FEW_IMAGES')).toMatchObject({ severity: 'error', params: { className: 'lonely', count: 1, min: 2 } });
    expect(() => c.datasets.startPack(datasetId, false)).toThrow(/error/);
  });

  it('refuses sources of another project, unknown ids and an empty choice, creating nothing', async () => {
    const { c, p, sets } = await projectWithSets();
    const other = c.projects.create({ name: 'other' });
    const base = { name: 'x', task: 'classification' as const, ratios: { train: 0.8, val: 0.1, test: 0.1 }, seed: 1, check: { minInputSize: null, minPerClass: 2, recommendedPerClass: 10, imbalanceRatio: 1.5, nearThreshold: 5 } };
    expect(() => c.datasets.startBuild({ ...base, projectId: other.id, sources: { frameSets: [{ frameSetId: sets.pattern!, className: 'a' }], images: [] } })).toThrow(/another project/);
    expect(() => c.datasets.startBuild({ ...base, projectId: p.id, sources: { frameSets: [{ frameSetId: 9999, className: 'a' }], images: [] } })).toThrow(/does not exist/);
    expect(() => c.datasets.startBuild({ ...base, projectId: p.id, sources: { frameSets: [], images: [] } })).toThrow(/at least one/);
    expect(c.datasets.list()).toEqual([]);
  });
});
