/**
 * The page's side of the parse worker: start a load, follow its progress, cancel it. Each load gets a
 * fresh worker that is terminated when the load ends, so a cancelled or failed parse leaves nothing behind.
 */
import dracoWasm from 'three/examples/jsm/libs/draco/gltf/draco_decoder.wasm?url';
import dracoJs from 'three/examples/jsm/libs/draco/gltf/draco_wasm_wrapper.js?url';
import { extensionOf } from '../formats/detect';
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

type ParserKind = 'light' | 'scene';

function spawn(kind: ParserKind): Worker {
  return kind === 'light'
    ? new Worker(new URL('./parse-worker.ts', import.meta.url), { type: 'module', name: 'kraken-viewer-parse' })
    : new Worker(new URL('./scene-worker.ts', import.meta.url), { type: 'module', name: 'kraken-viewer-scene-parse' });
}

// one light parser started ahead of time: a file dropped on the viewer starts parsing at once
let warm: Worker | null = null;

/** Starts a parse worker in advance (the viewer page calls this when it opens). */
export function prewarmParser(): void {
  warm ??= spawn('light');
}

/** Stops the advance worker (the viewer page calls this when it closes). */
export function releaseParser(): void {
  warm?.terminate();
  warm = null;
}

function take(kind: ParserKind): Worker {
  if (kind === 'light' && warm) {
    const w = warm;
    warm = null;
    return w;
  }
  return spawn(kind);
}

const sourceName = (s: ModelSource) => (s.kind === 'files' ? s.file.name : s.name);

/** Loads and parses a model off the page thread. Rejects with ViewerFormatError or LoadCancelled. */
export function loadModel(source: ModelSource, opts: LoadOptions = {}): Promise<LoadResult> {
  const kind: ParserKind = ['obj', 'gltf', 'glb'].includes(extensionOf(sourceName(source))) ? 'scene' : 'light';
  return loadWith(kind, source, opts).finally(() => {
    // the next warm worker starts once this load is over, so the two never compete for the CPU
    if (warm === null && kind === 'light') setTimeout(prewarmParser, 0);
  });
}

function loadWith(kind: ParserKind, source: ModelSource, opts: LoadOptions): Promise<LoadResult> {
  const seq = ++seqCounter;
  const worker = take(kind);
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
      } else if (m.type === 'redirect') {
        finish();
        const companions = source.kind === 'url' ? [] : source.companions;
        const url = source.kind === 'url' ? source.url : source.kind === 'bytes' ? source.url : undefined;
        loadWith('scene', { kind: 'bytes', name: m.name, bytes: m.bytes, companions, url }, opts).then(resolve, reject);
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
    worker.postMessage(req, src.kind === 'bytes' ? [src.bytes] : []);
  });
}
