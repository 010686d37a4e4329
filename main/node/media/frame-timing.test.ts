/** Each extracted frame is the source frame at the timestamp the studio records for it. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtures } from '../../../test-support/media-fixtures';
import { frameTimestamp } from './extract-args';
import { extractToFolder } from './extractor';
import { probeFile } from './probe';
import { ToolBox } from './tool-box';

/** MD5 of a PNG's decoded pixels. */
function pngMd5(ffmpeg: string, png: string): string {
  return execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-i', png, '-pix_fmt', 'rgb24', '-f', 'md5', '-'], { encoding: 'utf8' }).trim();
}

/** The source frame at time t, written as PNG through the same colour conversion the extraction uses. */
function referencePng(ffmpeg: string, clip: string, t: number, dir: string): string {
  const out = path.join(dir, `ref-${t}.png`);
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-ss', t.toFixed(6), '-i', clip, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', out]);
  return out;
}

describe('frame timing', () => {
  it('at 2 fps, frame n shows the source frame at (n-1)/2 s', async () => {
    const clip = fixtures.h264(4);
    const tools = await new ToolBox(() => ({ ffmpegPath: null, ffprobePath: null })).require();
    const probe = await probeFile(tools.ffprobe.path, clip);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-timing-'));
    const params = { mode: { kind: 'fps' as const, fps: 2 }, format: 'png' as const, quality: 10 };
    await extractToFolder({ ffmpeg: tools.ffmpeg, input: clip, probe, params, outDir: out });
    const files = fs.readdirSync(out).sort();
    const refs = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-refs-'));
    expect(files).toHaveLength(8);
    for (const n of [1, 2, 5, 8]) {
      const t = frameTimestamp(params, n)!;
      // The same ffmpeg makes both sides, so the colour conversion is identical and only the chosen frame can differ.
      const ref = referencePng(tools.ffmpeg.path, clip, t, refs);
      expect(pngMd5(tools.ffmpeg.path, path.join(out, files[n - 1]!)), `frame ${n} at ${t}s`).toBe(pngMd5(tools.ffmpeg.path, ref));
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(refs, { recursive: true, force: true });
  });
});
