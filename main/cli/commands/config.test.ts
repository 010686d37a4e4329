/** `kraken config`: the CLI way to choose ffmpeg/ffprobe for the studio, with the same check as the file picker. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { UsageError } from '../cli-io';
import { runConfig } from './config';

const bundledFfmpeg = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function kraken(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let code: number;
  // As runCli answers: usage errors exit 2, others 1, each one line with its code.
  try {
    code = await runConfig(argv.slice(1), { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false, signal: new AbortController().signal, env: { ...process.env, KRAKEN_FFMPEG: '', KRAKEN_FFPROBE: '' } });
  } catch (e) {
    const a = AppError.from(e);
    err.push(`kraken config: ${a.message} [${a.code}]`);
    code = e instanceof UsageError ? 2 : 1;
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('kraken config', () => {
  it('sets a real ffmpeg, shows it, refuses a script without running it, and unsets', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-config-'));
    dirs.push(dir);
    const data = path.join(dir, 'data');
    const marker = path.join(dir, 'ran');
    const evil = path.join(dir, 'evil.sh');
    fs.writeFileSync(evil, `#!/bin/sh\ntouch "${marker}"\necho "ffmpeg version 6.1 Copyright"\n`);
    fs.chmodSync(evil, 0o755);

    const refused = await kraken('config', 'set', 'ffmpeg-path', evil, '--data-dir', data);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/evil\.sh is a script.*\[INVALID_INPUT\]/);
    expect(fs.existsSync(marker)).toBe(false);

    const set = await kraken('config', 'set', 'ffmpeg-path', bundledFfmpeg, '--data-dir', data);
    expect(set.code).toBe(0);
    expect(set.out).toContain(bundledFfmpeg);
    const got = await kraken('config', 'get', '--json', '--data-dir', data);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.out)).toMatchObject({ ffmpegPath: bundledFfmpeg, ffprobePath: null, ffmpeg: { path: bundledFfmpeg, source: 'setting' } });

    expect((await kraken('config', 'unset', 'ffmpeg-path', '--data-dir', data)).code).toBe(0);
    expect(JSON.parse((await kraken('config', 'get', '--json', '--data-dir', data)).out).ffmpegPath).toBeNull();
  });

  it('explains its usage on bad input', async () => {
    expect((await kraken('config')).code).toBe(2);
    expect((await kraken('config', 'set', 'ffmpeg')).err).toMatch(/unknown setting "ffmpeg"/);
    expect((await kraken('config', 'set', 'ffmpeg-path')).err).toMatch(/needs a file/);
    expect((await kraken('config', 'remove', 'ffmpeg-path')).code).toBe(2);
  });
});
