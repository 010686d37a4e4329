/** Small raster helpers for model outputs (float maps): crop-and-resample, colour maps, PNG writing. */
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic, toPosixRelative } from '../../files/atomic';
import type { FitTransform } from '../image-io';

export interface FloatMap {
  data: Float32Array;
  width: number;
  height: number;
}

/** Where a task writes its files: `root` is what stored paths are relative to. */
export interface ArtifactTarget {
  root: string;
  dir: string;
  stem: string;
}

/** The part of an output map that covers the image (padding removed), as a rectangle in map pixels. */
export function imageRegion(map: { width: number; height: number }, t: FitTransform, size: { width: number; height: number }) {
  const fx = map.width / t.inputWidth;
  const fy = map.height / t.inputHeight;
  return { x: t.padX * fx, y: t.padY * fy, width: size.width * t.scaleX * fx, height: size.height * t.scaleY * fy };
}

/** Bilinear resampling of a rectangle of `src` into a new dw × dh map (pixel centres aligned). */
export function resample(src: FloatMap, rect: { x: number; y: number; width: number; height: number }, dw: number, dh: number): FloatMap {
  const out = new Float32Array(dw * dh);
  const sx = rect.width / dw;
  const sy = rect.height / dh;
  for (let j = 0; j < dh; j++) {
    const fy = Math.min(src.height - 1, Math.max(0, rect.y + (j + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(src.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let i = 0; i < dw; i++) {
      const fx = Math.min(src.width - 1, Math.max(0, rect.x + (i + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(src.width - 1, x0 + 1);
      const wx = fx - x0;
      const a = src.data[y0 * src.width + x0]!;
      const b = src.data[y0 * src.width + x1]!;
      const c = src.data[y1 * src.width + x0]!;
      const d = src.data[y1 * src.width + x1]!;
      out[j * dw + i] = (a * (1 - wx) + b * wx) * (1 - wy) + (c * (1 - wx) + d * wx) * wy;
    }
  }
  return { data: out, width: dw, height: dh };
}

export function minMax(data: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Google's polynomial approximation of the Turbo colour map, x in 0..1. */
export function turbo(x: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, x));
  const r = 0.13572138 + t * (4.6153926 + t * (-42.66032258 + t * (132.13108234 + t * (-152.94239396 + t * 59.28637943))));
  const g = 0.09140261 + t * (2.19418839 + t * (4.84296658 + t * (-14.18503333 + t * (4.27729857 + t * 2.82956604))));
  const b = 0.1066733 + t * (12.64194608 + t * (-60.58204836 + t * (110.36276771 + t * (-89.90310912 + t * 27.34824973))));
  const c = (v: number) => Math.round(255 * Math.min(1, Math.max(0, v)));
  return [c(r), c(g), c(b)];
}

/** Writes raw pixels as a PNG atomically; returns the path relative to the target root. */
export async function writePng(target: ArtifactTarget, suffix: string, raw: Buffer, width: number, height: number, channels: 1 | 3 | 4): Promise<string> {
  const file = path.join(target.dir, `${target.stem}-${suffix}.png`);
  const img = sharp(raw, { raw: { width, height, channels } });
  // One channel would otherwise be written as RGB.
  const png = await (channels === 1 ? img.toColourspace('b-w') : img).png({ compressionLevel: 6 }).toBuffer();
  await writeFileAtomic(file, png);
  return toPosixRelative(target.root, file);
}
