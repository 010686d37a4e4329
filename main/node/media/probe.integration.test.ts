/** Probe on real generated media: codecs, containers, measured frame timing, key frames, odd and huge files. */
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from '../../../test-support/media-fixtures';
import { probeFile } from './probe';
import { ToolBox } from './tool-box';

let ffprobe = '';
beforeAll(async () => {
  ffprobe = (await new ToolBox(() => ({ ffmpegPath: null, ffprobePath: null })).require()).ffprobe.path;
  for (const f of [fixtures.vfr, fixtures.vp9Webm, fixtures.uhd4k, fixtures.h264_1080p20s, fixtures.huge, fixtures.hugeZeros, fixtures.heicHeader]) f();
}, 240_000);

describe('probe on real files', () => {
  it('measures variable frame rate from packet timestamps (30 → 10 → 30 fps)', async () => {
    const p = await probeFile(ffprobe, fixtures.vfr());
    expect(p.video.variableFrameRate).toBe(true);
    expect(p.video.frameRateEvidence).toBe('packets');
    expect(p.video.frameCount).toBe(110);
    expect(p.durationSeconds).toBeCloseTo(4.97, 1);
  });

  it('reports a constant-rate H.264 clip as constant, with profile, level, bit rate and key-frame interval', async () => {
    const p = await probeFile(ffprobe, fixtures.h264_1080p20s());
    expect(p.video).toMatchObject({ codec: 'h264', variableFrameRate: false, frameRateEvidence: 'packets', displayWidth: 1920, displayHeight: 1080 });
    expect(p.video.profile).toBeTruthy();
    expect(p.video.level).toBeGreaterThan(0);
    expect(p.bitRate).toBeGreaterThan(1_000_000);
    // libx264's default GOP is 250 frames: the 10 s sample holds key frames at 0 and 8.33 s.
    expect(p.video.keyframeIntervalSeconds).toBeCloseTo(250 / 30, 2);
    expect(p.video.keyframeIntervalFrames).toBe(250);
  });

  it('reads VP9 in WebM: codec, container, a key frame every second', async () => {
    const p = await probeFile(ffprobe, fixtures.vp9Webm());
    expect(p.container).toMatch(/webm/);
    expect(p.video.codec).toBe('vp9');
    expect(p.audio).toBeNull();
    expect(p.video.keyframeIntervalSeconds).toBeCloseTo(1, 1);
    expect(p.video.variableFrameRate).toBe(false);
  });

  it('reads 4K', async () => {
    const p = await probeFile(ffprobe, fixtures.uhd4k());
    expect([p.video.displayWidth, p.video.displayHeight]).toEqual([3840, 2160]);
  });

  it('probes a 5 GB file without reading it: the header is enough', async () => {
    const p = await probeFile(ffprobe, fixtures.huge());
    expect(p.sizeBytes).toBe(5 * 1024 ** 3);
    expect(p.durationSeconds).toBeCloseTo(2, 1);
  });

  it('fails clearly on 5 GB of zeros', async () => {
    await expect(probeFile(ffprobe, fixtures.hugeZeros())).rejects.toMatchObject({ code: 'MEDIA_UNREADABLE', message: expect.stringMatching(/cannot read/) });
  });

  it('says what to do with a HEIC photo this ffmpeg cannot decode', async () => {
    await expect(probeFile(ffprobe, fixtures.heicHeader())).rejects.toMatchObject({ code: 'MEDIA_UNREADABLE', message: expect.stringMatching(/HEIC.*ffmpeg 7\.1.*JPEG or PNG/) });
  });

  it('opens an AVIF photo as an image', async () => {
    const p = await probeFile(ffprobe, fixtures.avif());
    expect(p).toMatchObject({ kind: 'image', durationSeconds: null, video: { codec: 'av1', width: 320, height: 240 } });
  });

  it('skips the packet sample when asked (extraction does not need it)', async () => {
    const p = await probeFile(ffprobe, fixtures.vfr(), { sample: false });
    expect(p.video.frameRateEvidence).toBe('header');
    expect(p.video.keyframeIntervalSeconds).toBeNull();
  });
});
