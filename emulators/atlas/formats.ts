/**
 * The result files, made from a tiny picture of the upload: a relief (height from brightness, colour from the
 * pixels) written as a 3DGS splat PLY, a glTF 2.0 GLB with vertex colours, an OBJ with vertex colours, and a
 * GIF turntable of the same relief. Small, real, and recognisably the creator's own input.
 */
import { applyPalette, GIFEncoder, quantize } from 'gifenc';
import type { Rgb } from './media';

export interface Relief {
  /** Grid size. */
  cols: number;
  rows: number;
  positions: Float32Array;
  normals: Float32Array;
  /** sRGB bytes, 3 per vertex. */
  colours: Uint8Array;
  indices: Uint32Array;
}

const DEPTH = 0.35;

/** The picture as a height field: every `step`-th pixel a vertex, x across [-aspect, aspect], y in [-1, 1]. */
export function reliefOf(img: Rgb, step = 1): Relief {
  const cols = Math.max(2, Math.floor((img.width - 1) / step) + 1);
  const rows = Math.max(2, Math.floor((img.height - 1) / step) + 1);
  const aspect = img.width / img.height;
  const n = cols * rows;
  const positions = new Float32Array(n * 3);
  const colours = new Uint8Array(n * 3);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const px = Math.min(img.width - 1, c * step);
      const py = Math.min(img.height - 1, r * step);
      const s = (py * img.width + px) * 3;
      const R = img.data[s]!;
      const G = img.data[s + 1]!;
      const B = img.data[s + 2]!;
      const v = r * cols + c;
      positions[v * 3] = (c / (cols - 1) - 0.5) * 2 * aspect;
      positions[v * 3 + 1] = (0.5 - r / (rows - 1)) * 2;
      positions[v * 3 + 2] = ((0.2126 * R + 0.7152 * G + 0.0722 * B) / 255) * DEPTH;
      colours[v * 3] = R;
      colours[v * 3 + 1] = G;
      colours[v * 3 + 2] = B;
    }
  }
  const indices = new Uint32Array((cols - 1) * (rows - 1) * 6);
  let k = 0;
  for (let r = 0; r < rows - 1; r++) {
    for (let c = 0; c < cols - 1; c++) {
      const a = r * cols + c;
      const b = a + 1;
      const d = a + cols;
      const e = d + 1;
      // counter-clockwise seen from +z (the front)
      indices.set([a, d, b, b, d, e], k);
      k += 6;
    }
  }
  const normals = new Float32Array(n * 3);
  for (let t = 0; t < indices.length; t += 3) {
    const [i0, i1, i2] = [indices[t]! * 3, indices[t + 1]! * 3, indices[t + 2]! * 3];
    const ux = positions[i1]! - positions[i0]!, uy = positions[i1 + 1]! - positions[i0 + 1]!, uz = positions[i1 + 2]! - positions[i0 + 2]!; // prettier-ignore
    const vx = positions[i2]! - positions[i0]!, vy = positions[i2 + 1]! - positions[i0 + 1]!, vz = positions[i2 + 2]! - positions[i0 + 2]!; // prettier-ignore
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx; // prettier-ignore
    for (const i of [i0, i1, i2]) {
      normals[i] = normals[i]! + nx;
      normals[i + 1] = normals[i + 1]! + ny;
      normals[i + 2] = normals[i + 2]! + nz;
    }
  }
  for (let i = 0; i < n * 3; i += 3) {
    const l = Math.hypot(normals[i]!, normals[i + 1]!, normals[i + 2]!) || 1;
    normals[i] = normals[i]! / l;
    normals[i + 1] = normals[i + 1]! / l;
    normals[i + 2] = normals[i + 2]! / l;
  }
  return { cols, rows, positions, normals, colours, indices };
}

/** Zeroth spherical-harmonics constant of the 3DGS reference: colour = 0.5 + SH_C0 · f_dc. */
const SH_C0 = 0.28209479177387814;

const SPLAT_PROPS = ['x', 'y', 'z', 'nx', 'ny', 'nz', 'f_dc_0', 'f_dc_1', 'f_dc_2', 'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3'];

