/**
 * Models that do not ship offline: where to fetch them, how big they are, their SHA-256 (the download
 * is refused unless it matches) and licence, and how to run them once installed. Sizes and hashes
 * are those published for the exact files (ONNX Model Zoo LFS pointers, release assets).
 */
import type { ModelManifest } from '../../common/contract/inference';
import { say } from '../../common/messages';

export interface CatalogueItem {
  id: string;
  name: string;
  task: ModelManifest['task'];
  description: string;
  /** The description's code in main/common/messages.ts, for the UI to translate (every shipped entry has one; a test catalogue may leave it out). */
  descriptionCode?: string;
  url: string;
  sizeBytes: number;
  sha256: string;
  licence: string;
  licenceUrl: string | null;
  /** How to run it; inputs and outputs are read from the file after download. */
  manifest: Pick<ModelManifest, 'normalization' | 'postprocess' | 'labels' | 'maxSide' | 'sizeMultiple'>;
}

const IMAGENET = { scale: 1 / 255, mean: [0.485, 0.456, 0.406] as [number, number, number], std: [0.229, 0.224, 0.225] as [number, number, number] };
const PP_DEFAULTS = { scoreThreshold: 0.3, iouThreshold: 0.45, topK: 5, maxDetections: 100, minMaxMask: false, inverseDepth: true };

export const CATALOGUE: CatalogueItem[] = [
  {
    id: 'midas-v21-small',
    name: 'MiDaS v2.1 small (depth)',
    task: 'depth',
    description: say('model.midas-v21-small', {}).message,
    descriptionCode: 'model.midas-v21-small',
    url: 'https://github.com/isl-org/MiDaS/releases/download/v2_1/model-small.onnx',
    sizeBytes: 66_764_249,
    sha256: '2d8c6cb8f415229daf1eb041024208e2608c9f98e17c81cc7c6ecb449c56fd58',
    licence: 'MIT (Intel ISL, MiDaS)',
    licenceUrl: 'https://github.com/isl-org/MiDaS/blob/master/LICENSE',
    manifest: {
      normalization: { layout: 'NCHW', channelOrder: 'RGB', ...IMAGENET, resize: 'stretch', dtype: 'float32' },
      postprocess: { ...PP_DEFAULTS, kind: 'depth', inverseDepth: true },
      labels: [],
      maxSide: 256,
      sizeMultiple: 32,
    },
  },
  {
    id: 'u2netp',
    name: 'U²-Net portable (background removal)',
    task: 'segmentation',
    description: say('model.u2netp', {}).message,
    descriptionCode: 'model.u2netp',
    url: 'https://github.com/danielgatis/rembg/releases/download/v0.0.0/u2netp.onnx',
    sizeBytes: 4_574_861,
    sha256: '309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8',
    licence: 'Apache-2.0 (U-2-Net, Xuebin Qin)',
    licenceUrl: 'https://github.com/xuebinqin/U-2-Net/blob/master/LICENSE',
    manifest: {
      normalization: { layout: 'NCHW', channelOrder: 'RGB', ...IMAGENET, resize: 'stretch', dtype: 'float32' },
      postprocess: { ...PP_DEFAULTS, kind: 'mask', minMaxMask: true },
      labels: [],
      maxSide: 320,
      sizeMultiple: 32,
    },
  },
  {
    id: 'shufflenet-v2',
    name: 'ShuffleNet v2 (ImageNet classifier)',
    task: 'classification',
    description: say('model.shufflenet-v2', {}).message,
    descriptionCode: 'model.shufflenet-v2',
    url: 'https://github.com/onnx/models/raw/4c46cd00fbdb7cd30b6c1c17ab54f2e1f4f7b177/validated/vision/classification/shufflenet/model/shufflenet-v2-12.onnx',
    sizeBytes: 9_218_556,
    sha256: 'ea69821b4dd374ae2f33f9710dd1229ac263d0ee5b5a46ca3521f6483e1ba035',
    licence: 'BSD-3-Clause (torchvision weights, ONNX Model Zoo)',
    licenceUrl: 'https://github.com/onnx/models/blob/main/validated/vision/classification/shufflenet/README.md',
    manifest: {
      normalization: { layout: 'NCHW', channelOrder: 'RGB', ...IMAGENET, resize: 'stretch', dtype: 'float32' },
      postprocess: { ...PP_DEFAULTS, kind: 'softmax' },
      labels: [],
      maxSide: 224,
      sizeMultiple: 32,
    },
  },
];

export function catalogueItem(id: string, list: readonly CatalogueItem[] = CATALOGUE): CatalogueItem | undefined {
  return list.find((c) => c.id === id);
}
