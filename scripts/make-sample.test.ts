// The bundled sample (scripts/make-sample.mjs) shows what the studio does: an orbit that passes the Gaussian-splat
// pre-flight with a moving viewpoint, and a printed word the bundled OCR model reads from its frames.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../main/common/contract/inference';
import { bundledModels } from '../main/node/inference/builtin-models';
import { openPipeline } from '../main/node/inference/pipeline';
import { locateTools } from '../main/node/media/ffmpeg-locator';
import { preflightFiles } from '../main/node/media/preflight';
import { probeFile } from '../main/node/media/probe';

const root = path.resolve(__dirname, '..');
let dir = '';
let sample = '';
let log = '';
const tools = await locateTools();
const why = tools.tools ? null : tools.problem;
if (why) console.log(`[skip] the sample needs ffmpeg: ${why}`);

beforeAll(() => {
  if (why) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-sample-'));
  sample = path.join(dir, 'sample.mp4');
  log = execFileSync(process.execPath, [path.join(root, 'scripts', 'make-sample.mjs'), '--out', sample], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}, 300_000);
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(why !== null)('the bundled sample', () => {
  it('is a 10 s 1280x720 30 fps H.264 + AAC orbit, not the plain test pattern', async () => {
    expect(log).not.toContain('plain test pattern'); // a font and an ffmpeg with drawtext + perspective were found
    const p = await probeFile(tools.tools!.ffprobe.path, sample, { sample: false });
    expect(p.kind).toBe('video');
    expect(p.durationSeconds).toBeCloseTo(10, 1);
    expect([p.video.displayWidth, p.video.displayHeight]).toEqual([1280, 720]);
    expect(p.video.fps).toBeCloseTo(30, 3);
    expect(p.video.codec).toBe('h264');
    expect(p.audio?.codec).toBe('aac');
    expect(p.sizeBytes).toBeLessThan(5e6);
  });

  it('passes the Gaussian-splat pre-flight, with a viewpoint that moves around the object', async () => {
    const report = await preflightFiles({ tools: tools.tools!, model: 'gs3d', file: sample, quality: true });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.quality).not.toBeNull();
    expect(report.quality!.motionCoverage).toBeGreaterThan(0.6);
    expect(report.quality!.level).not.toBe('poor');
  }, 120_000);

  it('the bundled OCR model reads the printed word from every side the orbit shows', async () => {
    const models: ModelManifest[] = (await bundledModels()).models;
    const det = models.find((m) => m.id === 'paddleocr-v4-det')!;
    const rec = models.find((m) => m.id === 'paddleocr-v4-rec')!;
    const pipe = await openPipeline(det, { forceCpu: false, gpus: [], companion: rec });
    try {
      // the far left of the turn, the middle and the far right
      for (const t of [2.5, 5, 7.5]) {
        const frame = path.join(dir, `frame-${t}.png`);
        execFileSync(tools.tools!.ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-ss', String(t), '-i', sample, '-frames:v', '1', frame]);
        const p = await pipe.prepare(frame);
        const res = await pipe.finish(p, (await pipe.infer([p]))[0]!, { root: dir, dir: path.join(dir, 'out'), stem: `frame-${t}` });
        if (res.task !== 'ocr-det') throw new Error('wrong task');
        expect(res.text.toUpperCase(), `at ${t} s`).toContain('KRAKEN');
      }
    } finally {
      await pipe.dispose();
    }
  }, 120_000);
});
