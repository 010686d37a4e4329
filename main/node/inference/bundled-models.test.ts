/**
 * The bundled models, run for real on real pictures: MoveNet and CenterNet (TF.js, wasm backend) on the
 * sample photo shipped by @vladmandic/human, PaddleOCR on text drawn by ffmpeg.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../common/contract/inference';
import { bundledModels, packageDir } from './builtin-models';
import { openPipeline } from './pipeline';

const HUMAN_SAMPLES = path.join(packageDir('@vladmandic/human') ?? 'node_modules/@vladmandic/human', 'assets', 'samples.jpg');
let dir: string;
let models: ModelManifest[];
const cpu = { forceCpu: false, gpus: [] };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-bundled-'));
  models = (await bundledModels()).models;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const model = (id: string) => {
  const m = models.find((x) => x.id === id);
  if (!m) throw new Error(`bundled model ${id} missing`);
  return m;
};
const target = (stem: string) => ({ root: dir, dir: path.join(dir, 'out'), stem });

describe('bundled model manifests', () => {
  it('lists pose, detection and OCR models with hashes, sizes and licences', () => {
    const byTask = new Set(models.map((m) => m.task));
    for (const t of ['pose', 'detection', 'ocr-det', 'ocr-rec']) expect(byTask.has(t as ModelManifest['task'])).toBe(true);
    for (const m of models) {
      expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(m.sizeBytes).toBeGreaterThan(100_000);
      expect(fs.existsSync(m.location)).toBe(true);
      expect(m.licence.length).toBeGreaterThan(3);
      expect(m.source).toBe('bundled');
    }
  });
});

describe('MoveNet pose (TF.js)', () => {
  it('finds a standing person: head above hips above ankles, inside the picture', async () => {
    // The first thumbnail of the sample sheet is a full-body figure on a plain background.
    const person = path.join(dir, 'person.png');
    await sharp(HUMAN_SAMPLES).extract({ left: 0, top: 0, width: 156, height: 158 }).png().toFile(person);
    const pipe = await openPipeline(model('human-movenet-lightning'), cpu);
    expect(['wasm', 'cpu', 'tfjs-node-gpu']).toContain(pipe.provider);
    expect(pipe.attempts.find((a) => a.name === 'tfjs-node-gpu')?.reason).toBeTruthy();
    const p = await pipe.prepare(person);
    const res = await pipe.finish(p, (await pipe.infer([p]))[0]!, target('person'));
    if (res.task !== 'pose') throw new Error('wrong task');
    expect(res.poses).toHaveLength(1);
    const pose = res.poses[0]!;
    expect(pose.score).toBeGreaterThan(0.4);
    const kp = Object.fromEntries(pose.keypoints.map((k) => [k.name, k]));
    for (const name of ['nose', 'leftHip', 'rightHip', 'leftAnkle', 'rightAnkle']) expect(kp[name]!.score).toBeGreaterThan(0.3);
    expect(kp.nose!.y).toBeLessThan(kp.leftHip!.y);
    expect(kp.leftHip!.y).toBeLessThan(kp.leftAnkle!.y);
    expect(kp.rightHip!.y).toBeLessThan(kp.rightAnkle!.y);
    for (const k of pose.keypoints) {
      expect(k.x).toBeGreaterThanOrEqual(0);
      expect(k.x).toBeLessThanOrEqual(156);
      expect(k.y).toBeLessThanOrEqual(158);
    }
    // The figure stands in the middle of its thumbnail.
    expect(kp.nose!.x).toBeGreaterThan(50);
    expect(kp.nose!.x).toBeLessThan(110);
    await pipe.dispose();
  });
});

describe('CenterNet object detection (TF.js)', () => {
  it('finds several people in the group photo', async () => {
    const group = path.join(dir, 'group.jpg');
    // The lower part of the sample sheet is one group photo.
    await sharp(HUMAN_SAMPLES).extract({ left: 0, top: 200, width: 1280, height: 958 }).jpeg().toFile(group);
    const pipe = await openPipeline(model('human-centernet'), cpu);
    const p = await pipe.prepare(group);
    const res = await pipe.finish(p, (await pipe.infer([p]))[0]!, target('group'));
    if (res.task !== 'detection') throw new Error('wrong task');
    // This small CenterNet scores people modestly (0.2–0.3 here); 0.2 is the threshold @vladmandic/human uses.
    const people = res.detections.filter((d) => d.label === 'person' && d.score >= 0.2);
    expect(people.length).toBeGreaterThanOrEqual(3);
    // Standing people are taller than wide.
    for (const d of people) expect(d.box.height).toBeGreaterThan(d.box.width);
    for (const d of res.detections) {
      expect(d.box.x).toBeGreaterThanOrEqual(0);
      expect(d.box.x + d.box.width).toBeLessThanOrEqual(1280 + 1e-6);
      expect(d.box.y + d.box.height).toBeLessThanOrEqual(958 + 1e-6);
    }
    await pipe.dispose();
  });
});

function findFont(): string | null {
  const candidates = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf'];
  const found = candidates.find((f) => fs.existsSync(f));
  if (found) return found;
  try {
    const out = execFileSync('fc-list', [':lang=en', 'file'], { encoding: 'utf8' });
    return out.split('\n').map((l) => l.replace(/:\s*$/, '').trim()).find((l) => /\.(ttf|otf)$/i.test(l)) ?? null;
  } catch {
    return null;
  }
}

function ffmpegPath(): string | null {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return 'ffmpeg';
  } catch {
    return null;
  }
}

describe('PaddleOCR (ONNX)', () => {
  const font = findFont();
  const ffmpeg = ffmpegPath();
  const why = !ffmpeg ? 'ffmpeg is not installed' : !font ? 'no TrueType font for ffmpeg drawtext (fc-list found none)' : null;
  if (why) console.log(`[skip] OCR on ffmpeg-drawn text: ${why}`);

  it.skipIf(why !== null)('reads text drawn by ffmpeg', async () => {
    const img = path.join(dir, 'text.png');
    const escaped = font!.replace(/\\/g, '/').replace(/:/g, '\\:');
    execFileSync(ffmpeg!, [
      '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=white:s=640x160',
      '-vf', `drawtext=text='KRAKEN 2026':fontfile='${escaped}':fontsize=64:fontcolor=black:x=20:y=40`,
      '-frames:v', '1', img,
    ]);
    const det = model('paddleocr-v4-det');
    const pipe = await openPipeline(det, { ...cpu, companion: model('paddleocr-v4-rec') });
    expect(pipe.provider).toBe('cpu');
    const p = await pipe.prepare(img);
    const res = await pipe.finish(p, (await pipe.infer([p]))[0]!, target('text'));
    if (res.task !== 'ocr-det') throw new Error('wrong task');
    expect(res.lines.length).toBeGreaterThanOrEqual(1);
    expect(res.text.replace(/\s+/g, ' ').toUpperCase()).toContain('KRAKEN 2026');
    const line = res.lines[0]!;
    // The text sits at x=20, y≈40 and is about 64 px tall.
    expect(line.box.x).toBeLessThan(40);
    expect(line.box.y).toBeLessThan(60);
    expect(line.box.height).toBeGreaterThan(30);
    await pipe.dispose();
  });

  /** A PNG made by ffmpeg from a lavfi source and an optional filter. */
  function lavfi(name: string, source: string, vf?: string): string {
    const img = path.join(dir, `${name}.png`);
    execFileSync(ffmpeg!, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', source, ...(vf ? ['-vf', vf] : []), '-frames:v', '1', img]);
    return img;
  }

  async function read(img: string) {
    const pipe = await openPipeline(model('paddleocr-v4-det'), { ...cpu, companion: model('paddleocr-v4-rec') });
    try {
      const p = await pipe.prepare(img);
      const res = await pipe.finish(p, (await pipe.infer([p]))[0]!, target(path.basename(img, '.png')));
      if (res.task !== 'ocr-det') throw new Error('wrong task');
      return res;
    } finally {
      await pipe.dispose();
    }
  }

  it.skipIf(why !== null)('finds no text on colour bars or on the moving test pattern (no noise regions, no stray characters)', async () => {
    expect(await read(lavfi('bars', 'smptebars=s=1280x720'))).toEqual({ task: 'ocr-det', lines: [], text: '' });
    // testsrc2 has a clock line at the top; its coloured blocks and gradients are not text.
    const pattern = await read(lavfi('testsrc2', 'testsrc2=s=1280x720'));
    expect(pattern.text).toBe('00:00:00.000');
    expect(pattern.lines).toHaveLength(1);
  });

  it.skipIf(why !== null)('keeps the space between words: "HELLO CREATOR" in white on a black band over colour bars', async () => {
    const escaped = font!.replace(/\\/g, '/').replace(/:/g, '\\:');
    const res = await read(lavfi('hello', 'smptebars=s=1280x720', `drawtext=text='HELLO CREATOR':fontfile='${escaped}':fontsize=64:fontcolor=white:box=1:boxcolor=black:x=300:y=300`));
    expect(res.text).toBe('HELLO CREATOR');
  });

  it('offers OCR as one model: the recogniser is a step of the OCR model, not a model of its own', () => {
    expect(model('paddleocr-v4-rec').partOf).toBe('paddleocr-v4-det');
    expect(model('paddleocr-v4-det')).toMatchObject({ partOf: null, companion: 'paddleocr-v4-rec' });
    expect(models.filter((m) => m.task === 'ocr-det' || m.task === 'ocr-rec').filter((m) => !m.partOf).map((m) => m.id)).toEqual(['paddleocr-v4-det']);
  });
});
