/**
 * One loaded model behind one interface, whatever runs it: an ONNX Runtime session on the best
 * execution provider, or a TF.js graph model on the best backend. Takes per-image input tensors,
 * stacks them into a batch where the model allows, and hands back per-image outputs.
 */
import * as ort from 'onnxruntime-node';
import { AppError } from '../../common/app-error';
import type { GpuInfo, ModelManifest, ProviderAttempt, TensorSpec } from '../../common/contract/inference';
import type { InputData, InputTensor } from './image-io';
import { cleanOrtMessage, createSessionWithFallback, planOnnxProviders } from './providers';
import { diskIoHandler, tfRuntime } from './tfjs-runtime';

export interface OutputTensor {
  data: Float32Array | Int32Array | Uint8Array | BigInt64Array | Float64Array;
  dims: number[];
}
export type Outputs = Record<string, OutputTensor>;

export interface Engine {
  readonly runtime: 'onnx' | 'tfjs';
  readonly provider: string;
  readonly attempts: ProviderAttempt[];
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  /** Largest batch the model accepts in one call (1 when its batch dimension is fixed). */
  readonly maxBatch: number;
  /** Runs one batch; returns one output record per input. */
  run(batch: InputTensor[]): Promise<Outputs[]>;
  dispose(): Promise<void>;
}

export interface EngineOptions {
  forceCpu: boolean;
  gpus: GpuInfo[];
  /** Overrides the provider plan (tests of fallback). */
  plan?: ProviderAttempt[];
  threads?: number;
}

/** Loads the model a manifest points at, on the best device available. */
export function openEngine(manifest: Pick<ModelManifest, 'runtime' | 'location' | 'outputs'>, options: EngineOptions): Promise<Engine> {
  return manifest.runtime === 'onnx' ? openOnnx(manifest.location, options) : openTfjs(manifest.location, manifest.outputs, options);
}

/** Message patterns of allocation failures on a GPU (and on the CPU, where they mean the same: smaller batches). */
export function isOutOfMemory(err: unknown): boolean {
  const m = String((err as Error)?.message ?? err);
  return /out of memory|CUDA_ERROR_OUT_OF_MEMORY|cudaErrorMemoryAllocation|CUBLAS_STATUS_ALLOC_FAILED|Failed to allocate memory|bad_alloc|\bOOM\b|E_OUTOFMEMORY|DXGI_ERROR_DEVICE_REMOVED/i.test(m);
}

export async function openOnnx(model: string | Uint8Array, options: EngineOptions): Promise<Engine> {
  const plan = options.plan ?? planOnnxProviders({ forceCpu: options.forceCpu, gpus: options.gpus });
  const { session, provider, attempts } = await createSessionWithFallback(model, plan, { threads: options.threads });
  const spec = (m: ort.InferenceSession.ValueMetadata): TensorSpec =>
    m.isTensor ? { name: m.name, shape: [...m.shape], type: m.type } : { name: m.name, shape: [], type: 'non-tensor' };
  const inputs = session.inputMetadata.map(spec);
  const outputs = session.outputMetadata.map(spec);
  if (inputs.length !== 1) {
    await session.release();
    throw new AppError('MODEL_INVALID', `The model has ${inputs.length} inputs; the studio runs image models with exactly one image input.`);
  }
  const input = inputs[0]!;
  const batchDim = input.shape[0];
  const maxBatch = typeof batchDim === 'number' ? Math.max(1, batchDim) : 64;
  const fixedBatch = typeof batchDim === 'number' ? batchDim : null;
  return {
    runtime: 'onnx',
    provider,
    attempts,
    inputs,
    outputs,
    maxBatch,
    async run(batch) {
      const feeds = stack(batch);
      if (fixedBatch !== null && fixedBatch !== batch.length) {
        throw new AppError('INTERNAL', `This model takes batches of exactly ${fixedBatch}, not ${batch.length}.`);
      }
      checkShape(input, feeds.dims);
      const type = ortType(feeds.data);
      if (input.type !== type && input.type !== 'non-tensor') {
        throw new AppError('MODEL_INVALID', `The model wants ${input.type} input but its manifest prepares ${type}; fix the normalisation dtype.`);
      }
      let result: ort.InferenceSession.ReturnType;
      try {
        result = await session.run({ [input.name]: new ort.Tensor(type, feeds.data, feeds.dims) });
      } catch (err) {
        if (isOutOfMemory(err)) throw err;
        throw new AppError('MODEL_INVALID', `The model failed on its input ${input.name} [${feeds.dims.join('×')}]: ${cleanOrtMessage(err)}`);
      }
      const out: Outputs = {};
      for (const name of session.outputNames) {
        const t = result[name]!;
        out[name] = { data: t.data as OutputTensor['data'], dims: [...t.dims] };
      }
      return split(out, batch.length);
    },
    async dispose() {
      await session.release();
    },
  };
}

