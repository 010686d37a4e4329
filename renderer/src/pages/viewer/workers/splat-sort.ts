/**
 * Back-to-front order of splats for alpha blending: a 16-bit counting sort on view-space depth
 * (one pass to bucket, one to place), O(n) and allocation-free once the buffers exist.
 */
export class SplatSorter {
  private readonly depth: Int32Array;
  private readonly counts = new Uint32Array(65536);

  /** `centers`: xyz per splat (3 floats), model space. */
  constructor(
    private readonly centers: Float32Array,
    readonly count: number,
  ) {
    this.depth = new Int32Array(count);
  }

  /**
   * Fills `out` with splat indices, farthest first. `viewRow` is the third row of the model-view matrix
   * (m[2], m[6], m[10], m[14] of a column-major matrix): view-space z = dot(row, [x, y, z, 1]), and the
   * camera looks down −z, so the most negative z is the farthest.
   */
  sort(viewRow: [number, number, number, number], out: Float32Array | Uint32Array): void {
    const { centers, count, depth, counts } = this;
    const [a, b, c, d] = viewRow;
    let min = Infinity;
    let max = -Infinity;
    // pass 1: depths as float, kept as scaled ints after the range is known
    const tmp = this.scratch();
    for (let i = 0; i < count; i++) {
      const v = a * centers[i * 3]! + b * centers[i * 3 + 1]! + c * centers[i * 3 + 2]! + d;
      tmp[i] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const scale = max > min ? 65535 / (max - min) : 0;
    counts.fill(0);
    for (let i = 0; i < count; i++) {
      const k = ((tmp[i]! - min) * scale) | 0;
      depth[i] = k;
      counts[k] = counts[k]! + 1;
    }
    // prefix sums: bucket 0 (most negative z, farthest) first
    let sum = 0;
    for (let k = 0; k < 65536; k++) {
      const n = counts[k]!;
      counts[k] = sum;
      sum += n;
    }
    for (let i = 0; i < count; i++) {
      const k = depth[i]!;
      out[counts[k]!] = i;
      counts[k] = counts[k]! + 1;
    }
  }

  private tmpBuf: Float32Array | null = null;
  private scratch(): Float32Array {
    return (this.tmpBuf ??= new Float32Array(this.count));
  }
}

/** Copies xyz out of the packed splat layout (stride 8 words, floats first). */
export function centersOf(data: Uint32Array, count: number): Float32Array {
  const f = new Float32Array(data.buffer, data.byteOffset, count * 8);
  const out = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    out[i * 3] = f[i * 8]!;
    out[i * 3 + 1] = f[i * 8 + 1]!;
    out[i * 3 + 2] = f[i * 8 + 2]!;
  }
  return out;
}

/** Centres of splats 0, stride, 2·stride… (the subset drawn when the renderer has a splat budget). */
export function subsetCenters(centers: Float32Array, count: number, stride: number): Float32Array {
  const m = Math.ceil(count / stride);
  const out = new Float32Array(m * 3);
  for (let j = 0; j < m; j++) {
    const i = j * stride;
    out[j * 3] = centers[i * 3]!;
    out[j * 3 + 1] = centers[i * 3 + 1]!;
    out[j * 3 + 2] = centers[i * 3 + 2]!;
  }
  return out;
}
