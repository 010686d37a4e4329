/**
 * The cloud models' input limits (SPEC §3, seed 000 §3) as data. Sizes are read the strict way:
 * an upper limit of "300MB" is 300 × 10^6 bytes and a lower limit of "50MB" is 50 × 2^20 bytes, so a
 * file that passes here passes whichever meaning the server uses.
 */
import type { CloudModel } from '../../common/contract';

const MB_MAX = 1_000_000;
const MB_MIN = 1024 * 1024;

export interface VideoLimits {
  /** Accepted file extension / container. */
  container: 'mp4';
  minSeconds?: number;
  /** Inclusive upper bound. */
  maxSeconds?: number;
  /** Exclusive upper bound ("less than 20 seconds"). */
  belowSeconds?: number;
  /** Short side at least this (HD = 720). */
  minShortSide?: number;
  /** Short side and long side at most (FHD = 1080 × 1920). */
  maxShortSide?: number;
  maxLongSide?: number;
  vertical?: boolean;
  minBytes?: number;
  maxBytes?: number;
  /** Exclusive ("less than 20MB"). */
  belowBytes?: number;
  /** Human words for the seed's resolution rule, for messages. */
  resolutionWords?: string;
}

export interface ImageLimits {
  extensions: string[];
  minWidth?: number;
  minHeight?: number;
  vertical?: boolean;
  maxBytes?: number;
  belowBytes?: number;
}

export interface ModelLimits {
  label: string;
  video: VideoLimits | null;
  image: ImageLimits | null;
  /** Reconstructs 3D from a moving camera: the capture-quality hint applies. */
  capture3d: boolean;
  /** What the seed asks for that a file cannot show. */
  notes: string[];
}

const IMAGE_EXT = ['png', 'jpg', 'jpeg'];

export const CLOUD_LIMITS: Record<CloudModel, ModelLimits> = {
  nerf2mesh: {
    label: 'NeRF2Mesh',
    video: { container: 'mp4', minSeconds: 20, maxSeconds: 180, minShortSide: 720, maxShortSide: 1080, maxLongSide: 1920, minBytes: 50 * MB_MIN, maxBytes: 300 * MB_MAX, resolutionWords: 'HD to Full HD' },
    image: null,
    capture3d: true,
    notes: ['The server can also downscale to HD itself (resize option).'],
  },
  gs3d: {
    label: 'Gaussian splatting',
    video: { container: 'mp4', maxSeconds: 180, maxShortSide: 1080, maxLongSide: 1920, maxBytes: 300 * MB_MAX, resolutionWords: 'Full HD or lower' },
    image: null,
    capture3d: true,
    notes: [],
  },
  'instant-mesh': {
    label: 'InstantMesh',
    video: null,
    image: { extensions: IMAGE_EXT, minWidth: 300, minHeight: 300, maxBytes: 10 * MB_MAX },
    capture3d: false,
    notes: [],
  },
  musepose: {
    label: 'MusePose',
    video: { container: 'mp4', belowSeconds: 20, vertical: true, belowBytes: 20 * MB_MAX },
    image: { extensions: IMAGE_EXT, vertical: true, belowBytes: 10 * MB_MAX },
    capture3d: false,
    notes: [],
  },
  decal: {
    label: 'Decal',
    video: { container: 'mp4', minSeconds: 20, maxSeconds: 60 },
    image: null,
    capture3d: true,
    notes: ['Decal currently accepts recordings from Android devices only.'],
  },
};

/** Seconds a trim leaves below the limit (stream-copy cuts end on a whole frame). */
export const TRIM_MARGIN_SECONDS = 0.5;

/** The length a trim cuts to for these limits, or null when no upper limit applies. */
export function trimTarget(v: VideoLimits): number | null {
  if (v.maxSeconds !== undefined) return v.maxSeconds - TRIM_MARGIN_SECONDS;
  if (v.belowSeconds !== undefined) return v.belowSeconds - TRIM_MARGIN_SECONDS;
  return null;
}

/** The length a trim to the readable part of a cut-short file keeps: every stream complete, with the trim margin. */
export function readableTrimTarget(damage: { completeSeconds: number }): number {
  return Math.max(0.1, damage.completeSeconds - TRIM_MARGIN_SECONDS);
}

/** Byte budget a size fit aims at: inside the allowed band with room for encoder variance. */
export function sizeTarget(v: VideoLimits, current: number): number | null {
  const upper = v.maxBytes ?? (v.belowBytes !== undefined ? v.belowBytes - 1 : undefined);
  if (upper !== undefined && current > upper) return Math.floor(upper * 0.85);
  if (v.minBytes !== undefined && current < v.minBytes) return Math.ceil(v.minBytes * 1.12);
  return null;
}
