/**
 * Frame sets as first-class objects through the core: new modes stored with real times and scores, delete/keep,
 * export (folder, zip) as a job with progress, cancel and recovery after a crash, contact sheet.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FRAMES_EXPORT_JOB, FrameSetExport, type ExtractParams, type JobProgress } from '../../common/contract';
import { fixtures } from '../../../test-support/media-fixtures';
import { readZip } from '../../../test-support/read-zip';
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

/** Name → bytes of what an export wrote: the folder's files, or the zip's entries read back with yauzl. */
async function filesOf(format: 'folder' | 'zip', target: string): Promise<Map<string, Buffer>> {
  if (format === 'folder') return new Map(fs.readdirSync(target).map((n) => [n, fs.readFileSync(path.join(target, n))]));
  return new Map([...(await readZip(target))].map(([name, e]) => [name, e.data]));
}

/** Calls `then` once an export to `target` has really begun writing (its temporary copy holds bytes); resolves with its answer. */
function whenUnderWay<T>(format: 'folder' | 'zip', target: string, then: () => Promise<T>): Promise<T> {
  const dir = path.dirname(target);
  return new Promise<T>((resolve, reject) => {
    const tick = setInterval(() => {
      const partial = fs.readdirSync(dir).find((n) => n.startsWith(`${path.basename(target)}.partial-`));
      if (!partial) return;
      const abs = path.join(dir, partial);
      if (!(format === 'zip' ? fs.statSync(abs).size > 0 : fs.readdirSync(abs).length > 0)) return;
      clearInterval(tick);
      then().then(resolve, reject);
    }, 1);
  });
}

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
    const call = async (payload: unknown) => {
      const reply = await dispatch('frames.export', payload, { origin: 'kraken://app', isMainFrame: true });
      if (!reply.ok) return reply;
      // The call answers with the job at once; the export itself is the job's result.
      expect(reply.value).toEqual({ jobId: expect.any(String) });
      await c.jobs.idle();
      const job = c.jobs.get((reply.value as { jobId: string }).jobId);
      expect(job).toMatchObject({ kind: FRAMES_EXPORT_JOB, status: 'completed', progress: 1 });
      return { ok: true, value: job.result };
    };

    const inData = await call({ frameSetId, format: 'zip' });
    expect(inData).toMatchObject({ ok: true, value: { format: 'zip', files: 4, manifest: 'frames.csv' } });
    const v = FrameSetExport.parse((inData as { value: unknown }).value);
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

  it('export is a job: it returns at once, reports frames written (stage export), and its result holds the path and format; files identical', async () => {
    const { c, p, frameSetId, images } = await setWith(fixtures.h264(4), { mode: { kind: 'fps', fps: 3 }, format: 'jpg', quality: 80 });
    const frameFiles = images().items.map((i) => i.file);
    expect(frameFiles).toHaveLength(12);
    for (const format of ['folder', 'zip'] as const) {
      const events: JobProgress[] = [];
      const off = c.bus.on('job.progress', (e) => events.push(e));
      const dest = path.join(tmp(), format === 'zip' ? 'set.zip' : 'set');
      const { jobId } = c.frames.startExport(frameSetId, { format, dest });
      // Returned before any frame was written: the job runs on its own.
      expect(c.jobs.get(jobId)).toMatchObject({ kind: FRAMES_EXPORT_JOB, status: 'running', projectId: p.id, params: { frameSetId, format, path: dest } });
      expect(fs.existsSync(dest)).toBe(false);
      await c.jobs.idle();
      off();
      const job = c.jobs.get(jobId);
      expect(job).toMatchObject({ status: 'completed', progress: 1, stage: 'export', error: null });
      const result = FrameSetExport.parse(job.result);
      expect(result).toMatchObject({ format, path: dest, relative: null, files: 12, manifest: 'frames.csv' });

      const mine = events.filter((e) => e.jobId === jobId);
      expect(mine.length).toBeGreaterThanOrEqual(2);
      for (const e of mine) expect(e).toMatchObject({ stage: 'export', unit: 'frames', total: 12, rate: e.rate === null ? null : expect.any(Number) });
      expect(mine[0]).toMatchObject({ fraction: 0, done: 0 });
      expect(mine.at(-1)).toMatchObject({ fraction: 1, done: 12, etaSeconds: null });
      const fractions = mine.map((e) => e.fraction);
      expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
      mine.forEach((e) => expect(e.fraction).toBeCloseTo(e.done! / 12, 10));

      const written = await filesOf(format, dest);
      expect([...written.keys()].sort()).toEqual([...frameFiles.map((f) => path.basename(f)), 'frames.csv'].sort());
      for (const f of frameFiles) expect(written.get(path.basename(f))!.equals(fs.readFileSync(path.join(c.dataDir, f)))).toBe(true);
      expect(fs.readdirSync(path.dirname(dest))).toEqual([path.basename(dest)]);
    }
  });

  it.each(['folder', 'zip'] as const)('cancel mid-export (%s): the job is cancelled, nothing is left, frames stay editable after; a resume starts over and completes', async (format) => {
    const { c, frameSetId, images } = await setWith(fixtures.h264(4), { mode: { kind: 'fps', fps: 10 }, format: 'jpg', quality: 80 });
    const items = images().items;
    expect(items).toHaveLength(40);
    // Big incompressible frames (2 MB each), so the export is still under way when it is cancelled.
    for (const i of items) fs.writeFileSync(path.join(c.dataDir, i.file), randomBytes(2 << 20));
    const out = tmp();
    const dest = path.join(out, format === 'zip' ? 'set.zip' : 'set');
    const { jobId } = c.frames.startExport(frameSetId, { format, dest });

    let refusedEdit: unknown = null;
    const cancelled = await whenUnderWay(format, dest, () => {
      // While it runs, frames cannot be deleted from under it.
      try {
        c.frames.deleteImages(frameSetId, [items[0]!.id]);
      } catch (err) {
        refusedEdit = err;
      }
      return c.jobs.cancel(jobId);
    });
    expect(refusedEdit).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/being exported/) });
    expect(cancelled).toMatchObject({ status: 'cancelled', result: null, error: null });
    expect(cancelled.progress).toBeLessThan(1);
    expect(fs.readdirSync(out)).toEqual([]);
    expect(c.frames.getSet(frameSetId).frameCount).toBe(40);

    c.jobs.resume(jobId);
    await c.jobs.idle();
    const done = c.jobs.get(jobId);
    expect(done).toMatchObject({ status: 'completed', result: { format, path: dest, files: 40 } });
    expect(fs.readdirSync(out)).toEqual([path.basename(dest)]);
    const written = await filesOf(format, dest);
    expect(written.size).toBe(41);
    for (const i of items) expect(written.get(path.basename(i.file))!.equals(fs.readFileSync(path.join(c.dataDir, i.file)))).toBe(true);
    // Nothing runs now: editing is allowed again.
    expect(c.frames.deleteImages(frameSetId, [items[0]!.id])).toEqual({ deleted: 1, frameCount: 39 });
  });

  it('deleting a set while it is being exported cancels the export first; nothing is left of either', async () => {
    const { c, frameSetId, images } = await setWith(fixtures.h264(4), { mode: { kind: 'fps', fps: 10 }, format: 'jpg', quality: 80 });
    for (const i of images().items) fs.writeFileSync(path.join(c.dataDir, i.file), randomBytes(2 << 20));
    const dest = path.join(tmp(), 'set.zip');
    const { jobId } = c.frames.startExport(frameSetId, { format: 'zip', dest });
    expect(await whenUnderWay('zip', dest, () => c.frames.deleteSet(frameSetId))).toBe(true);
    expect(c.jobs.get(jobId)).toMatchObject({ status: 'cancelled' });
    expect(fs.readdirSync(path.dirname(dest))).toEqual([]);
    expect(() => c.frames.getSet(frameSetId)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(fs.readdirSync(path.join(c.dataDir, 'projects/1/frames'))).toEqual([]);
  });

  it('refuses an export before any job starts: unfinished set, taken destination', async () => {
    const { c, frameSetId } = await setWith(fixtures.h264(2), { mode: { kind: 'fps', fps: 1 }, format: 'jpg', quality: 80 });
    const taken = path.join(tmp(), 'taken.zip');
    fs.writeFileSync(taken, 'mine');
    expect(() => c.frames.startExport(frameSetId, { format: 'zip', dest: taken })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    const full = tmp();
    fs.writeFileSync(path.join(full, 'note.txt'), 'mine');
    expect(() => c.frames.startExport(frameSetId, { format: 'folder', dest: full })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    c.db.prepare(`UPDATE frame_sets SET status='running' WHERE id=?`).run(frameSetId);
    expect(() => c.frames.startExport(frameSetId)).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(/finished/) }));
    expect(c.jobs.list({}).filter((j) => j.kind === FRAMES_EXPORT_JOB)).toEqual([]);
    expect(fs.readFileSync(taken, 'utf8')).toBe('mine');
  });

  it('a restart while exporting shows the export interrupted, removes the half-written copy, and a resume starts it again', async () => {
    const dataDir = tmp();
    const first = await setWith(fixtures.h264(2), { mode: { kind: 'fps', fps: 3 }, format: 'jpg', quality: 80 }, dataDir);
    const { frameSetId, p } = first;
    const frameFiles = first.images().items.map((i) => i.file);
    const target = path.join(dataDir, 'exports', 'crashed.zip');
    // What a process killed mid-export leaves: its job row still 'running' and its temporary zip.
    const jobId = 'job-killed-mid-export';
    const now = new Date().toISOString();
    first.c.db
      .prepare(`INSERT INTO jobs (id, kind, project_id, status, params_json, progress, stage, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)`)
      .run(jobId, FRAMES_EXPORT_JOB, p.id, 'running', JSON.stringify({ frameSetId, format: 'zip', path: target }), 0.4, 'export', now, now);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(`${target}.partial-99999`, randomBytes(4096));
    await first.c.close();
    cores.splice(cores.indexOf(first.c), 1);

    const c = createCore({ dataDir, shell: 'cli' });
    cores.push(c);
    expect(c.jobs.get(jobId)).toMatchObject({ status: 'interrupted', progress: 0.4, stage: 'export' });
    expect(fs.readdirSync(path.dirname(target))).toEqual([]);

    c.jobs.resume(jobId);
    await c.jobs.idle();
    expect(c.jobs.get(jobId)).toMatchObject({ status: 'completed', result: { format: 'zip', path: target, relative: 'exports/crashed.zip', files: frameFiles.length } });
    const zipped = await filesOf('zip', target);
    for (const f of frameFiles) expect(zipped.get(path.basename(f))!.equals(fs.readFileSync(path.join(dataDir, f)))).toBe(true);
    expect(fs.readdirSync(path.dirname(target))).toEqual(['crashed.zip']);
  });
});
