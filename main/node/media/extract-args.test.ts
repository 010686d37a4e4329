import { describe, expect, it } from 'vitest';
import type { ExtractParams } from '../../common/contract';
import { buildExtractArgs, expectedFrameCount, frameFileName, frameTimestamp, qualityArgs, resumePoint } from './extract-args';

const fps2: ExtractParams = { mode: { kind: 'fps', fps: 2 }, format: 'jpg', quality: 90 };

describe('buildExtractArgs', () => {
  it('builds an argument array with machine-readable progress, the fps filter and the output pattern', () => {
    const args = buildExtractArgs({ input: '/in dir/비디오.mp4', outDir: '/out', params: fps2, ffmpegMajorMinor: [5, 1] });
    expect(args).toContain('-nostdin');
    expect(args.slice(args.indexOf('-progress'), args.indexOf('-progress') + 2)).toEqual(['-progress', 'pipe:1']);
    expect(args[args.indexOf('-i') + 1]).toBe('/in dir/비디오.mp4');
    expect(args[args.indexOf('-vf') + 1]).toBe('fps=2:round=up');
    expect(args).toContain('-fps_mode');
    expect(args.at(-1)).toBe('/out/%06d.jpg');
    expect(args).not.toContain('-ss');
  });
  it('uses -vsync on ffmpeg older than 5.1', () => {
    const args = buildExtractArgs({ input: 'a', outDir: 'o', params: fps2, ffmpegMajorMinor: [4, 1] });
    expect(args).toContain('-vsync');
    expect(args).not.toContain('-fps_mode');
  });
  it('seeks and renumbers when resuming', () => {
    const rp = resumePoint(fps2, 12)!;
    expect(rp).toEqual({ startNumber: 13, seekSeconds: 6 });
    const args = buildExtractArgs({ input: 'a', outDir: 'o', params: fps2, ffmpegMajorMinor: [5, 1], ...rp });
    expect(args[args.indexOf('-ss') + 1]).toBe('6.000000');
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
    expect(args[args.indexOf('-start_number') + 1]).toBe('13');
  });
});

describe('helpers', () => {
  it('maps quality onto each encoder', () => {
    expect(qualityArgs('jpg', 100)).toEqual(['-q:v', '2']);
    expect(qualityArgs('jpg', 1)).toEqual(['-q:v', '31']);
    expect(qualityArgs('webp', 75)).toEqual(['-c:v', 'libwebp', '-quality', '75']);
    expect(qualityArgs('png', 100)).toEqual(['-compression_level', '9']);
  });
  it('names, times and counts frames', () => {
    expect(frameFileName(7, 'png')).toBe('000007.png');
    expect(frameTimestamp(fps2, 1)).toBe(0);
    expect(frameTimestamp(fps2, 41)).toBe(20);
    expect(expectedFrameCount(fps2, { durationSeconds: 20 })).toBe(40);
    expect(expectedFrameCount(fps2, { durationSeconds: null })).toBeNull();
  });
});
