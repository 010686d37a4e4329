import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExtractParams } from '../../common/contract';
import {
  buildExtractArgs,
  buildExtractPlan,
  chooseSpread,
  countTolerance,
  expectedFrameCount,
  fpsSelect,
  frameFileName,
  frameTimestamp,
  MAX_INLINE_FILTER,
  qualityArgs,
  resumePoint,
  timesSelect,
} from './extract-args';

const fps2: ExtractParams = { mode: { kind: 'fps', fps: 2 }, format: 'jpg', quality: 90 };

describe('buildExtractArgs', () => {
  it('builds an argument array with machine-readable progress, a frame-picking select, showinfo and the output pattern', () => {
    const args = buildExtractArgs({ input: '/in dir/비디오.mp4', outDir: '/out', params: fps2, ffmpegMajorMinor: [5, 1] });
    expect(args).toContain('-nostdin');
    expect(args.slice(args.indexOf('-progress'), args.indexOf('-progress') + 2)).toEqual(['-progress', 'pipe:1']);
    expect(args[args.indexOf('-i') + 1]).toBe('/in dir/비디오.mp4');
    // Real source frames are picked by select (the fps filter would duplicate frames and invent their times on VFR video).
    expect(args[args.indexOf('-vf') + 1]).toMatch(/^select='.*',showinfo=checksum=0$/);
    expect(args.slice(args.indexOf('-copyts'), args.indexOf('-copyts') + 2)).toEqual(['-copyts', '-start_at_zero']);
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

describe('modes', () => {
  const base = { format: 'jpg' as const, quality: 90 };
  const vf = (params: ExtractParams, extra: Partial<Parameters<typeof buildExtractArgs>[0]> = {}) => {
    const args = buildExtractArgs({ input: 'in.mp4', outDir: 'o', params, ffmpegMajorMinor: [5, 1], ...extra });
    return { args, vf: args[args.indexOf('-vf') + 1]! };
  };
  it('every N selects by decoded-frame number; on resume counts from the kept frame', () => {
    expect(vf({ ...base, mode: { kind: 'every', n: 7 } }).vf).toBe("select='not(mod(n,7))',showinfo=checksum=0");
    const rp = resumePoint({ ...base, mode: { kind: 'every', n: 7 } }, 3, 2.5)!;
    expect(rp).toEqual({ startNumber: 4, seekSeconds: 2.5, lastTimestamp: 2.5 });
    const r = vf({ ...base, mode: { kind: 'every', n: 7 } }, rp);
    expect(r.vf).toBe("select='gt(n,0)*not(mod(n,7))',showinfo=checksum=0");
    expect(r.args[r.args.indexOf('-ss') + 1]).toBe('2.500000');
  });
  it('every N cannot resume without the time of the last frame', () => {
    expect(resumePoint({ ...base, mode: { kind: 'every', n: 7 } }, 3, null)).toBeNull();
  });
  it('key frames skip everything else in the decoder (an input option, before -i)', () => {
    const { args, vf: f } = vf({ ...base, mode: { kind: 'keyframes' } });
    expect(args.indexOf('-skip_frame')).toBeLessThan(args.indexOf('-i'));
    expect(args[args.indexOf('-skip_frame') + 1]).toBe('nokey');
    // Decoders that ignore skip_frame (VP9) still only pass key pictures.
    expect(f).toBe("select='gt(key+eq(pict_type,I),0)',showinfo=checksum=0");
    expect(vf({ ...base, mode: { kind: 'keyframes' } }, { lastTimestamp: 8.333333 }).vf).toBe("select='gt(t,8.333343)*gt(key+eq(pict_type,I),0)',showinfo=checksum=0");
  });
  it('scene keeps the first frame and each cut; a resumed run skips the kept frame', () => {
    expect(vf({ ...base, mode: { kind: 'scene', threshold: 0.3 } }).vf).toBe("select='eq(n,0)+gt(scene,0.3)',showinfo=checksum=0");
    expect(vf({ ...base, mode: { kind: 'scene', threshold: 0.3 } }, { lastTimestamp: 2 }).vf).toBe("select='gt(t,2.00001)*gt(scene,0.3)',showinfo=checksum=0");
  });
  it('range, downscale and old showinfo', () => {
    const { args, vf: f } = vf({ ...base, mode: { kind: 'fps', fps: 1 }, start: 5, end: 9, maxSide: 640 });
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 4)).toEqual(['-ss', '5.000000', '-t', '4.000000']);
    expect(f).toContain("scale='if(gte(iw,ih),min(iw,640),-2)':'if(gte(iw,ih),-2,min(ih,640))'");
    expect(f.indexOf('select')).toBeLessThan(f.indexOf('scale'));
    const old = buildExtractArgs({ input: 'a', outDir: 'o', params: { ...base, mode: { kind: 'fps', fps: 1 } }, ffmpegMajorMinor: [4, 1], legacyShowinfo: true });
    expect(old[old.indexOf('-vf') + 1]).toMatch(/,showinfo$/);
  });
  it('fps resume after a VFR gap continues at the tick after the last kept frame', () => {
    // Kept frame at 3.95 s answered tick 7 (3.5 s) at 2 fps; the next tick is 8 (4.0 s).
    const rp = resumePoint({ ...base, mode: { kind: 'fps', fps: 2 } }, 5, 3.95)!;
    expect(rp.tick).toBe(8);
    expect(rp.seekSeconds).toBeCloseTo(4 - 0.0005, 6);
    expect(vf({ ...base, mode: { kind: 'fps', fps: 2 } }, rp).vf).toContain('ld(0)+8');
  });
  it('long count lists go to a filter script', () => {
    const times = Array.from({ length: 500 }, (_, i) => i / 30);
    const plan = buildExtractPlan({ input: 'a', outDir: 'o', params: { ...base, mode: { kind: 'count', count: 500 } }, ffmpegMajorMinor: [5, 1], countTimes: times, countTolerance: 0.01, filterScriptPath: 'o/.filter.txt' });
    expect(plan.scriptPath).toBe('o/.filter.txt');
    expect(plan.args.slice(plan.args.indexOf('-filter_script:v'), plan.args.indexOf('-filter_script:v') + 2)).toEqual(['-filter_script:v', path.resolve('o/.filter.txt')]);
    expect(plan.args).not.toContain('-vf');
    expect(plan.filter.length).toBeGreaterThan(MAX_INLINE_FILTER);
  });
});

describe('count mode picks', () => {
  it('chooses exactly n distinct frames spread evenly in time, first and last included', () => {
    const times = Array.from({ length: 600 }, (_, i) => i / 30);
    const picks = chooseSpread(times, 100);
    expect(picks).toHaveLength(100);
    expect(new Set(picks).size).toBe(100);
    expect(picks[0]).toBe(0);
    expect(picks.at(-1)).toBe(599);
    const gaps = picks.slice(1).map((p, i) => times[p]! - times[picks[i]!]!);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1 / 30 + 1e-9);
  });
  it('stays exact when frames are sparse (VFR gaps) and when n equals the frame count', () => {
    const times = [0, 0.1, 0.2, 3, 3.1, 3.2, 6];
    for (let n = 1; n <= times.length; n++) {
      const p = chooseSpread(times, n);
      expect(p).toHaveLength(n);
      expect(new Set(p).size).toBe(n);
      expect([...p].sort((a, b) => a - b)).toEqual(p);
    }
  });
  it('matches chosen times with a binary-tree expression; tolerance stays under a third of the spacing', () => {
    const times = [0, 1, 2, 3];
    expect(timesSelect(times, 0.01)).toBe('if(lt(t,1.5),if(lt(t,0.5),between(t,-0.01,0.01),between(t,0.99,1.01)),if(lt(t,2.5),between(t,1.99,2.01),between(t,2.99,3.01)))');
    const all = Array.from({ length: 600 }, (_, i) => i / 30);
    expect(countTolerance(all, [0, 10])).toBeCloseTo(0.002, 6);
    expect(countTolerance(Array.from({ length: 10 }, (_, i) => i / 1000), [3])).toBeCloseTo(1 / 3000, 6);
  });
  it('fps select walks ticks with ld/st so gaps skip ticks instead of duplicating frames', () => {
    expect(fpsSelect(2, 0, 0)).toBe('if(gte((t-0)*2+0.001,ld(0)),while(gte((t-0)*2+0.001,ld(0)),st(0,ld(0)+1)))');
    expect(fpsSelect(2, 1.5, 4)).toContain('ld(0)+4');
  });
  it('counts what a run should write', () => {
    expect(expectedFrameCount({ mode: { kind: 'count', count: 100 }, format: 'jpg', quality: 90 }, { durationSeconds: null })).toBe(100);
    expect(expectedFrameCount({ mode: { kind: 'fps', fps: 60 }, format: 'jpg', quality: 90 }, { durationSeconds: 20, video: { fps: 30 } })).toBe(600);
    expect(expectedFrameCount({ mode: { kind: 'every', n: 7 }, format: 'jpg', quality: 90, start: 10 }, { durationSeconds: 20, video: { fps: 30 } })).toBe(43);
    expect(expectedFrameCount({ mode: { kind: 'scene', threshold: 0.3 }, format: 'jpg', quality: 90 }, { durationSeconds: 20 })).toBeNull();
  });
});