async function openTfjs(modelJson: string, wanted: TensorSpec[], options: EngineOptions): Promise<Engine> {
  const rt = await tfRuntime({ forceCpu: options.forceCpu });
  const { tf } = rt;
  let model: Awaited<ReturnType<typeof tf.loadGraphModel>>;
  try {
    model = await tf.loadGraphModel(diskIoHandler(modelJson));
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('MODEL_INVALID', `The TF.js model could not be loaded: ${String((err as Error).message ?? err).slice(0, 300)}`);
  }
  const inputs: TensorSpec[] = model.inputs.map((i) => ({ name: i.name, shape: (i.shape ?? []).map((d) => (d === -1 || d == null ? 'N' : d)), type: i.dtype }));
  const outputNames = wanted.length > 0 ? wanted.map((o) => o.name) : model.outputs.map((o) => o.name);
  const outputs: TensorSpec[] = outputNames.map((n) => wanted.find((w) => w.name === n) ?? { name: n, shape: [], type: 'float32' });
  const input = inputs[0]!;
  const batchDim = input.shape[0];
  const maxBatch = typeof batchDim === 'number' ? Math.max(1, batchDim) : 16;
  let asyncOnly = false;
  return {
    runtime: 'tfjs',
    provider: rt.backend,
    attempts: rt.attempts,
    inputs,
    outputs,
    maxBatch,
    async run(batch) {
      const feeds = stack(batch);
      checkShape(input, feeds.dims);
      const dtype = feeds.data instanceof Float32Array ? 'float32' : 'int32';
      const x = tf.tensor(feeds.data instanceof Uint8Array ? Int32Array.from(feeds.data) : feeds.data, feeds.dims, dtype);
      let ys: import('@tensorflow/tfjs').Tensor[] = [];
      try {
        let res: import('@tensorflow/tfjs').Tensor | import('@tensorflow/tfjs').Tensor[];
        if (!asyncOnly) {
          try {
            res = model.execute(x, outputNames);
          } catch (err) {
            // Graphs with control flow must run asynchronously; remember it for the next batch.
            if (!/executeAsync|dynamic op/i.test(String((err as Error).message))) throw err;
            asyncOnly = true;
            res = await model.executeAsync(x, outputNames);
          }
        } else {
          res = await model.executeAsync(x, outputNames);
        }
        ys = Array.isArray(res) ? res : [res];
        const out: Outputs = {};
        for (let i = 0; i < outputNames.length; i++) {
          const y = ys[i]!;
          out[outputNames[i]!] = { data: (await y.data()) as OutputTensor['data'], dims: [...y.shape] };
        }
        return split(out, batch.length);
      } catch (err) {
        if (err instanceof AppError || isOutOfMemory(err)) throw err;
        throw new AppError('MODEL_INVALID', `The TF.js model failed on input [${feeds.dims.join('×')}]: ${String((err as Error).message ?? err).slice(0, 300)}`);
      } finally {
        x.dispose();
        for (const y of ys) y.dispose();
      }
    },
    async dispose() {
      model.dispose();
    },
  };
}

function ortType(data: InputData): 'float32' | 'int32' | 'uint8' {
  return data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'uint8';
}

/** Stacks per-image tensors (each with batch 1) along the batch dimension. */
export function stack(batch: InputTensor[]): InputTensor {
  if (batch.length === 0) throw new AppError('INTERNAL', 'Empty batch');
  const first = batch[0]!;
  if (batch.length === 1) return first;
  const per = first.data.length;
  for (const t of batch) {
    if (t.data.length !== per || t.dims.join() !== first.dims.join()) throw new AppError('INTERNAL', 'Images of one batch must have the same input size');
  }
  const Ctor = first.data.constructor as new (n: number) => InputData;
  const data = new Ctor(per * batch.length);
  batch.forEach((t, i) => data.set(t.data as never, i * per));
  return { data, dims: [batch.length, ...first.dims.slice(1)] };
}

/** Splits batched outputs back per image (outputs without the batch dimension are shared). */
export function split(out: Outputs, n: number): Outputs[] {
  if (n === 1) return [out];
  const res: Outputs[] = Array.from({ length: n }, () => ({}));
  for (const [name, t] of Object.entries(out)) {
    if (t.dims[0] !== n) {
      for (const r of res) r[name] = t;
      continue;
    }
    const per = t.data.length / n;
    for (let i = 0; i < n; i++) res[i]![name] = { data: t.data.subarray(i * per, (i + 1) * per) as OutputTensor['data'], dims: [1, ...t.dims.slice(1)] };
  }
  return res;
}

/** A clear message when the prepared input does not fit the model's declared shape. */
export function checkShape(input: TensorSpec, dims: number[]): void {
  if (input.shape.length === 0) return;
  const fail = () =>
    new AppError(
      'MODEL_INVALID',
      `Wrong input shape: the model's input ${input.name} is [${input.shape.join(', ')}] but the manifest prepares [${dims.join(', ')}]. Check the input size and layout (NCHW/NHWC).`,
      { expected: input.shape, got: dims },
    );
  if (input.shape.length !== dims.length) throw fail();
  for (let i = 1; i < dims.length; i++) {
    const want = input.shape[i];
    if (typeof want === 'number' && want > 0 && want !== dims[i]) throw fail();
  }
}
