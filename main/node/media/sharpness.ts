/**
 * Sharpness and drop-blurry selection (pure). Sharpness is the variance of the Laplacian of a small
 * grey copy of the frame: edges make it large, blur (motion, focus) makes it small.
 */

/** Side of the grey copy frames are scored at: small enough to be fast, large enough to see blur. */
export const SHARPNESS_SIDE = 256;

/** Variance of the 4-neighbour Laplacian over the interior pixels of a grey image. */
export function laplacianVariance(gray: Uint8Array, width: number, height: number): number {
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const v = gray[i - 1]! + gray[i + 1]! + gray[i - width]! + gray[i + width]! - 4 * gray[i]!;
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/** Mean absolute difference (0..255) between two grey images of the same size. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a[i]! - b[i]!);
  return s / n;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Keeps the sharpest candidate of each bucket (buckets given per candidate, in time order). Returns kept indices, ascending. */
export function sharpestPerBucket(scores: number[], buckets: number[]): number[] {
  const best = new Map<number, number>();
  scores.forEach((s, i) => {
    const b = buckets[i]!;
    const cur = best.get(b);
    if (cur === undefined || s > scores[cur]!) best.set(b, i);
  });
  return [...best.values()].sort((a, b) => a - b);
}

/**
 * Drops a frame when its sharpness is below `ratio` × the median of its neighbourhood (`radius`
 * frames each side) — but never two neighbours in a row, so no stretch of the video loses its coverage.
 * Returns kept indices, ascending.
 */
export function dropBlurryNeighbourhood(scores: number[], ratio = 0.6, radius = 2): number[] {
  const kept: number[] = [];
  let droppedPrev = false;
  for (let i = 0; i < scores.length; i++) {
    const around: number[] = [];
    for (let j = Math.max(0, i - radius); j <= Math.min(scores.length - 1, i + radius); j++) if (j !== i) around.push(scores[j]!);
    const m = median(around);
    const blurry = m !== null && scores[i]! < ratio * m;
    if (blurry && !droppedPrev) {
      droppedPrev = true;
      continue;
    }
    droppedPrev = false;
    kept.push(i);
  }
  return kept;
}
