/**
 * A task pipeline: a loaded model plus its pre- and post-processing, split into the three steps the
 * batch runner overlaps — prepare (decode + fit + normalise, on sharp's threads), infer (the engine,
 * one batch), finish (decode outputs, write masks / depth maps / point clouds).
 */
import { AppError } from '../../common/app-error';
import type { InferenceOutput, ModelManifest, Postprocess, ProviderAttempt, TextLine } from '../../common/contract/inference';
import { openEngine, type Engine, type EngineOptions, type Outputs, type OutputTensor } from './engine';
import { prepareImage, type Prepared } from './image-io';
import { topK } from './tasks/classification';
import { finishDepth } from './tasks/depth';
import { decodeXyxy, decodeYolov8 } from './tasks/detection';
import { ctcDecode, DB_DEFAULTS, decodeDbBoxes, joinLines, loadDictionary, recInputs } from './tasks/ocr';
import { decodeMovenet } from './tasks/pose';
import type { ArtifactTarget } from './tasks/raster';
import { finishSegmentation } from './tasks/segmentation';

export interface TaskPipeline {
  readonly manifest: ModelManifest;
  readonly provider: string;
  readonly attempts: ProviderAttempt[];
  readonly maxBatch: number;
  prepare(file: string): Promise<Prepared>;
  infer(batch: Prepared[]): Promise<Outputs[]>;
  finish(p: Prepared, out: Outputs, target: ArtifactTarget): Promise<InferenceOutput>;
  dispose(): Promise<void>;
}

/** Which decoders make sense for which task. */
export const KINDS_BY_TASK: Record<ModelManifest['task'], Postprocess['kind'][]> = {
  classification: ['softmax', 'probabilities'],
  detection: ['detections-xyxy', 'yolov8'],
  pose: ['movenet'],
  segmentation: ['mask', 'class-map'],
  depth: ['depth'],
  'ocr-det': ['paddle-det'],
  'ocr-rec': ['paddle-ctc'],
};

export interface PipelineOptions extends EngineOptions {
  /** The companion's manifest (OCR detection → recognition). */
  companion?: ModelManifest | null;
}

