/** Pure helpers for drawing results over images (tested without a DOM). */
import type { InferenceOutput } from '../../../../main/common/contract';

/** Skeleton edges between COCO keypoints (indices into the 17 MoveNet keypoints). */
export const SKELETON: [number, number][] = [
  [0, 1], [0, 2], [1, 3], [2, 4], [5, 6], [5, 7], [7, 9], [6, 8], [8, 10], [5, 11], [6, 12], [11, 12], [11, 13], [13, 15], [12, 14], [14, 16],
];

/** A stable, distinct hue per class so the same label has the same colour everywhere. */
export function classColour(classIndex: number): string {
  const hue = (classIndex * 137.508) % 360;
  return `hsl(${hue.toFixed(0)} 85% 60%)`;
}

/** Short caption for a result tile. */
export function caption(o: InferenceOutput | null, fmt: (n: number) => string): string {
  if (!o) return '';
  switch (o.task) {
    case 'classification':
      return o.top[0] ? `${o.top[0].label} ${fmt(o.top[0].score * 100)}%` : '';
    case 'detection':
      return countBy(o.detections.map((d) => d.label));
    case 'pose':
      return o.poses.length ? `${o.poses.length} × person` : '';
    case 'segmentation':
      return `${fmt(o.coverage * 100)}%`;
    case 'depth':
      return `${o.points} pts`;
    case 'ocr-det':
      return o.text.split('\n')[0] ?? '';
    case 'ocr-rec':
      return o.text;
  }
}

/** "person ×3, dog" — counts per label, most frequent first. */
export function countBy(labels: string[]): string {
  const m = new Map<string, number>();
  for (const l of labels) m.set(l, (m.get(l) ?? 0) + 1);
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([l, n]) => (n > 1 ? `${l} ×${n}` : l))
    .join(', ');
}

/** Keypoint pairs to draw for a pose, skipping edges with an unsure end. */
export function skeletonLines(keypoints: { x: number; y: number; score: number }[], minScore: number): { x1: number; y1: number; x2: number; y2: number }[] {
  const out: { x1: number; y1: number; x2: number; y2: number }[] = [];
  for (const [a, b] of SKELETON) {
    const p = keypoints[a];
    const q = keypoints[b];
    if (p && q && p.score >= minScore && q.score >= minScore) out.push({ x1: p.x, y1: p.y, x2: q.x, y2: q.y });
  }
  return out;
}
