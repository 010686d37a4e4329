/** Serving files from a root folder safely: no escape from the root, Range requests, MIME types. */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mov': 'video/quicktime',
  '.glb': 'model/gltf-binary',
  '.gltf': 'model/gltf+json',
  '.ply': 'application/octet-stream',
  '.obj': 'text/plain; charset=utf-8',
  '.mtl': 'text/plain; charset=utf-8',
  '.splat': 'application/octet-stream',
  '.hdr': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeOf(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Resolves a URL path (still percent-encoded) inside `root`, or null when it would leave the root
 * (`..`, encoded `..`, absolute paths, NUL bytes, or a symlink that points outside).
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rootAbs = path.resolve(root);
  const target = path.resolve(rootAbs, '.' + path.posix.normalize('/' + decoded.replace(/\\/g, '/')));
  if (target !== rootAbs && !target.startsWith(rootAbs + path.sep)) return null;
  try {
    const real = fs.realpathSync(target);
    const realRoot = fs.realpathSync(rootAbs);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
    return real;
  } catch {
    return target; // does not exist: the caller answers 404
  }
}

/**
 * Streams a file with Range support. The file is opened before any header is written, so a missing, vanished or
 * unreadable file (ENOENT, EACCES, EISDIR…) is a 404/403/500 answer; a read error half-way through ends that one
 * response (through pipeline), never the process.
 */
export async function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string, headers: Record<string, string> = {}): Promise<void> {
  let handle: fs.promises.FileHandle;
  let stat: fs.Stats;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const status = code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' ? 404 : code === 'EACCES' || code === 'EPERM' ? 403 : 500;
    return void res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(status === 404 ? 'Not found' : status === 403 ? 'Forbidden' : 'Cannot read the file');
  }
  try {
    stat = await handle.stat();
  } catch {
    await handle.close().catch(() => undefined);
    return void res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end('Cannot read the file');
  }
  if (!stat.isFile()) {
    await handle.close().catch(() => undefined);
    return void res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end('Not found');
  }
  const type = mimeOf(file);
  let start = 0;
  let end = stat.size - 1;
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    start = Math.max(0, range[1] ? Number(range[1]) : stat.size - Number(range[2]));
    end = Math.min(stat.size - 1, range[1] && range[2] ? Number(range[2]) : stat.size - 1);
    if (start > end) {
      await handle.close().catch(() => undefined);
      return void res.writeHead(416, { 'content-range': `bytes */${stat.size}`, ...headers }).end();
    }
    res.writeHead(206, { 'content-type': type, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${stat.size}`, 'accept-ranges': 'bytes', ...headers });
  } else {
    res.writeHead(200, { 'content-type': type, 'content-length': stat.size, 'accept-ranges': 'bytes', ...headers });
  }
  if (req.method === 'HEAD' || stat.size === 0) {
    await handle.close().catch(() => undefined);
    return void res.end();
  }
  try {
    // The stream owns the handle from here and closes it however the copy ends.
    await pipeline(handle.createReadStream({ start, end }), res);
  } catch {
    // A read error or a client gone mid-file: pipeline has destroyed both ends; there is nobody left to answer.
  }
}
