import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { openPipeline } from './pipeline';
import { decodePly } from './tasks/ply';
import { constantOutput, linearClassifier, redDepthModel, redMaskModel } from './testing/onnx-builder';
import { gradientPng, manifestFor, redSquarePng, writeRgbPng } from './testing/fixtures';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-pipeline-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cpu = { forceCpu: true, gpus: [] };
const target = (stem: string) => ({ root: dir, dir: path.join(dir, 'out'), stem });

function writeModel(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('classification on a hand-built linear model', () => {
  // 2×2 image, 12 features in NCHW order: R plane (4), G plane (4), B plane (4).
  const W = [
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // class 0 looks at the top-left red value
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], // class 1 looks at the bottom-right blue value, twice
    [0.25, 0.25, 0.25, 0.25, 0, 0, 0, 0, 0, 0, 0, 0], // class 2: mean red
  ];
  const b = [0, 0.1, -0.2];
  const pixels = [
    255, 0, 0, /* top-left red */ 0, 255, 0, /* top-right green */
    0, 0, 255, /* bottom-left blue */ 51, 102, 204, /* bottom-right */
  ];

  it('gives exactly the softmax of W·x + b, top-k sorted, labels attached', async () => {
    const model = writeModel('linear.onnx', linearClassifier(2, 2, W, b));
    const img = await writeRgbPng(path.join(dir, 'tiny.png'), 2, 2, pixels);
    const manifest = manifestFor(model, {
      task: 'classification',
      inputSize: { width: 2, height: 2 },
      outputs: [{ name: 'logits', shape: ['N', 3], type: 'float32' }],
      labels: ['red-corner', 'blue-corner', 'redness'],
      postprocess: { kind: 'softmax', topK: 3 },
    });
    const pipe = await openPipeline(manifest, cpu);
    expect(pipe.provider).toBe('cpu');
    const p = await pipe.prepare(img);
    expect(Array.from(p.input.data)).toEqual([1, 0, 0, 0.2, 0, 1, 0, 0.4, 0, 0, 1, 0.8].map((v) => Math.fround(v)));
    const [out] = await pipe.infer([p]);
    const logits = Array.from(out!.logits!.data as Float32Array);
    const x = [1, 0, 0, 0.2, 0, 1, 0, 0.4, 0, 0, 1, 0.8];
    const expected = W.map((row, k) => row.reduce((s, w, i) => s + w * x[i]!, 0) + b[k]!);
    logits.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 6));
    const res = await pipe.finish(p, out!, target('tiny'));
    expect(res.task).toBe('classification');
    if (res.task !== 'classification') return;
    const exps = expected.map(Math.exp);
    const sum = exps.reduce((a, c) => a + c, 0);
    const probs = exps.map((e) => e / sum);
    const order = [0, 1, 2].sort((i, j) => probs[j]! - probs[i]!);
    expect(res.top.map((t) => t.classIndex)).toEqual(order);
    expect(res.top.map((t) => t.label)).toEqual(order.map((i) => manifest.labels[i]));
    res.top.forEach((t) => expect(t.score).toBeCloseTo(probs[t.classIndex]!, 6));
    await pipe.dispose();
  });

  it('batches images through the symbolic batch dimension with the same numbers', async () => {
    const model = writeModel('linear2.onnx', linearClassifier(2, 2, W, b));
    const a = await writeRgbPng(path.join(dir, 'a.png'), 2, 2, pixels);
    const c = await writeRgbPng(path.join(dir, 'c.png'), 2, 2, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255]);
    const manifest = manifestFor(model, { task: 'classification', inputSize: { width: 2, height: 2 }, postprocess: { kind: 'softmax' } });
    const pipe = await openPipeline(manifest, cpu);
    expect(pipe.maxBatch).toBeGreaterThan(1);
    const ps = [await pipe.prepare(a), await pipe.prepare(c)];
    const outs = await pipe.infer(ps);
    expect(outs).toHaveLength(2);
    const second = Array.from(outs[1]!.logits!.data as Float32Array);
    // Only the bottom-right blue value is set (1.0): class 1 = 2·1 + 0.1.
    expect(second[0]).toBeCloseTo(0, 6);
    expect(second[1]).toBeCloseTo(2.1, 6);
    expect(second[2]).toBeCloseTo(-0.2, 6);
    const first = Array.from(outs[0]!.logits!.data as Float32Array);
    expect(first[0]).toBeCloseTo(1, 6);
    await pipe.dispose();
  });

  it('refuses labels that do not match the number of classes', async () => {
    const model = writeModel('linear3.onnx', linearClassifier(2, 2, W, b));
    const manifest = manifestFor(model, { task: 'classification', inputSize: { width: 2, height: 2 }, labels: ['a', 'b'], postprocess: { kind: 'softmax' } });
    const err = await openPipeline(manifest, cpu).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('MODEL_INVALID');
    expect((err as AppError).message).toMatch(/outputs 3 classes but 2 labels/);
  });

  it('says clearly when the prepared input does not fit the model (wrong input shape)', async () => {
    const model = writeModel('linear4.onnx', linearClassifier(2, 2, W, b));
    const img = await writeRgbPng(path.join(dir, 'tiny4.png'), 2, 2, pixels);
    const manifest = manifestFor(model, { task: 'classification', inputSize: { width: 4, height: 4 }, postprocess: { kind: 'softmax' } });
    const pipe = await openPipeline(manifest, cpu);
    const p = await pipe.prepare(img);
    const err = await pipe.infer([p]).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('MODEL_INVALID');
    expect((err as AppError).message).toMatch(/Wrong input shape.*\[N, 3, 2, 2\].*\[1, 3, 4, 4\]/);
    await pipe.dispose();
  });
});

