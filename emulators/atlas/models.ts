/**
 * The five Atlas models as seed 000 writes them: the create path (§3), the multipart fields with their exact
 * capitals, the modelId / modelName pairs (§4.1), the download code table (§4.2) and the input limits (§3).
 */

export type ModelKey = 'nerf2mesh' | 'gs3d' | 'decal' | 'musepose' | 'instant-mesh';

/** What a result file is; the generator makes one file per kind. */
export type ResultKind = 'glb' | 'glb-coarse' | 'obj' | 'ply' | 'gif' | 'tar.gz';

export interface DownloadCode {
  code: number;
  kind: ResultKind;
  /** Appended to itemName for the offered filename (`_1.glb`, `.ply` …). */
  suffix: string;
  contentType: string;
}

export interface VideoRule {
  field: string;
  minSeconds?: number;
  maxSeconds?: number;
  /** "Less than N seconds": exclusive. */
  belowSeconds?: number;
  /** Short side, px (HD = 720). */
  minShortSide?: number;
  /** FHD: short side ≤ 1080 and long side ≤ 1920. */
  maxFhd?: boolean;
  vertical?: boolean;
  minBytes?: number;
  maxBytes?: number;
}

export interface ImageRule {
  field: string;
  minWidth?: number;
  minHeight?: number;
  vertical?: boolean;
  maxBytes?: number;
}

export interface ModelSpec {
  key: ModelKey;
  modelId: string;
  modelName: string;
  /** Text fields besides itemName, exactly as the seed spells them. */
  epoch: boolean;
  video: VideoRule | null;
  image: ImageRule | null;
  codes: DownloadCode[];
}

// Size bounds are read the liberal way so that either meaning of "MB" passes here: an upper bound in
// mebibytes (the larger number), a lower bound in 10^6 bytes (the smaller one). See CONTRACT.md.
const MiB = 1024 * 1024;
const MB = 1_000_000;

const GLB = 'model/gltf-binary';

export const MODELS: Record<ModelKey, ModelSpec> = {
  nerf2mesh: {
    key: 'nerf2mesh',
    modelId: '1',
    modelName: 'nerf2mesh',
    epoch: true,
    video: { field: 'payLoad', minSeconds: 20, maxSeconds: 180, minShortSide: 720, maxFhd: true, minBytes: 50 * MB, maxBytes: 300 * MiB },
    image: null,
    codes: [
      { code: 1, kind: 'glb', suffix: '_1.glb', contentType: GLB },
      { code: 2, kind: 'glb-coarse', suffix: '_0.glb', contentType: GLB },
      { code: 3, kind: 'gif', suffix: '.gif', contentType: 'image/gif' },
    ],
  },
  gs3d: {
    key: 'gs3d',
    modelId: '2',
    modelName: 'gaussian-splatting',
    epoch: true,
    video: { field: 'Payload', maxSeconds: 180, maxFhd: true, maxBytes: 300 * MiB },
    image: null,
    codes: [{ code: 1, kind: 'ply', suffix: '.ply', contentType: 'application/octet-stream' }],
  },
  decal: {
    key: 'decal',
    modelId: '3',
    modelName: 'decal',
    epoch: false,
    video: { field: 'payLoad', minSeconds: 20, maxSeconds: 60 },
    image: null,
    codes: [
      { code: 1, kind: 'glb', suffix: '.glb', contentType: GLB },
      { code: 2, kind: 'gif', suffix: '.gif', contentType: 'image/gif' },
      { code: 3, kind: 'tar.gz', suffix: '.tar.gz', contentType: 'application/gzip' },
    ],
  },
  musepose: {
    key: 'musepose',
    modelId: '4',
    modelName: 'MusePose',
    epoch: true,
    video: { field: 'payLoad', belowSeconds: 20, vertical: true, maxBytes: 20 * MiB },
    image: { field: 'Image', vertical: true, maxBytes: 10 * MiB },
    // the seed has no code table for MusePose; §3.3 says it makes a 3D model (*.glb)
    codes: [{ code: 1, kind: 'glb', suffix: '.glb', contentType: GLB }],
  },
  'instant-mesh': {
    key: 'instant-mesh',
    modelId: '5',
    modelName: 'InstantMesh',
    epoch: true,
    video: null,
    image: { field: 'Image', minWidth: 300, minHeight: 300, maxBytes: 10 * MiB },
    codes: [
      { code: 1, kind: 'glb', suffix: '.glb', contentType: GLB },
      { code: 2, kind: 'obj', suffix: '.obj', contentType: 'text/plain; charset=utf-8' },
    ],
  },
};

export const MODEL_LIST = Object.values(MODELS);

/** `my/{ModelId}`: the seed's number, or (liberally) a model name or create path. */
export function modelByIdOrName(value: string): ModelSpec | null {
  const v = value.trim();
  return MODEL_LIST.find((m) => m.modelId === v || m.key === v || m.modelName.toLowerCase() === v.toLowerCase()) ?? null;
}

/** Largest single upload the models accept (the multipart parser's cut-off). */
export const MAX_UPLOAD_BYTES = 300 * MiB;
