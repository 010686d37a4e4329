/**
 * Pre-flight on real files, and every one-click fix on a real file that has (mostly) just that
 * problem: the new file must then pass pre-flight, and the original must be untouched.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudModel, FixKind } from '../../common/contract';
import { fixtures } from '../../../test-support/media-fixtures';
import { createCore, type Core } from '../core';
import { sampleCaptureQuality } from './capture-quality';
import type { Tools } from './ffmpeg-locator';
import { runFix } from './fix-runner';
import { preflightFiles } from './preflight';
import { probeFile } from './probe';
import { ToolBox } from './tool-box';

let tools: Tools;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-preflight-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  tools = await new ToolBox(() => ({ ffmpegPath: null, ffprobePath: null })).require();
  for (const f of [fixtures.long185s, fixtures.nerf2meshOk, fixtures.hd21sSmall, fixtures.verticalSmall, fixtures.verticalLarge, fixtures.mov, fixtures.bigPng, fixtures.webp, fixtures.uhd4k, fixtures.vp9Webm, fixtures.huge, fixtures.blurry, fixtures.still]) f();
  fixtures.png('200x200');
  fixtures.png('480x640');
}, 300_000);

const check = (model: CloudModel, file: string, image?: string) => preflightFiles({ tools, model, file, image: image ?? null });
const md5 = (file: string) => createHash('md5').update(fs.readFileSync(file)).digest('hex');

describe('pre-flight on real files', () => {
  it('a conforming NeRF2Mesh capture passes nerf2mesh, gs3d and decal', async () => {
    for (const m of ['nerf2mesh', 'gs3d', 'decal'] as const) expect((await check(m, fixtures.nerf2meshOk())).problems, m).toEqual([]);
  });
  it('flags each limit a real file breaks', async () => {
    const codes = async (m: CloudModel, f: string, img?: string) => (await check(m, f, img)).problems.map((p) => p.code);
    expect(await codes('nerf2mesh', fixtures.h264(4))).toEqual(['TOO_SHORT', 'RESOLUTION_TOO_LOW', 'FILE_TOO_SMALL']);
    expect(await codes('gs3d', fixtures.long185s())).toEqual(['TOO_LONG']);
    expect(await codes('gs3d', fixtures.uhd4k())).toEqual(['RESOLUTION_TOO_HIGH']);
    expect(await codes('gs3d', fixtures.vp9Webm())).toEqual(['WRONG_CONTAINER', 'WRONG_CODEC']);
    expect(await codes('gs3d', fixtures.mov())).toEqual(['WRONG_CONTAINER']);
    expect(await codes('gs3d', fixtures.huge())).toEqual(['FILE_TOO_LARGE']);
    expect(await codes('decal', fixtures.long185s())).toEqual(['TOO_LONG']);
    expect(await codes('nerf2mesh', fixtures.hd21sSmall())).toEqual(['FILE_TOO_SMALL']);
    expect(await codes('musepose', fixtures.verticalSmall(), fixtures.png('480x640'))).toEqual([]);
    expect(await codes('musepose', fixtures.h264(4), fixtures.png('640x480'))).toEqual(['NOT_VERTICAL', 'NOT_VERTICAL']);
    expect(await codes('musepose', fixtures.verticalLarge(), fixtures.png('480x640'))).toEqual(['FILE_TOO_LARGE']);
    expect(await codes('musepose', fixtures.verticalSmall())).toEqual(['IMAGE_REQUIRED']);
    expect(await codes('instant-mesh', fixtures.png('200x200'))).toEqual(['IMAGE_TOO_SMALL']);
    expect(await codes('instant-mesh', fixtures.webp())).toEqual(['WRONG_IMAGE_FORMAT']);
    expect(await codes('instant-mesh', fixtures.bigPng())).toEqual(['FILE_TOO_LARGE']);
    expect(await codes('instant-mesh', fixtures.h264(4))).toEqual(['NOT_AN_IMAGE']);
    expect(await codes('gs3d', fixtures.textAsMp4())).toEqual(['UNREADABLE']);
  });
  it('HEVC is a warning: the rotated phone clip passes MusePose (vertical) with a transcode offered', async () => {
    const r = await check('musepose', fixtures.hevcRotated(), fixtures.png('480x640'));
    expect(r.ok).toBe(true);
    expect(r.problems).toMatchObject([{ code: 'WRONG_CODEC', severity: 'warning' }]);
  });
});

describe('capture quality hint', () => {
  it('calls a sharp, moving capture good, a blurry one blurry, a still one static', async () => {
    const q = async (f: string) => sampleCaptureQuality(tools.ffmpeg.path, await probeFile(tools.ffprobe.path, f, { sample: false }), { count: 8 });
    const sharp = await q(fixtures.h264(4));
    expect(sharp).toMatchObject({ samples: 8, blurryShare: 0, level: 'good' });
    expect(sharp.motionCoverage).toBeGreaterThan(0.8);
    const blurry = await q(fixtures.blurry());
    expect(blurry.blurryShare).toBe(1);
    expect(blurry.level).toBe('poor');
    expect(blurry.advice.join(' ')).toMatch(/blurry.*drop-blurry/);
    const still = await q(fixtures.still());
    expect(still.motionCoverage).toBe(0);
    expect(still.advice.join(' ')).toMatch(/walk slowly all the way around/);
  });
  it('pre-flight includes it for 3D capture models when asked', async () => {
    const r = await preflightFiles({ tools, model: 'gs3d', file: fixtures.blurry(), quality: true });
    expect(r.quality?.level).toBe('poor');
    expect((await preflightFiles({ tools, model: 'instant-mesh', file: fixtures.png(), quality: true })).quality).toBeNull();
  });
});

describe('one-click fixes: each output passes pre-flight, the original is untouched', () => {
  const cases: [string, CloudModel, () => string, FixKind[] | undefined, (p: Awaited<ReturnType<typeof probeFile>>) => void][] = [
    ['trim 185 s to gs3d’s 180 s (stream copy)', 'gs3d', fixtures.long185s, ['trim'], (p) => expect(p.durationSeconds).toBeLessThanOrEqual(180)],
    ['trim to decal’s 60 s', 'decal', fixtures.long185s, undefined, (p) => expect(p.durationSeconds).toBeLessThanOrEqual(60)],
    ['downscale 4K to Full HD', 'gs3d', fixtures.uhd4k, ['downscale-fhd'], (p) => expect([p.video.width, p.video.height]).toEqual([1920, 1080])],
    ['downscale 4K to HD (nerf2mesh’s lower bound stays met)', 'gs3d', fixtures.uhd4k, ['downscale-hd'], (p) => expect([p.video.width, p.video.height]).toEqual([1280, 720])],
    ['transcode VP9/WebM to H.264 MP4', 'gs3d', fixtures.vp9Webm, ['transcode'], (p) => expect(p.video.codec).toBe('h264')],
    ['remux H.264 .mov to .mp4', 'gs3d', fixtures.mov, ['transcode'], (p) => expect(p.container).toMatch(/mp4/)],
    ['re-encode a 5 GB file under 300 MB', 'gs3d', fixtures.huge, ['fit-size'], (p) => expect(p.sizeBytes).toBeLessThan(300e6)],
    ['re-encode up to NeRF2Mesh’s 50 MB minimum', 'nerf2mesh', fixtures.hd21sSmall, ['fit-size'], (p) => expect(p.sizeBytes).toBeGreaterThan(50 * 1048576)],
    ['re-encode under MusePose’s 20 MB', 'musepose', fixtures.verticalLarge, ['fit-size'], (p) => expect(p.sizeBytes).toBeLessThan(20e6)],
    ['HEVC to H.264 keeps the picture upright', 'gs3d', fixtures.hevcRotated, ['transcode'], (p) => expect([p.video.displayWidth, p.video.displayHeight, p.video.rotation]).toEqual([360, 640, 0])],
    ['crop a landscape clip to portrait for MusePose', 'musepose', () => fixtures.h264(4), ['crop-portrait'], (p) => expect([p.video.displayWidth, p.video.displayHeight]).toEqual([202, 360])],
    ['image: big PNG to a JPEG under 10 MB', 'instant-mesh', fixtures.bigPng, ['image-jpeg'], (p) => expect(p.sizeBytes).toBeLessThanOrEqual(10e6)],
    ['image: WebP to JPEG', 'instant-mesh', fixtures.webp, ['image-jpeg'], (p) => expect(p.video.codec).toBe('mjpeg')],
  ];
  for (const [what, model, input, fixes, more] of cases) {
    it(what, async () => {
      const src = input();
      const before = fs.statSync(src).size > 1e9 ? null : md5(src);
      const probe = await probeFile(tools.ffprobe.path, src, { sample: false });
      const out = path.join(work, `${what.replace(/\W+/g, '-')}.${probe.kind === 'image' ? 'jpg' : 'mp4'}`);
      const r = await runFix({ tools, model, probe, fixes, out, preset: 'ultrafast' });
      expect(r.report.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(fs.existsSync(out)).toBe(true);
      // Checked again from scratch, as a user would.
      const again = await preflightFiles({ tools, model, file: out, image: model === 'musepose' ? fixtures.png('480x640') : null });
      expect(again.problems.filter((p) => p.severity === 'error')).toEqual([]);
      more(await probeFile(tools.ffprobe.path, out, { sample: false }));
      if (before) expect(md5(src)).toBe(before);
      expect(fs.readdirSync(work).filter((f) => f.includes('.partial'))).toEqual([]);
    });
  }

  it('a cut-short faststart MP4 does not pass: DAMAGED with where the picture stops, and the trim to the readable part passes', async () => {
    const src = fixtures.truncatedTail();
    const before = md5(src);
    const report = await check('gs3d', src);
    expect(report.ok).toBe(false);
    const damaged = report.problems.find((p) => p.code === 'DAMAGED')!;
    expect(damaged).toMatchObject({ severity: 'error', subject: 'video', limit: '4.0 s', fixes: ['trim-readable'] });
    expect(Number.parseFloat(damaged.actual!)).toBeLessThan(3);
    expect(damaged.message).toMatch(/cut short: its index promises 4\.0 s but the picture stops at \d\.\d s/);
    expect(report.fixes).toEqual(['trim-readable']);
    const probe = await probeFile(tools.ffprobe.path, src, { sample: false });
    const out = path.join(work, 'cut-short.gs3d-fixed.mp4');
    const r = await runFix({ tools, model: 'gs3d', probe, out, preset: 'ultrafast' });
    expect(r.report.ok).toBe(true);
    const fixed = await probeFile(tools.ffprobe.path, out, { sample: false });
    expect(fixed.damage).toBeNull();
    expect(fixed.durationSeconds!).toBeLessThanOrEqual(probe.damage!.readableSeconds);
    expect((await check('gs3d', out)).ok).toBe(true);
    expect(md5(src)).toBe(before);
  });

  it('refuses to overwrite the original and says when there is nothing to fix', async () => {
    const probe = await probeFile(tools.ffprobe.path, fixtures.long185s(), { sample: false });
    await expect(runFix({ tools, model: 'gs3d', probe, out: fixtures.long185s() })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/never overwrites/) });
    const ok = await probeFile(tools.ffprobe.path, fixtures.nerf2meshOk(), { sample: false });
    await expect(runFix({ tools, model: 'gs3d', probe: ok, out: path.join(work, 'x.mp4') })).rejects.toMatchObject({ message: expect.stringMatching(/Nothing to fix/) });
  });
});

describe('through the core: media.preflight and media.fix jobs', () => {
  const cores: Core[] = [];
  afterEach(async () => {
    for (const c of cores.splice(0)) await c.close();
  });
  const core = () => {
    const c = createCore({ dataDir: fs.mkdtempSync(path.join(work, 'core-')), shell: 'cli' });
    cores.push(c);
    return c;
  };

  it('checks a project video, fixes it in a job with progress, and imports the new file as its own media', async () => {
    const c = core();
    const p = c.projects.create({ name: 'fix' });
    const { imported } = await c.media.importPaths(p.id, [fixtures.vp9Webm()]);
    const m = imported[0]!;
    const report = await c.handlers['media.preflight']({ mediaId: m.id, model: 'gs3d', quality: false }, {} as never);
    expect(report.fixes).toEqual(['transcode']);
    const progress: number[] = [];
    c.bus.on('job.progress', (e) => progress.push(e.fraction));
    const { jobId } = await c.preflight.startFix({ mediaId: m.id, model: 'gs3d' });
    await c.jobs.idle();
    const job = c.jobs.get(jobId);
    expect(job.status).toBe('completed');
    const result = job.result as { mediaId: number; file: string; report: { ok: boolean } };
    expect(result.report.ok).toBe(true);
    expect(result.file).toMatch(/^projects\/\d+\/media\/fixed\/vp9-3s\.gs3d\.[0-9a-f]{8}\.mp4$/);
    const fixed = c.media.get(result.mediaId);
    expect(fixed).toMatchObject({ projectId: p.id, kind: 'video', probe: { video: { codec: 'h264' } } });
    expect((await c.preflight.preflight({ mediaId: fixed.id, model: 'gs3d' })).ok).toBe(true);
    expect(c.media.list(p.id)).toHaveLength(2);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('a fix job can be cancelled: ffmpeg stops and no file is left', async () => {
    const c = core();
    const p = c.projects.create({ name: 'cancel fix' });
    const { imported } = await c.media.importPaths(p.id, [fixtures.hd21sSmall()]);
    const { jobId } = await c.preflight.startFix({ mediaId: imported[0]!.id, model: 'nerf2mesh' });
    await new Promise<void>((resolve) => {
      const off = c.bus.on('job.progress', (e) => {
        if (e.jobId === jobId && e.fraction > 0.05) {
          off();
          resolve();
        }
      });
    });
    expect((await c.jobs.cancel(jobId)).status).toBe('cancelled');
    const dir = path.join(c.dataDir, `projects/${p.id}/media/fixed`);
    expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
    expect(c.media.list(p.id)).toHaveLength(1);
  });
});