describe('detection decoding', () => {
  it('maps boxes back through the letterbox, drops low scores and suppresses overlaps (NMS)', async () => {
    // Input 64×64; rows x1,y1,x2,y2,score,class in input pixels.
    const rows = [
      [8, 8, 40, 24, 0.9, 0], // kept
      [9, 9, 41, 25, 0.8, 0], // same class, IoU ≈ 0.85 with the first → suppressed
      [9, 9, 41, 25, 0.7, 1], // other class → kept
      [0, 0, 10, 10, 0.1, 0], // below threshold
    ];
    const model = writeModel('det.onnx', constantOutput(['N', 3, 64, 64], 'dets', [1, 4, 6], rows.flat()));
    const img = await writeRgbPng(path.join(dir, 'wide.png'), 128, 64, new Uint8Array(128 * 64 * 3));
    const manifest = manifestFor(model, {
      task: 'detection',
      inputSize: { width: 64, height: 64 },
      normalization: { layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], resize: 'letterbox', dtype: 'float32' },
      labels: ['cat', 'dog'],
      postprocess: { kind: 'detections-xyxy', scoreThreshold: 0.3, iouThreshold: 0.5 },
    });
    const pipe = await openPipeline(manifest, cpu);
    const p = await pipe.prepare(img);
    // 128×64 letterboxed into 64×64: scale 0.5, image in the top 32 rows.
    expect(p.transform).toMatchObject({ scaleX: 0.5, scaleY: 0.5, padX: 0, padY: 0 });
    const [out] = await pipe.infer([p]);
    const res = await pipe.finish(p, out!, target('det'));
    if (res.task !== 'detection') throw new Error('wrong task');
    expect(res.detections.map((d) => [d.label, d.score])).toEqual([
      ['cat', expect.closeTo(0.9, 5)],
      ['dog', expect.closeTo(0.7, 5)],
    ]);
    expect(res.detections[0]!.box).toEqual({ x: 16, y: 16, width: 64, height: 32 });
    await pipe.dispose();
  });

  it('decodes a YOLOv8 head (cx, cy, w, h + class scores)', async () => {
    // 2 classes, 3 anchors: values laid out [1, 6, 3].
    const anchors = [
      { cx: 32, cy: 32, w: 16, h: 8, s: [0.1, 0.95] },
      { cx: 10, cy: 10, w: 4, h: 4, s: [0.2, 0.1] },
      { cx: 33, cy: 32, w: 16, h: 8, s: [0.05, 0.6] },
    ];
    const rows = [0, 1, 2, 3, 4, 5].map((r) => anchors.map((a) => [a.cx, a.cy, a.w, a.h, a.s[0]!, a.s[1]!][r]!));
    const model = writeModel('yolo.onnx', constantOutput(['N', 3, 64, 64], 'out0', [1, 6, 3], rows.flat()));
    const img = await writeRgbPng(path.join(dir, 'sq.png'), 64, 64, new Uint8Array(64 * 64 * 3));
    const manifest = manifestFor(model, { task: 'detection', inputSize: { width: 64, height: 64 }, labels: ['a', 'b'], postprocess: { kind: 'yolov8', scoreThreshold: 0.5 } });
    const pipe = await openPipeline(manifest, cpu);
    const p = await pipe.prepare(img);
    const res = await pipe.finish(p, (await pipe.infer([p]))[0]!, target('yolo'));
    if (res.task !== 'detection') throw new Error('wrong task');
    expect(res.detections).toHaveLength(1);
    expect(res.detections[0]).toMatchObject({ label: 'b', classIndex: 1, box: { x: 24, y: 28, width: 16, height: 8 } });
    await pipe.dispose();
  });
});

