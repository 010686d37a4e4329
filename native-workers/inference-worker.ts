/**
 * Runs one model over a list of images off the main thread: loads the pipeline on the best provider,
 * decodes ahead while the model runs, posts results batch by batch (the parent stores them), and
 * stops between batches on cancel. Exits with its parent (worker_threads do).
 */
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { AppError } from '../main/common/app-error';
import { runBatches } from '../main/node/inference/batch-runner';
import { openPipeline, type TaskPipeline } from '../main/node/inference/pipeline';
import type { FromInferenceWorker, InferenceErrorKind, ToInferenceWorker } from './protocol/inference-protocol';

if (!parentPort) throw new Error('inference-worker must run as a worker thread');
const port = parentPort;
const post = (m: FromInferenceWorker) => port.postMessage(m);
const abort = new AbortController();

port.on('message', (msg: ToInferenceWorker) => {
  if (msg.type === 'cancel') {
    abort.abort();
    return;
  }
  void run(msg.seq, msg.spec);
});

async function run(seq: number, spec: Extract<ToInferenceWorker, { type: 'start' }>['spec']): Promise<void> {
  let pipeline: TaskPipeline | null = null;
  try {
    pipeline = await openPipeline(spec.manifest, { forceCpu: spec.forceCpu, gpus: spec.gpus, companion: spec.companion });
    const batchSize = Math.max(1, Math.min(spec.batchSize, pipeline.maxBatch));
    post({ type: 'ready', seq, provider: pipeline.provider, attempts: pipeline.attempts, batchSize });
    const dir = path.join(spec.dataDir, spec.outDir);
    const res = await runBatches(
      pipeline,
      spec.images.map((i) => ({ key: i.id, file: i.file })),
      {
        batchSize,
        signal: abort.signal,
        target: (key) => ({ root: spec.dataDir, dir, stem: String(key) }),
        onBatch: (items, state) => {
          post({ type: 'results', seq, batchSize: state.batchSize, items: items.map(({ key, ...r }) => ({ imageId: key, ...r })) });
        },
        onNotice: (message) => post({ type: 'notice', seq, message }),
      },
    );
    post({ type: 'done', seq, done: res.done, failed: res.failed, batchSize: res.batchSize });
  } catch (err) {
    const e = AppError.from(err);
    post({ type: 'error', seq, kind: kindOf(e), error: e.toShape() });
  } finally {
    await pipeline?.dispose().catch(() => {});
  }
}

function kindOf(e: AppError): InferenceErrorKind {
  if (e.code === 'CANCELLED') return 'cancelled';
  if (e.code === 'MODEL_INVALID') return 'model-invalid';
  if (e.code === 'IO_ERROR') return 'io';
  if (e.details?.kind === 'out-of-memory') return 'out-of-memory';
  return 'internal';
}
