/**
 * Segmentation and matting: a foreground-probability map (U²-Net, matting models) or per-class scores
 * (argmax; class 0 is background) → an 8-bit mask at the image's size, and a cut-out PNG whose alpha is
 * that mask (the input InstantMesh wants).
 */
import sharp from 'sharp';
import type { InferenceOutput, Postprocess } from '../../../common/contract/inference';
import type { OutputTensor } from '../engine';
import type { Prepared } from '../image-io';
import { imageRegion, minMax, resample, writePng, type ArtifactTarget, type FloatMap } from './raster';

/** Foreground probability map (0..1) in the model's output space, plus class fractions for class maps. */
export function foregroundMap(out: OutputTensor, pp: Pick<Postprocess, 'kind' | 'minMaxMask'>): { map: FloatMap; classFractions: Map<number, number> } {
  const dims = out.dims;
  const h = dims[dims.length - 2]!;
  const w = dims[dims.length - 1]!;
  const n = w * h;
  const classFractions = new Map<number, number>();
  if (pp.kind === 'class-map') {
    const c = dims.length === 4 ? dims[1]! : 1;
    const data = new Float32Array(n);
    const counts = new Array<number>(c).fill(0);
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestV = -Infinity;
      for (let k = 0; k < c; k++) {
        const v = Number(out.data[k * n + i]);
        if (v > bestV) {
          bestV = v;
          best = k;
        }
      }
      counts[best]!++;
      data[i] = best === 0 ? 0 : 1;
    }
    counts.forEach((cnt, k) => cnt > 0 && classFractions.set(k, cnt / n));
    return { map: { data, width: w, height: h }, classFractions };
  }
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Number(out.data[i]);
  if (pp.minMaxMask) {
    const { min, max } = minMax(data);
    const span = max - min || 1;
    for (let i = 0; i < n; i++) data[i] = (data[i]! - min) / span;
  }
  for (let i = 0; i < n; i++) data[i] = Math.min(1, Math.max(0, data[i]!));
  return { map: { data, width: w, height: h }, classFractions };
}

/** Writes the mask and the cut-out; returns the segmentation result. */
export async function finishSegmentation(
  p: Prepared,
  out: OutputTensor,
  pp: Postprocess,
  labels: readonly string[],
  target: ArtifactTarget,
): Promise<Extract<InferenceOutput, { task: 'segmentation' }>> {
  const { map, classFractions } = foregroundMap(out, pp);
  const full = resample(map, imageRegion(map, p.transform, p), p.width, p.height);
  const mask = Buffer.alloc(p.width * p.height);
  let sum = 0;
  for (let i = 0; i < mask.length; i++) {
    const v = Math.round(full.data[i]! * 255);
    mask[i] = v;
    sum += v;
  }
  const maskRel = await writePng(target, 'mask', mask, p.width, p.height, 1);
  // Built as raw RGBA in memory: sharp applies removeAlpha after joinChannel, which would drop the mask.
  const { data: rgb, info } = await sharp(p.file).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.width !== p.width || info.height !== p.height) throw new Error(`decoded ${info.width}x${info.height}, expected ${p.width}x${p.height}`);
  const rgba = Buffer.alloc(p.width * p.height * 4);
  for (let i = 0; i < mask.length; i++) {
    rgba[i * 4] = rgb[i * info.channels]!;
    rgba[i * 4 + 1] = rgb[i * info.channels + (info.channels >= 3 ? 1 : 0)]!;
    rgba[i * 4 + 2] = rgb[i * info.channels + (info.channels >= 3 ? 2 : 0)]!;
    rgba[i * 4 + 3] = mask[i]!;
  }
  const cutout = await writePng(target, 'cutout', rgba, p.width, p.height, 4);
  const classes = [...classFractions.entries()]
    .filter(([k]) => k !== 0)
    .map(([k, fraction]) => ({ classIndex: k, label: labels[k] ?? `class ${k}`, fraction }))
    .sort((a, b) => b.fraction - a.fraction);
  return { task: 'segmentation', mask: maskRel, cutout, coverage: sum / (255 * mask.length), classes };
}
