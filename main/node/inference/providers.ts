/**
 * ONNX Runtime execution providers: which ones this platform's onnxruntime-node build offers, in the
 * order the studio prefers them (CUDA, DirectML, CoreML, then CPU), and a session factory that tries
 * them in that order and records which one ran and why each other one was skipped or failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { AppError } from '../../common/app-error';
import type { GpuInfo, ProviderAttempt } from '../../common/contract/inference';
import { say, type Said } from '../../common/messages';
import { attemptReason, withoutPaths } from './user-text';

export type OrtProvider = 'cuda' | 'dml' | 'coreml' | 'cpu';

export const PROVIDER_LABELS: Record<string, string> = {
  cuda: 'NVIDIA CUDA',
  dml: 'DirectML',
  coreml: 'Apple CoreML',
  cpu: 'CPU',
  tensorrt: 'NVIDIA TensorRT',
  webgpu: 'WebGPU',
};

export interface PlanInput {
  forceCpu: boolean;
  gpus: GpuInfo[];
  platform?: NodeJS.Platform;
  arch?: string;
  /** What the installed onnxruntime-node says it supports (`listSupportedBackends()`); injectable for tests. */
  supported?: { name: string; bundled: boolean }[];
  /** Whether the CUDA provider library is on disk; injectable for tests. */
  cudaFiles?: boolean;
}

/** Folder holding the native onnxruntime-node binaries for this platform. */
export function ortBinDir(platform: string = process.platform, arch: string = process.arch): string {
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  const dir = path.join(pkg, 'bin', 'napi-v6', platform, arch);
  // Inside a packaged app native files live next to the asar archive, not in it.
  return dir.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
}

/** True when the CUDA provider library (an opt-in download of onnxruntime-node) is installed. */
export function cudaProviderFilesPresent(platform: string = process.platform, arch: string = process.arch): boolean {
  const dir = ortBinDir(platform, arch);
  const names = platform === 'win32' ? ['onnxruntime_providers_cuda.dll', 'onnxruntime_providers_shared.dll'] : ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'];
  return names.every((n) => fs.existsSync(path.join(dir, n)));
}

export function supportedBackends(): { name: string; bundled: boolean }[] {
  try {
    return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
  } catch {
    return [{ name: 'cpu', bundled: true }];
  }
}

/**
 * The providers to try, in order, with status `not-tried`, plus the ones ruled out beforehand with
 * status `skipped` and a reason. Pure apart from the defaults it reads; tests pass every input.
 */
export function planOnnxProviders(input: PlanInput): ProviderAttempt[] {
  const platform = input.platform ?? process.platform;
  const arch = input.arch ?? process.arch;
  const supported = input.supported ?? supportedBackends();
  const has = (name: string) => supported.find((b) => b.name === name);
  const nvidia = input.gpus.some((g) => g.vendor === 'nvidia');
  const out: ProviderAttempt[] = [];
  const add = (name: string, status: ProviderAttempt['status'], reason: Said | null) =>
    out.push({ name, label: PROVIDER_LABELS[name] ?? name, status, ...attemptReason(reason) });
  const gpuSkip = input.forceCpu ? say('provider.force_cpu', {}) : null;

  // CUDA: onnxruntime-node 1.30 builds it for Linux x64 only, and ships it as a separate download.
  const cuda = has('cuda');
  if (!cuda) {
    add('cuda', 'skipped', platform === 'win32' ? say('provider.cuda_no_build_windows', {}) : say('provider.cuda_no_build', { platform: `${platform}-${arch}` }));
  } else if (gpuSkip) {
    add('cuda', 'skipped', gpuSkip);
  } else if (!nvidia) {
    add('cuda', 'skipped', say('provider.no_nvidia', {}));
  } else if (!cuda.bundled && !(input.cudaFiles ?? cudaProviderFilesPresent(platform, arch))) {
    add('cuda', 'skipped', say('provider.cuda_files_missing', {}));
  } else {
    add('cuda', 'not-tried', null);
  }

  if (platform === 'win32') {
    if (!has('dml')) add('dml', 'skipped', say('provider.no_dml_build', {}));
    else if (gpuSkip) add('dml', 'skipped', gpuSkip);
    else add('dml', 'not-tried', null);
  } else {
    add('dml', 'skipped', say('provider.dml_windows_only', {}));
  }

  if (platform === 'darwin' && arch === 'arm64') {
    if (!has('coreml')) add('coreml', 'skipped', say('provider.no_coreml_build', {}));
    else if (gpuSkip) add('coreml', 'skipped', gpuSkip);
    else add('coreml', 'not-tried', null);
  } else {
    add('coreml', 'skipped', platform === 'darwin' ? say('provider.coreml_apple_silicon_only', {}) : say('provider.coreml_macos_only', {}));
  }

  add('cpu', 'not-tried', null);
  return out;
}

