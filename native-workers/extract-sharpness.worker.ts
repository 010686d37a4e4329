/**
 * Scores frame files for sharpness off the main thread: sharp decodes each file straight to a small
 * grey copy (JPEG shrink-on-load), then the variance of its Laplacian is computed. One file at a
 * time, so memory stays at one small picture whatever the size of the set.
 */
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { laplacianVariance } from '../main/node/media/sharpness';
import type { FromSharpnessWorker, ToSharpnessWorker } from './protocol/extract-protocol';

if (!parentPort) throw new Error('extract-sharpness.worker must run as a worker thread');
const port = parentPort;
const post = (m: FromSharpnessWorker) => port.postMessage(m);
let cancelled = false;
sharp.cache(false);

/** Sharpness of one image file at the given longest side. */
async function score(file: string, side: number): Promise<number> {
  const { data, info } = await sharp(file).greyscale().resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
  return laplacianVariance(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height);
}

port.on('message', (msg: ToSharpnessWorker) => {
  if (msg.type === 'cancel') {
    cancelled = true;
    return;
  }
  const { seq, files, side } = msg;
  void (async () => {
    let batch: { index: number; sharpness: number }[] = [];
    for (let i = 0; i < files.length; i++) {
      if (cancelled) return post({ type: 'error', seq, kind: 'cancelled', message: 'Cancelled' });
      try {
        batch.push({ index: i, sharpness: await score(files[i]!, side) });
      } catch (err) {
        return post({ type: 'error', seq, kind: 'unreadable', message: (err as Error).message, file: files[i] });
      }
      if (batch.length >= 16) {
        post({ type: 'scores', seq, scores: batch });
        batch = [];
      }
    }
    if (batch.length) post({ type: 'scores', seq, scores: batch });
    post({ type: 'done', seq });
  })().catch((err: Error) => post({ type: 'error', seq, kind: 'internal', message: err.message }));
});
