/**
 * Depth estimation: the model's map (relative inverse depth for MiDaS-like models) → a coloured depth
 * PNG at the image's size and a coloured point cloud (binary PLY) for the 3D viewer.
 */
import path from 'node:path';
import sharp from 'sharp';
import { toPosixRelative } from '../../files/atomic';
import type { InferenceOutput, Postprocess } from '../../../common/contract/inference';
import type { OutputTensor } from '../engine';
import type { Prepared } from '../image-io';
import { writePly } from './ply';
import { imageRegion, minMax, resample, turbo, writePng, type ArtifactTarget } from './raster';

/** Longest side of the point-cloud grid: 256 → at most 65,536 points per image. */
export const CLOUD_SIDE = 256;

export async function finishDepth(p: Prepared, out: OutputTensor, pp: Pick<Postprocess, 'inverseDepth'>, target: ArtifactTarget): Promise<Extract<InferenceOutput, { task: 'depth' }>> {
  const dims = out.dims;
  const h = dims[dims.length - 2]!;
  const w = dims[dims.length - 1]!;
  const raw = { data: Float32Array.from(out.data as ArrayLike<number>), width: w, height: h };
  const region = imageRegion(raw, p.transform, p);
  const { min, max } = minMax(raw.data);
  const span = max - min || 1;
  // nearness in 0..1: 1 is nearest. Inverse-depth models already say "bigger = nearer".
  const near = (v: number) => (pp.inverseDepth ? (v - min) / span : (max - v) / span);

  const full = resample(raw, region, p.width, p.height);
  const rgb = Buffer.alloc(p.width * p.height * 3);
  for (let i = 0; i < full.data.length; i++) {
    const [r, g, b] = turbo(near(full.data[i]!));
    rgb[i * 3] = r;
    rgb[i * 3 + 1] = g;
    rgb[i * 3 + 2] = b;
  }
  const depthMap = await writePng(target, 'depth', rgb, p.width, p.height, 3);

  const s = Math.min(1, CLOUD_SIDE / Math.max(p.width, p.height));
  const gw = Math.max(1, Math.round(p.width * s));
  const gh = Math.max(1, Math.round(p.height * s));
  const grid = resample(raw, region, gw, gh);
  const { data: colours } = await sharp(p.file).rotate().removeAlpha().toColourspace('srgb').resize(gw, gh, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const n = gw * gh;
  const positions = new Float32Array(n * 3);
  const aspect = gw / gh;
  for (let j = 0; j < gh; j++) {
    for (let i = 0; i < gw; i++) {
      const k = j * gw + i;
      // A unit-high frame centred on the origin, y up; nearer points come towards +z (the viewer's camera).
      positions[k * 3] = ((i + 0.5) / gw - 0.5) * aspect;
      positions[k * 3 + 1] = 0.5 - (j + 0.5) / gh;
      positions[k * 3 + 2] = near(grid.data[k]!) * 0.5;
    }
  }
  const plyFile = path.join(target.dir, `${target.stem}-points.ply`);
  await writePly(plyFile, positions, Uint8Array.from(colours.subarray(0, n * 3)));
  return { task: 'depth', depthMap, pointCloud: toPosixRelative(target.root, plyFile), points: n, min, max };
}