/**
 * A Gaussian-splat PLY in the layout of the 3DGS reference implementation: binary little-endian float32
 * x y z nx ny nz f_dc_0..2 opacity (logit) scale_0..2 (log) rot_0..3 (w x y z).
 */
export function splatPly(relief: Relief, comment: string): Uint8Array {
  const n = relief.cols * relief.rows;
  const header =
    `ply\nformat binary_little_endian 1.0\ncomment ${comment.replace(/[\r\n]+/g, ' ')}\nelement vertex ${n}\n` + SPLAT_PROPS.map((p) => `property float ${p}\n`).join('') + 'end_header\n';
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(head.length + n * SPLAT_PROPS.length * 4);
  out.set(head, 0);
  const view = new DataView(out.buffer, head.length);
  const spacing = 2 / (relief.rows - 1);
  const logScale = Math.log(spacing * 0.6);
  const logScaleZ = Math.log(spacing * 0.25);
  const opacityLogit = Math.log(0.9 / 0.1);
  let o = 0;
  const put = (v: number) => {
    view.setFloat32(o, v, true);
    o += 4;
  };
  for (let i = 0; i < n; i++) {
    put(relief.positions[i * 3]!);
    put(relief.positions[i * 3 + 1]!);
    put(relief.positions[i * 3 + 2]!);
    put(relief.normals[i * 3]!);
    put(relief.normals[i * 3 + 1]!);
    put(relief.normals[i * 3 + 2]!);
    for (let c = 0; c < 3; c++) put((relief.colours[i * 3 + c]! / 255 - 0.5) / SH_C0);
    put(opacityLogit);
    put(logScale);
    put(logScale);
    put(logScaleZ);
    put(1);
    put(0);
    put(0);
    put(0);
  }
  return out;
}

const srgbToLinear = (b: number) => {
  const c = b / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};

function pad4(buf: Uint8Array, fill: number): Uint8Array {
  const len = Math.ceil(buf.length / 4) * 4;
  if (len === buf.length) return buf;
  const out = new Uint8Array(len).fill(fill);
  out.set(buf);
  return out;
}

/** A glTF 2.0 binary: one mesh with POSITION, NORMAL, COLOR_0 (linear float) and uint32 indices. */
export function glb(relief: Relief, name: string): Uint8Array {
  const n = relief.cols * relief.rows;
  const colours = new Float32Array(n * 3);
  for (let i = 0; i < n * 3; i++) colours[i] = srgbToLinear(relief.colours[i]!);
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 3; k++) {
      const v = relief.positions[i * 3 + k]!;
      if (v < min[k]!) min[k] = v;
      if (v > max[k]!) max[k] = v;
    }
  const parts = [relief.positions, relief.normals, colours, relief.indices].map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const offsets: number[] = [];
  let total = 0;
  for (const p of parts) {
    offsets.push(total);
    total += Math.ceil(p.length / 4) * 4;
  }
  const bin = new Uint8Array(total);
  parts.forEach((p, i) => bin.set(p, offsets[i]!));
  const json = {
    asset: { version: '2.0', generator: 'Kraken Atlas emulator' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name }],
    meshes: [{ name, primitives: [{ attributes: { POSITION: 0, NORMAL: 1, COLOR_0: 2 }, indices: 3, material: 0, mode: 4 }] }],
    materials: [{ name: 'vertex-colours', pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1], metallicFactor: 0, roughnessFactor: 0.9 }, doubleSided: true }],
    buffers: [{ byteLength: bin.length }],
    bufferViews: [
      { buffer: 0, byteOffset: offsets[0], byteLength: parts[0]!.length, target: 34962 },
      { buffer: 0, byteOffset: offsets[1], byteLength: parts[1]!.length, target: 34962 },
      { buffer: 0, byteOffset: offsets[2], byteLength: parts[2]!.length, target: 34962 },
      { buffer: 0, byteOffset: offsets[3], byteLength: parts[3]!.length, target: 34963 },
    ],
    accessors: [
      { bufferView: 0, componentType: 5126, count: n, type: 'VEC3', min, max },
      { bufferView: 1, componentType: 5126, count: n, type: 'VEC3' },
      { bufferView: 2, componentType: 5126, count: n, type: 'VEC3' },
      { bufferView: 3, componentType: 5125, count: relief.indices.length, type: 'SCALAR' },
    ],
  };
  const jsonChunk = pad4(new TextEncoder().encode(JSON.stringify(json)), 0x20);
  const length = 12 + 8 + jsonChunk.length + 8 + bin.length;
  const out = new Uint8Array(length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x46546c67, true); // "glTF"
  v.setUint32(4, 2, true);
  v.setUint32(8, length, true);
  v.setUint32(12, jsonChunk.length, true);
  v.setUint32(16, 0x4e4f534a, true); // "JSON"
  out.set(jsonChunk, 20);
  const b = 20 + jsonChunk.length;
  v.setUint32(b, bin.length, true);
  v.setUint32(b + 4, 0x004e4942, true); // "BIN\0"
  out.set(bin, b + 8);
  return out;
}

