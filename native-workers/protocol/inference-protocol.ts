/** Messages between the inference worker and its parent. Every message carries the run's seq. */
import type { AppErrorShape } from '../../main/common/contract/define';
import type { GpuInfo, InferenceOutput, ModelManifest, ProviderAttempt } from '../../main/common/contract/inference';

export interface InferenceRunSpec {
  manifest: ModelManifest;
  /** The OCR recogniser that goes with a detector, when there is one. */
  companion: ModelManifest | null;
  forceCpu: boolean;
  gpus: GpuInfo[];
  batchSize: number;
  /** Artifacts (masks, depth maps, point clouds) are written under `<dataDir>/<outDir>`. */
  dataDir: string;
  outDir: string;
  images: { id: number; file: string }[];
}

export type ToInferenceWorker = { type: 'start'; seq: number; spec: InferenceRunSpec } | { type: 'cancel'; seq: number };

export type InferenceErrorKind = 'model-invalid' | 'out-of-memory' | 'cancelled' | 'io' | 'internal';

export type WorkerItemResult =
  | { imageId: number; ok: true; output: InferenceOutput; width: number; height: number; ms: number }
  | { imageId: number; ok: false; error: AppErrorShape; ms: number };

export type FromInferenceWorker =
  | { type: 'ready'; seq: number; provider: string; attempts: ProviderAttempt[]; batchSize: number }
  | { type: 'results'; seq: number; items: WorkerItemResult[]; batchSize: number }
  | { type: 'notice'; seq: number; message: string }
  | { type: 'done'; seq: number; done: number; failed: number; batchSize: number }
  | { type: 'error'; seq: number; kind: InferenceErrorKind; error: AppErrorShape };
