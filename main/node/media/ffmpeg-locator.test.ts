import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidates, locateTools, parseVersion, releaseFromLavf } from './ffmpeg-locator';

function fakeTool(dir: string, name: string, versionLine: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\necho "${versionLine}"\necho "libavformat    58. 20.100 / 58. 20.100"\n`);
  fs.chmodSync(file, 0o755);
  return file;
}

describe('ffmpeg locator', () => {
  it('orders candidates: setting, environment, npm package, PATH', () => {
    const c = candidates('ffmpeg', { ffmpegSetting: '/opt/s/ffmpeg', env: { KRAKEN_FFMPEG: '/opt/e/ffmpeg', PATH: '/usr/bin' } });
    expect(c.map((x) => x.source)).toEqual(['setting', 'env', 'bundled', 'path']);
    expect(c[0]!.path).toBe('/opt/s/ffmpeg');
    expect(c.at(-1)!.path).toBe(path.join('/usr/bin', 'ffmpeg'));
  });

  it('reads release numbers, and derives them for git builds from libavformat', () => {
    expect(parseVersion('5.1.9-0+deb12u1')).toEqual([5, 1]);
    expect(parseVersion('n6.1.1')).toEqual([6, 1]);
    expect(parseVersion('N-47683-g0e8eb07980-static (~4.1)')).toEqual([4, 1]);
    expect(parseVersion('N-47683-g0e8eb07980-static')).toBeNull();
    expect(releaseFromLavf(59, 27)).toBe('5.1');
    expect(releaseFromLavf(58, 24)).toBe('4.1');
  });

  it('uses the environment variable when set, and reports its version and source', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-tools-'));
    const ffmpeg = fakeTool(dir, 'ffmpeg', 'ffmpeg version 6.1.1 Copyright');
    const ffprobe = fakeTool(dir, 'ffprobe', 'ffprobe version 6.1.1 Copyright');
    const r = await locateTools({ env: { KRAKEN_FFMPEG: ffmpeg, KRAKEN_FFPROBE: ffprobe, PATH: '' } });
    expect(r.problem).toBeNull();
    expect(r.tools!.ffmpeg).toEqual({ path: ffmpeg, version: '6.1.1', source: 'env' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('skips a too-old ffmpeg and says what to do when none is usable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-tools-'));
    const old = fakeTool(dir, 'ffmpeg', 'ffmpeg version 3.4.8 Copyright');
    const r = await locateTools({ env: { KRAKEN_FFMPEG: old, KRAKEN_FFPROBE: old, PATH: '' }, useBundled: false });
    expect(r.tools).toBeNull();
    expect(r.problem).toMatch(/ffmpeg and ffprobe not found/);
    expect(r.problem).toMatch(/older than 4\.1/);
    expect(r.problem).toMatch(/apt-get install ffmpeg/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('bundled or system', () => {
  it('takes the newer of the npm-bundled build and the one on PATH', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-tools-'));
    fakeTool(dir, 'ffmpeg', 'ffmpeg version 7.1 Copyright');
    fakeTool(dir, 'ffprobe', 'ffprobe version 7.1 Copyright');
    const r = await locateTools({ env: { PATH: dir } });
    expect(r.tools!.ffmpeg).toEqual({ path: path.join(dir, 'ffmpeg'), version: '7.1', source: 'path' });
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it('keeps the bundled build when the system one is older', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-tools-'));
    fakeTool(dir, 'ffmpeg', 'ffmpeg version 4.1 Copyright');
    fakeTool(dir, 'ffprobe', 'ffprobe version 4.1 Copyright');
    const r = await locateTools({ env: { PATH: dir } });
    expect(r.tools!.ffmpeg.source).toBe('bundled');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
