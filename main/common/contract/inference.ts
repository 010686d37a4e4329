/**
 * Local inference: the model library (manifests), execution providers and devices, batch runs over a
 * project's images, their stored results and exports. Runtime-agnostic (main, preload, renderer, CLI).
 */
import { z } from 'zod';
import { AppErrorShape, channel, Empty, fileSafeName, Id, IsoTime, MessageCodeField, MessageParamsField } from './define';

export const ModelTask = z.enum(['classification', 'detection', 'pose', 'segmentation', 'depth', 'ocr-det', 'ocr-rec']);
export type ModelTask = z.infer<typeof ModelTask>;

export const ModelRuntime = z.enum(['onnx', 'tfjs']);
export type ModelRuntime = z.infer<typeof ModelRuntime>;

export const ModelSourceKind = z.enum(['bundled', 'downloaded', 'imported', 'cloud-trained']);
export type ModelSourceKind = z.infer<typeof ModelSourceKind>;

export const ModelId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, dot, dash, underscore');

/** One input or output of a model, as the model file declares it (strings are symbolic dims such as `N`). */
export const TensorSpec = z.object({
  name: z.string(),
  shape: z.array(z.union([z.number().int(), z.string()])),
  type: z.string(),
});
export type TensorSpec = z.infer<typeof TensorSpec>;

/** How an image becomes the model's input tensor: `((pixel * scale) - mean) / std`, per channel. */
export const Normalization = z.object({
  layout: z.enum(['NCHW', 'NHWC']),
  channelOrder: z.enum(['RGB', 'BGR']),
  scale: z.number().positive(),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  /** stretch: resize to the input size; letterbox: keep aspect, pad right/bottom; pad-square: pad to a square, centred, then resize. */
  resize: z.enum(['stretch', 'letterbox', 'pad-square']),
  dtype: z.enum(['float32', 'int32', 'uint8']),
});
export type Normalization = z.infer<typeof Normalization>;

/** Which decoder turns raw outputs into results, and its thresholds. */
export const Postprocess = z.object({
  kind: z.enum([
    'softmax', // classification logits
    'probabilities', // classification, already probabilities
    'detections-xyxy', // [N, K, 6] = x1, y1, x2, y2, score, class in input pixels (CenterNet of @vladmandic/human)
    'yolov8', // [N, 4 + C, A] = cx, cy, w, h, class scores
    'movenet', // [N, 1, 17, 3] = y, x, score (normalised)
    'mask', // [N, 1, H, W] foreground probability (U²-Net, matting)
    'class-map', // [N, C, H, W] per-class scores, argmax; class 0 is background
    'depth', // [N, H, W] or [N, 1, H, W]
    'paddle-det', // PaddleOCR DB text detection probability map
    'paddle-ctc', // PaddleOCR CTC text recognition
  ]),
  scoreThreshold: z.number().min(0).max(1).default(0.3),
  iouThreshold: z.number().min(0).max(1).default(0.45),
  topK: z.number().int().min(1).max(100).default(5),
  maxDetections: z.number().int().min(1).max(1000).default(100),
  /** Segmentation: normalise the mask to 0..1 by its min and max first (U²-Net does). */
  minMaxMask: z.boolean().default(false),
  /** Depth: the model outputs inverse depth (bigger = nearer, MiDaS) rather than distance. */
  inverseDepth: z.boolean().default(true),
});
export type Postprocess = z.infer<typeof Postprocess>;

/**
 * Where a cloud-trained model came from (the vision platform, seed 001): the dataset, the workflow, its base model
 * and final metrics — kept for the on-chain registry (C9). Absent on models that were not trained in the cloud.
 */
export const ModelLineage = z.object({
  platform: z.literal('vision'),
  /** The platform address it was pulled from (no credentials). */
  baseUrl: z.string().nullable(),
  workflowId: z.string(),
  workflowName: z.string().nullable(),
  datasetId: z.string().nullable(),
  /** The catalogue model it was fine-tuned from (`resnet50`). */
  baseModel: z.string().nullable(),
  taskType: z.string().nullable(),
  classNames: z.array(z.string()),
  finalMetrics: z.record(z.string(), z.number()),
  hyperparameters: z.record(z.string(), z.unknown()).default({}),
  trainedAt: IsoTime.nullable(),
  pulledAt: IsoTime,
});
export type ModelLineage = z.infer<typeof ModelLineage>;

