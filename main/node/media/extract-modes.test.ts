/**
 * Every extraction mode on real generated video (H.264, HEVC with rotation, VP9/WebM, variable
 * frame rate, 4K, a hard scene cut): which frames come out, the source time recorded for each
 * (checked against the pixels of the source frame at that time), ranges, downscale, drop-blurry,
 * and resume after an interruption giving exactly what an uninterrupted run gives.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtractParams } from '../../common/contract';
import { fixtures } from '../../../test-support/media-fixtures';
import { floorMicro, FRAMES_FILE } from './extract-args';
import { runExtractionPipeline, type ExtractedFrame } from './extract-pipeline';
import type { Tools } from './ffmpeg-locator';
import { scanFrameTimes } from './frame-scan';
import { probeFile } from './probe';
import { ToolBox } from './tool-box';

let tools: Tools;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-modes-'));
let dirs = 0;

beforeAll(async () => {
  tools = await new ToolBox(() => ({ ffmpegPath: null, ffprobePath: null })).require();
  for (const f of [fixtures.vfr, fixtures.h264_1080p20s, fixtures.vp9Webm, fixtures.hevcRotated, fixtures.uhd4k, fixtures.sceneCut, fixtures.blurEveryThird]) f();
}, 240_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function extract(clip: string, params: Partial<ExtractParams> & Pick<ExtractParams, 'mode'>, workDir?: string, resuming = false): Promise<ExtractedFrame[]> {
  const probe = await probeFile(tools.ffprobe.path, clip, { sample: false });
  const dir = workDir ?? path.join(root, `run-${++dirs}`);
  const full: ExtractParams = { format: 'png', quality: 10, ...params };
  return (await runExtractionPipeline({ tools, input: clip, probe, params: full, workDir: dir, resuming })).frames.map((f) => ({ ...f, file: path.join(dir, f.file) }));
}

const times = (frames: ExtractedFrame[]) => frames.map((f) => f.timestampSeconds!);
const close = (a: number[], b: number[]) => {
  expect(a).toHaveLength(b.length);
  a.forEach((x, i) => expect(x, `frame ${i + 1}`).toBeCloseTo(b[i]!, 5));
};

function keyTimes(clip: string): number[] {
  const out = execFileSync(tools.ffprobe.path, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', clip], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(',K'))
    .map((l) => Number(l.split(',')[0]))
    .sort((a, b) => a - b);
}

function md5Pixels(file: string): string {
  return execFileSync(tools.ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-i', file, '-pix_fmt', 'rgb24', '-f', 'md5', '-'], { encoding: 'utf8' }).trim();
}

/** MD5 of the source frame shown at time t (the first frame at or after t, as a player seeking there shows). */
function sourceMd5(clip: string, t: number): string {
  const out = path.join(root, `ref-${++dirs}.png`);
  execFileSync(tools.ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-ss', floorMicro(t).toFixed(6), '-i', clip, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', out]);
  const md5 = md5Pixels(out);
  fs.rmSync(out);
  return md5;
}

function expectRealTimes(clip: string, frames: ExtractedFrame[], which: number[]): void {
  for (const i of which) {
    const f = frames[i]!;
    expect(md5Pixels(f.file), `frame ${f.n} at ${f.timestampSeconds}s`).toBe(sourceMd5(clip, f.timestampSeconds!));
  }
}

describe('fps', () => {
  it('on variable-frame-rate video takes each source frame once (110 at 30 fps), at its real time', async () => {
    const clip = fixtures.vfr();
    const frames = await extract(clip, { mode: { kind: 'fps', fps: 30 } });
    close(times(frames), await scanFrameTimes(tools.ffprobe.path, clip, { start: 0, end: null }));
    // Frames 61..80 lie in the 10 fps stretch: the 30 fps ticks there must not duplicate them.
    expectRealTimes(clip, frames, [0, 59, 60, 61, 79, 80, 109]);
  });

  it('at 2 fps on VFR video picks the frame at each half second', async () => {
    const clip = fixtures.vfr();
    const frames = await extract(clip, { mode: { kind: 'fps', fps: 2 } });
    close(times(frames), [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]);
    expectRealTimes(clip, frames, [0, 4, 5, 9]);
  });

  it('honours a range and downscales 4K to a max side', async () => {
    const frames = await extract(fixtures.uhd4k(), { mode: { kind: 'fps', fps: 10 }, start: 0.25, end: 0.75, maxSide: 1280, format: 'jpg', quality: 80 });
    // Ticks at 0.25 + k/10 s; the first 30 fps frame at or after each is frame 8, 11, 14, 17, 20.
    close(times(frames), [8, 11, 14, 17, 20].map((i) => i / 30));
    for (const f of frames) expect([f.width, f.height]).toEqual([1280, 720]);
  });
});