describe('segmentation', () => {
  it('writes a mask at the image size and a cut-out whose alpha is the mask', async () => {
    const model = writeModel('redmask.onnx', redMaskModel('H', 'W'));
    const img = await redSquarePng(path.join(dir, 'square.png'), 40, 20, { x: 10, y: 5, w: 20, h: 10 });
    const manifest = manifestFor(model, {
      task: 'segmentation',
      inputSize: { width: 32, height: 32 },
      postprocess: { kind: 'mask' },
    });
    const pipe = await openPipeline(manifest, cpu);
    const p = await pipe.prepare(img);
    const res = await pipe.finish(p, (await pipe.infer([p]))[0]!, target('square'));
    if (res.task !== 'segmentation') throw new Error('wrong task');
    // The square is a quarter of the image; resampling blurs only its edges.
    expect(res.coverage).toBeGreaterThan(0.2);
    expect(res.coverage).toBeLessThan(0.3);
    const cut = await sharp(path.join(dir, res.cutout)).raw().toBuffer({ resolveWithObject: true });
    expect(cut.info).toMatchObject({ width: 40, height: 20, channels: 4 });
    const alphaAt = (x: number, y: number) => cut.data[(y * 40 + x) * 4 + 3]!;
    expect(alphaAt(20, 10)).toBeGreaterThan(240); // inside the red square
    expect(alphaAt(2, 2)).toBeLessThan(15); // black background
    const mask = await sharp(path.join(dir, res.mask)).metadata();
    expect(mask).toMatchObject({ width: 40, height: 20, channels: 1 });
    await pipe.dispose();
  });
});

describe('depth', () => {
  it('writes a coloured depth map and a PLY point cloud whose z follows the model output', async () => {
    const model = writeModel('reddepth.onnx', redDepthModel(16, 32));
    const img = await gradientPng(path.join(dir, 'gradient.png'), 64, 32);
    const manifest = manifestFor(model, { task: 'depth', inputSize: { width: 32, height: 16 }, postprocess: { kind: 'depth', inverseDepth: true } });
    const pipe = await openPipeline(manifest, cpu);
    const p = await pipe.prepare(img);
    const res = await pipe.finish(p, (await pipe.infer([p]))[0]!, target('gradient'));
    if (res.task !== 'depth') throw new Error('wrong task');
    expect(res.points).toBe(64 * 32);
    expect(res.min).toBeLessThan(0.03); // the 64→32 resize averages the edge columns
    expect(res.max).toBeGreaterThan(0.97);
    const { positions, colors } = decodePly(fs.readFileSync(path.join(dir, res.pointCloud)));
    expect(positions.length).toBe(res.points * 3);
    // Brighter (redder) on the right = nearer = larger z; colours are the image's.
    const row = 10;
    const zLeft = positions[(row * 64 + 1) * 3 + 2]!;
    const zRight = positions[(row * 64 + 62) * 3 + 2]!;
    expect(zRight).toBeGreaterThan(zLeft + 0.3);
    expect(colors[(row * 64 + 62) * 3]!).toBeGreaterThan(200);
    expect(colors[(row * 64 + 1) * 3]!).toBeLessThan(30);
    const depth = await sharp(path.join(dir, res.depthMap)).metadata();
    expect([depth.width, depth.height]).toEqual([64, 32]);
    await pipe.dispose();
  });
});

describe('bad input', () => {
  it('rejects a malformed model file with MODEL_INVALID', async () => {
    const bad = writeModel('bad.onnx', new TextEncoder().encode('this is not an onnx model at all'));
    const manifest = manifestFor(bad, { task: 'classification', postprocess: { kind: 'softmax' } });
    const err = await openPipeline(manifest, cpu).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('MODEL_INVALID');
    expect((err as AppError).message).toMatch(/could not be loaded/);
  });

  it('reports a corrupt image as MEDIA_UNREADABLE', async () => {
    const model = writeModel('linear5.onnx', linearClassifier(2, 2, [[...new Array(12).fill(1)]], [0]));
    const manifest = manifestFor(model, { task: 'classification', inputSize: { width: 2, height: 2 }, postprocess: { kind: 'softmax' } });
    const pipe = await openPipeline(manifest, cpu);
    const good = await writeRgbPng(path.join(dir, 'good.png'), 8, 8, new Uint8Array(8 * 8 * 3));
    const truncated = path.join(dir, 'truncated.png');
    fs.writeFileSync(truncated, fs.readFileSync(good).subarray(0, 40));
    const text = path.join(dir, 'notes.jpg');
    fs.writeFileSync(text, 'hello');
    for (const f of [truncated, text]) {
      const err = await pipe.prepare(f).catch((e: unknown) => e);
      expect((err as AppError).code).toBe('MEDIA_UNREADABLE');
    }
    await pipe.dispose();
  });

  it('refuses a decoder that does not fit the task', async () => {
    const model = writeModel('linear6.onnx', linearClassifier(2, 2, [[...new Array(12).fill(1)]], [0]));
    const manifest = manifestFor(model, { task: 'classification', postprocess: { kind: 'yolov8' } });
    await expect(openPipeline(manifest, cpu)).rejects.toThrow(/cannot use the yolov8 decoder/);
  });
});
