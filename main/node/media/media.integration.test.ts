/** The foundation slice on real ffmpeg and real files: import, probe, extract, cancel, crash, resume. */
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from '../../../test-support/media-fixtures';
import { createCore, type Core } from '../core';

const cores: Core[] = [];
const dirs: string[] = [];
function tmp(prefix = 'kraken-media-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}
function core(dataDir = tmp()): Core {
  const c = createCore({ dataDir, shell: 'cli' });
  cores.push(c);
  return c;
}
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const d of dirs.splice(0)) {
    try {
      execFileSync('chmod', ['-R', 'u+w', d]);
    } catch {
      // already writable
    }
    fs.rmSync(d, { recursive: true, force: true });
  }
});

beforeAll(() => {
  // Build every fixture once up front so timeouts below measure the studio, not fixture generation.
  fixtures.h264(4);
  fixtures.h264_1080p20s();
  fixtures.hevcRotated();
  fixtures.audioOnly();
  fixtures.truncated();
  fixtures.textAsMp4();
  fixtures.empty();
  fixtures.unicodePath();
  fixtures.png();
}, 180_000);

describe('import and probe', () => {
  it('probes a H.264 clip: duration, size, fps, codec, audio', async () => {
    const c = core();
    const p = c.projects.create({ name: 'probe' });
    const { imported, failed } = await c.media.importPaths(p.id, [fixtures.h264(4)]);
    expect(failed).toEqual([]);
    const m = imported[0]!;
    expect(m.kind).toBe('video');
    expect(m.probe.durationSeconds).toBeCloseTo(4, 1);
    expect(m.probe.video).toMatchObject({ codec: 'h264', width: 640, height: 360, displayWidth: 640, displayHeight: 360, rotation: 0 });
    expect(m.probe.video.fps).toBeCloseTo(30, 1);
    expect(m.probe.audio?.codec).toBe('aac');
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.poster && fs.existsSync(path.join(c.dataDir, m.poster))).toBe(true);
  });

  it('honours rotation metadata: a 640x360 HEVC with a quarter-turn display matrix displays as 360x640', async () => {
    const c = core();
    const probe = await c.media.probe(fixtures.hevcRotated());
    expect(probe.video.codec).toBe('hevc');
    // ffmpeg 5.1 stores `rotate=90` as a display matrix that ffprobe reads as 90° counter-clockwise = 270° clockwise.
    expect(probe.video.rotation).toBe(270);
    expect([probe.video.displayWidth, probe.video.displayHeight]).toEqual([360, 640]);
  });

  it('reports each bad file with a clear error and still imports the good ones', async () => {
    const c = core();
    const p = c.projects.create({ name: 'bad input' });
    const bad = [fixtures.empty(), fixtures.truncated(), fixtures.textAsMp4(), fixtures.audioOnly(), path.join(tmp(), 'missing.mp4')];
    const { imported, failed } = await c.media.importPaths(p.id, [...bad, fixtures.h264(4)]);
    expect(imported).toHaveLength(1);
    const byName = Object.fromEntries(failed.map((f) => [path.basename(f.path), f.error]));
    expect(byName['empty.mp4']).toMatchObject({ code: 'MEDIA_UNREADABLE', message: expect.stringMatching(/empty/) });
    expect(byName['truncated.mp4']).toMatchObject({ code: 'MEDIA_UNREADABLE', message: expect.stringMatching(/damaged|truncated/) });
    expect(byName['not-a-video.mp4']).toMatchObject({ code: 'MEDIA_UNREADABLE' });
    expect(byName['audio-only.m4a']).toMatchObject({ code: 'MEDIA_UNREADABLE', message: expect.stringMatching(/audio only/) });
    expect(byName['missing.mp4']).toMatchObject({ code: 'NOT_FOUND' });
    expect(c.media.list(p.id)).toHaveLength(1);
  });

  it('marks a cut-short faststart MP4 damaged at import, with where its picture stops, and makes its poster from the readable part', async () => {
    const c = core();
    const p = c.projects.create({ name: 'damaged' });
    const { imported, failed } = await c.media.importPaths(p.id, [fixtures.truncatedTail()]);
    expect(failed).toEqual([]);
    const m = c.media.list(p.id)[0]!;
    expect(m.id).toBe(imported[0]!.id);
    expect(m.probe.damage).toMatchObject({ indexSeconds: expect.closeTo(4, 1) });
    expect(m.probe.damage!.readableSeconds).toBeLessThan(3);
    expect(m.poster).not.toBeNull();
  });

  it('does not import the same content twice into a project', async () => {
    const c = core();
    const p = c.projects.create({ name: 'dupes' });
    const copy = path.join(tmp(), 'copy.mp4');
    fs.copyFileSync(fixtures.h264(4), copy);
    const r = await c.media.importPaths(p.id, [fixtures.h264(4), copy]);
    expect(r.imported).toHaveLength(1);
    expect(r.failed[0]?.error.code).toBe('CONFLICT');
  });

  it('imports a still image as an image', async () => {
    const c = core();
    const p = c.projects.create({ name: 'img' });
    const { imported } = await c.media.importPaths(p.id, [fixtures.png()]);
    expect(imported[0]).toMatchObject({ kind: 'image', probe: { kind: 'image', durationSeconds: null, video: { width: 640, height: 480 } } });
  });
});

