/**
 * The trained model: features standardised with the training set's mean and std, then a softmax linear
 * classifier (logits = W·z + b). Trained with mini-batch Adam or SGD with momentum, seeded, in plain
 * TypeScript over Float32Arrays. `epoch()` yields to the event loop every few batches.
 */
import { FEATURES, GRID } from './features';

export interface TrainedModel {
  format: 'kraken-vision-emulator-softmax/1';
  classNames: string[];
  inputSize: number;
  grid: number;
  featMean: number[];
  featStd: number[];
  /** classes × FEATURES, row-major. */
  weights: number[];
  bias: number[];
  epoch: number;
}

export interface TrainSettings {
  batchSize: number;
  learningRate: number;
  optimizer: 'adam' | 'sgd' | 'adamw';
  seed: number;
  weightDecay?: number;
}

export interface EpochMetrics {
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
  steps: number;
}

/** mulberry32 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const yieldNow = () => new Promise<void>((r) => setImmediate(r));
const STD_FLOOR = 0.05;

/** Probabilities of one standardised feature vector. */
function forward(W: Float32Array, b: Float32Array, z: Float32Array, C: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < C; c++) {
    let s = b[c]!;
    const off = c * FEATURES;
    for (let i = 0; i < FEATURES; i++) s += W[off + i]! * z[i]!;
    out[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < C; c++) {
    out[c] = Math.exp(out[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < C; c++) out[c] = out[c]! / sum;
}

export class SoftmaxTrainer {
  readonly C: number;
  readonly W: Float32Array;
  readonly b: Float32Array;
  readonly mean: Float32Array;
  readonly std: Float32Array;
  private readonly trainZ: Float32Array[];
  private readonly valZ: Float32Array[];
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  private readonly random: () => number;

  constructor(
    train: Float32Array[],
    private readonly trainY: number[],
    val: Float32Array[],
    private readonly valY: number[],
    readonly classNames: string[],
    readonly inputSize: number,
    private readonly settings: TrainSettings,
    init?: TrainedModel,
  ) {
    this.C = classNames.length;
    this.mean = new Float32Array(FEATURES);
    this.std = new Float32Array(FEATURES);
    if (init) {
      this.mean.set(init.featMean);
      this.std.set(init.featStd);
    } else {
      for (const x of train) for (let i = 0; i < FEATURES; i++) this.mean[i] = this.mean[i]! + x[i]! / train.length;
      for (const x of train) for (let i = 0; i < FEATURES; i++) this.std[i] = this.std[i]! + (x[i]! - this.mean[i]!) ** 2 / train.length;
      for (let i = 0; i < FEATURES; i++) this.std[i] = Math.max(STD_FLOOR, Math.sqrt(this.std[i]!));
    }
    const standardise = (x: Float32Array) => {
      const z = new Float32Array(FEATURES);
      for (let i = 0; i < FEATURES; i++) z[i] = (x[i]! - this.mean[i]!) / this.std[i]!;
      return z;
    };
    this.trainZ = train.map(standardise);
    this.valZ = val.map(standardise);
    this.W = new Float32Array(this.C * FEATURES);
    this.b = new Float32Array(this.C);
    if (init) {
      this.W.set(init.weights);
      this.b.set(init.bias);
    }
    this.m = new Float32Array(this.W.length + this.C);
    this.v = new Float32Array(this.W.length + this.C);
    this.random = rng(settings.seed);
  }

  /** One pass over the training set (shuffled) and an evaluation of the held-out set. */
  async epoch(isCancelled: () => boolean = () => false): Promise<EpochMetrics | null> {
    const n = this.trainZ.length;
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const bs = Math.max(1, Math.min(this.settings.batchSize, n));
    const gW = new Float32Array(this.W.length);
    const gb = new Float32Array(this.C);
    const p = new Float64Array(this.C);
    let lossSum = 0;
    let correct = 0;
    let steps = 0;
    for (let start = 0; start < n; start += bs) {
      gW.fill(0);
      gb.fill(0);
      const end = Math.min(n, start + bs);
      for (let k = start; k < end; k++) {
        const idx = order[k]!;
        const z = this.trainZ[idx]!;
        const y = this.trainY[idx]!;
        forward(this.W, this.b, z, this.C, p);
        lossSum += -Math.log(Math.max(p[y]!, 1e-12));
        let best = 0;
        for (let c = 1; c < this.C; c++) if (p[c]! > p[best]!) best = c;
        if (best === y) correct++;
        for (let c = 0; c < this.C; c++) {
          const g = p[c]! - (c === y ? 1 : 0);
          gb[c] = gb[c]! + g;
          const off = c * FEATURES;
          for (let i = 0; i < FEATURES; i++) gW[off + i] = gW[off + i]! + g * z[i]!;
        }
      }
      this.apply(gW, gb, end - start);
      steps++;
      if (steps % 16 === 0) {
        await yieldNow();
        if (isCancelled()) return null;
      }
    }
    const val = this.evaluate(this.valZ, this.valY);
    const trainLoss = lossSum / n;
    const trainAcc = correct / n;
    return { loss: trainLoss, accuracy: trainAcc, val_loss: val ? val.loss : trainLoss, val_accuracy: val ? val.accuracy : trainAcc, steps };
  }

  private apply(gW: Float32Array, gb: Float32Array, count: number): void {
    const { learningRate: lr, optimizer } = this.settings;
    const wd = this.settings.weightDecay ?? 1e-4;
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const nW = this.W.length;
    for (let i = 0; i < nW + this.C; i++) {
      const isW = i < nW;
      const param = isW ? this.W[i]! : this.b[i - nW]!;
      let g = (isW ? gW[i]! : gb[i - nW]!) / count;
      if (isW && optimizer !== 'adamw') g += wd * param;
      let next: number;
      if (optimizer === 'sgd') {
        this.m[i] = 0.9 * this.m[i]! + g;
        next = param - lr * this.m[i]!;
      } else {
        this.m[i] = b1 * this.m[i]! + (1 - b1) * g;
        this.v[i] = b2 * this.v[i]! + (1 - b2) * g * g;
        next = param - (lr * (this.m[i]! / c1)) / (Math.sqrt(this.v[i]! / c2) + 1e-8);
        if (isW && optimizer === 'adamw') next -= lr * wd * param;
      }
      if (isW) this.W[i] = next;
      else this.b[i - nW] = next;
    }
  }

  private evaluate(zs: Float32Array[], ys: number[]): { loss: number; accuracy: number } | null {
    if (!zs.length) return null;
    const p = new Float64Array(this.C);
    let loss = 0;
    let correct = 0;
    zs.forEach((z, k) => {
      forward(this.W, this.b, z, this.C, p);
      loss += -Math.log(Math.max(p[ys[k]!]!, 1e-12));
      let best = 0;
      for (let c = 1; c < this.C; c++) if (p[c]! > p[best]!) best = c;
      if (best === ys[k]) correct++;
    });
    return { loss: loss / zs.length, accuracy: correct / zs.length };
  }

  snapshot(epoch: number): TrainedModel {
    return {
      format: 'kraken-vision-emulator-softmax/1',
      classNames: this.classNames,
      inputSize: this.inputSize,
      grid: GRID,
      featMean: Array.from(this.mean),
      featStd: Array.from(this.std),
      weights: Array.from(this.W),
      bias: Array.from(this.b),
      epoch,
    };
  }
}

/** Class probabilities of raw (unstandardised) features under a trained model. */
export function predict(model: TrainedModel, features: Float32Array): number[] {
  const C = model.classNames.length;
  const z = new Float32Array(FEATURES);
  for (let i = 0; i < FEATURES; i++) z[i] = (features[i]! - model.featMean[i]!) / model.featStd[i]!;
  const out = new Float64Array(C);
  forward(Float32Array.from(model.weights), Float32Array.from(model.bias), z, C, out);
  return Array.from(out);
}
