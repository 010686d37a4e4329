/**
 * The page's side of the parse worker: start a load, follow its progress, cancel it. Each load gets a
 * fresh worker that is terminated when the load ends, so a cancelled or failed parse leaves nothing behind.
 */
import dracoWasm from 'three/examples/jsm/libs/draco/gltf/draco_decoder.wasm?url';
import dracoJs from 'three/examples/jsm/libs/draco/gltf/draco_wasm_wrapper.js?url';
import { ViewerFormatError } from '../formats/errors';
import type { Model } from '../formats/model';
import type { LoadStage, ModelSource, ParseRequest, ParseResponse, ParseTimings } from './protocol';

export interface LoadResult {
  model: Model;
  fileBytes: number;
  fingerprint: string;
  timings: ParseTimings;
}

export interface LoadOptions {
  onProgress?(stage: LoadStage, fraction: number): void;
  signal?: AbortSignal;
}

export class LoadCancelled extends Error {
  override name = 'LoadCancelled';
}

let seqCounter = 0;

const absolute = (u: string) => new URL(u, location.href).href;

/** Loads and parses a model off the page thread. Rejects with ViewerFormatError or LoadCancelled. */
export function loadModel(source: ModelSource, opts: LoadOptions = {}): Promise<LoadResult> {
  const seq = ++seqCounter;
  const worker = new Worker(new URL('./parse-worker.ts', import.meta.url), { type: 'module', name: 'kraken-viewer-parse' });
  return new Promise<LoadResult>((resolve, reject) => {
    const finish = () => {
      worker.terminate();
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      finish();
      reject(new LoadCancelled('The load was cancelled.'));
    };
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);
    worker.onmessage = (e: MessageEvent<ParseResponse>) => {
      const m = e.data;
      if (m.seq !== seq) return;
      if (m.type === 'progress') opts.onProgress?.(m.stage, m.fraction);
      else if (m.type === 'done') {
        finish();
        resolve({ model: m.model, fileBytes: m.fileBytes, fingerprint: m.fingerprint, timings: m.timings });
      } else {
        finish();
        reject(m.code === 'cancelled' ? new LoadCancelled(m.message) : new ViewerFormatError(m.code, m.message));
      }
    };
    worker.onerror = (e) => {
      finish();
      reject(new ViewerFormatError('malformed', `The parser stopped: ${e.message || 'worker error'}`));
    };
    const src: ModelSource = source.kind === 'url' ? { ...source, url: absolute(source.url) } : source;
    const req: ParseRequest = { type: 'parse', seq, source: src, assets: { dracoJs: absolute(dracoJs), dracoWasm: absolute(dracoWasm) } };
    worker.postMessage(req);
  });
}
