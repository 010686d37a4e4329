/** Camera framing and grid sizing, pure so they are unit-tested without WebGL. */
import type { Vec3 } from '../formats/model';

/**
 * Where to put a perspective camera (vertical `fovDeg`, aspect w/h) to see a box with `margin`,
 * looking from `direction` (normalised here). Returns position, target and sensible near/far planes.
 */
export function frameBox(min: Vec3, max: Vec3, fovDeg: number, aspect: number, direction: Vec3 = [1, 0.7, 1.3], margin = 1.15) {
  const center: Vec3 = [(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2];
  const radius = Math.max(1e-6, Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]) / 2);
  const vfov = (fovDeg * Math.PI) / 180;
  const hfov = 2 * Math.atan(Math.tan(vfov / 2) * aspect);
  const fit = Math.min(vfov, hfov);
  const distance = (radius / Math.sin(fit / 2)) * margin;
  const l = Math.hypot(...direction) || 1;
  const position: Vec3 = [center[0] + (direction[0] / l) * distance, center[1] + (direction[1] / l) * distance, center[2] + (direction[2] / l) * distance];
  return { position, target: center, distance, near: Math.max(distance / 1000, radius / 1e4), far: distance * 100 + radius * 10 };
}

export interface Box3Like {
  min: Vec3;
  max: Vec3;
}

/** The smallest box holding all of `boxes`. */
export function unionBox(boxes: Box3Like[]): Box3Like {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const b of boxes) {
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i]!, b.min[i]!);
      max[i] = Math.max(max[i]!, b.max[i]!);
    }
  }
  return boxes.length ? { min, max } : { min: [0, 0, 0], max: [0, 0, 0] };
}

/**
 * What one view of the compare mode must frame. With synced cameras both views share one camera, so each
 * frames the union of the two models (fitting each to its own box and then syncing left the last fitted
 * model's framing on both, cropping the larger one); unsynced, each frames its own model.
 */
export function compareFitBox(own: Box3Like, other: Box3Like | null, synced: boolean): Box3Like {
  return synced && other ? unionBox([own, other]) : own;
}

/** The aspect of the panel a view draws in (half the page in compare), never 0 or NaN while it is laid out. */
export function viewAspect(width: number, height: number): number {
  return width > 0 && height > 0 ? width / height : 1;
}

/** A grid cell of 1, 2 or 5 × 10ⁿ so that about 10–25 cells span the model. */
export function niceCellSize(size: number): number {
  if (!(size > 0)) return 1;
  const raw = size / 15;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : 5) * p;
}

/** A length with a unit-free precision that suits its size (for statistics and the measuring tool). */
export function formatLength(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1000) return v.toFixed(0);
  if (a >= 1) return v.toFixed(3).replace(/\.?0+$/, '');
  return String(Number(v.toPrecision(3)));
}
