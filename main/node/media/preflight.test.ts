/** Each limit of SPEC §3, per model: the problem it raises (code, sentence, fixes), and the boundary that still passes. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import type { CloudModel, PreflightCode, ProbeResult } from '../../common/contract';
import { describeFix, fitBox, planImageFix, planVideoFix, portraitCrop } from './fix-plan';
import { CLOUD_LIMITS } from './cloud-limits';
import { buildReport } from './preflight';

function video(o: { w?: number; h?: number; seconds?: number; mb?: number; codec?: string; path?: string; container?: string } = {}): ProbeResult {
  const w = o.w ?? 1280;
  const h = o.h ?? 720;
  return {
    path: o.path ?? '/v/clip.mp4',
    kind: 'video',
    container: o.container ?? 'mov,mp4,m4a,3gp,3g2,mj2',
    sizeBytes: Math.round((o.mb ?? 100) * 1e6),
    durationSeconds: o.seconds ?? 30,
    bitRate: null,
    video: {
      codec: o.codec ?? 'h264', profile: 'High', width: w, height: h, displayWidth: w, displayHeight: h, rotation: 0, fps: 30, realFps: 30,
      variableFrameRate: false, pixelFormat: 'yuv420p', bitRate: null, frameCount: null, level: 40, keyframeIntervalSeconds: 2, keyframeIntervalFrames: 60, frameRateEvidence: 'packets',
    },
    audio: null,
  };
}
function image(o: { w?: number; h?: number; mb?: number; codec?: string; path?: string } = {}): ProbeResult {
  const v = video({ w: o.w ?? 600, h: o.h ?? 800, mb: o.mb ?? 1, codec: o.codec ?? 'png', path: o.path ?? '/i/photo.png', container: 'png_pipe' });
  return { ...v, kind: 'image', durationSeconds: null };
}

const codes = (model: CloudModel, v?: ProbeResult | null, i?: ProbeResult | null) => buildReport(model, { video: v, image: i }).problems.map((p) => p.code);

describe('pre-flight limits (SPEC §3)', () => {
  const cases: [CloudModel, string, () => ProbeResult, PreflightCode | null, string[]][] = [
    // model, what, input, expected problem (null = passes), fixes offered
    ['nerf2mesh', 'passes 20–180 s, HD–FHD, 50–300 MB', () => video({ seconds: 20, mb: 60 }), null, []],
    ['nerf2mesh', 'too short (<20 s)', () => video({ seconds: 19.9, mb: 60 }), 'TOO_SHORT', []],
    ['nerf2mesh', 'too long (>180 s)', () => video({ seconds: 180.5, mb: 200 }), 'TOO_LONG', ['trim']],
    ['nerf2mesh', 'below HD', () => video({ w: 960, h: 540, mb: 60 }), 'RESOLUTION_TOO_LOW', []],
    ['nerf2mesh', 'above FHD', () => video({ w: 3840, h: 2160, mb: 60 }), 'RESOLUTION_TOO_HIGH', ['downscale-fhd', 'downscale-hd']],
    ['nerf2mesh', 'portrait FHD passes', () => video({ w: 1080, h: 1920, mb: 60 }), null, []],
    ['nerf2mesh', 'smaller than 50 MB', () => video({ mb: 40 }), 'FILE_TOO_SMALL', ['fit-size']],
    ['nerf2mesh', 'larger than 300 MB', () => video({ mb: 301 }), 'FILE_TOO_LARGE', ['fit-size']],
    ['nerf2mesh', 'not mp4', () => video({ path: '/v/clip.mkv', container: 'matroska,webm', mb: 60 }), 'WRONG_CONTAINER', ['transcode']],
    ['gs3d', 'passes: 180 s, FHD, 300 MB', () => video({ seconds: 180, w: 1920, h: 1080, mb: 300 }), null, []],
    ['gs3d', 'too long', () => video({ seconds: 181 }), 'TOO_LONG', ['trim']],
    ['gs3d', 'above FHD (long side)', () => video({ w: 2560, h: 1080 }), 'RESOLUTION_TOO_HIGH', ['downscale-fhd', 'downscale-hd']],
    ['gs3d', 'larger than 300 MB', () => video({ mb: 300.5 }), 'FILE_TOO_LARGE', ['fit-size']],
    ['gs3d', 'a .mov', () => video({ path: '/v/clip.mov' }), 'WRONG_CONTAINER', ['transcode']],
    ['gs3d', 'an image instead of a video', () => image(), 'NOT_A_VIDEO', []],
    ['decal', 'passes 20–60 s', () => video({ seconds: 60 }), null, []],
    ['decal', 'too short', () => video({ seconds: 10 }), 'TOO_SHORT', []],
    ['decal', 'too long', () => video({ seconds: 61 }), 'TOO_LONG', ['trim']],
    ['decal', 'not mp4', () => video({ path: '/v/a.webm', container: 'matroska,webm' }), 'WRONG_CONTAINER', ['transcode']],
    ['musepose', 'video passes: vertical, 19.9 s, 19.9 MB', () => video({ w: 720, h: 1280, seconds: 19.9, mb: 19.9 }), null, []],
    ['musepose', 'video 20 s is not "less than 20 s"', () => video({ w: 720, h: 1280, seconds: 20, mb: 5 }), 'TOO_LONG', ['trim']],
    ['musepose', 'landscape video: a crop to portrait is offered', () => video({ w: 1280, h: 720, seconds: 10, mb: 5 }), 'NOT_VERTICAL', ['crop-portrait']],
    ['musepose', 'video 20 MB', () => video({ w: 720, h: 1280, seconds: 10, mb: 20 }), 'FILE_TOO_LARGE', ['fit-size']],
  ];
  for (const [model, what, input, code, fixes] of cases) {
    it(`${model}: ${what}`, () => {
      const r = buildReport(model, { video: input(), image: CLOUD_LIMITS[model].image ? image() : undefined });
      const found = r.problems.filter((p) => p.severity === 'error');
      if (code === null) {
        expect(found).toEqual([]);
        expect(r.ok).toBe(true);
        return;
      }
      expect(r.ok).toBe(false);
      const p = found.find((x) => x.code === code);
      expect(p, `${code} in ${found.map((x) => x.code).join(',')}`).toBeDefined();
      expect(p!.fixes).toEqual(fixes);
      expect(p!.message).toMatch(/\.$/);
      expect(p!.message.length).toBeGreaterThan(20);
    });
  }

  it('prints a length on the side of the limit it is on (tenths cut towards it, never rounded across)', () => {
    const actual = (model: CloudModel, seconds: number, code: PreflightCode) =>
      buildReport(model, { video: video({ w: 720, h: 1280, seconds, mb: 60 }), image: CLOUD_LIMITS[model].image ? image() : undefined }).problems.find((p) => p.code === code);
    expect(actual('nerf2mesh', 19.96, 'TOO_SHORT')).toMatchObject({ actual: '19.9 s', limit: '20 s', message: expect.stringMatching(/^The video is 19\.9 s long; .* at least 20 s/) });
    expect(actual('gs3d', 180.04, 'TOO_LONG')).toMatchObject({ actual: '180.1 s', limit: '180 s', message: expect.stringMatching(/^The video is 180\.1 s long; .* at most 180 s/) });
    expect(actual('musepose', 20, 'TOO_LONG')).toMatchObject({ actual: '20.0 s', limit: '< 20 s' });
    expect(actual('musepose', 22, 'TOO_LONG')).toMatchObject({ actual: '22.0 s' });
    expect(actual('decal', 61, 'TOO_LONG')).toMatchObject({ actual: '61.0 s' });
  });

  const images: [CloudModel, string, () => ProbeResult, PreflightCode | null][] = [
    ['instant-mesh', 'passes at exactly 300x300 and 10 MB', () => image({ w: 300, h: 300, mb: 10 }), null],
    ['instant-mesh', 'smaller than 300x300', () => image({ w: 300, h: 299 }), 'IMAGE_TOO_SMALL'],
    ['instant-mesh', 'more than 10 MB', () => image({ mb: 10.1 }), 'FILE_TOO_LARGE'],
    ['instant-mesh', 'WebP', () => image({ path: '/i/a.webp', codec: 'webp' }), 'WRONG_IMAGE_FORMAT'],
    ['instant-mesh', 'a JPEG named .jpeg passes', () => image({ path: '/i/a.jpeg', codec: 'mjpeg' }), null],
    ['instant-mesh', 'a video instead of an image', () => video(), 'NOT_AN_IMAGE'],
    ['musepose', 'landscape image', () => image({ w: 800, h: 600 }), 'NOT_VERTICAL'],
    ['musepose', 'image of 10 MB is not "less than 10MB"', () => image({ mb: 10 }), 'FILE_TOO_LARGE'],
  ];
  for (const [model, what, input, code] of images) {
    it(`${model} image: ${what}`, () => {
      const r = model === 'musepose' ? buildReport(model, { video: video({ w: 720, h: 1280, seconds: 5, mb: 3 }), image: input() }) : buildReport(model, { image: input() });
      const found = r.problems.filter((p) => p.severity === 'error').map((p) => p.code);
      if (code === null) expect(found).toEqual([]);
      else expect(found).toContain(code);
    });
  }

  it('musepose without an image says it needs one, and how to add it (not that the video needs a new recording)', () => {
    expect(codes('musepose', video({ w: 720, h: 1280, seconds: 5, mb: 3 }), null)).toEqual(['IMAGE_REQUIRED']);
    const p = buildReport('musepose', { video: video({ w: 720, h: 1280, seconds: 5, mb: 3 }), image: null }).problems[0]!;
    expect(p).toMatchObject({ subject: 'image', fixes: [] });
    expect(p.message).toMatch(/import one into the project and choose it/);
    expect(p.message).not.toMatch(/record/i);
  });
  it('a landscape MusePose image is offered a crop to portrait too', () => {
    const r = buildReport('musepose', { video: video({ w: 720, h: 1280, seconds: 5, mb: 3 }), image: image({ w: 800, h: 600 }) });
    expect(r.problems).toMatchObject([{ code: 'NOT_VERTICAL', subject: 'image', fixes: ['crop-portrait'] }]);
    expect(r.fixes).toEqual(['crop-portrait']);
  });
  it('says before the NeRF2Mesh size fix runs what it does and why: a higher bit rate to reach the 50 MiB minimum, no better picture', () => {
    const small = video({ seconds: 30, mb: 20 });
    const p = buildReport('nerf2mesh', { video: small }).problems.find((x) => x.code === 'FILE_TOO_SMALL')!;
    expect(p.message).toMatch(/refuses files under 50 MiB.*re-encodes it at a higher bit rate so that it reaches that size.*does not get better/);
    expect(describeFix('fit-size', CLOUD_LIMITS.nerf2mesh.video, small)).toMatch(/higher, constant bit rate so the file reaches the model's 50 MiB minimum — the server refuses smaller files/);
    expect(describeFix('fit-size', CLOUD_LIMITS.gs3d.video, video({ mb: 400 }))).toMatch(/under the size limit/);
    expect(describeFix('crop-portrait', CLOUD_LIMITS.musepose.video)).toMatch(/centre .* 9:16/);
  });
  it('a codec other than H.264 is a warning with a transcode fix, not a failure', () => {
    const r = buildReport('gs3d', { video: video({ codec: 'hevc' }) });
    expect(r.ok).toBe(true);
    expect(r.problems).toMatchObject([{ code: 'WRONG_CODEC', severity: 'warning', fixes: ['transcode'] }]);
    expect(r.fixes).toEqual(['transcode']);
  });
  it('an unreadable input is a problem, not an exception', () => {
    const r = buildReport('gs3d', { video: new AppError('MEDIA_UNREADABLE', 'ffmpeg cannot read this file.') });
    expect(r).toMatchObject({ ok: false, problems: [{ code: 'UNREADABLE', message: 'ffmpeg cannot read this file.' }] });
  });
  it('lists every applicable fix once, in the order a fix-all applies them', () => {
    const r = buildReport('gs3d', { video: video({ path: '/v/a.mkv', container: 'matroska,webm', seconds: 200, w: 3840, h: 2160, mb: 900, codec: 'vp9' }) });
    expect(r.fixes).toEqual(['trim', 'downscale-fhd', 'transcode', 'fit-size']);
  });
});

describe('fix plans', () => {
  it('fits oriented boxes, keeping aspect and even sizes, never enlarging', () => {
    expect(fitBox(3840, 2160, 'fhd')).toEqual({ width: 1920, height: 1080 });
    expect(fitBox(2160, 3840, 'fhd')).toEqual({ width: 1080, height: 1920 });
    expect(fitBox(3840, 2160, 'hd')).toEqual({ width: 1280, height: 720 });
    expect(fitBox(1280, 720, 'fhd')).toBeNull();
    expect(fitBox(4000, 3000, 'fhd')).toEqual({ width: 1440, height: 1080 });
  });
  it('trims an H.264 MP4 by stream copy, half a second under the limit', () => {
    const p = planVideoFix(video({ seconds: 200 }), CLOUD_LIMITS.gs3d.video!, ['trim'], '/o.mp4');
    expect(p.mode).toBe('copy');
    expect(p.args.slice(p.args.indexOf('-t'), p.args.indexOf('-t') + 2)).toEqual(['-t', '179.500']);
    expect(p.args.indexOf('-t')).toBeLessThan(p.args.indexOf('-i'));
    expect(p.args).toContain('copy');
  });
  it('remuxes H.264 from another container; encodes other codecs', () => {
    expect(planVideoFix(video({ path: '/v/a.mov' }), CLOUD_LIMITS.gs3d.video!, ['transcode'], '/o.mp4').mode).toBe('remux');
    const enc = planVideoFix(video({ codec: 'vp9', path: '/v/a.webm', container: 'matroska,webm' }), CLOUD_LIMITS.gs3d.video!, ['transcode'], '/o.mp4');
    expect(enc.mode).toBe('encode');
    expect(enc.args).toEqual(expect.arrayContaining(['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart']));
  });
  it('computes the bit rate from the output duration: a lower limit gets constant bit rate with filler', () => {
    const p = planVideoFix(video({ seconds: 21, mb: 10 }), CLOUD_LIMITS.nerf2mesh.video!, ['fit-size'], '/o.mp4');
    const expected = ((50 * 1048576 * 1.12 * 8 * 0.98) / 21 - 128_000);
    expect(p.videoBitRate).toBeCloseTo(expected, -3);
    expect(p.args).toEqual(expect.arrayContaining(['-x264-params', 'nal-hrd=cbr:filler=1']));
  });
  it('an upper limit caps the rate (VBV) for the trimmed duration', () => {
    const p = planVideoFix(video({ seconds: 30, mb: 40, w: 720, h: 1280 }), CLOUD_LIMITS.musepose.video!, ['trim', 'fit-size'], '/o.mp4');
    expect(p.outSeconds).toBe(19.5);
    // ≈ 0.85 × 20 MB over 20.5 s (duration + one buffer), minus audio.
    expect(p.videoBitRate! * 19.5 + 128_000 * 19.5).toBeLessThan(20e6 * 8 * 0.85);
    expect(p.args).toEqual(expect.arrayContaining(['-crf', '20', '-maxrate', String(p.videoBitRate)]));
  });
  it('crops landscape to a centred vertical 9:16 (even sizes), then scales what is left; a vertical picture is left alone', () => {
    expect(portraitCrop(1920, 1080)).toEqual({ width: 606, height: 1080 });
    expect(portraitCrop(1000, 1000)).toEqual({ width: 562, height: 1000 });
    expect(portraitCrop(720, 1280)).toBeNull();
    const p = planVideoFix(video({ w: 1280, h: 720, seconds: 10, mb: 5 }), CLOUD_LIMITS.musepose.video!, ['crop-portrait'], '/o.mp4');
    expect(p.mode).toBe('encode');
    expect(p.args.slice(p.args.indexOf('-vf'), p.args.indexOf('-vf') + 2)).toEqual(['-vf', 'crop=404:720']);
    expect(p.size).toEqual({ width: 404, height: 720 });
    const both = planVideoFix(video({ w: 3840, h: 2160, seconds: 10, mb: 5 }), CLOUD_LIMITS.gs3d.video!, ['crop-portrait', 'downscale-fhd'], '/o.mp4');
    expect(both.args[both.args.indexOf('-vf') + 1]).toBe('crop=1214:2160,scale=1080:1920');
    expect(planImageFix(image({ w: 800, h: 600 }), CLOUD_LIMITS.musepose.image!, '/o.jpg', 1, ['crop-portrait'])).toEqual(expect.arrayContaining(['-vf', 'crop=336:600']));
  });
  it('image fix: high-quality JPEG, shrunk on retry but never below the minimum size', () => {
    const args = planImageFix(image({ w: 400, h: 400, mb: 20 }), CLOUD_LIMITS['instant-mesh'].image!, '/o.jpg', 0.5);
    expect(args).toEqual(expect.arrayContaining(['-vf', 'scale=300:300', '-c:v', 'mjpeg', '-q:v', '2']));
  });
});
