/** Pose: MoveNet single-pose keypoints ([1, 1, 17, 3] = y, x, score, normalised to the input) → image pixels. */
import type { Pose } from '../../../common/contract/inference';
import type { FitTransform } from '../image-io';

export const COCO_KEYPOINTS = [
  'nose', 'leftEye', 'rightEye', 'leftEar', 'rightEar', 'leftShoulder', 'rightShoulder', 'leftElbow', 'rightElbow',
  'leftWrist', 'rightWrist', 'leftHip', 'rightHip', 'leftKnee', 'rightKnee', 'leftAnkle', 'rightAnkle',
] as const;

/** Skeleton edges for overlays. */
export const COCO_SKELETON: [number, number][] = [
  [0, 1], [0, 2], [1, 3], [2, 4], [5, 6], [5, 7], [7, 9], [6, 8], [8, 10], [5, 11], [6, 12], [11, 12], [11, 13], [13, 15], [12, 14], [14, 16],
];

/**
 * One pose per image. Keypoints below the threshold are kept (with their score) so overlays can fade
 * them; the pose score is the mean over keypoints, and a pose whose score is under the threshold is dropped.
 */
export function decodeMovenet(data: ArrayLike<number>, t: FitTransform, size: { width: number; height: number }, scoreThreshold: number): Pose[] {
  const keypoints = COCO_KEYPOINTS.map((name, i) => {
    const y = data[i * 3]! * t.inputHeight;
    const x = data[i * 3 + 1]! * t.inputWidth;
    return {
      name,
      x: Math.min(size.width, Math.max(0, (x - t.padX) / t.scaleX)),
      y: Math.min(size.height, Math.max(0, (y - t.padY) / t.scaleY)),
      score: data[i * 3 + 2]!,
    };
  });
  const score = keypoints.reduce((s, k) => s + k.score, 0) / keypoints.length;
  if (score < scoreThreshold) return [];
  const sure = keypoints.filter((k) => k.score >= scoreThreshold);
  const xs = sure.map((k) => k.x);
  const ys = sure.map((k) => k.y);
  const box = sure.length
    ? { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) }
    : { x: 0, y: 0, width: 0, height: 0 };
  return [{ score, box, keypoints }];
}