export interface SessionResult {
  session: ort.InferenceSession;
  provider: string;
  attempts: ProviderAttempt[];
}

type Creator = (model: string | Uint8Array, options: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession>;

const defaultCreator: Creator = (model, options) =>
  typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);

/**
 * Creates a session with the first provider of the plan that works. A provider that fails is recorded
 * with the runtime's reason and the next one is tried; a model the CPU cannot load either is a
 * MODEL_INVALID error (the file, not the device, is at fault).
 */
export async function createSessionWithFallback(
  model: string | Uint8Array,
  plan: ProviderAttempt[],
  options: { create?: Creator; threads?: number } = {},
): Promise<SessionResult> {
  const create = options.create ?? defaultCreator;
  const attempts = plan.map((a) => ({ ...a }));
  let lastError: unknown = null;
  for (const attempt of attempts) {
    if (attempt.status !== 'not-tried') continue;
    if (lastError !== null && attempt.name !== 'cpu' && isModelError(lastError)) continue;
    // One provider per attempt: with a list, onnxruntime-common silently drops providers it has no
    // backend for, and the report would claim a GPU that never ran. ONNX Runtime itself still places
    // nodes a GPU provider cannot run on the CPU.
    const executionProviders = [attempt.name];
    try {
      const session = await create(model, {
        executionProviders,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      });
      attempt.status = 'used';
      attempt.reason = null;
      delete attempt.reasonCode;
      delete attempt.reasonParams;
      return { session, provider: attempt.name, attempts };
    } catch (err) {
      lastError = err;
      attempt.status = 'failed';
      Object.assign(attempt, attemptReason(say('provider.failed', { error: withoutPaths(cleanOrtMessage(err)) })));
      attempt.detail = cleanOrtMessage(err);
      if (attempt.name === 'cpu') break;
    }
  }
  const reason = lastError ? withoutPaths(cleanOrtMessage(lastError)) : say('provider.nothing_tried', {}).message;
  throw new AppError('MODEL_INVALID', say('provider.model_not_loaded', { reason }), { attempts });
}

/** Errors that come from the file itself; trying another provider will not help. */
function isModelError(err: unknown): boolean {
  return /protobuf parsing failed|Load model|invalid model|ModelProto|not a valid/i.test(String((err as Error)?.message ?? err));
}

/** ONNX Runtime messages carry source paths and colour codes; keep the sentence a person can read. */
export function cleanOrtMessage(err: unknown): string {
  const raw = String((err as Error)?.message ?? err);
  // eslint-disable-next-line no-control-regex -- ANSI colour codes are exactly what is stripped here
  const noColour = raw.replace(/\u001b\[[0-9;]*m/g, '');
  const firstLine = noColour.split(/\r?\n/)[0] ?? noColour;
  return firstLine
    .replace(/\/onnxruntime_src\/[^\s]+:\d+\s*/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 400);
}

export function onnxRuntimeVersion(): string {
  return ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown';
}
