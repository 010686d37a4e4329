/**
 * The batch loop: images are decoded and pre-processed ahead of the model (a sliding window of
 * prepares in flight on sharp's threads) while the current batch runs; a GPU out-of-memory error
 * halves the batch and retries instead of failing the run, and says so; an image that cannot be read
 * is recorded as failed and the run goes on.
 */
import { AppError } from '../../common/app-error';
import type { AppErrorShape } from '../../common/contract/define';
import type { InferenceOutput } from '../../common/contract/inference';
import { isOutOfMemory, type Outputs } from './engine';
import type { Prepared } from './image-io';
import type { TaskPipeline } from './pipeline';
import type { ArtifactTarget } from './tasks/raster';

export interface BatchItem {
  key: number;
  file: string;
}

export type ItemResult =
  | { key: number; ok: true; output: InferenceOutput; width: number; height: number; ms: number }
  | { key: number; ok: false; error: AppErrorShape; ms: number };

export interface RunBatchesOptions {
  batchSize: number;
  signal?: AbortSignal;
  target: (key: number) => ArtifactTarget;
  onBatch: (results: ItemResult[], state: { batchSize: number }) => void | Promise<void>;
  onNotice?: (message: string) => void;
}

export interface RunBatchesResult {
  batchSize: number;
  done: number;
  failed: number;
  notices: string[];
}

type Slot = { item: BatchItem; started: number; result: Promise<Prepared | AppError> };

/** Runs every item through the pipeline; resolves when all are done, rejects on a fatal error or cancel. */
export async function runBatches(
  pipeline: Pick<TaskPipeline, 'prepare' | 'infer' | 'finish' | 'maxBatch' | 'provider'>,
  items: BatchItem[],
  options: RunBatchesOptions,
): Promise<RunBatchesResult> {
  let batchSize = Math.max(1, Math.min(options.batchSize, pipeline.maxBatch));
  const notices: string[] = [];
  const notice = (m: string) => {
    notices.push(m);
    options.onNotice?.(m);
  };
  // Two batches of look-ahead keep the decoder busy without holding many tensors.
  const window = () => Math.max(2, batchSize * 2);
  const queue: Slot[] = [];
  let next = 0;
  const fill = () => {
    while (queue.length < window() && next < items.length) {
      const item = items[next++]!;
      queue.push({
        item,
        started: Date.now(),
        result: pipeline.prepare(item.file).catch((err: unknown) => AppError.from(err)),
      });
    }
  };
  let done = 0;
  let failed = 0;

  const inferWithRetry = async (batch: Prepared[]): Promise<Outputs[]> => {
    try {
      return await pipeline.infer(batch);
    } catch (err) {
      if (!isOutOfMemory(err)) throw err;
      if (batch.length === 1) {
        throw new AppError('INTERNAL', `Out of memory on ${pipeline.provider} even with one image at a time. Close other programs using the GPU, or turn on Force CPU.`, {
          kind: 'out-of-memory',
        });
      }
      const smaller = Math.max(1, Math.floor(batch.length / 2));
      if (smaller < batchSize) {
        notice(`Out of memory on ${pipeline.provider} with a batch of ${batch.length}: retrying with batches of ${smaller}.`);
        batchSize = smaller;
      }
      const out: Outputs[] = [];
      let i = 0;
      while (i < batch.length) {
        const part = batch.slice(i, i + batchSize);
        out.push(...(await inferWithRetry(part)));
        i += part.length;
      }
      return out;
    }
  };

  fill();
  while (queue.length > 0) {
    if (options.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled');
    const slots = queue.splice(0, batchSize);
    const prepared = await Promise.all(slots.map((s) => s.result));
    // Start decoding the next images before the model takes the JS thread.
    fill();
    const results: ItemResult[] = [];
    const ready: { slot: Slot; p: Prepared }[] = [];
    slots.forEach((slot, i) => {
      const p = prepared[i]!;
      if (p instanceof AppError) {
        if (p.code === 'IO_ERROR') throw p;
        results.push({ key: slot.item.key, ok: false, error: p.toShape(), ms: Date.now() - slot.started });
      } else ready.push({ slot, p });
    });
    if (ready.length > 0) {
      const t0 = performance.now();
      const outs = await inferWithRetry(ready.map((r) => r.p));
      const inferMs = (performance.now() - t0) / ready.length;
      for (let i = 0; i < ready.length; i++) {
        const { slot, p } = ready[i]!;
        const t1 = performance.now();
        try {
          const output = await pipeline.finish(p, outs[i]!, options.target(slot.item.key));
          results.push({ key: slot.item.key, ok: true, output, width: p.width, height: p.height, ms: inferMs + (performance.now() - t1) });
        } catch (err) {
          const e = AppError.from(err);
          if (e.code === 'IO_ERROR') throw e;
          results.push({ key: slot.item.key, ok: false, error: e.toShape(), ms: inferMs });
        }
      }
    }
    // Report in the order the images were given, failures included.
    const order = new Map(slots.map((s, i) => [s.item.key, i]));
    results.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
    for (const r of results) {
      if (r.ok) done++;
      else failed++;
    }
    await options.onBatch(results, { batchSize });
  }
  return { batchSize, done, failed, notices };
}