export const ModelManifest = z.object({
  id: ModelId,
  name: z.string().min(1).max(120),
  task: ModelTask,
  runtime: ModelRuntime,
  description: z.string().default(''),
  /** The description as a code of main/common/messages.ts (`model.<id>`), for the UI to translate; bundled and catalogue models. */
  descriptionCode: MessageCodeField.optional(),
  inputs: z.array(TensorSpec).min(1),
  outputs: z.array(TensorSpec).min(1),
  /** Fixed input size, or null where the model takes any size (it is then fitted to `maxSide`). */
  inputSize: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }).nullable(),
  /** For models of dynamic size: the longest side the image is scaled to, rounded to `sizeMultiple`. */
  maxSide: z.number().int().positive().default(960),
  sizeMultiple: z.number().int().positive().default(32),
  normalization: Normalization,
  postprocess: Postprocess,
  labels: z.array(z.string()),
  licence: z.string().min(1),
  licenceUrl: z.string().nullable().default(null),
  source: ModelSourceKind,
  /** SHA-256 of the main model file (the model.json for TF.js graph models). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().nonnegative(),
  /** Absolute path of the model file (.onnx) or the TF.js model.json. */
  location: z.string(),
  /** Another model this one is run with (OCR detection → recognition). */
  companion: ModelId.nullable().default(null),
  /**
   * The model this one is an internal step of (the OCR recogniser of the OCR model): not listed or run on its own,
   * since alone it reads whatever it is given as one line of text (noise on a whole frame).
   */
  partOf: ModelId.nullable().default(null),
  /** Extra files by role (e.g. the OCR dictionary). Absolute paths. */
  extraFiles: z.record(z.string(), z.string()).default({}),
  addedAt: IsoTime.nullable().default(null),
  /** Cloud-trained models: dataset → workflow → model (optional, additive). */
  lineage: ModelLineage.optional(),
});
export type ModelManifest = z.infer<typeof ModelManifest>;
export type ModelManifestInput = z.input<typeof ModelManifest>;

/** A model that does not ship offline: fetched on request, verified before use. */
export const CatalogueEntry = z.object({
  id: ModelId,
  name: z.string(),
  task: ModelTask,
  description: z.string(),
  /** The description as a code of main/common/messages.ts (`model.<id>`), for the UI to translate. */
  descriptionCode: MessageCodeField.optional(),
  url: z.string(),
  sizeBytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  licence: z.string(),
  licenceUrl: z.string().nullable(),
  installed: z.boolean(),
});
export type CatalogueEntry = z.infer<typeof CatalogueEntry>;

// ---- devices and execution providers ----

export const GpuInfo = z.object({
  name: z.string(),
  vendor: z.enum(['nvidia', 'amd', 'intel', 'apple', 'microsoft', 'other']),
  memoryMiB: z.number().nullable(),
  driver: z.string().nullable(),
  /** Where the figures came from: nvidia-smi, /proc, lspci, system_profiler, wmi. */
  source: z.string(),
});
export type GpuInfo = z.infer<typeof GpuInfo>;

export const ProviderStatus = z.enum(['used', 'available', 'skipped', 'failed', 'not-tried']);

/** One execution provider (ONNX Runtime) or backend (TF.js), and what became of it. */
export const ProviderAttempt = z.object({
  name: z.string(),
  label: z.string(),
  status: ProviderStatus,
  /** Why it was skipped or failed, in words a creator can act on (no paths, no internal file names). */
  reason: z.string().nullable(),
  /** `reason` as a code of main/common/messages.ts with its parameters, for the UI to translate. */
  reasonCode: MessageCodeField.optional(),
  reasonParams: MessageParamsField.optional(),
  /** The runtime's own message behind `reason` (paths included), for --json and bug reports; not shown as the reason. */
  detail: z.string().nullable().optional(),
});
export type ProviderAttempt = z.infer<typeof ProviderAttempt>;

export const ProviderReport = z.object({
  platform: z.string(),
  forceCpu: z.boolean(),
  gpus: z.array(GpuInfo),
  gpuProblem: z.string().nullable(),
  onnx: z.object({ version: z.string(), attempts: z.array(ProviderAttempt), selected: z.string().nullable() }),
  tfjs: z.object({ version: z.string(), attempts: z.array(ProviderAttempt), selected: z.string().nullable() }),
  /** The opt-in CUDA provider download (Linux/Windows with an NVIDIA GPU). */
  cuda: z.object({ filesPresent: z.boolean(), offered: z.boolean(), hint: z.string().nullable(), hintCode: MessageCodeField.optional() }),
});
export type ProviderReport = z.infer<typeof ProviderReport>;

export const InferencePrefs = z.object({
  forceCpu: z.boolean(),
  /** Images per inference call; lowered automatically on a GPU out-of-memory error. */
  batchSize: z.number().int().min(1).max(64),
  /**
   * Detections shown (overlays, captions) and written by `kraken infer` only from this confidence up, per model id;
   * a model without an entry uses DEFAULT_MIN_SCORE. Stored results keep everything the model found. In a
   * setPreferences patch the entries given are added to the remembered ones (optional, not defaulted, so a patch
   * of another preference never clears them).
   */
  minScores: z.record(z.string(), z.number().min(0).max(1)).optional(),
});
export type InferencePrefs = z.infer<typeof InferencePrefs>;

