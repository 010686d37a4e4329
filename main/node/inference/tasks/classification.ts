/** Classification: logits or probabilities → the top-k classes with their labels. */
import type { ClassScore } from '../../../common/contract/inference';

/** Numerically stable softmax (subtracts the max first). */
export function softmax(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    out[i] = Math.exp(values[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** The k best classes, best first; ties keep the lower class index first. */
export function topK(scores: ArrayLike<number>, k: number, labels: readonly string[], applySoftmax: boolean): ClassScore[] {
  const probs = applySoftmax ? softmax(scores) : Float64Array.from(scores as ArrayLike<number>);
  const idx = Array.from(probs.keys());
  idx.sort((a, b) => probs[b]! - probs[a]! || a - b);
  return idx.slice(0, Math.min(k, idx.length)).map((i) => ({ classIndex: i, label: labels[i] ?? `class ${i}`, score: probs[i]! }));
}
