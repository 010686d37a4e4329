/**
 * Image decoding and pre-processing with sharp (libvips): decode, honour EXIF orientation, fit to the
 * model's input (stretch, letterbox, centred square pad), and lay the pixels out as the model wants
 * (NCHW/NHWC, RGB/BGR, scale, mean, std, dtype). sharp works on libuv's thread pool, so decoding the
 * next batch proceeds while ONNX Runtime holds the JS thread for the current one.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AppError } from '../../common/app-error';
import type { Normalization } from '../../common/contract/inference';

export type InputData = Float32Array | Int32Array | Uint8Array;

export interface InputTensor {
  data: InputData;
  /** With a leading batch dimension of 1. */
  dims: number[];
}

/** Maps model-input pixels back to the original image: `xOrig = (xIn - padX) / scaleX`. */
export interface FitTransform {
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
  inputWidth: number;
  inputHeight: number;
}

export interface Prepared {
  file: string;
  /** Original size, after EXIF orientation. */
  width: number;
  height: number;
  input: InputTensor;
  transform: FitTransform;
  /** Decoded original pixels (RGB, HWC), kept only for tasks that crop from the original (OCR). */
  original?: { data: Buffer; width: number; height: number };
}

export interface FitSpec {
  inputSize: { width: number; height: number } | null;
  maxSide: number;
  sizeMultiple: number;
  normalization: Normalization;
}

// libvips caches operations by default; a batch run over thousands of different files gains nothing
// from it and would grow memory.
sharp.cache(false);

/** Reads an image file; MEDIA_UNREADABLE for anything sharp cannot decode. */
export async function readImageFile(file: string): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new AppError('NOT_FOUND', `The image ${path.basename(file)} is missing: ${file}`, { file });
    throw AppError.from(err);
  }
}

/** Size after EXIF orientation. */
export async function orientedSize(buf: Buffer, file: string): Promise<{ width: number; height: number }> {
  const meta = await unreadable(file, () => sharp(buf).metadata());
  if (!meta.width || !meta.height) throw new AppError('MEDIA_UNREADABLE', `${path.basename(file)} has no image size; it is not a picture sharp can read.`, { file });
  return (meta.orientation ?? 1) >= 5 ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

async function unreadable<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    const msg = String((err as Error).message ?? err).split('\n')[0];
    throw new AppError('MEDIA_UNREADABLE', `Cannot read the image ${path.basename(file)}: ${msg}`, { file });
  }
}

/** The input size for an image: the model's fixed size, or the image scaled to maxSide and rounded to the multiple. */
export function targetSize(spec: FitSpec, width: number, height: number): { width: number; height: number } {
  if (spec.inputSize) return spec.inputSize;
  const m = spec.sizeMultiple;
  const s = Math.min(1, spec.maxSide / Math.max(width, height));
  const round = (v: number) => Math.max(m, Math.round((v * s) / m) * m);
  return { width: round(width), height: round(height) };
}

/** Decodes, fits and normalises one image into the model's input tensor. */
export async function prepareImage(file: string, spec: FitSpec, options: { keepOriginal?: boolean; buffer?: Buffer } = {}): Promise<Prepared> {
  const buf = options.buffer ?? (await readImageFile(file));
  const { width, height } = await orientedSize(buf, file);
  const target = targetSize(spec, width, height);
  const { pixels, transform } = await unreadable(file, () => fitPixels(buf, width, height, target, spec.normalization.resize));
  const input = toTensor(pixels, target.width, target.height, spec.normalization);
  const prepared: Prepared = { file, width, height, input, transform };
  if (options.keepOriginal) {
    const { data, info } = await unreadable(file, () =>
      sharp(buf).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true }),
    );
    prepared.original = { data: info.channels === 3 ? data : toRgb(data, info.channels), width: info.width, height: info.height };
  }
  return prepared;
}

/** Resizes (and pads) to the target; returns interleaved RGB and the mapping back to the original. */
export async function fitPixels(
  buf: Buffer | { raw: Buffer; width: number; height: number },
  width: number,
  height: number,
  target: { width: number; height: number },
  mode: Normalization['resize'],
): Promise<{ pixels: Buffer; transform: FitTransform }> {
  const W = target.width;
  const H = target.height;
  const base = () =>
    Buffer.isBuffer(buf) ? sharp(buf).rotate() : sharp(buf.raw, { raw: { width: buf.width, height: buf.height, channels: 3 } });
  let pipeline: sharp.Sharp;
  let transform: FitTransform;
  if (mode === 'stretch') {
    pipeline = base().resize(W, H, { fit: 'fill', kernel: 'linear' });
    transform = { scaleX: W / width, scaleY: H / height, padX: 0, padY: 0, inputWidth: W, inputHeight: H };
  } else {
    const s = Math.min(W / width, H / height);
    const rw = Math.max(1, Math.min(W, Math.round(width * s)));
    const rh = Math.max(1, Math.min(H, Math.round(height * s)));
    const left = mode === 'pad-square' ? Math.floor((W - rw) / 2) : 0;
    const top = mode === 'pad-square' ? Math.floor((H - rh) / 2) : 0;
    pipeline = base()
      .resize(rw, rh, { fit: 'fill', kernel: 'linear' })
      .extend({ left, top, right: W - rw - left, bottom: H - rh - top, background: { r: 0, g: 0, b: 0, alpha: 1 } });
    transform = { scaleX: rw / width, scaleY: rh / height, padX: left, padY: top, inputWidth: W, inputHeight: H };
  }
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const pixels = info.channels === 3 ? data : toRgb(data, info.channels);
  if (info.width !== W || info.height !== H) throw new Error(`resize produced ${info.width}x${info.height}, expected ${W}x${H}`);
  return { pixels, transform };
}

function toRgb(data: Buffer, channels: number): Buffer {
  const n = data.length / channels;
  const out = Buffer.alloc(n * 3);
  for (let i = 0; i < n; i++) {
    const g = data[i * channels]!;
    out[i * 3] = g;
    out[i * 3 + 1] = channels >= 3 ? data[i * channels + 1]! : g;
    out[i * 3 + 2] = channels >= 3 ? data[i * channels + 2]! : g;
  }
  return out;
}

/** Interleaved RGB bytes → the model's tensor, per the manifest's normalisation. */
export function toTensor(rgb: Uint8Array, width: number, height: number, n: Normalization): InputTensor {
  const count = width * height;
  const data: InputData = n.dtype === 'float32' ? new Float32Array(count * 3) : n.dtype === 'int32' ? new Int32Array(count * 3) : new Uint8Array(count * 3);
  const order = n.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  // Per output channel c: value = (pixel[order[c]] * scale - mean[c]) / std[c]; precomputed as a*pixel + b.
  const a = [0, 1, 2].map((c) => n.scale / n.std[c]!);
  const b = [0, 1, 2].map((c) => -n.mean[c]! / n.std[c]!);
  const identity = a.every((v) => v === 1) && b.every((v) => v === 0);
  if (n.layout === 'NCHW') {
    for (let c = 0; c < 3; c++) {
      const src = order[c]!;
      const off = c * count;
      const ac = a[c]!;
      const bc = b[c]!;
      for (let i = 0; i < count; i++) data[off + i] = identity ? rgb[i * 3 + src]! : ac * rgb[i * 3 + src]! + bc;
    }
    return { data, dims: [1, 3, height, width] };
  }
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < 3; c++) data[i * 3 + c] = identity ? rgb[i * 3 + order[c]!]! : a[c]! * rgb[i * 3 + order[c]!]! + b[c]!;
  }
  return { data, dims: [1, height, width, 3] };
}
