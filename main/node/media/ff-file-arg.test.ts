/** Every argument builder hands ffmpeg absolute file paths, so a name like "-report" or "concat:x" is never parsed as an option or protocol. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../common/contract';
import { CLOUD_LIMITS } from './cloud-limits';
import { buildExtractPlan } from './extract-args';
import { ffFileArg } from './ff-file-arg';
import { planImageFix, planVideoFix } from './fix-plan';

function probe(p: string, kind: 'video' | 'image' = 'video'): ProbeResult {
  const v = { codec: 'vp9', profile: null, width: 640, height: 360, displayWidth: 640, displayHeight: 360, rotation: 0, fps: 30, realFps: 30, variableFrameRate: false, pixelFormat: 'yuv420p', bitRate: null, frameCount: null, level: null, keyframeIntervalSeconds: null, keyframeIntervalFrames: null, frameRateEvidence: 'header' };
  return { path: p, kind, container: 'matroska,webm', sizeBytes: 1000, durationSeconds: kind === 'video' ? 10 : null, bitRate: null, video: v, audio: null } as unknown as ProbeResult;
}

const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('ffFileArg', () => {
  it('makes relative names absolute and leaves absolute ones alone', () => {
    expect(ffFileArg('-report')).toBe(path.join(process.cwd(), '-report'));
    expect(ffFileArg('concat:a|b')).toBe(path.join(process.cwd(), 'concat:a|b'));
    expect(ffFileArg('/in dir/비디오.mp4')).toBe(path.resolve('/in dir/비디오.mp4'));
  });

  it('is used for the input, the output pattern and the filter script of an extraction', () => {
    const plan = buildExtractPlan({
      input: '-report',
      outDir: '-i',
      params: { mode: { kind: 'count', count: 500 }, format: 'jpg', quality: 90 },
      ffmpegMajorMinor: [5, 1],
      countTimes: Array.from({ length: 500 }, (_, i) => i / 30),
      countTolerance: 0.01,
      filterScriptPath: '-f.txt',
    });
    expect(after(plan.args, '-i')).toBe(path.resolve('-report'));
    expect(after(plan.args, '-filter_script:v')).toBe(path.resolve('-f.txt'));
    expect(plan.args.at(-1)).toBe(`${path.resolve('-i')}/%06d.jpg`);
  });

  it('is used for the input and the output of a fix', () => {
    const v = planVideoFix(probe('-in.webm'), CLOUD_LIMITS.gs3d.video!, ['transcode'], '-out.mp4');
    expect(after(v.args, '-i')).toBe(path.resolve('-in.webm'));
    expect(v.args.at(-1)).toBe(path.resolve('-out.mp4'));
    const img = planImageFix(probe('-in.png', 'image'), CLOUD_LIMITS['instant-mesh'].image!, '-out.jpg');
    expect(after(img, '-i')).toBe(path.resolve('-in.png'));
    expect(img.at(-1)).toBe(path.resolve('-out.jpg'));
  });
});
