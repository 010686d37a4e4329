/**
 * TensorFlow.js for the studio's TF.js models: tfjs-node-gpu when its native binding loads (it needs
 * libtensorflow, downloaded at install time, so it is optional), else the WebAssembly backend with its
 * .wasm files read from disk, else the pure-JS CPU backend. One backend per process; the choice and
 * the reasons for the others are reported like ONNX Runtime's providers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../common/app-error';
import type { ProviderAttempt } from '../../common/contract/inference';
import { say, type Said } from '../../common/messages';
import { realpathInsideSync, resolveInside, safeRelativePath } from '../files/safe-path';
import { attemptReason, withoutPaths } from './user-text';

export type Tf = typeof tfTypes;

export interface TfRuntime {
  tf: Tf;
  backend: string;
  attempts: ProviderAttempt[];
  version: string;
}

const LABELS: Record<string, string> = { 'tfjs-node-gpu': 'TensorFlow GPU (tfjs-node-gpu)', wasm: 'WebAssembly (tfjs-backend-wasm)', cpu: 'JavaScript CPU' };

let current: Promise<TfRuntime> | null = null;
let currentForceCpu: boolean | null = null;

/** Initialises TF.js once per process (a backend cannot be swapped safely while models are loaded). */
export function tfRuntime(options: { forceCpu: boolean }): Promise<TfRuntime> {
  if (current && currentForceCpu === options.forceCpu) return current;
  if (current) return current; // the first choice stands; the report says what was asked
  currentForceCpu = options.forceCpu;
  current = init(options.forceCpu).catch((err) => {
    current = null;
    throw err;
  });
  return current;
}

/** What a TF.js run would use, without committing the process to it (for the providers panel). */
export function describeTfjs(options: { forceCpu: boolean }): { attempts: ProviderAttempt[]; version: string } {
  const attempts: ProviderAttempt[] = [];
  // Only looks for the binding file: loading libtensorflow into the caller (the main process) is heavy.
  const gpu = nodeGpuBindingPresent(options.forceCpu);
  attempts.push({ name: 'tfjs-node-gpu', label: LABELS['tfjs-node-gpu']!, status: gpu.ok ? 'available' : 'skipped', ...attemptReason(gpu.reason) });
  const wasmDir = wasmFilesDir();
  attempts.push({
    name: 'wasm',
    label: LABELS.wasm!,
    status: wasmDir ? 'available' : 'skipped',
    ...attemptReason(wasmDir ? null : say('tfjs.wasm_missing', {})),
  });
  attempts.push({ name: 'cpu', label: LABELS.cpu!, status: 'available', reason: null });
  return { attempts, version: tfjsVersion() };
}

