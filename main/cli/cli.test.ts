/** The `kraken` command as a user runs it: the compiled CLI in a child process on real files. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from '../../test-support/media-fixtures';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'kraken.cjs');
const source = path.join(root, 'main', 'cli', 'index.ts');
const built = fs.existsSync(path.join(root, 'dist', 'main', 'cli', 'index.js'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-'));

function kraken(...args: string[]) {
  // The source entry through tsx: the same code the compiled bin runs, without depending on a fresh build.
  const r = spawnSync(process.execPath, ['--import', 'tsx', source, ...args], { encoding: 'utf8', timeout: 120_000, cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  fixtures.h264_1080p20s();
}, 240_000);
afterAll(() => {
  try {
    execFileSync('chmod', ['-R', 'u+w', work]);
  } catch {
    // nothing read-only left
  }
  fs.rmSync(work, { recursive: true, force: true });
});

describe('kraken extract', () => {
  it('writes exactly 40 frames for a 20 s 1080p30 H.264 clip at 2 fps', () => {
    const out = path.join(work, 'forty');
    const r = kraken('extract', fixtures.h264_1080p20s(), '--out', out, '--fps', '2', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { frameCount: number; frames: { file: string; timestampSeconds: number }[] };
    expect(report.frameCount).toBe(40);
    const files = fs.readdirSync(out).sort();
    expect(files).toHaveLength(40);
    expect(files[0]).toBe('000001.jpg');
    expect(files[39]).toBe('000040.jpg');
    expect(report.frames[39]).toEqual({ file: '000040.jpg', timestampSeconds: 19.5 });
  });

  it('handles a path with spaces and Korean characters', () => {
    const out = path.join(work, '출력 폴더');
    const r = kraken('extract', fixtures.unicodePath(), '--out', out, '--fps', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 frames written/);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.jpg'))).toHaveLength(2);
  });

  const bad: [string, () => string, RegExp][] = [
    ['an empty file', () => fixtures.empty(), /empty/],
    ['a truncated MP4', () => fixtures.truncated(), /damaged|truncated/],
    ['a text file named .mp4', () => fixtures.textAsMp4(), /cannot read/],
    ['an audio-only file', () => fixtures.audioOnly(), /audio only/],
    ['a missing file', () => path.join(work, 'nope.mp4'), /not found/],
  ];
  for (const [what, file, message] of bad) {
    it(`fails on ${what} with one clear line and no stack trace, writing nothing`, () => {
      const out = path.join(work, `bad-${what.replace(/\W+/g, '-')}`);
      const r = kraken('extract', file(), '--out', out, '--fps', '2');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(out) ? fs.readdirSync(out).filter((f) => !f.startsWith('.')) : []).toEqual([]);
    });
  }

  it('fails on a read-only output folder with one clear line', () => {
    const ro = path.join(work, 'read-only');
    fs.mkdirSync(ro);
    // As root permissions are not enforced, a regular file stands where the output folder must be created.
    const out = process.getuid?.() === 0 ? path.join(ro, 'file-not-folder', 'out') : path.join(ro, 'out');
    if (process.getuid?.() === 0) fs.writeFileSync(path.join(ro, 'file-not-folder'), 'x');
    else fs.chmodSync(ro, 0o555);
    const r = kraken('extract', fixtures.h264(4), '--out', out, '--fps', '2');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/IO_ERROR|read-only|denied|File system error/);
  });

  it('rejects bad options with usage and exit code 2', () => {
    const r = kraken('extract', fixtures.h264(4), '--out', path.join(work, 'x'), '--fps', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fps/);
    expect(kraken('frobnicate').code).toBe(2);
  });
});

describe('the installed `kraken` bin', () => {
  it.skipIf(!built)('runs the compiled CLI (skipped when dist/ is not built: run `npm run build`)', () => {
    const r = spawnSync(process.execPath, [bin, 'probe', fixtures.h264(4), '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'video', video: { codec: 'h264' } });
  });
});

describe('kraken probe', () => {
  it('prints JSON with display size and frame rate', () => {
    const r = kraken('probe', fixtures.hevcRotated(), '--json');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as { video: { displayWidth: number; displayHeight: number; codec: string } };
    expect(p.video).toMatchObject({ codec: 'hevc', displayWidth: 360, displayHeight: 640 });
  });
  it('prints a readable summary', () => {
    const r = kraken('probe', fixtures.h264(4));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/picture\s+640x360/);
    expect(r.stdout).toMatch(/frame rate\s+30\.000 fps/);
  });
});

describe('kraken extract modes', () => {
  const json = (r: { stdout: string }) => JSON.parse(r.stdout) as { frameCount: number; size: { width: number; height: number }; frames: { file: string; timestampSeconds: number; sharpness?: number }[]; report: { dropBlurry: { dropped: unknown[] } | null } };

  it('--count 100 writes exactly 100 frames with their source times; --manifest writes frames.csv', () => {
    const out = path.join(work, 'count');
    const r = kraken('extract', fixtures.h264_1080p20s(), '--out', out, '--count', '100', '--max-side', '480', '--json', '--manifest');
    expect(r.code).toBe(0);
    const report = json(r);
    expect(report.frameCount).toBe(100);
    expect(report.size).toEqual({ width: 480, height: 270 });
    expect(report.frames[0]!.timestampSeconds).toBe(0);
    expect(report.frames[99]!.timestampSeconds).toBeCloseTo(599 / 30, 4);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.jpg'))).toHaveLength(100);
    const csv = fs.readFileSync(path.join(out, 'frames.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('file,timestamp_s,width,height,sharpness');
    expect(csv).toHaveLength(101);
    expect(fs.existsSync(path.join(out, '.kraken-partial'))).toBe(false);
  });

  it('--every, --keyframes, --scene, --fps with a range and webp/png output', () => {
    const every = json(kraken('extract', fixtures.vfr(), '--out', path.join(work, 'every'), '--every', '10', '--json'));
    expect(every.frameCount).toBe(11);
    const keys = json(kraken('extract', fixtures.h264_1080p20s(), '--out', path.join(work, 'keys'), '--keyframes', '--format', 'png', '--json'));
    expect(keys.frames.map((f) => f.timestampSeconds.toFixed(3))).toEqual(['0.000', '8.333', '16.667']);
    const scene = json(kraken('extract', fixtures.sceneCut(), '--out', path.join(work, 'scene'), '--scene', '0.3', '--format', 'webp', '--json'));
    expect(scene.frames.map((f) => f.timestampSeconds)).toEqual([0, 2]);
    expect(fs.readdirSync(path.join(work, 'scene')).sort()).toEqual(['000001.webp', '000002.webp']);
    const ranged = json(kraken('extract', fixtures.vfr(), '--out', path.join(work, 'ranged'), '--fps', '4', '--start', '1.9', '--end', '3', '--json'));
    expect(ranged.frames.map((f) => f.timestampSeconds.toFixed(3))).toEqual(['1.900', '2.200', '2.400', '2.700', '2.900']);
  });

  it('--drop-blurry reports scores and what it dropped', () => {
    const r = json(kraken('extract', fixtures.blurEveryThird(), '--out', path.join(work, 'blurry'), '--count', '10', '--drop-blurry', '--json'));
    expect(r.frameCount).toBe(10);
    expect(r.frames.every((f) => typeof f.sharpness === 'number' && f.sharpness > 0)).toBe(true);
    expect(r.report.dropBlurry!.dropped).toHaveLength(40);
    const text = kraken('extract', fixtures.blurEveryThird(), '--out', path.join(work, 'blurry-text'), '--count', '10', '--drop-blurry');
    expect(text.stdout).toMatch(/10 frames written .* \(40 blurrier candidates dropped\)/);
  });

  it('needs exactly one mode, a sensible count and range', () => {
    expect(kraken('extract', fixtures.h264(4), '--out', path.join(work, 'none')).stderr).toMatch(/exactly one mode/);
    expect(kraken('extract', fixtures.h264(4), '--out', path.join(work, 'two'), '--fps', '2', '--keyframes').code).toBe(2);
    const many = kraken('extract', fixtures.h264(4), '--out', path.join(work, 'many'), '--count', '500');
    expect(many.code).toBe(1);
    expect(many.stderr).toMatch(/only 120 frames; ask for at most 120/);
    const range = kraken('extract', fixtures.h264(4), '--out', path.join(work, 'range'), '--fps', '1', '--start', '3', '--end', '2');
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/end must be after start/);
    expect(kraken('extract', fixtures.h264(4), '--out', path.join(work, 'past'), '--fps', '1', '--start', '9').stderr).toMatch(/past the end/);
    expect(kraken('extract', '--help').stdout).toMatch(/--count N\s+exactly N frames/);
  });
});

describe('kraken preflight', () => {
  it('exits 0 when the input passes and 3 when it does not, naming each problem and its fix', () => {
    const ok = kraken('preflight', fixtures.verticalSmall(), '--model', 'musepose', '--image', fixtures.png('480x640'));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^musepose: passes/);
    const bad = kraken('preflight', fixtures.uhd4k(), '--model', 'gs3d', '--fast');
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/x RESOLUTION_TOO_HIGH: The picture is 3840x2160; .* \[fix: downscale-fhd or downscale-hd\]/);
    expect(bad.stderr).toBe('');
  });

  it('--json gives the report, with the capture-quality hint for 3D models', () => {
    const r = kraken('preflight', fixtures.blurry(), '--model', 'gs3d', '--json');
    const report = JSON.parse(r.stdout) as { ok: boolean; quality: { level: string; blurryShare: number } };
    expect(report.ok).toBe(true);
    expect(report.quality).toMatchObject({ level: 'poor', blurryShare: 1 });
  });

  it('--fix writes a new file beside the input that then passes, and leaves the original alone', () => {
    const dir = path.join(work, 'fix me');
    fs.mkdirSync(dir);
    const src = path.join(dir, '원본 clip.webm');
    fs.copyFileSync(fixtures.vp9Webm(), src);
    const r = kraken('preflight', src, '--model', 'gs3d', '--fast', '--fix');
    expect(r.code).toBe(0);
    const out = path.join(dir, '원본 clip.gs3d-fixed.mp4');
    expect(r.stdout).toContain(`applied transcode → ${out}`);
    expect(kraken('preflight', out, '--model', 'gs3d', '--fast').code).toBe(0);
    expect(fs.readFileSync(src).equals(fs.readFileSync(fixtures.vp9Webm()))).toBe(true);
  });

  it('rejects a missing or unknown model with usage', () => {
    expect(kraken('preflight', fixtures.h264(4)).code).toBe(2);
    const r = kraken('preflight', fixtures.h264(4), '--model', 'sora');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nerf2mesh\|gs3d\|instant-mesh\|musepose\|decal/);
  });
});
