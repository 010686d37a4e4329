/** Test and benchmark helpers: manifests for hand-built models, and images made from raw pixels. */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ModelManifest, type ModelManifestInput } from '../../../common/contract/inference';

/** A complete manifest for a model file, with test-friendly defaults (0..1 pixels, RGB, NCHW, stretch). */
export function manifestFor(location: string, patch: Partial<ModelManifestInput> & Pick<ModelManifestInput, 'task' | 'postprocess'>): ModelManifest {
  return ModelManifest.parse({
    id: patch.id ?? 'test-model',
    name: patch.name ?? 'Test model',
    runtime: 'onnx',
    inputs: [{ name: 'image', shape: ['N', 3, 'H', 'W'], type: 'float32' }],
    outputs: [{ name: 'out', shape: [], type: 'float32' }],
    inputSize: null,
    normalization: { layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', dtype: 'float32' },
    labels: [],
    licence: 'test',
    source: 'imported',
    sha256: '0'.repeat(64),
    sizeBytes: 0,
    location,
    ...patch,
  });
}

/** Writes raw RGB pixels (row-major) as a lossless PNG. */
export async function writeRgbPng(file: string, width: number, height: number, rgb: ArrayLike<number>): Promise<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(Buffer.from(Array.from(rgb)), { raw: { width, height, channels: 3 } }).png().toFile(file);
  return file;
}

/** A black image with a filled red rectangle. */
export async function redSquarePng(file: string, width: number, height: number, rect: { x: number; y: number; w: number; h: number }): Promise<string> {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = rect.y; y < rect.y + rect.h; y++) for (let x = rect.x; x < rect.x + rect.w; x++) rgb[(y * width + x) * 3] = 255;
  return writeRgbPng(file, width, height, rgb);
}

/** A horizontal gradient: red grows from 0 at the left to 255 at the right. */
export async function gradientPng(file: string, width: number, height: number): Promise<string> {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb[(y * width + x) * 3] = Math.round((255 * x) / (width - 1));
  return writeRgbPng(file, width, height, rgb);
}