describe('every N', () => {
  it('takes every 7th frame of the range on VFR video, counted in decoded frames', async () => {
    const clip = fixtures.vfr();
    const all = await scanFrameTimes(tools.ffprobe.path, clip, { start: 1, end: null });
    const frames = await extract(clip, { mode: { kind: 'every', n: 7 }, start: 1 });
    close(times(frames), all.filter((_, i) => i % 7 === 0));
    expectRealTimes(clip, frames, [0, 4, frames.length - 1]);
  });
});

describe('key frames', () => {
  it('H.264: exactly the key frames, at their times', async () => {
    const clip = fixtures.h264_1080p20s();
    const frames = await extract(clip, { mode: { kind: 'keyframes' }, format: 'jpg' });
    close(times(frames), keyTimes(clip));
    expect(frames).toHaveLength(3);
  });
  it('VP9 in WebM', async () => {
    const clip = fixtures.vp9Webm();
    const frames = await extract(clip, { mode: { kind: 'keyframes' } });
    close(times(frames), keyTimes(clip));
    expectRealTimes(clip, frames, [0, frames.length - 1]);
  });
  it('HEVC with rotation metadata gives upright frames', async () => {
    const clip = fixtures.hevcRotated();
    const frames = await extract(clip, { mode: { kind: 'keyframes' } });
    close(times(frames), keyTimes(clip));
    expect([frames[0]!.width, frames[0]!.height]).toEqual([360, 640]);
    const p = await probeFile(tools.ffprobe.path, frames[0]!.file);
    expect([p.video.width, p.video.height]).toEqual([360, 640]);
  });
});

describe('scene changes', () => {
  it('finds the hard cut at 2.0 s (and keeps the first frame)', async () => {
    const clip = fixtures.sceneCut();
    const frames = await extract(clip, { mode: { kind: 'scene', threshold: 0.3 } });
    close(times(frames), [0, 2]);
    expectRealTimes(clip, frames, [0, 1]);
  });
  it('within a range starting at 0.5 s', async () => {
    close(times(await extract(fixtures.sceneCut(), { mode: { kind: 'scene', threshold: 0.3 }, start: 0.5, end: 3 })), [0.5, 2]);
  });
});

describe('count', () => {
  it('writes exactly 100 frames spread over a 20 s clip, first and last included', async () => {
    const clip = fixtures.h264_1080p20s();
    const frames = await extract(clip, { mode: { kind: 'count', count: 100 }, format: 'jpg', maxSide: 320 });
    expect(frames).toHaveLength(100);
    const t = times(frames);
    expect(t[0]).toBe(0);
    expect(t[99]).toBeCloseTo(599 / 30, 5);
    const gaps = t.slice(1).map((x, i) => x - t[i]!);
    expect(Math.min(...gaps)).toBeGreaterThan(0.15);
    expect(Math.max(...gaps)).toBeLessThan(0.25);
  });
  it('is exact on VFR video too, with real source times', async () => {
    const clip = fixtures.vfr();
    const all = await scanFrameTimes(tools.ffprobe.path, clip, { start: 0, end: null });
    const frames = await extract(clip, { mode: { kind: 'count', count: 37 } });
    expect(frames).toHaveLength(37);
    for (const t of times(frames)) expect(all.some((a) => Math.abs(a - t) < 1e-5), `${t} is a source frame`).toBe(true);
    expectRealTimes(clip, frames, [0, 18, 36]);
  });
  it('VP9 with a range', async () => {
    const frames = await extract(fixtures.vp9Webm(), { mode: { kind: 'count', count: 5 }, end: 2 });
    expect(frames).toHaveLength(5);
    expect(Math.max(...times(frames))).toBeLessThan(2);
  });
  it('refuses more frames than the range holds, saying how many there are', async () => {
    await expect(extract(fixtures.vp9Webm(), { mode: { kind: 'count', count: 200 } })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/only 90 frames/) });
  });
});

