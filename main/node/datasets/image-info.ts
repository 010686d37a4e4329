/**
 * What the health check needs to know about one image file: its bytes' SHA-256 (exact duplicates), its size, and
 * a 64-bit difference hash (dHash: a 9×8 grey copy, one bit per horizontal neighbour pair; near duplicates differ in
 * few bits). The whole picture is decoded, so a truncated or damaged file is found here, not during training.
 */
import sharp from 'sharp';
import { sha256File } from '../files/atomic';

export interface ImageInfoOk {
  ok: true;
  sha256: string;
  width: number;
  height: number;
  /** sharp's name of the encoding: jpeg, png, webp… */
  format: string;
  /** 16 hex digits. */
  dhash: string;
  bytes: number;
}

export interface ImageInfoBad {
  ok: false;
  sha256: string | null;
  bytes: number;
  /** Why it could not be read (the decoder's words). */
  reason: string;
}

export type ImageInfo = ImageInfoOk | ImageInfoBad;

/** Image encodings a dataset may carry (what the training side decodes). */
export const DATASET_IMAGE_FORMATS = new Set(['jpeg', 'png', 'webp']);

/** File name endings read as images when a folder is checked or packed. */
export const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp)$/i;

/** Reads one file: hash, size and perceptual hash; never throws for a bad image (it is reported instead). */
export async function inspectImage(file: string): Promise<ImageInfo> {
  let sha256: string | null = null;
  let bytes = 0;
  try {
    sha256 = await sha256File(file);
    const img = sharp(file, { failOn: 'warning', limitInputPixels: 268_402_689 });
    const meta = await img.metadata();
    bytes = meta.size ?? 0;
    if (!meta.format || !DATASET_IMAGE_FORMATS.has(meta.format)) {
      return { ok: false, sha256, bytes, reason: `not a JPEG, PNG or WebP image (${meta.format ?? 'unknown'})` };
    }
    const grey = await img.clone().greyscale().resize(9, 8, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer();
    return { ok: true, sha256, width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format, dhash: dhashOf(grey), bytes };
  } catch (err) {
    return { ok: false, sha256, bytes, reason: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
}

/** dHash of a 9×8 grey buffer: bit set when a pixel is brighter than its right neighbour. */
export function dhashOf(grey: Uint8Array): string {
  let hi = 0;
  let lo = 0;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const bit = grey[y * 9 + x]! > grey[y * 9 + x + 1]! ? 1 : 0;
      const i = y * 8 + x;
      if (i < 32) hi = ((hi << 1) | bit) >>> 0;
      else lo = ((lo << 1) | bit) >>> 0;
    }
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A hash split in two 32-bit halves, for fast distances. */
export function hashWords(hex: string): [number, number] {
  return [parseInt(hex.slice(0, 8), 16) >>> 0, parseInt(hex.slice(8, 16), 16) >>> 0];
}

/** Bits that differ between two dHashes (0 = same picture at 9×8, 64 = opposite). */
export function hammingDistance(a: string, b: string): number {
  const [a1, a2] = hashWords(a);
  const [b1, b2] = hashWords(b);
  return popcount32((a1 ^ b1) >>> 0) + popcount32((a2 ^ b2) >>> 0);
}