describe('frame extraction', () => {
  it('extracts at 2 fps from a path with spaces and Korean characters into a complete frame set', async () => {
    const c = core(path.join(tmp(), '데이터 folder'));
    const p = c.projects.create({ name: '여행 trip' });
    const { imported } = await c.media.importPaths(p.id, [fixtures.unicodePath()]);
    const { jobId, frameSetId } = await c.frames.startExtraction(p.id, imported[0]!.id, { mode: { kind: 'fps', fps: 2 }, format: 'jpg', quality: 90 });
    await c.jobs.idle();
    expect(c.jobs.get(jobId).status).toBe('completed');
    const set = c.frames.getSet(frameSetId);
    expect(set).toMatchObject({ status: 'complete', frameCount: 4 });
    const images = c.frames.listImages({ projectId: p.id, frameSetId, offset: 0, limit: 100 });
    expect(images.total).toBe(4);
    expect(images.items.map((i) => i.timestampSeconds)).toEqual([0, 0.5, 1, 1.5]);
    for (const i of images.items) expect(fs.statSync(path.join(c.dataDir, i.file)).size).toBeGreaterThan(1000);
    expect(fs.existsSync(path.join(c.dataDir, `projects/${p.id}/frames/${frameSetId}.partial`))).toBe(false);
  });

  it('writes upright frames for rotated phone video', async () => {
    const c = core();
    const p = c.projects.create({ name: 'rot' });
    const { imported } = await c.media.importPaths(p.id, [fixtures.hevcRotated()]);
    const { frameSetId } = await c.frames.startExtraction(p.id, imported[0]!.id, { mode: { kind: 'fps', fps: 1 }, format: 'png', quality: 50 });
    await c.jobs.idle();
    const first = c.frames.listImages({ projectId: p.id, frameSetId, offset: 0, limit: 1 }).items[0]!;
    const probe = await c.media.probe(path.join(c.dataDir, first.file));
    expect([probe.video.width, probe.video.height]).toEqual([360, 640]);
  });

  it('cancel kills ffmpeg and leaves the set cancelled, never complete; resume then completes it', async () => {
    const c = core();
    const p = c.projects.create({ name: 'cancel' });
    const { imported } = await c.media.importPaths(p.id, [fixtures.h264_1080p20s()]);
    const { jobId, frameSetId } = await c.frames.startExtraction(p.id, imported[0]!.id, { mode: { kind: 'fps', fps: 30 }, format: 'jpg', quality: 90 });
    await new Promise<void>((resolve) => {
      const off = c.bus.on('job.progress', (e) => {
        if (e.jobId === jobId && (e.done ?? 0) >= 20) {
          off();
          resolve();
        }
      });
    });
    const job = await c.jobs.cancel(jobId);
    expect(job.status).toBe('cancelled');
    expect(c.frames.getSet(frameSetId).status).toBe('cancelled');
    expect(c.frames.listImages({ projectId: p.id, frameSetId, offset: 0, limit: 10 }).total).toBe(0);
    c.jobs.resume(jobId);
    await c.jobs.idle();
    expect(c.frames.getSet(frameSetId)).toMatchObject({ status: 'complete', frameCount: 600 });
    const ts = c.frames.listImages({ projectId: p.id, frameSetId, offset: 0, limit: 1000 }).items.map((i) => i.frameIndex);
    expect(ts).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
  });

  it('a crash mid-extraction leaves no complete set; the restart shows it interrupted and resume finishes with the exact count', async () => {
    const dataDir = tmp();
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../../test-support/extract-child.ts'), dataDir, fixtures.h264_1080p20s(), '10'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (d) => {
        buf += String(d);
        const m = [...buf.matchAll(/progress (\d+)/g)].at(-1);
        if (m && Number(m[1]) >= 30) resolve();
      });
      child.on('exit', () => reject(new Error(`child exited before the crash point: ${buf}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // ffmpeg's progress pipe breaks when its reader dies, so the orphan stops writing too.
    await new Promise((r) => setTimeout(r, 1500));

    const c = core(dataDir);
    const [job] = c.jobs.list({});
    expect(job?.status).toBe('interrupted');
    const [set] = c.frames.listSets(1);
    expect(set?.status).toBe('interrupted');
    expect(c.frames.listImages({ projectId: 1, offset: 0, limit: 1 }).total).toBe(0);
    const partial = fs.readdirSync(path.join(dataDir, `projects/1/frames/${set!.id}.partial`));
    expect(partial.length).toBeGreaterThanOrEqual(20);

    c.jobs.resume(job!.id);
    await c.jobs.idle();
    expect(c.jobs.get(job!.id).status).toBe('completed');
    expect(c.frames.getSet(set!.id)).toMatchObject({ status: 'complete', frameCount: 200 });
  });

  it('a read-only data folder fails with IO_ERROR and a clear message; nothing is marked complete', async () => {
    if (process.getuid?.() === 0) {
      // root ignores file permissions, so simulate the read-only folder with a file where the folder must go.
      const c = core();
      const p = c.projects.create({ name: 'ro' });
      const { imported } = await c.media.importPaths(p.id, [fixtures.h264(4)]);
      fs.mkdirSync(path.join(c.dataDir, `projects/${p.id}`), { recursive: true });
      fs.writeFileSync(path.join(c.dataDir, `projects/${p.id}/frames`), 'not a folder');
      const { jobId, frameSetId } = await c.frames.startExtraction(p.id, imported[0]!.id, { mode: { kind: 'fps', fps: 2 }, format: 'jpg', quality: 90 });
      await c.jobs.idle();
      expect(c.jobs.get(jobId)).toMatchObject({ status: 'failed', error: { code: 'IO_ERROR' } });
      expect(c.frames.getSet(frameSetId).status).toBe('failed');
      return;
    }
    const c = core();
    const p = c.projects.create({ name: 'ro' });
    const { imported } = await c.media.importPaths(p.id, [fixtures.h264(4)]);
    const projectDir = path.join(c.dataDir, `projects/${p.id}`);
    fs.chmodSync(projectDir, 0o555);
    const { jobId, frameSetId } = await c.frames.startExtraction(p.id, imported[0]!.id, { mode: { kind: 'fps', fps: 2 }, format: 'jpg', quality: 90 });
    await c.jobs.idle();
    fs.chmodSync(projectDir, 0o755);
    expect(c.jobs.get(jobId)).toMatchObject({ status: 'failed', error: { code: 'IO_ERROR', message: expect.stringMatching(/read-only|denied/) } });
    expect(c.frames.getSet(frameSetId).status).toBe('failed');
  });
});