/** Loads a model and returns its pipeline; MODEL_INVALID when the manifest and the model disagree. */
export async function openPipeline(manifest: ModelManifest, options: PipelineOptions): Promise<TaskPipeline> {
  const pp = manifest.postprocess;
  if (!KINDS_BY_TASK[manifest.task].includes(pp.kind)) {
    throw new AppError('MODEL_INVALID', `A ${manifest.task} model cannot use the ${pp.kind} decoder (use ${KINDS_BY_TASK[manifest.task].join(' or ')}).`);
  }
  const engine = await openEngine(manifest, options);
  let rec: { engine: Engine; dict: string[]; minScore: number } | null = null;
  try {
    checkLabels(manifest, engine);
    if (manifest.task === 'ocr-rec') rec = { engine, dict: dictionaryOf(manifest), minScore: 0 };
    else if (manifest.task === 'ocr-det' && options.companion) {
      // A line the recogniser reads with less confidence than its threshold is noise (colour bars, textures).
      rec = { engine: await openEngine(options.companion, options), dict: dictionaryOf(options.companion), minScore: options.companion.postprocess.scoreThreshold };
    }
  } catch (err) {
    await engine.dispose();
    throw err;
  }
  const outputName = (out: Outputs): OutputTensor => {
    const wanted = manifest.outputs[0]?.name;
    const t = (wanted && out[wanted]) || out[engine.outputs[0]!.name] || Object.values(out)[0];
    if (!t) throw new AppError('MODEL_INVALID', 'The model produced no output.');
    return t;
  };
  const fit = { inputSize: manifest.inputSize, maxSide: manifest.maxSide, sizeMultiple: manifest.sizeMultiple, normalization: manifest.normalization };
  const isRecOnly = manifest.task === 'ocr-rec';
  const keepOriginal = manifest.task === 'ocr-det' || isRecOnly;
  // Images of a dynamic-size model differ in input size, so they cannot share a batch.
  const maxBatch = manifest.inputSize && !isRecOnly ? engine.maxBatch : 1;

  return {
    manifest,
    provider: engine.provider,
    attempts: engine.attempts,
    maxBatch,
    prepare: (file) => prepareImage(file, fit, { keepOriginal }),
    async infer(batch) {
      if (isRecOnly) {
        // The whole image is one text line.
        const outs: Outputs[] = [];
        for (const p of batch) {
          const x = await recInputs(p.original!, [{ x: 0, y: 0, width: p.width, height: p.height }]);
          outs.push(...(await engine.run([x])));
        }
        return outs;
      }
      return engine.run(batch.map((p) => p.input));
    },
    async finish(p, out, target) {
      const t = outputName(out);
      switch (pp.kind) {
        case 'softmax':
        case 'probabilities':
          return { task: 'classification', top: topK(t.data as ArrayLike<number>, pp.topK, manifest.labels, pp.kind === 'softmax') };
        case 'detections-xyxy':
          return { task: 'detection', detections: decodeXyxy(t.data as ArrayLike<number>, p.transform, p, manifest.labels, pp) };
        case 'yolov8':
          return { task: 'detection', detections: decodeYolov8(t.data as ArrayLike<number>, t.dims, p.transform, p, manifest.labels, pp) };
        case 'movenet':
          return { task: 'pose', poses: decodeMovenet(t.data as ArrayLike<number>, p.transform, p, pp.scoreThreshold) };
        case 'mask':
        case 'class-map':
          return finishSegmentation(p, t, pp, manifest.labels, target);
        case 'depth':
          return finishDepth(p, t, pp, target);
        case 'paddle-ctc': {
          const r = ctcDecode(t.data as ArrayLike<number>, t.dims[1]!, t.dims[2]!, rec!.dict);
          return { task: 'ocr-rec', text: r.text, score: r.score };
        }
        case 'paddle-det': {
          const h = t.dims[t.dims.length - 2]!;
          const w = t.dims[t.dims.length - 1]!;
          const boxes = decodeDbBoxes(t.data as ArrayLike<number>, w, h, p.transform, p, { ...DB_DEFAULTS, boxThreshold: pp.scoreThreshold, maxBoxes: pp.maxDetections });
          if (!rec || boxes.length === 0 || !p.original) {
            return { task: 'ocr-det', lines: boxes.map((b) => ({ ...b, text: '', textScore: 0 })), text: '' };
          }
          const lines: TextLine[] = [];
          // Recognise in small groups: every crop of a group is padded to the widest one.
          for (let i = 0; i < boxes.length; i += 8) {
            const group = boxes.slice(i, i + 8);
            const x = await recInputs(p.original, group.map((b) => b.box));
            const [res] = await rec.engine.run([x]);
            const o = Object.values(res!)[0]!;
            const steps = o.dims[1]!;
            const classes = o.dims[2]!;
            group.forEach((b, k) => {
              const slice = (o.data as Float32Array).subarray(k * steps * classes, (k + 1) * steps * classes);
              const r = ctcDecode(slice, steps, classes, rec!.dict);
              const text = r.text.trim();
              if (text && r.score >= rec!.minScore) lines.push({ ...b, text, textScore: r.score });
            });
          }
          return { task: 'ocr-det', lines, text: joinLines(lines) };
        }
      }
    },
    async dispose() {
      await engine.dispose();
      if (rec && rec.engine !== engine) await rec.engine.dispose();
    },
  };
}

function dictionaryOf(m: ModelManifest): string[] {
  const file = m.extraFiles.dictionary;
  if (!file) throw new AppError('MODEL_INVALID', `The recognition model ${m.id} has no dictionary file.`);
  return loadDictionary(file);
}

/** The number of classes a model's output says it has, when its shape tells (null otherwise). */
export function classCountOf(kind: Postprocess['kind'], shape: readonly (number | string)[]): number | null {
  const num = (v: number | string | undefined) => (typeof v === 'number' && v > 0 ? v : null);
  switch (kind) {
    case 'softmax':
    case 'probabilities':
      return num(shape[shape.length - 1]);
    case 'yolov8': {
      const rows = num(shape[1]);
      return rows !== null ? rows - 4 : null;
    }
    case 'class-map':
      return shape.length === 4 ? num(shape[1]) : null;
    default:
      return null;
  }
}

/** A label list that does not match the model's classes would mislabel every result: refuse it. */
export function checkLabels(manifest: Pick<ModelManifest, 'labels' | 'postprocess' | 'outputs'>, engine: Pick<Engine, 'outputs'>): void {
  if (manifest.labels.length === 0) return;
  const spec = engine.outputs.find((o) => o.name === manifest.outputs[0]?.name) ?? engine.outputs[0];
  if (!spec) return;
  const n = classCountOf(manifest.postprocess.kind, spec.shape);
  if (n !== null && n !== manifest.labels.length) {
    throw new AppError('MODEL_INVALID', `The model outputs ${n} classes but ${manifest.labels.length} labels were given; give exactly ${n} labels (one per class) or none.`, {
      classes: n,
      labels: manifest.labels.length,
    });
  }
}