/** The confidence a detection needs to be shown when its model has no remembered threshold (below it, overlays clutter). */
export const DEFAULT_MIN_SCORE = 0.4;

/** The remembered threshold of a model, or the default. */
export function minScoreOf(prefs: Pick<InferencePrefs, 'minScores'> | null | undefined, modelId: string): number {
  return prefs?.minScores?.[modelId] ?? DEFAULT_MIN_SCORE;
}

/** The output as shown at a confidence threshold: detections below it left out; other tasks unchanged. */
export function aboveMinScore<T extends { task: string }>(output: T, minScore: number): T {
  if (output.task !== 'detection') return output;
  const o = output as unknown as { task: 'detection'; detections: { score: number }[] };
  return { ...o, detections: o.detections.filter((d) => d.score >= minScore) } as unknown as T;
}

// ---- results ----

export const Box = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });
export type Box = z.infer<typeof Box>;

export const Detection = z.object({ box: Box, score: z.number(), classIndex: z.number().int(), label: z.string() });
export type Detection = z.infer<typeof Detection>;

export const Keypoint = z.object({ name: z.string(), x: z.number(), y: z.number(), score: z.number() });
export const Pose = z.object({ score: z.number(), box: Box, keypoints: z.array(Keypoint) });
export type Pose = z.infer<typeof Pose>;

export const ClassScore = z.object({ classIndex: z.number().int(), label: z.string(), score: z.number() });
export type ClassScore = z.infer<typeof ClassScore>;

export const TextLine = z.object({ box: Box, score: z.number(), text: z.string(), textScore: z.number() });
export type TextLine = z.infer<typeof TextLine>;

/** What one model said about one image. Paths are relative to the data folder. */
export const InferenceOutput = z.discriminatedUnion('task', [
  z.object({ task: z.literal('classification'), top: z.array(ClassScore) }),
  z.object({ task: z.literal('detection'), detections: z.array(Detection) }),
  z.object({ task: z.literal('pose'), poses: z.array(Pose) }),
  z.object({
    task: z.literal('segmentation'),
    mask: z.string(),
    cutout: z.string(),
    /** Fraction of the image that is foreground. */
    coverage: z.number(),
    classes: z.array(z.object({ classIndex: z.number().int(), label: z.string(), fraction: z.number() })),
  }),
  z.object({
    task: z.literal('depth'),
    depthMap: z.string(),
    pointCloud: z.string(),
    points: z.number().int(),
    min: z.number(),
    max: z.number(),
  }),
  z.object({ task: z.literal('ocr-det'), lines: z.array(TextLine), text: z.string() }),
  z.object({ task: z.literal('ocr-rec'), text: z.string(), score: z.number() }),
]);
export type InferenceOutput = z.infer<typeof InferenceOutput>;

export const InferenceResultItem = z.object({
  id: Id,
  runId: Id,
  imageId: Id,
  file: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  output: InferenceOutput.nullable(),
  error: AppErrorShape.nullable(),
  ms: z.number(),
  createdAt: IsoTime,
});
export type InferenceResultItem = z.infer<typeof InferenceResultItem>;

