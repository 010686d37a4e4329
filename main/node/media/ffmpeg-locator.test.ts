import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { candidates, checkToolBinary, locateTools, parseVersion, releaseFromLavf } from './ffmpeg-locator';

const bundledFfmpeg = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const bundledFfprobe = (require('@ffprobe-installer/ffprobe') as { path: string }).path;

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

  it('uses the environment variable when set (a real ffmpeg), and reports its version and source', async () => {
    const r = await locateTools({ env: { KRAKEN_FFMPEG: bundledFfmpeg, KRAKEN_FFPROBE: bundledFfprobe, PATH: '' }, useBundled: false });
    expect(r.problem).toBeNull();
    expect(r.notes).toEqual([]);
    expect(r.tools!.ffmpeg).toMatchObject({ path: bundledFfmpeg, source: 'env' });
    expect(r.tools!.ffmpeg.version).toMatch(/^N-\d+/);
  });

  it('skips a too-old ffmpeg and says what to do when none is usable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-tools-'));
    fakeTool(dir, 'ffmpeg', 'ffmpeg version 3.4.8 Copyright');
    fakeTool(dir, 'ffprobe', 'ffprobe version 3.4.8 Copyright');
    const r = await locateTools({ env: { PATH: dir }, useBundled: false });
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

describe('a configured tool is checked before it runs (issue 9, finding 3)', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-check-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A script that would leave a marker if it ever ran, and claims to be ffmpeg. */
  function evilScript(dir: string): { file: string; marker: string } {
    const marker = path.join(dir, 'ran');
    const file = path.join(dir, 'evil.sh');
    fs.writeFileSync(file, `#!/bin/sh\ntouch "${marker}"\necho "ffmpeg version 6.1 Copyright"\n`);
    fs.chmodSync(file, 0o755);
    return { file, marker };
  }

  it('refuses a script without running it, as a setting or through KRAKEN_FFMPEG, and says so', async () => {
    const dir = tmp();
    const { file, marker } = evilScript(dir);
    expect(await checkToolBinary(file, 'ffmpeg')).toEqual({ ok: false, reason: expect.stringMatching(/is a script.*not run/) });
    const viaSetting = await locateTools({ ffmpegSetting: file, ffprobeSetting: file, env: { PATH: '' } });
    const viaEnv = await locateTools({ env: { KRAKEN_FFMPEG: file, KRAKEN_FFPROBE: file, PATH: '' } });
    expect(fs.existsSync(marker)).toBe(false);
    // The bundled tools are used instead, and the refusal is reported.
    expect(viaSetting.tools?.ffmpeg.source).toBe('bundled');
    expect(viaSetting.notes.join(' ')).toMatch(/configured ffmpeg was not used: .*evil\.sh is a script/);
    expect(viaEnv.notes.join(' ')).toMatch(/KRAKEN_FFMPEG: ffmpeg was not used/);
  });

  it('refuses what is not a compiled program, not executable, not a file, relative, or missing', async () => {
    const dir = tmp();
    const text = path.join(dir, 'ffmpeg');
    fs.writeFileSync(text, 'ffmpeg version 6.1\n');
    fs.chmodSync(text, 0o755);
    expect(await checkToolBinary(text, 'ffmpeg')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a compiled program/) });
    const copy = path.join(dir, 'ffmpeg-copy');
    fs.copyFileSync(bundledFfmpeg, copy);
    fs.chmodSync(copy, 0o644);
    if (process.platform !== 'win32') expect(await checkToolBinary(copy, 'ffmpeg')).toMatchObject({ ok: false, reason: expect.stringMatching(/not executable/) });
    expect(await checkToolBinary(dir, 'ffmpeg')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a file/) });
    expect(await checkToolBinary('ffmpeg', 'ffmpeg')).toMatchObject({ ok: false, reason: expect.stringMatching(/not an absolute path/) });
    expect(await checkToolBinary(path.join(dir, 'nope'), 'ffmpeg')).toMatchObject({ ok: false, reason: expect.stringMatching(/does not exist/) });
  });

  it('accepts a real ffmpeg as ffmpeg (also through a link), but not as ffprobe, nor another compiled program', async () => {
    expect(await checkToolBinary(bundledFfmpeg, 'ffmpeg')).toMatchObject({ ok: true, path: bundledFfmpeg });
    expect(await checkToolBinary(bundledFfprobe, 'ffprobe')).toMatchObject({ ok: true });
    const dir = tmp();
    const link = path.join(dir, 'ffmpeg');
    fs.symlinkSync(bundledFfmpeg, link);
    expect(await checkToolBinary(link, 'ffmpeg')).toMatchObject({ ok: true, path: link });
    expect(await checkToolBinary(bundledFfmpeg, 'ffprobe')).toMatchObject({ ok: false, reason: expect.stringMatching(/does not answer -version as ffprobe/) });
    // A compiled program that is not ffmpeg: /bin/true prints nothing.
    if (fs.existsSync('/bin/true')) expect(await checkToolBinary('/bin/true', 'ffmpeg')).toMatchObject({ ok: false });
  });
});
