/// <reference lib="webworker" />
/**
 * The light parse worker: PLY (points, meshes, 3DGS) and .splat. It carries no three.js, so it starts in a
 * few milliseconds; one is kept warm while the viewer is open. Other formats go to the scene worker.
 */
import { detectFormat } from '../formats/detect';
import { parsePly } from '../formats/ply';
import { parseSplatFile } from '../formats/splat';
import { serveParser } from './parse-host';

serveParser(
  (format) => format === 'ply' || format === 'splat',
  async (name, bytes, opts) => (detectFormat(name, bytes.subarray(0, 64)) === 'splat' ? parseSplatFile(bytes, opts.onProgress) : parsePly(bytes, opts.onProgress)),
);