/** Wavefront OBJ with per-vertex colours (`v x y z r g b`, colours 0..1 sRGB) and normals. */
export function obj(relief: Relief, name: string): string {
  const n = relief.cols * relief.rows;
  const lines: string[] = [`# Kraken Atlas emulator: ${name.replace(/[\r\n]+/g, ' ')}`, `o ${name.replace(/\s+/g, '_') || 'item'}`];
  const f = (x: number) => x.toFixed(5);
  for (let i = 0; i < n; i++) {
    const p = relief.positions;
    const c = relief.colours;
    lines.push(`v ${f(p[i * 3]!)} ${f(p[i * 3 + 1]!)} ${f(p[i * 3 + 2]!)} ${f(c[i * 3]! / 255)} ${f(c[i * 3 + 1]! / 255)} ${f(c[i * 3 + 2]! / 255)}`);
  }
  for (let i = 0; i < n; i++) lines.push(`vn ${f(relief.normals[i * 3]!)} ${f(relief.normals[i * 3 + 1]!)} ${f(relief.normals[i * 3 + 2]!)}`);
  for (let t = 0; t < relief.indices.length; t += 3) {
    const a = relief.indices[t]! + 1;
    const b = relief.indices[t + 1]! + 1;
    const c = relief.indices[t + 2]! + 1;
    lines.push(`f ${a}//${a} ${b}//${b} ${c}//${c}`);
  }
  return lines.join('\n') + '\n';
}

/** A GIF89a turntable: the relief's points turning once around the vertical axis, `frames` frames of `size`². */
export function turntableGif(relief: Relief, frames = 12, size = 96): Uint8Array {
  const gif = GIFEncoder();
  const n = relief.cols * relief.rows;
  const rgba = new Uint8Array(size * size * 4);
  const depth = new Float32Array(size * size);
  const scale = size / 2 / 1.9;
  for (let f = 0; f < frames; f++) {
    const a = (f / frames) * Math.PI * 2;
    const cos = Math.cos(a);
    const sin = Math.sin(a);
    for (let i = 0; i < size * size; i++) {
      rgba.set([22, 24, 30, 255], i * 4);
      depth[i] = -Infinity;
    }
    for (let i = 0; i < n; i++) {
      const x = relief.positions[i * 3]!;
      const y = relief.positions[i * 3 + 1]!;
      const z = relief.positions[i * 3 + 2]! - 0.15;
      const sx = Math.round(size / 2 + (x * cos + z * sin) * scale);
      const sy = Math.round(size / 2 - y * scale);
      const d = -x * sin + z * cos;
      for (let dy = 0; dy < 2; dy++)
        for (let dx = 0; dx < 2; dx++) {
          const px = sx + dx;
          const py = sy + dy;
          if (px < 0 || py < 0 || px >= size || py >= size) continue;
          const k = py * size + px;
          if (d <= depth[k]!) continue;
          depth[k] = d;
          rgba[k * 4] = relief.colours[i * 3]!;
          rgba[k * 4 + 1] = relief.colours[i * 3 + 1]!;
          rgba[k * 4 + 2] = relief.colours[i * 3 + 2]!;
        }
    }
    const palette = quantize(rgba, 256);
    const index = applyPalette(rgba, palette);
    gif.writeFrame(index, size, size, f === 0 ? { palette, delay: 90, repeat: 0 } : { palette, delay: 90 });
  }
  gif.finish();
  return gif.bytes();
}