function tfjsVersion(): string {
  try {
    return (require('@tensorflow/tfjs/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function nodeGpuBindingPresent(forceCpu: boolean): { ok: boolean; reason: Said | null } {
  if (forceCpu) return { ok: false, reason: say('provider.force_cpu', {}) };
  let pkg: string;
  try {
    pkg = path.dirname(require.resolve('@tensorflow/tfjs-node-gpu/package.json'));
  } catch {
    return { ok: false, reason: say('tfjs.node_gpu_not_installed', {}) };
  }
  const lib = path.join(pkg, 'lib');
  const found = fs.existsSync(lib) && fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
  return found
    ? { ok: true, reason: null }
    : { ok: false, reason: say('tfjs.binding_missing', {}) };
}

function probeNodeGpu(forceCpu: boolean): { ok: boolean; reason: Said | null; detail?: string } {
  if (forceCpu) return { ok: false, reason: say('provider.force_cpu', {}) };
  try {
    require.resolve('@tensorflow/tfjs-node-gpu');
  } catch {
    return { ok: false, reason: say('tfjs.node_gpu_not_installed', {}) };
  }
  try {
    require('@tensorflow/tfjs-node-gpu');
    return { ok: true, reason: null };
  } catch (err) {
    const msg = String((err as Error).message ?? err).split('\n')[0] ?? '';
    return { ok: false, reason: say('tfjs.binding_not_loaded', {}), detail: msg.slice(0, 400) };
  }
}

function wasmFilesDir(): string | null {
  try {
    const file = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
    const dir = path.dirname(file).replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
    return fs.existsSync(path.join(dir, 'tfjs-backend-wasm.wasm')) ? dir : null;
  } catch {
    return null;
  }
}

async function init(forceCpu: boolean): Promise<TfRuntime> {
  const attempts: ProviderAttempt[] = [];
  const gpu = probeNodeGpu(forceCpu);
  // Requiring tfjs-node-gpu registers its 'tensorflow' backend on the shared tfjs instance.
  const tf = require('@tensorflow/tfjs') as Tf;
  tf.enableProdMode();
  if (gpu.ok) {
    try {
      if (await tf.setBackend('tensorflow')) {
        await tf.ready();
        attempts.push({ name: 'tfjs-node-gpu', label: LABELS['tfjs-node-gpu']!, status: 'used', reason: null });
        attempts.push({ name: 'wasm', label: LABELS.wasm!, status: 'not-tried', reason: null });
        attempts.push({ name: 'cpu', label: LABELS.cpu!, status: 'not-tried', reason: null });
        return { tf, backend: 'tfjs-node-gpu', attempts, version: tfjsVersion() };
      }
      attempts.push({ name: 'tfjs-node-gpu', label: LABELS['tfjs-node-gpu']!, status: 'failed', ...attemptReason(say('tfjs.backend_not_initialised', { backend: 'tensorflow' })) });
    } catch (err) {
      attempts.push({ name: 'tfjs-node-gpu', label: LABELS['tfjs-node-gpu']!, status: 'failed', ...attemptReason(say('provider.failed', { error: withoutPaths(String((err as Error).message ?? err)).slice(0, 240) })), detail: String((err as Error).message ?? err).slice(0, 400) });
    }
  } else {
    attempts.push({ name: 'tfjs-node-gpu', label: LABELS['tfjs-node-gpu']!, status: 'skipped', ...attemptReason(gpu.reason), ...(gpu.detail ? { detail: gpu.detail } : {}) });
  }

  const wasmDir = wasmFilesDir();
  if (wasmDir) {
    try {
      const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
      // A plain folder path (not file://): under Node the wasm loader reads it with fs.
      wasm.setWasmPaths(wasmDir + path.sep);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        attempts.push({ name: 'wasm', label: LABELS.wasm!, status: 'used', reason: null });
        attempts.push({ name: 'cpu', label: LABELS.cpu!, status: 'not-tried', reason: null });
        return { tf, backend: 'wasm', attempts, version: tfjsVersion() };
      }
      attempts.push({ name: 'wasm', label: LABELS.wasm!, status: 'failed', ...attemptReason(say('tfjs.backend_not_initialised', { backend: 'wasm' })) });
    } catch (err) {
      attempts.push({ name: 'wasm', label: LABELS.wasm!, status: 'failed', ...attemptReason(say('provider.failed', { error: withoutPaths(String((err as Error).message ?? err)).slice(0, 240) })), detail: String((err as Error).message ?? err).slice(0, 400) });
    }
  } else {
    attempts.push({ name: 'wasm', label: LABELS.wasm!, status: 'skipped', ...attemptReason(say('tfjs.wasm_missing', {})) });
  }

  await tf.setBackend('cpu');
  await tf.ready();
  attempts.push({ name: 'cpu', label: LABELS.cpu!, status: 'used', reason: null });
  return { tf, backend: 'cpu', attempts, version: tfjsVersion() };
}

export interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology?: unknown;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  weightsManifest?: { paths: string[]; weights: tfTypes.io.WeightsManifestEntry[] }[];
}

/** Reads and checks a TF.js model.json (graph or layers); MODEL_INVALID when it is not one. */
export function readModelJson(file: string): ModelJson {
  let json: ModelJson;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelJson;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('NOT_FOUND', `No model.json at ${file}`);
    throw new AppError('MODEL_INVALID', `${path.basename(file)} is not valid JSON, so it is not a TF.js model.`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new AppError('MODEL_INVALID', `${path.basename(file)} is not a TF.js model: it has no modelTopology or weightsManifest.`);
  }
  tfjsWeightFiles(file, json);
  return json;
}

/**
 * The weight files a model.json names, each checked: a plain relative path (no absolute, drive-letter or `..`
 * path) that exists and, after symbolic links are followed, lies inside the model's folder. `rel` is the
 * normalised name (where a copy goes), `file` the real path to read. MODEL_INVALID otherwise.
 */
export function tfjsWeightFiles(modelJsonPath: string, json: ModelJson): { rel: string; file: string }[] {
  const dir = path.dirname(modelJsonPath);
  const out: { rel: string; file: string }[] = [];
  for (const group of json.weightsManifest ?? []) {
    if (!group || !Array.isArray(group.paths)) throw new AppError('MODEL_INVALID', 'The TF.js model.json has a weightsManifest entry without a list of paths.');
    for (const p of group.paths) {
      let rel: string;
      let file: string;
      try {
        rel = safeRelativePath(p);
        const full = resolveInside(dir, rel);
        if (!fs.existsSync(full) && !isLink(full)) throw new AppError('MODEL_INVALID', `The TF.js model is missing its weights file ${p}.`);
        file = realpathInsideSync(dir, full);
      } catch (err) {
        if (err instanceof AppError && err.code === 'INVALID_INPUT') {
          throw new AppError('MODEL_INVALID', `The TF.js model names a weights file it may not use: ${err.message}`, { path: String(p) });
        }
        throw err;
      }
      out.push({ rel, file });
    }
  }
  return out;
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * An IO handler that reads model.json and its weight shards from disk. tfjs's own `file://` loader
 * exists only in tfjs-node, and fetch of file URLs fails under the wasm backend.
 */
export function diskIoHandler(modelJsonPath: string): tfTypes.io.IOHandler {
  return {
    load: async () => {
      const json = readModelJson(modelJsonPath);
      const manifest = json.weightsManifest ?? [];
      const weightSpecs = manifest.flatMap((g) => g.weights);
      const shards = await Promise.all(tfjsWeightFiles(modelJsonPath, json).map((w) => fs.promises.readFile(w.file)));
      const all = Buffer.concat(shards);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
      const expected = weightSpecs.reduce((n, w) => n + bytesOf(w), 0);
      const checkable = weightSpecs.every((w) => w.dtype !== 'string');
      if (checkable && expected > 0 && expected !== weightData.byteLength) {
        throw new AppError('MODEL_INVALID', `The TF.js weights are ${weightData.byteLength} bytes but the model expects ${expected}: a weights file is truncated or from another model.`);
      }
      return {
        modelTopology: json.modelTopology as tfTypes.io.ModelArtifacts['modelTopology'],
        weightSpecs,
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature as object | undefined,
        userDefinedMetadata: json.userDefinedMetadata as Record<string, unknown> | undefined,
      } as tfTypes.io.ModelArtifacts;
    },
  };
}

function bytesOf(w: tfTypes.io.WeightsManifestEntry): number {
  const count = w.shape.reduce((a, b) => a * b, 1);
  if (w.quantization) {
    const q = w.quantization.dtype;
    return count * (q === 'uint8' ? 1 : q === 'uint16' || q === 'float16' ? 2 : 4);
  }
  if (w.dtype === 'string') return 0; // variable length: cannot check
  return count * (w.dtype === 'bool' ? 1 : 4);
}
