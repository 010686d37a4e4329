/// <reference lib="webworker" />
/**
 * The viewer's parse worker: reads the file (File or URL), detects the format, parses and converts it,
 * and posts the model back with its buffers transferred. One worker per load; the page terminates it to
 * cancel, which also frees everything it allocated.
 */
import { toViewerError } from '../formats/errors';
import { transferablesOf, type ModelImage } from '../formats/model';
import { parseModel } from '../formats/parse-model';
import type { ImageDecoder } from '../formats/resources';
import type { ParseRequest, ParseResponse } from './protocol';
import { fingerprint, readSource, resolverFor } from './read-source';

declare const self: DedicatedWorkerGlobalScope;

const post = (msg: ParseResponse, transfer: Transferable[] = []) => self.postMessage(msg, transfer);

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
    const model = await parseModel(name, bytes, {
      resolve: resolverFor(source),
      decodeImage,
      draco: { js: assets.dracoJs, wasm: assets.dracoWasm },
      onProgress: progress('parse'),
    });
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
