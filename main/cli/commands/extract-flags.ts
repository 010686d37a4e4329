/**
 * `kraken extract` flags → extraction params, checked by hand with the same rules as the contract's
 * ExtractParams schema (a unit test holds the two in step). The CLI does not load zod for this:
 * ~50–90 ms of start-up that a short extraction would feel against plain ffmpeg.
 */
import type { ExtractMode, ExtractParams } from '../../common/contract';

export interface ExtractFlags {
  fps?: string;
  every?: string;
  keyframes?: boolean;
  scene?: string;
  count?: string;
  start?: string;
  end?: string;
  'max-side'?: string;
  format?: string;
  quality?: string;
  'drop-blurry'?: boolean;
}

const isInt = (x: number) => Number.isInteger(x);

/** The params, or the first problem as "path: message" (like a zod issue). */
export function paramsFromFlags(v: ExtractFlags): { params: ExtractParams } | { error: string } | { modes: number } {
  const modes: ExtractMode[] = [];
  if (v.fps !== undefined) modes.push({ kind: 'fps', fps: Number(v.fps) });
  if (v.every !== undefined) modes.push({ kind: 'every', n: Number(v.every) });
  if (v.keyframes) modes.push({ kind: 'keyframes' });
  if (v.scene !== undefined) modes.push({ kind: 'scene', threshold: Number(v.scene) });
  if (v.count !== undefined) modes.push({ kind: 'count', count: Number(v.count) });
  if (modes.length !== 1) return { modes: modes.length };
  const mode = modes[0]!;
  switch (mode.kind) {
    case 'fps':
      if (!(mode.fps > 0 && mode.fps <= 240)) return { error: 'mode.fps: must be a number above 0 and at most 240' };
      break;
    case 'every':
      if (!(isInt(mode.n) && mode.n >= 1 && mode.n <= 1_000_000)) return { error: 'mode.n: must be a whole number from 1 to 1000000' };
      break;
    case 'scene':
      if (!(mode.threshold > 0 && mode.threshold < 1)) return { error: 'mode.threshold: must be above 0 and below 1' };
      break;
    case 'count':
      if (!(isInt(mode.count) && mode.count >= 1 && mode.count <= 20_000)) return { error: 'mode.count: must be a whole number from 1 to 20000' };
      break;
    case 'keyframes':
      break;
  }
  const format = v.format ?? 'jpg';
  if (format !== 'jpg' && format !== 'png' && format !== 'webp') return { error: 'format: must be jpg, png or webp' };
  const quality = Number(v.quality ?? '90');
  if (!(isInt(quality) && quality >= 1 && quality <= 100)) return { error: 'quality: must be a whole number from 1 to 100' };
  const params: ExtractParams = { mode, format, quality };
  if (v.start !== undefined) {
    const s = Number(v.start);
    if (!(s >= 0)) return { error: 'start: must be 0 or more' };
    params.start = s;
  }
  if (v.end !== undefined) {
    const e = Number(v.end);
    if (!(e > 0)) return { error: 'end: must be above 0' };
    params.end = e;
  }
  if (v['max-side'] !== undefined) {
    const m = Number(v['max-side']);
    if (!(isInt(m) && m >= 16 && m <= 16384)) return { error: 'maxSide: must be a whole number from 16 to 16384' };
    params.maxSide = m;
  }
  if (v['drop-blurry']) params.dropBlurry = true;
  if (params.end !== undefined && !(params.end > (params.start ?? 0))) return { error: 'end: end must be after start' };
  return { params };
}
