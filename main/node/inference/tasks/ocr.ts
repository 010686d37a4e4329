/**
 * OCR with PaddleOCR models: DB text detection (probability map → text boxes) and CTC recognition
 * (per-timestep class probabilities → text), plus the crop-and-normalise step between the two.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import type { Box } from '../../../common/contract/inference';
import type { InputTensor, FitTransform } from '../image-io';

export interface DbOptions {
  /** Pixel probability above which a pixel is text (PaddleOCR: 0.3). */
  binaryThreshold: number;
  /** Mean probability a box needs to be kept (PaddleOCR: 0.6). */
  boxThreshold: number;
  /** How far a box grows back out, as PaddleOCR's unclip ratio (1.5). */
  unclipRatio: number;
  maxBoxes: number;
}

export const DB_DEFAULTS: DbOptions = { binaryThreshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, maxBoxes: 200 };

/**
 * Text boxes from a DB probability map (h × w, input space), mapped to the original image. Boxes are
 * axis-aligned (connected components of the thresholded map, grown by the unclip distance), in reading order.
 */
export function decodeDbBoxes(prob: ArrayLike<number>, w: number, h: number, t: FitTransform, size: { width: number; height: number }, o: DbOptions): { box: Box; score: number }[] {
  const seen = new Uint8Array(w * h);
  const out: { box: Box; score: number }[] = [];
  const stack: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || !(prob[start]! > o.binaryThreshold)) continue;
    let minX = w, minY = h, maxX = -1, maxY = -1, sum = 0, count = 0;
    stack.push(start);
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % w;
      const y = (i - x) / w;
      sum += prob[i]!;
      count++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      for (const [dx, dy] of NEIGHBOURS) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const j = ny * w + nx;
        if (!seen[j] && prob[j]! > o.binaryThreshold) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    const bw = maxX - minX + 1;
    const bh = maxY - minY + 1;
    if (Math.min(bw, bh) < 3) continue;
    const score = sum / count;
    if (score < o.boxThreshold) continue;
    const d = (bw * bh * o.unclipRatio) / (2 * (bw + bh));
    const x1 = (minX - d - t.padX) / t.scaleX;
    const y1 = (minY - d - t.padY) / t.scaleY;
    const x2 = (maxX + 1 + d - t.padX) / t.scaleX;
    const y2 = (maxY + 1 + d - t.padY) / t.scaleY;
    const bx = Math.max(0, x1);
    const by = Math.max(0, y1);
    const box = { x: bx, y: by, width: Math.min(size.width, x2) - bx, height: Math.min(size.height, y2) - by };
    if (box.width > 1 && box.height > 1) out.push({ box, score });
  }
  // Reading order: by line (boxes whose vertical centres are close), then left to right.
  out.sort((a, b) => {
    const ca = a.box.y + a.box.height / 2;
    const cb = b.box.y + b.box.height / 2;
    return Math.abs(ca - cb) < Math.min(a.box.height, b.box.height) / 2 ? a.box.x - b.box.x : ca - cb;
  });
  return out.slice(0, o.maxBoxes);
}

const NEIGHBOURS = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]] as const;

/** PaddleOCR's dictionary: index 0 is the CTC blank, then one character per line, then a space. */
export function loadDictionary(file: string): string[] {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return ['', ...lines, ' '];
}

/**
 * A step whose best class is the blank but gives the space at least this much is a word gap. PaddleOCR's
 * recogniser often splits a gap between blank and space (0.51 / 0.48 on white text over a dark band), and the
 * plain argmax then runs the words together ("HELLOCREATOR").
 */
export const SPACE_MIN = 0.25;

/**
 * Greedy CTC decoding of one [T, C] probability matrix: best class per step, repeats merged, blanks dropped,
 * and a word space kept where the space is likely enough between two characters (see SPACE_MIN). The score is
 * the mean probability of the characters kept (spaces not counted).
 */
export function ctcDecode(data: ArrayLike<number>, steps: number, classes: number, dict: readonly string[]): { text: string; score: number } {
  const space = dict.lastIndexOf(' ');
  let text = '';
  let scoreSum = 0;
  let kept = 0;
  let prev = -1;
  let gap = false;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestP = -Infinity;
    const off = t * classes;
    for (let c = 0; c < classes; c++) {
      const p = data[off + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best === space || (best === 0 && space > 0 && data[off + space]! >= SPACE_MIN)) {
      gap = kept > 0;
    } else if (best !== 0 && best !== prev) {
      if (gap) text += ' ';
      gap = false;
      text += dict[best] ?? '';
      scoreSum += bestP;
      kept++;
    }
    prev = best;
  }
  return { text, score: kept ? scoreSum / kept : 0 };
}

/**
 * The text of recognised lines: boxes on one line (vertical centres close, as decodeDbBoxes orders them) joined
 * with a space, lines with a newline.
 */
export function joinLines(lines: readonly { box: Box; text: string }[]): string {
  const out: string[][] = [];
  let last: Box | null = null;
  for (const l of lines) {
    if (!l.text) continue;
    const sameLine = last !== null && Math.abs(last.y + last.height / 2 - (l.box.y + l.box.height / 2)) < Math.min(last.height, l.box.height) / 2;
    if (sameLine) out.at(-1)!.push(l.text);
    else out.push([l.text]);
    last = l.box;
  }
  return out.map((words) => words.join(' ')).join('\n');
}

export const REC_HEIGHT = 48;
const REC_MAX_WIDTH = 1600;

/**
 * Crops text boxes out of the original pixels and lays them out as PaddleOCR's recogniser wants:
 * height 48, width by aspect, BGR, (x/255 − 0.5)/0.5, NCHW, all padded with zeros to the widest crop.
 */
export async function recInputs(original: { data: Buffer; width: number; height: number }, boxes: Box[]): Promise<InputTensor> {
  const crops: { data: Buffer; width: number }[] = [];
  for (const b of boxes) {
    const left = Math.max(0, Math.floor(b.x));
    const top = Math.max(0, Math.floor(b.y));
    const width = Math.max(1, Math.min(original.width - left, Math.ceil(b.width)));
    const height = Math.max(1, Math.min(original.height - top, Math.ceil(b.height)));
    const rw = Math.max(1, Math.min(REC_MAX_WIDTH, Math.ceil((REC_HEIGHT * width) / height)));
    const { data } = await sharp(original.data, { raw: { width: original.width, height: original.height, channels: 3 } })
      .extract({ left, top, width, height })
      .resize(rw, REC_HEIGHT, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    crops.push({ data, width: rw });
  }
  const W = Math.max(...crops.map((c) => c.width));
  const plane = REC_HEIGHT * W;
  const out = new Float32Array(crops.length * 3 * plane);
  crops.forEach((c, n) => {
    for (let ch = 0; ch < 3; ch++) {
      const src = 2 - ch; // BGR
      const base = n * 3 * plane + ch * plane;
      for (let y = 0; y < REC_HEIGHT; y++) {
        for (let x = 0; x < c.width; x++) out[base + y * W + x] = (c.data[(y * c.width + x) * 3 + src]! / 255 - 0.5) / 0.5;
      }
    }
  });
  return { data: out, dims: [crops.length, 3, REC_HEIGHT, W] };
}