describe('drop blurry', () => {
  const blurred = (t: number) => Math.round(t * 30) % 3 === 1;
  it('count: still exactly N frames, none of them a blurred one, with scores and a report', async () => {
    const clip = fixtures.blurEveryThird();
    const probe = await probeFile(tools.ffprobe.path, clip, { sample: false });
    const dir = path.join(root, 'blur-count');
    const { frames, report } = await runExtractionPipeline({ tools, input: clip, probe, params: { mode: { kind: 'count', count: 20 }, format: 'jpg', quality: 90, dropBlurry: true }, workDir: dir, resuming: false });
    expect(frames).toHaveLength(20);
    for (const f of frames) expect(blurred(f.timestampSeconds!), `frame at ${f.timestampSeconds}`).toBe(false);
    for (const f of frames) expect(f.sharpness).toBeGreaterThan(0);
    // Five candidates spread over each of the 20 intervals.
    expect(report.dropBlurry).toMatchObject({ method: 'sharpest-per-interval', candidates: 100, kept: 20 });
    expect(report.dropBlurry!.dropped).toHaveLength(80);
    // The dropped candidates hold all 20 blurred frames, and they score far below the kept ones.
    const droppedBlurred = report.dropBlurry!.dropped.filter((d) => blurred(d.timestampSeconds!));
    expect(droppedBlurred.length).toBeGreaterThanOrEqual(19);
    expect(Math.max(...droppedBlurred.map((d) => d.sharpness))).toBeLessThan(Math.min(...frames.map((f) => f.sharpness!)) / 2);
    expect(fs.existsSync(path.join(dir, 'candidates'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, FRAMES_FILE), 'utf8').trim().split('\n')).toHaveLength(20);
  });
  it('fps: one frame per tick, the sharpest of three', async () => {
    const frames = await extract(fixtures.blurEveryThird(), { mode: { kind: 'fps', fps: 5 }, dropBlurry: true, format: 'jpg' });
    expect(frames).toHaveLength(20);
    for (const f of frames) expect(blurred(f.timestampSeconds!)).toBe(false);
    frames.forEach((f, i) => expect(Math.floor(f.timestampSeconds! * 5 + 0.001)).toBe(i));
  });
});

describe('resume', () => {
  /** Simulates a crash after k frames: later frames gone, frame k half written, its time line present. */
  function crashAfter(dir: string, k: number, format: string): void {
    for (const f of fs.readdirSync(dir)) {
      const n = Number.parseInt(f, 10);
      if (Number.isFinite(n) && n > k) fs.rmSync(path.join(dir, f));
    }
    fs.truncateSync(path.join(dir, `${String(k).padStart(6, '0')}.${format}`), 100);
    const lines = fs.readFileSync(path.join(dir, FRAMES_FILE), 'utf8').split('\n').slice(0, k);
    fs.writeFileSync(path.join(dir, FRAMES_FILE), lines.join('\n') + '\n');
    fs.rmSync(path.join(dir, '.complete'), { force: true });
    fs.rmSync(path.join(dir, '.report.json'), { force: true });
  }

  const cases: [string, () => string, ExtractParams['mode'], number][] = [
    ['fps on VFR', fixtures.vfr, { kind: 'fps', fps: 7 }, 12],
    ['every N on VFR', fixtures.vfr, { kind: 'every', n: 4 }, 17],
    ['key frames on VP9', fixtures.vp9Webm, { kind: 'keyframes' }, 2],
    // A threshold low enough to pick small changes too, so there is something after the resume point.
    ['scene', fixtures.sceneCut, { kind: 'scene', threshold: 0.0025 }, 5],
    ['count on VFR', fixtures.vfr, { kind: 'count', count: 30 }, 11],
  ];
  for (const [what, clip, mode, k] of cases) {
    it(`${what}: continues after frame ${k - 1} and ends with exactly the frames of an uninterrupted run`, async () => {
      const whole = await extract(clip(), { mode });
      expect(whole.length).toBeGreaterThan(k);
      const dir = path.join(root, `resume-${++dirs}`);
      await extract(clip(), { mode }, dir);
      crashAfter(dir, k, 'png');
      const resumed = await extract(clip(), { mode }, dir, true);
      close(times(resumed), times(whole));
      expect(resumed.map((f) => md5Pixels(f.file))).toEqual(whole.map((f) => md5Pixels(f.file)));
    });
  }

  it('drop-blurry resumes inside the candidate pass', async () => {
    const clip = fixtures.blurEveryThird();
    const probe = await probeFile(tools.ffprobe.path, clip, { sample: false });
    const params: ExtractParams = { mode: { kind: 'count', count: 10 }, format: 'png', quality: 10, dropBlurry: true };
    const whole = await runExtractionPipeline({ tools, input: clip, probe, params, workDir: path.join(root, 'db-whole'), resuming: false });
    // Stop a run right after its candidate pass, then make the candidates look like a crash after frame 7.
    const dir = path.join(root, 'db-resume');
    const cand = path.join(dir, 'candidates');
    const stop = new AbortController();
    await expect(
      runExtractionPipeline({ tools, input: clip, probe, params, workDir: dir, resuming: false, signal: stop.signal, onProgress: (p) => p.stage === 'scoring' && stop.abort() }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.readdirSync(cand).filter((f) => f.endsWith('.png'))).toHaveLength(50);
    crashAfter(cand, 7, 'png');
    const resumed = await runExtractionPipeline({ tools, input: clip, probe, params, workDir: dir, resuming: true });
    close(resumed.frames.map((f) => f.timestampSeconds!), whole.frames.map((f) => f.timestampSeconds!));
  });
});
