/** Frame sets as first-class objects through the core: new modes stored with real times and scores, delete/keep, export (folder, zip), contact sheet. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExtractParams, FrameSetExport } from '../../common/contract';
import { fixtures } from '../../../test-support/media-fixtures';
import { createCore, type Core } from '../core';
import { createDispatcher } from '../ipc/dispatch';
import { probeFile } from './probe';

const cores: Core[] = [];
const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-sets-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
beforeAll(() => {
  fixtures.vfr();
  fixtures.blurEveryThird();
  fixtures.unicodePath();
}, 120_000);

async function setWith(video: string, params: ExtractParams, dataDir = tmp()) {
  const c = createCore({ dataDir, shell: 'cli' });
  cores.push(c);
  const p = c.projects.create({ name: 'sets' });
  const { imported } = await c.media.importPaths(p.id, [video]);
  const { jobId, frameSetId } = await c.frames.startExtraction(p.id, imported[0]!.id, params);
  await c.jobs.idle();
  expect(c.jobs.get(jobId).status).toBe('completed');
  const images = () => c.frames.listImages({ projectId: p.id, frameSetId, offset: 0, limit: 1000 });
  return { c, p, frameSetId, images };
}

describe('frame sets', () => {
  it('stores real source times for ffmpeg-picked frames (every N on VFR video)', async () => {
    const { images } = await setWith(fixtures.vfr(), { mode: { kind: 'every', n: 10 }, format: 'jpg', quality: 80 });
    const t = images().items.map((i) => i.timestampSeconds);
    // Frames 0, 10, … of 60 at 30 fps, then 20 at 10 fps from 2.0 s, then 30 fps from 4.0 s.
    expect(t.map((x) => x!.toFixed(3))).toEqual(['0.000', '0.333', '0.667', '1.000', '1.333', '1.667', '2.000', '3.000', '4.000', '4.333', '4.667']);
  });

  it('drop-blurry stores each kept frame’s sharpness and the report of what was dropped', async () => {
    const { c, frameSetId, images } = await setWith(fixtures.blurEveryThird(), { mode: { kind: 'count', count: 12 }, format: 'jpg', quality: 85, dropBlurry: true });
    const items = images().items;
    expect(items).toHaveLength(12);
    expect(items.map((i) => i.sharpness ?? 0).filter((s) => s < 100)).toEqual([]);
    const set = c.frames.getSet(frameSetId);
    expect(set.report?.dropBlurry).toMatchObject({ method: 'sharpest-per-interval', candidates: 60, kept: 12 });
    expect(set.params).toMatchObject({ mode: { kind: 'count', count: 12 }, dropBlurry: true });
  });

  it('deletes single frames and keeps a chosen few: files, rows and the count follow', async () => {
    const { c, p, frameSetId, images } = await setWith(fixtures.h264(4), { mode: { kind: 'fps', fps: 2 }, format: 'jpg', quality: 80 });
    const all = images().items;
    expect(all).toHaveLength(8);
    const r = c.frames.deleteImages(frameSetId, [all[1]!.id, all[2]!.id]);
    expect(r).toEqual({ deleted: 2, frameCount: 6 });
    expect(fs.existsSync(path.join(c.dataDir, all[1]!.file))).toBe(false);
    expect(c.frames.getSet(frameSetId).frameCount).toBe(6);
    const keep = c.frames.keepImages(frameSetId, [all[0]!.id, all[7]!.id]);
    expect(keep).toEqual({ deleted: 4, frameCount: 2 });
    expect(images().items.map((i) => i.timestampSeconds)).toEqual([0, 3.5]);
    expect(fs.readdirSync(path.join(c.dataDir, `projects/${p.id}/frames/${frameSetId}`)).filter((f) => f.endsWith('.jpg'))).toHaveLength(2);
    expect(() => c.frames.deleteImages(frameSetId, [all[3]!.id])).toThrow(/not in frame set/);
  });

  it('exports a set to a folder with a manifest, refuses a non-empty folder, and makes a contact sheet', async () => {
    const { c, frameSetId, images } = await setWith(fixtures.unicodePath(), { mode: { kind: 'fps', fps: 4 }, format: 'png', quality: 10 });
    const inData = await c.frames.exportSet(frameSetId);
    expect(inData).toMatchObject({ format: 'folder', files: 8 });
    expect(inData.relative).toMatch(/^exports\/project-1-set-1-[^/.]+$/);
    const dest = path.join(tmp(), '내보내기 folder');
    const e = await c.frames.exportSet(frameSetId, { dest });
    expect(e).toMatchObject({ format: 'folder', path: dest, relative: null, files: 8, manifest: 'frames.csv' });
    const csv = fs.readFileSync(path.join(dest, 'frames.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('file,frame_index,timestamp_s,width,height,sharpness');
    // Tick 0.25 s: the first 30 fps frame at or after it is frame 8 (0.2667 s); no sharpness without drop-blurry.
    expect(csv[2]).toMatch(/^000002\.png,2,0\.2666666\d*,640,360,$/);
    expect(fs.readdirSync(dest).filter((f) => f.endsWith('.png'))).toHaveLength(8);
    await expect(c.frames.exportSet(frameSetId, { dest })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(c.frames.exportSet(frameSetId, { dest: 'relative/dir' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });

    const sheet = await c.frames.contactSheet(frameSetId, { columns: 3, thumbWidth: 160, maxFrames: 200 });
    expect(sheet).toMatchObject({ columns: 3, rows: 3, frames: 8, width: 3 * 164 + 4, height: 3 * (90 + 18 + 4) + 4 });
    const probe = await probeFile('/usr/bin/ffprobe', path.join(c.dataDir, sheet.file), { sample: false }).catch(async () => (await c.media.probe(path.join(c.dataDir, sheet.file))));
    expect([probe.video.width, probe.video.height]).toEqual([sheet.width, sheet.height]);
    const few = await c.frames.contactSheet(frameSetId, { columns: 8, thumbWidth: 64, maxFrames: 3 });
    expect(few).toMatchObject({ frames: 3, columns: 3, rows: 1 });
    expect(images().total).toBe(8);
    await c.frames.deleteSet(frameSetId);
    expect(fs.existsSync(path.join(c.dataDir, sheet.file))).toBe(false);
  });

  it('exports a set as a zip through the contract: default under exports/, a chosen .zip file, refusals', async () => {
    const { c, frameSetId, images } = await setWith(fixtures.h264(4), { mode: { kind: 'fps', fps: 1 }, format: 'webp', quality: 60 });
    const dispatch = createDispatcher(c.handlers, { trustedOrigins: ['kraken://app'] });
    const call = (payload: unknown) => dispatch('frames.export', payload, { origin: 'kraken://app', isMainFrame: true });

    const inData = await call({ frameSetId, format: 'zip' });
    expect(inData).toMatchObject({ ok: true, value: { format: 'zip', files: 4, manifest: 'frames.csv' } });
    const v = (inData as { value: FrameSetExport }).value;
    expect(v.relative).toMatch(/^exports\/project-1-set-1-.+\.zip$/);
    expect(v.path).toBe(path.join(c.dataDir, ...v.relative!.split('/')));
    expect(v.bytes).toBe(fs.statSync(v.path).size);
    // Every frame of the set is in the zip under its own name, with its bytes.
    const zipped = fs.readFileSync(v.path);
    for (const img of images().items) {
      const name = path.basename(img.file);
      expect(zipped.includes(Buffer.from(name))).toBe(true);
      expect(zipped.includes(fs.readFileSync(path.join(c.dataDir, img.file)))).toBe(true);
    }
    expect(fs.readdirSync(path.join(c.dataDir, 'exports'))).toEqual([path.basename(v.path)]);

    const dest = path.join(tmp(), '세트 export.zip');
    expect(await call({ frameSetId, format: 'zip', destFile: dest })).toMatchObject({ ok: true, value: { path: dest, relative: null, files: 4 } });
    expect(await call({ frameSetId, format: 'zip', destFile: dest })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await call({ frameSetId, format: 'zip', destFile: path.join(tmp(), 'set.tar') })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: /\.zip/ } });
    expect(await call({ frameSetId, format: 'zip', destDir: tmp() })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call({ frameSetId, destFile: dest })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    // No format: a folder, as before.
    expect(await call({ frameSetId })).toMatchObject({ ok: true, value: { format: 'folder', files: 4 } });
  });
});
