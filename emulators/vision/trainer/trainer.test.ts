import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { subjectImage } from '../test-kit';
import { FEATURES, imageFeatures, poolFeatures } from './features';
import { predict, SoftmaxTrainer } from './model';
import { exportOnnx, IMAGENET_MEAN, IMAGENET_STD } from './onnx-export';

async function dataset(from: number, n: number, size: number) {
  const x: Float32Array[] = [];
  const y: number[] = [];
  const raw: Buffer[] = [];
  for (let k = 0; k < 3; k++) {
    for (let i = from; i < from + n; i++) {
      const img = await subjectImage(k, i, 36);
      raw.push(img);
      x.push(await imageFeatures(img, size));
      y.push(k);
    }
  }
  return { x, y, raw };
}

describe('trainer', () => {
  it('poolFeatures averages 14×14 blocks of a 224 image, channel-major', () => {
    const S = 224;
    const rgb = new Uint8Array(S * S * 3);
    // the top-left block red 255, everything else 0; the last block's blue 51
    for (let y = 0; y < 14; y++) for (let x = 0; x < 14; x++) rgb[(y * S + x) * 3] = 255;
    for (let y = 210; y < 224; y++) for (let x = 210; x < 224; x++) rgb[(y * S + x) * 3 + 2] = 51;
    const f = poolFeatures(rgb, S);
    expect(f).toHaveLength(FEATURES);
    expect(f[0]).toBeCloseTo(1, 6);
    expect(f[1]).toBe(0);
    expect(f[2 * 256 + 255]).toBeCloseTo(0.2, 6);
    expect(() => poolFeatures(new Uint8Array(30 * 30 * 3), 30)).toThrow(/multiple of 16/);
  });

  it('learns three subjects to ≥ 90 % on held-out images, deterministically; the ONNX graph gives the same probabilities from the studio tensor', async () => {
    const S = 224;
    const train = await dataset(0, 10, S);
    const val = await dataset(50, 5, S);
    const settings = { batchSize: 8, learningRate: 0.01, optimizer: 'adam' as const, seed: 3 };
    const t = new SoftmaxTrainer(train.x, train.y, val.x, val.y, ['noise', 'stripes', 'disc'], S, settings);
    const again = new SoftmaxTrainer(train.x, train.y, val.x, val.y, ['noise', 'stripes', 'disc'], S, settings);
    let first = null;
    let last = null;
    for (let e = 1; e <= 8; e++) {
      last = await t.epoch();
      await again.epoch();
      first ??= last;
    }
    expect(last!.val_accuracy).toBeGreaterThanOrEqual(0.9);
    expect(last!.loss).toBeLessThan(first!.loss);
    expect(Array.from(again.W)).toEqual(Array.from(t.W));
    const model = t.snapshot(8);
    const session = await ort.InferenceSession.create(exportOnnx(model));
    for (const img of val.raw) {
      const { data } = await sharp(img).rotate().resize(S, S, { fit: 'fill', kernel: 'linear' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const input = new Float32Array(3 * S * S);
      for (let c = 0; c < 3; c++) for (let i = 0; i < S * S; i++) input[c * S * S + i] = (data[i * 3 + c]! / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
      const out = await session.run({ input: new ort.Tensor('float32', input, [1, 3, S, S]) });
      const onnxProbs = Array.from(out.probabilities!.data as Float32Array);
      const mine = predict(model, await imageFeatures(img, S));
      for (let c = 0; c < 3; c++) expect(onnxProbs[c]).toBeCloseTo(mine[c]!, 3);
    }
    // a batch of two runs too (the batch dimension is symbolic)
    const two = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 3 * S * S), [2, 3, S, S]) });
    expect(two.logits!.dims).toEqual([2, 3]);
  }, 60_000);

  it('resumes from a snapshot with the same standardisation and weights', async () => {
    const train = await dataset(0, 4, 224);
    const t = new SoftmaxTrainer(train.x, train.y, [], [], ['a', 'b', 'c'], 224, { batchSize: 4, learningRate: 0.01, optimizer: 'sgd', seed: 1 });
    const m = await t.epoch();
    expect(m!.val_accuracy).toBe(m!.accuracy); // no val split: the training figures
    const snap = t.snapshot(1);
    const resumed = new SoftmaxTrainer(train.x, train.y, [], [], ['a', 'b', 'c'], 224, { batchSize: 4, learningRate: 0.01, optimizer: 'sgd', seed: 1 }, snap);
    expect(Array.from(resumed.W)).toEqual(Array.from(t.W));
    expect(Array.from(resumed.mean)).toEqual(Array.from(t.mean));
  });
});
