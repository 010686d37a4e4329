/**
 * Gaussian splats: the `.splat` file (32-byte records: position 3×f32, scale 3×f32, RGBA 4×u8,
 * rotation 4×u8 as (q·128)+128 in w,x,y,z order) and the packing both it and 3DGS PLY files are turned into
 * (see SplatModel in model.ts).
 */
import { boxOf, quantileBox } from './bounds';
import { ViewerFormatError } from './errors';
import { toHalf } from './half-float';
import { emptyStats, SPLAT_WORDS, type SplatModel } from './model';

export const SPLAT_RECORD_BYTES = 32;
/** Zeroth spherical-harmonics basis constant: colour = 0.5 + SH_C0 · f_dc. */
export const SH_C0 = 0.28209479177387814;

export type Progress = (fraction: number) => void;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function floatBits(v: number): number {
  f32[0] = v;
  return u32[0]!;
}

const clamp255 = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/**
 * Writes splat `i` into the packed layout. Colours and alpha in 0..255; linear scales; the quaternion is
 * normalised here (files store it unnormalised).
 */
export function packSplat(
  out: Uint32Array,
  i: number,
  x: number, y: number, z: number, // prettier-ignore
  r: number, g: number, b: number, a: number, // prettier-ignore
  sx: number, sy: number, sz: number, // prettier-ignore
  qw: number, qx: number, qy: number, qz: number, // prettier-ignore
): void {
  const o = i * SPLAT_WORDS;
  out[o] = floatBits(x);
  out[o + 1] = floatBits(y);
  out[o + 2] = floatBits(z);
  out[o + 3] = (clamp255(r) | (clamp255(g) << 8) | (clamp255(b) << 16) | (clamp255(a) << 24)) >>> 0;
  out[o + 4] = (toHalf(sx) | (toHalf(sy) << 16)) >>> 0;
  out[o + 5] = toHalf(sz);
  let l = Math.hypot(qw, qx, qy, qz);
  if (!(l > 0)) {
    qw = 1;
    l = 1;
  }
  out[o + 6] = (toHalf(qw / l) | (toHalf(qx / l) << 16)) >>> 0;
  out[o + 7] = (toHalf(qy / l) | (toHalf(qz / l) << 16)) >>> 0;
}

/** Splats per row of the renderer's data texture (2 RGBA32UI texels each, 4096 texels a row). */
export const SPLATS_PER_ROW = 2048;

/** Packed storage for `count` splats, padded to whole texture rows so the page uploads it without a copy. */
export function allocSplats(count: number): Uint32Array {
  return new Uint32Array(Math.max(1, Math.ceil(count / SPLATS_PER_ROW)) * SPLATS_PER_ROW * SPLAT_WORDS);
}

/** Positions of packed splats as a float view (stride SPLAT_WORDS) — no copy. */
export function splatPositions(data: Uint32Array): Float32Array {
  return new Float32Array(data.buffer, data.byteOffset, data.length);
}

/** Finishes a SplatModel from packed data: statistics, full box and focus box. */
export function splatModel(format: SplatModel['format'], data: Uint32Array, count: number, shDegree: number, warnings: string[] = []): SplatModel {
  const pos = splatPositions(data);
  const bbox = boxOf(pos.subarray(0, count * SPLAT_WORDS), SPLAT_WORDS);
  const stats = { ...emptyStats(), splats: count, vertices: count, bbox, parts: 1 };
  return { kind: 'splats', format, count, data, focus: quantileBox(pos, count, SPLAT_WORDS), shDegree, stats, warnings };
}

/** Parses an antimatter15-style `.splat` file. */
export function parseSplatFile(bytes: Uint8Array, onProgress?: Progress): SplatModel {
  if (bytes.byteLength === 0) throw new ViewerFormatError('empty', 'The .splat file is empty.');
  if (bytes.byteLength % SPLAT_RECORD_BYTES !== 0) {
    throw new ViewerFormatError(
      'truncated',
      `A .splat file is a list of ${SPLAT_RECORD_BYTES}-byte records, but this one has ${bytes.byteLength} bytes (${bytes.byteLength % SPLAT_RECORD_BYTES} left over): it was cut short or is not a .splat file.`,
    );
  }
  const count = bytes.byteLength / SPLAT_RECORD_BYTES;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = allocSplats(count);
  for (let i = 0; i < count; i++) {
    const o = i * SPLAT_RECORD_BYTES;
    packSplat(
      out,
      i,
      view.getFloat32(o, true),
      view.getFloat32(o + 4, true),
      view.getFloat32(o + 8, true),
      bytes[o + 24]!,
      bytes[o + 25]!,
      bytes[o + 26]!,
      bytes[o + 27]!,
      view.getFloat32(o + 12, true),
      view.getFloat32(o + 16, true),
      view.getFloat32(o + 20, true),
      (bytes[o + 28]! - 128) / 128,
      (bytes[o + 29]! - 128) / 128,
      (bytes[o + 30]! - 128) / 128,
      (bytes[o + 31]! - 128) / 128,
    );
    if (onProgress && (i & 0xffff) === 0) onProgress(i / count);
  }
  return splatModel('splat', out, count, 0);
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * One 3DGS PLY vertex (the layout of the reference implementation: f_dc_*, opacity as a logit,
 * scale_* as logs, rot_0..3 = w,x,y,z) into the packed layout.
 */
export function pack3dgs(
  out: Uint32Array,
  i: number,
  x: number, y: number, z: number, // prettier-ignore
  dc0: number, dc1: number, dc2: number, // prettier-ignore
  opacity: number,
  s0: number, s1: number, s2: number, // prettier-ignore
  r0: number, r1: number, r2: number, r3: number, // prettier-ignore
): void {
  packSplat(
    out,
    i,
    x,
    y,
    z,
    (0.5 + SH_C0 * dc0) * 255,
    (0.5 + SH_C0 * dc1) * 255,
    (0.5 + SH_C0 * dc2) * 255,
    sigmoid(opacity) * 255,
    Math.exp(s0),
    Math.exp(s1),
    Math.exp(s2),
    r0,
    r1,
    r2,
    r3,
  );
}

/** SH degree from the number of f_rest_* properties (3 colour channels × (bands² − 1)). */
export function shDegreeFromRest(restCount: number): number {
  const perChannel = restCount / 3;
  for (let d = 0; d <= 4; d++) if ((d + 1) * (d + 1) - 1 === perChannel) return d;
  return 0;
}
