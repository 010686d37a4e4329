/// <reference lib="webworker" />
/**
 * The message loop shared by the viewer's parse workers: read the file (File, URL or handed-on bytes),
 * detect the format, parse and convert it, and post the model back with its buffers transferred.
 * One worker per load: the page terminates it to cancel, which also frees everything it allocated.
 */
import { detectFormat } from '../formats/detect';
import { toViewerError } from '../formats/errors';
import { transferablesOf, type Model, type ModelFormat, type ModelImage } from '../formats/model';
import type { ParseOptions } from '../formats/parse-model';
import type { ImageDecoder } from '../formats/resources';
import type { ParseRequest, ParseResponse } from './protocol';
import { fingerprint, readSource, resolverFor } from './read-source';

declare const self: DedicatedWorkerGlobalScope;

const decodeImage: ImageDecoder = async (bytes, _name, flipY) => {
  try {
    // ImageBitmaps ignore WebGL's UNPACK_FLIP_Y, so OBJ textures are flipped here, once
    return (await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
      imageOrientation: flipY ? 'flipY' : 'from-image',
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    })) as ModelImage;
  } catch {
    return null;
  }
};

export function serveParser(handles: (format: ModelFormat) => boolean, parse: (name: string, bytes: Uint8Array, opts: ParseOptions) => Promise<Model>): void {
  const post = (msg: ParseResponse, transfer: Transferable[] = []) => self.postMessage(msg, transfer);
  let current = 0;
  self.onmessage = async (e: MessageEvent<ParseRequest>) => {
    const msg = e.data;
    if (msg.type === 'cancel') {
      if (msg.seq === current) current = 0;
      return;
    }
    const { seq, source, assets } = msg;
    current = seq;
    let lastPost = 0;
    const progress = (stage: 'read' | 'parse') => (fraction: number) => {
      const now = performance.now();
      // at most ~30 messages a second: the page only draws a bar
      if (fraction < 1 && now - lastPost < 33) return;
      lastPost = now;
      if (current === seq) post({ type: 'progress', seq, stage, fraction });
    };
    try {
      const t0 = performance.now();
      const { name, bytes } = await readSource(source, progress('read'));
      const t1 = performance.now();
      const format = detectFormat(name, bytes.subarray(0, 64));
      if (!handles(format)) {
        const copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
        post({ type: 'redirect', seq, name, bytes: copy }, [copy]);
        return;
      }
      const model = await parse(name, bytes, { resolve: resolverFor(source), decodeImage, draco: { js: assets.dracoJs, wasm: assets.dracoWasm }, onProgress: progress('parse') });
      const t2 = performance.now();
      if (current !== seq) return;
      post(
        { type: 'done', seq, model, fileBytes: bytes.byteLength, fingerprint: fingerprint(bytes), timings: { readMs: t1 - t0, parseMs: t2 - t1 } },
        transferablesOf(model),
      );
    } catch (err) {
      const { code, message } = toViewerError(err);
      if (current === seq) post({ type: 'error', seq, code, message });
    }
  };
}
