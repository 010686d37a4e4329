import type { Box, Vec3 } from './model';

/** Axis-aligned box of xyz triples (every `stride` floats, starting at `offset`). Empty input → zero box. */
export function boxOf(xyz: Float32Array, stride = 3, offset = 0): Box {
  let minX = Infinity, minY = Infinity, minZ = Infinity; // prettier-ignore
  let maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity; // prettier-ignore
  for (let i = offset; i + 2 < xyz.length; i += stride) {
    const x = xyz[i]!, y = xyz[i + 1]!, z = xyz[i + 2]!; // prettier-ignore
    // NaN coordinates (seen in real scans) are skipped rather than poisoning the box
    if (x !== x || y !== y || z !== z) continue;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (z < minZ) minZ = z;
    if (z > maxZ) maxZ = z;
  }
  if (minX === Infinity) return { min: [0, 0, 0], max: [0, 0, 0] };
  return { min: [minX, minY, minZ], max: [maxX, maxY, maxZ] };
}

/** Bounding sphere centred on the box centre (the radius is exact for that centre). */
export function sphereOf(xyz: Float32Array, box: Box, stride = 3): { center: Vec3; radius: number } {
  const c: Vec3 = [(box.min[0] + box.max[0]) / 2, (box.min[1] + box.max[1]) / 2, (box.min[2] + box.max[2]) / 2];
  let r2 = 0;
  for (let i = 0; i + 2 < xyz.length; i += stride) {
    const dx = xyz[i]! - c[0], dy = xyz[i + 1]! - c[1], dz = xyz[i + 2]! - c[2]; // prettier-ignore
    const d = dx * dx + dy * dy + dz * dz;
    if (d > r2) r2 = d;
  }
  return { center: c, radius: Math.sqrt(r2) };
}

export function unionBox(a: Box | null, b: Box): Box {
  if (!a) return { min: [...b.min], max: [...b.max] };
  return {
    min: [Math.min(a.min[0], b.min[0]), Math.min(a.min[1], b.min[1]), Math.min(a.min[2], b.min[2])],
    max: [Math.max(a.max[0], b.max[0]), Math.max(a.max[1], b.max[1]), Math.max(a.max[2], b.max[2])],
  };
}

/** The box of a local box after a column-major 4×4 transform (its 8 corners transformed). */
export function transformBox(box: Box, m: ArrayLike<number>): Box {
  let out: Box | null = null;
  for (let i = 0; i < 8; i++) {
    const x = i & 1 ? box.max[0] : box.min[0];
    const y = i & 2 ? box.max[1] : box.min[1];
    const z = i & 4 ? box.max[2] : box.min[2];
    const w = m[3]! * x + m[7]! * y + m[11]! * z + m[15]! || 1;
    const p: Vec3 = [
      (m[0]! * x + m[4]! * y + m[8]! * z + m[12]!) / w,
      (m[1]! * x + m[5]! * y + m[9]! * z + m[13]!) / w,
      (m[2]! * x + m[6]! * y + m[10]! * z + m[14]!) / w,
    ];
    out = unionBox(out, { min: p, max: p });
  }
  return out!;
}

/**
 * The box holding the central part of the points on each axis (quantiles from a sample of at most
 * `sample` points), so a handful of far-away floaters do not shrink the model to a dot on "fit to view".
 */
export function quantileBox(xyz: Float32Array, count: number, stride: number, lo = 0.02, hi = 0.98, sample = 20000): Box {
  if (count === 0) return { min: [0, 0, 0], max: [0, 0, 0] };
  const step = Math.max(1, Math.floor(count / sample));
  const n = Math.ceil(count / step);
  const axes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  let k = 0;
  for (let i = 0; i < count; i += step) {
    const x = xyz[i * stride]!, y = xyz[i * stride + 1]!, z = xyz[i * stride + 2]!; // prettier-ignore
    if (x !== x || y !== y || z !== z) continue;
    axes[0]![k] = x;
    axes[1]![k] = y;
    axes[2]![k] = z;
    k++;
  }
  if (k === 0) return { min: [0, 0, 0], max: [0, 0, 0] };
  const min: Vec3 = [0, 0, 0];
  const max: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const v = axes[a]!.subarray(0, k).sort();
    min[a] = v[Math.floor(lo * (k - 1))]!;
    max[a] = v[Math.ceil(hi * (k - 1))]!;
  }
  return { min, max };
}
