/**
 * The trainer's features, chosen so that an ONNX graph can compute exactly the same numbers from the tensor
 * the studio feeds an imported classifier: the image stretched to the catalogue model's input size with sharp
 * (EXIF orientation honoured, linear kernel, alpha dropped, sRGB — what main/node/inference/image-io.ts does for
 * `resize: 'stretch'`), scaled to 0..1, then averaged over GRID×GRID equal blocks (an AveragePool of kernel
 * size/GRID). Features are channel-major: index = c·GRID² + y·GRID + x (what Flatten gives on [N, 3, G, G]).
 */
import sharp from 'sharp';

export const GRID = 16;
export const FEATURES = 3 * GRID * GRID;

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The size-by-size RGB pixels (interleaved, 0..255) of an image, optionally of a region of it first. */
export async function stretchedPixels(image: Buffer, size: number, region?: Region): Promise<Buffer> {
  let s = sharp(image, { failOn: 'error' }).rotate();
  if (region) {
    const meta = await sharp(image).rotate().toBuffer({ resolveWithObject: true });
    const W = meta.info.width;
    const H = meta.info.height;
    const left = Math.max(0, Math.min(W - 1, Math.floor(region.left)));
    const top = Math.max(0, Math.min(H - 1, Math.floor(region.top)));
    const width = Math.max(1, Math.min(W - left, Math.round(region.width)));
    const height = Math.max(1, Math.min(H - top, Math.round(region.height)));
    s = sharp(meta.data).extract({ left, top, width, height });
  }
  const { data, info } = await s.resize(size, size, { fit: 'fill', kernel: 'linear' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels === 3) return data;
  const out = Buffer.alloc(size * size * 3);
  for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = data[i * info.channels + Math.min(c, info.channels - 1)]!;
  return out;
}

/** Block means of interleaved RGB pixels (size×size) → FEATURES values in 0..1, channel-major. */
export function poolFeatures(rgb: Uint8Array, size: number): Float32Array {
  if (size % GRID !== 0) throw new Error(`input size ${size} is not a multiple of ${GRID}`);
  const k = size / GRID;
  const out = new Float32Array(FEATURES);
  const sums = new Float64Array(FEATURES);
  for (let y = 0; y < size; y++) {
    const gy = Math.floor(y / k);
    for (let x = 0; x < size; x++) {
      const gx = Math.floor(x / k);
      const p = (y * size + x) * 3;
      const cell = gy * GRID + gx;
      sums[cell] = sums[cell]! + rgb[p]!;
      sums[GRID * GRID + cell] = sums[GRID * GRID + cell]! + rgb[p + 1]!;
      sums[2 * GRID * GRID + cell] = sums[2 * GRID * GRID + cell]! + rgb[p + 2]!;
    }
  }
  const norm = 1 / (255 * k * k);
  for (let i = 0; i < FEATURES; i++) out[i] = sums[i]! * norm;
  return out;
}

/** Decodes an image (any format sharp reads) into the trainer's features; throws on an image sharp cannot decode. */
export async function imageFeatures(image: Buffer, size: number, region?: Region): Promise<Float32Array> {
  return poolFeatures(await stretchedPixels(image, size, region), size);
}
