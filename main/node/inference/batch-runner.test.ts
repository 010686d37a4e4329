import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { runBatches, type ItemResult } from './batch-runner';
import type { Outputs } from './engine';
import type { Prepared } from './image-io';

/** A fake pipeline: "images" are numbers; the model fails with a CUDA OOM above a batch limit. */
function fakePipeline(opts: { oomAbove?: number; badKeys?: number[]; log?: string[] } = {}) {
  const log = opts.log ?? [];
  return {
    maxBatch: 64,
    provider: 'cuda',
    async prepare(file: string): Promise<Prepared> {
      log.push(`prepare ${file}`);
      if (opts.badKeys?.includes(Number(file))) throw new AppError('MEDIA_UNREADABLE', `cannot read ${file}`);
      return { file, width: 1, height: 1, input: { data: new Float32Array([Number(file)]), dims: [1, 1] }, transform: { scaleX: 1, scaleY: 1, padX: 0, padY: 0, inputWidth: 1, inputHeight: 1 } };
    },
    async infer(batch: Prepared[]): Promise<Outputs[]> {
      log.push(`infer ${batch.map((b) => b.file).join(',')}`);
      if (opts.oomAbove !== undefined && batch.length > opts.oomAbove) throw new Error('CUDA failure 2: out of memory ; GPU=0');
      return batch.map((b) => ({ y: { data: Float32Array.from([b.input.data[0]! * 2]), dims: [1, 1] } }));
    },
    async finish(p: Prepared, out: Outputs) {
      return { task: 'ocr-rec' as const, text: String(out.y!.data[0]), score: Number(p.file) };
    },
  };
}

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ key: i + 1, file: String(i + 1) }));
const target = () => ({ root: '/tmp', dir: '/tmp', stem: 'x' });

describe('runBatches', () => {
  it('runs everything in batches and prepares the next batch before running the current one', async () => {
    const log: string[] = [];
    const got: ItemResult[] = [];
    const res = await runBatches(fakePipeline({ log }), items(6), { batchSize: 2, target, onBatch: (r) => void got.push(...r) });
    expect(res).toMatchObject({ done: 6, failed: 0, batchSize: 2 });
    expect(got.map((r) => (r.ok && r.output.task === 'ocr-rec' ? r.output.text : null))).toEqual(['2', '4', '6', '8', '10', '12']);
    // Overlap: image 5 is being decoded before the batch (3,4) runs.
    expect(log.indexOf('prepare 5')).toBeLessThan(log.indexOf('infer 3,4'));
  });

  it('halves the batch on a GPU out-of-memory error, retries, and says so', async () => {
    const notices: string[] = [];
    const got: ItemResult[] = [];
    const res = await runBatches(fakePipeline({ oomAbove: 2 }), items(9), { batchSize: 8, target, onBatch: (r) => void got.push(...r), onNotice: (m) => notices.push(m) });
    expect(res.done).toBe(9);
    expect(res.batchSize).toBe(2);
    expect(notices).toEqual([
      'Out of memory on cuda with a batch of 8: retrying with batches of 4.',
      'Out of memory on cuda with a batch of 4: retrying with batches of 2.',
    ]);
    expect(got.map((r) => r.key)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('fails with a clear message when even one image does not fit', async () => {
    const err = await runBatches(fakePipeline({ oomAbove: 0 }), items(3), { batchSize: 2, target, onBatch: () => {} }).catch((e: unknown) => e);
    expect((err as AppError).message).toMatch(/Out of memory on cuda even with one image.*Force CPU/);
    expect((err as AppError).details).toMatchObject({ kind: 'out-of-memory' });
  });

  it('records unreadable images as failed and carries on', async () => {
    const got: ItemResult[] = [];
    const res = await runBatches(fakePipeline({ badKeys: [2] }), items(3), { batchSize: 2, target, onBatch: (r) => void got.push(...r) });
    expect(res).toMatchObject({ done: 2, failed: 1 });
    const bad = got.find((r) => r.key === 2)!;
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('MEDIA_UNREADABLE');
  });

  it('stops between batches when cancelled', async () => {
    const abort = new AbortController();
    let batches = 0;
    const err = await runBatches(fakePipeline(), items(10), {
      batchSize: 2,
      target,
      signal: abort.signal,
      onBatch: () => {
        if (++batches === 2) abort.abort();
      },
    }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('CANCELLED');
    expect(batches).toBe(2);
  });
});