export const RunStatus = z.enum(['running', 'completed', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;

export const ModelRun = z.object({
  id: Id,
  projectId: Id,
  frameSetId: Id.nullable(),
  modelId: z.string(),
  modelName: z.string(),
  task: ModelTask,
  mode: z.enum(['all', 'remaining']),
  status: RunStatus,
  jobId: z.string().nullable(),
  /** Execution provider or backend that ran the model (`cuda`, `cpu`, `wasm`…). */
  provider: z.string().nullable(),
  attempts: z.array(ProviderAttempt),
  batchSize: z.number().int(),
  /** Messages such as "GPU out of memory: batch lowered from 8 to 4". */
  notices: z.array(z.string()),
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  seconds: z.number(),
  error: AppErrorShape.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type ModelRun = z.infer<typeof ModelRun>;

export const RunSummary = z.object({
  run: ModelRun,
  imagesPerSecond: z.number().nullable(),
  msPerImage: z.object({ mean: z.number(), p50: z.number(), p95: z.number() }).nullable(),
  /** Detection / classification / segmentation: how often each class was found. */
  classCounts: z.array(z.object({ label: z.string(), count: z.number().int() })),
  /** Pose: people found; OCR: lines read; depth/segmentation: images done. */
  objectCount: z.number().int(),
  errors: z.array(z.object({ code: z.string(), count: z.number().int(), example: z.string() })),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const ExportFormat = z.enum(['json', 'csv', 'coco']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const RunRequest = z
  .object({
    projectId: Id,
    modelId: ModelId,
    /** A frame set; without it, every image of the project. */
    frameSetId: Id.optional(),
    /** Explicit images (overrides the frame set). */
    imageIds: z.array(Id).max(100_000).optional(),
    /** all: every image; remaining: skip images that already have a result from this model. */
    mode: z.enum(['all', 'remaining']).default('remaining'),
    batchSize: z.number().int().min(1).max(64).optional(),
  })
  .strict();
export type RunRequest = z.infer<typeof RunRequest>;

export const RunPlanRequest = RunRequest.omit({ batchSize: true }).strict();
export type RunPlanRequest = z.infer<typeof RunPlanRequest>;

/** What a run would do before it starts; `toProcess` is what "Run" would process now. */
export const RunPlan = z.object({
  inScope: z.number().int(),
  /** Images with a successful result from this model (a failed one counts as none). */
  withResult: z.number().int(),
  /** Images without a result that a running run of this model will process ("remaining" leaves them to it). */
  inProgress: z.number().int(),
  toProcess: z.number().int(),
});
export type RunPlan = z.infer<typeof RunPlan>;

export const ImportModelRequest = z
  .object({
    path: z.string().min(1),
    task: ModelTask,
    name: fileSafeName(z.string().min(1).max(120)).optional(),
    labels: z.array(z.string()).max(10_000).optional(),
    normalization: Normalization.partial().optional(),
    postprocess: Postprocess.partial().optional(),
    licence: z.string().max(200).optional(),
  })
  .strict();
export type ImportModelRequest = z.infer<typeof ImportModelRequest>;

export const inferenceChannels = {
  'models.list': channel('Every model in the library: bundled, downloaded, imported, cloud-trained.', Empty, z.array(ModelManifest)),
  'models.get': channel('One model manifest.', z.object({ id: ModelId }).strict(), ModelManifest),
  'models.import': channel(
    'Import a user .onnx file or TF.js model folder; it is inspected and rejected with a clear message if malformed.',
    ImportModelRequest,
    ModelManifest,
  ),
  'models.remove': channel('Remove an imported or downloaded model (bundled ones stay).', z.object({ id: ModelId }).strict(), z.object({ removed: z.boolean() })),
  'models.catalogue': channel('Models that can be downloaded, with size, licence and whether they are installed.', Empty, z.array(CatalogueEntry)),
  'models.download': channel(
    'Download a catalogue model (resumable, verified by SHA-256); returns the job at once.',
    z.object({ id: ModelId }).strict(),
    z.object({ jobId: z.string() }),
  ),
  'models.providers': channel(
    'GPUs, execution providers and TF.js backends, which one runs and why others were skipped.',
    z.object({ refresh: z.boolean().default(false) }).strict(),
    ProviderReport,
  ),
  'models.preferences': channel('Read inference preferences (force CPU, batch size, detection thresholds per model).', Empty, InferencePrefs),
  'models.setPreferences': channel('Change inference preferences; returns them all.', InferencePrefs.partial().strict(), InferencePrefs),
  'models.installCuda': channel(
    'Opt-in: fetch the CUDA provider files of onnxruntime-node (needs internet and an NVIDIA GPU); returns the job at once.',
    Empty,
    z.object({ jobId: z.string() }),
  ),
  'inference.run': channel('Run a model over a frame set or the project images; returns the job at once.', RunRequest, z.object({ jobId: z.string(), runId: Id })),
  'inference.plan': channel('How many images a run would process, and how many already have a result from the model, before it starts.', RunPlanRequest, RunPlan),
  'inference.runs': channel('Model runs of a project, newest first.', z.object({ projectId: Id }).strict(), z.array(ModelRun)),
  'inference.results': channel(
    'Stored results of a run or of an image, paged.',
    z
      .object({
        runId: Id.optional(),
        imageId: Id.optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict()
      .refine((r) => r.runId !== undefined || r.imageId !== undefined, 'runId or imageId is required'),
    z.object({ total: z.number().int(), items: z.array(InferenceResultItem) }),
  ),
  'inference.summary': channel('Counts per class, timing, device and errors of a run.', z.object({ runId: Id }).strict(), RunSummary),
  'inference.export': channel(
    'Write a run’s results as JSON, CSV or COCO (detection) under the data folder.',
    z.object({ runId: Id, format: ExportFormat }).strict(),
    z.object({ path: z.string(), file: z.string(), count: z.number().int() }),
  ),
  'inference.deleteRun': channel('Delete a run, its results and files.', z.object({ runId: Id }).strict(), z.object({ deleted: z.boolean() })),
};
