/** Object detection decoders (CenterNet-style xyxy rows, YOLOv8 heads) and class-aware non-maximum suppression. */
import type { Box, Detection } from '../../../common/contract/inference';
import type { FitTransform } from '../image-io';

export interface DetectOptions {
  scoreThreshold: number;
  iouThreshold: number;
  maxDetections: number;
}

/** Intersection over union of two boxes. */
export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy NMS per class: keeps the best box and drops same-class boxes overlapping it more than the threshold. */
export function nms(dets: Detection[], iouThreshold: number, max: number): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.length >= max) break;
    if (kept.some((k) => k.classIndex === d.classIndex && iou(k.box, d.box) > iouThreshold)) continue;
    kept.push(d);
  }
  return kept;
}

/** Input-pixel box → original-image box, clipped to the image. */
export function toOriginal(x1: number, y1: number, x2: number, y2: number, t: FitTransform, width: number, height: number): Box {
  const ox1 = clamp((x1 - t.padX) / t.scaleX, 0, width);
  const oy1 = clamp((y1 - t.padY) / t.scaleY, 0, height);
  const ox2 = clamp((x2 - t.padX) / t.scaleX, 0, width);
  const oy2 = clamp((y2 - t.padY) / t.scaleY, 0, height);
  return { x: ox1, y: oy1, width: Math.max(0, ox2 - ox1), height: Math.max(0, oy2 - oy1) };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Rows of [x1, y1, x2, y2, score, class] in input pixels (shape [1, K, 6]). */
export function decodeXyxy(data: ArrayLike<number>, t: FitTransform, size: { width: number; height: number }, labels: readonly string[], o: DetectOptions): Detection[] {
  const out: Detection[] = [];
  for (let i = 0; i + 5 < data.length; i += 6) {
    const score = data[i + 4]!;
    const cls = data[i + 5]!;
    if (!(score >= o.scoreThreshold) || !Number.isFinite(cls)) continue;
    const box = toOriginal(data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!, t, size.width, size.height);
    if (box.width <= 0 || box.height <= 0) continue;
    const classIndex = Math.round(cls);
    out.push({ box, score, classIndex, label: labels[classIndex] ?? `class ${classIndex}` });
  }
  return nms(out, o.iouThreshold, o.maxDetections);
}

/** YOLOv8 head [1, 4 + C, A]: per anchor cx, cy, w, h then C class scores (already sigmoid). */
export function decodeYolov8(data: ArrayLike<number>, dims: number[], t: FitTransform, size: { width: number; height: number }, labels: readonly string[], o: DetectOptions): Detection[] {
  const rows = dims[1]!;
  const anchors = dims[2]!;
  const classes = rows - 4;
  const out: Detection[] = [];
  for (let a = 0; a < anchors; a++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      const s = data[(4 + c) * anchors + a]!;
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    if (bestScore < o.scoreThreshold) continue;
    const cx = data[a]!;
    const cy = data[anchors + a]!;
    const w = data[2 * anchors + a]!;
    const h = data[3 * anchors + a]!;
    const box = toOriginal(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, t, size.width, size.height);
    if (box.width <= 0 || box.height <= 0) continue;
    out.push({ box, score: bestScore, classIndex: best, label: labels[best] ?? `class ${best}` });
  }
  return nms(out, o.iouThreshold, o.maxDetections);
}
