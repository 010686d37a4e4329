/** One entry point for every format: bytes + name in, a Model out (runs in the parse worker and in tests). */
import { detectFormat } from './detect';
import { parseGltf } from './gltf';
import type { Model } from './model';
import { parseObj } from './obj';
import { parsePly } from './ply';
import type { ImageDecoder, ResourceResolver } from './resources';
import { parseSplatFile } from './splat';

export interface ParseOptions {
  resolve?: ResourceResolver;
  decodeImage?: ImageDecoder;
  draco?: { js: string; wasm: string };
  onProgress?: (fraction: number) => void;
}

export async function parseModel(name: string, bytes: Uint8Array, opts: ParseOptions = {}): Promise<Model> {
  const format = detectFormat(name, bytes.subarray(0, 64));
  switch (format) {
    case 'ply':
      return parsePly(bytes, opts.onProgress);
    case 'splat':
      return parseSplatFile(bytes, opts.onProgress);
    case 'obj':
      return parseObj(bytes, opts);
    case 'glb':
    case 'gltf':
      return parseGltf(bytes, opts);
  }
}
