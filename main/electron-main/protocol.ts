/**
 * The app's own protocol. `kraken://app/<path>` serves the built renderer (dist/renderer), `kraken://files/<rel>`
 * serves the data folder. Both refuse any path that leaves their root (`..`, encoded `..`, absolute paths,
 * NUL bytes, symlinks pointing outside), send exact MIME types and answer Range requests so videos seek.
 * Only types come from `electron`: the handler is a plain `(Request) => Promise<Response>`, tested under Node.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { CustomScheme, Protocol } from 'electron';
import { dataFileHeaders, isPrivateDataPath } from '../node/files/private-paths';
import { answerThumbnail } from '../node/files/thumbnails';
import { APP_SCHEME, SECURITY_HEADERS, TRUSTED_ORIGIN } from './security';

/** Registered before `ready` (Chromium reads scheme privileges once, at start). */
export const KRAKEN_SCHEME: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: {
    // Real origins (kraken://app), relative URLs, localStorage and IndexedDB behave as on https.
    standard: true,
    // A secure context: crypto.subtle, WebAssembly streaming, no mixed-content warnings.
    secure: true,
    // fetch() works on the scheme (three.js loaders, TF.js model files).
    supportFetchAPI: true,
    // kraken://app may fetch from kraken://files when the response allows it (Access-Control-Allow-Origin).
    corsEnabled: true,
    // Bodies are streamed (large videos are never read into memory).
    stream: true,
    // V8 may cache compiled scripts of our bundle.
    codeCache: true,
    // bypassCSP stays false on purpose: our own CSP must apply to our own pages.
  },
};

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.webm': 'video/webm',
  '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska',
  '.glb': 'model/gltf-binary',
  '.gltf': 'model/gltf+json',
  '.obj': 'text/plain; charset=utf-8',
  '.mtl': 'text/plain; charset=utf-8',
  '.ply': 'application/octet-stream',
  '.splat': 'application/octet-stream',
  '.ksplat': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.hdr': 'application/octet-stream',
  '.onnx': 'application/octet-stream',
};

/** MIME type by extension; unknown files are opaque bytes (never sniffed, see nosniff). */
export function mimeTypeOf(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type ResolvedPath = { ok: true; file: string } | { ok: false; status: 403 | 404; reason: string };

function inside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  // '' is the root itself; an absolute result means another drive (Windows).
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * Maps a URL path (as in `new URL(u).pathname`, still percent-encoded) to a file inside `root`.
 * 403 when the path itself tries to leave the root; 404 when the file is missing or a symlink on the way
 * points outside (the same answer as missing, so nothing is learned about files outside the root).
 */
export function resolveProtocolPath(root: string, urlPath: string, isPrivate: (segments: readonly string[]) => boolean = () => false): ResolvedPath {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, status: 403, reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0')) return { ok: false, status: 403, reason: 'NUL byte' };
  // Backslashes are separators on Windows; treat them as such everywhere so `..\` is seen as `..`.
  const segments = decoded.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
  // Refuse instead of normalising: a request with `..` or a drive letter is never one our renderer makes.
  if (segments.some((s) => s === '..')) return { ok: false, status: 403, reason: 'parent segment' };
  if (segments.length > 0 && /^[a-zA-Z]:/.test(segments[0]!)) return { ok: false, status: 403, reason: 'drive letter' };
  if (isPrivate(segments)) return { ok: false, status: 403, reason: 'private file' };
  const rootAbs = path.resolve(root);
  const target = path.resolve(rootAbs, ...segments);
  if (!inside(rootAbs, target)) return { ok: false, status: 403, reason: 'outside the root' };
  let real: string;
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(rootAbs);
    real = fs.realpathSync(target);
  } catch {
    return { ok: false, status: 404, reason: 'not found' };
  }
  // A symlink inside the root that points elsewhere is not part of the root.
  if (!inside(realRoot, real)) return { ok: false, status: 404, reason: 'symlink leaves the root' };
  // …and one that points at a private file inside the root does not make it public.
  if (isPrivate(path.relative(realRoot, real).split(path.sep).filter(Boolean))) return { ok: false, status: 404, reason: 'symlink to a private file' };
  return { ok: true, file: real };
}

export type ByteRange = { start: number; end: number };

/**
 * Parses a single `Range: bytes=…` header for a file of `size` bytes: a range, `'unsatisfiable'` (416),
 * or null to send the whole file (no header, a multi-range or a unit we do not speak, as RFC 9110 allows).
 */
export function parseRange(header: string | null | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null;
  const [, first, last] = m as unknown as [string, string, string];
  if (first === '' && last === '') return null;
  if (first === '') {
    // Suffix range: the last N bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

export interface ProtocolRoots {
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** The data folder. */
  dataDir: string;
}

function textResponse(status: number, body: string, extra: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, ...extra } });
}

function fileResponse(request: Request, file: string, size: number, extra: Record<string, string>): Response {
  const headers: Record<string, string> = { 'content-type': mimeTypeOf(file), 'accept-ranges': 'bytes', ...SECURITY_HEADERS, ...extra };
  const range = parseRange(request.headers.get('range'), size);
  if (range === 'unsatisfiable') return textResponse(416, 'Range not satisfiable', { 'content-range': `bytes */${size}`, ...extra });
  const head = request.method === 'HEAD';
  const body = (start: number, end: number): ConstructorParameters<typeof Response>[0] =>
    head || size === 0 ? null : (Readable.toWeb(fs.createReadStream(file, { start, end })) as unknown as ReadableStream<Uint8Array>);
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
    headers['content-length'] = String(range.end - range.start + 1);
    return new Response(body(range.start, range.end), { status: 206, headers });
  }
  headers['content-length'] = String(size);
  return new Response(body(0, size - 1), { status: 200, headers });
}

/** The `protocol.handle` handler for `kraken:`. */
export function createProtocolHandler(roots: ProtocolRoots): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method not allowed', { allow: 'GET, HEAD' });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return textResponse(400, 'Bad URL');
    }
    if (url.protocol !== `${APP_SCHEME}:`) return textResponse(404, 'Not found');

    if (url.host === 'app') {
      const indexHtml = path.join(roots.rendererDir, 'index.html');
      if (!fs.existsSync(indexHtml)) return textResponse(503, 'The renderer is not built. Run `npm run build`.');
      let resolved = resolveProtocolPath(roots.rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
      // Single-page app: an unknown path without an extension is a client-side route.
      if (!resolved.ok && resolved.status === 404 && !path.extname(url.pathname)) resolved = { ok: true, file: fs.realpathSync(indexHtml) };
      if (!resolved.ok) return textResponse(resolved.status, resolved.status === 403 ? 'Forbidden' : 'Not found');
      const stat = statFile(resolved.file);
      if (!stat) return textResponse(404, 'Not found');
      // The bundle changes with each build; never serve a stale one from the HTTP cache.
      return fileResponse(request, resolved.file, stat.size, { 'cache-control': 'no-cache' });
    }

    if (url.host === 'files') {
      // Our page may fetch() these (3D loaders) and read the errors too; no other origin may.
      const cors = { 'access-control-allow-origin': TRUSTED_ORIGIN, vary: 'Origin' };
      const resolved = resolveProtocolPath(roots.dataDir, url.pathname, isPrivateDataPath);
      if (!resolved.ok) return textResponse(resolved.status, resolved.status === 403 ? 'Forbidden' : 'Not found', cors);
      if (url.searchParams.has('thumb')) return thumbnailResponse(request, roots.dataDir, resolved.file, url.searchParams.get('thumb'), cors);
      const stat = statFile(resolved.file);
      if (!stat) return textResponse(404, 'Not found', cors);
      // Files under ids are replaced by new ids, but a re-extracted frame keeps its name: revalidate.
      // Unknown types (an uploaded .html or .svg) are sandboxed downloads: nothing in the data folder runs as the app.
      return fileResponse(request, resolved.file, stat.size, { ...cors, 'cache-control': 'no-cache', ...dataFileHeaders(resolved.file) });
    }
    return textResponse(404, 'Not found');
  };
}

/** `?thumb=<w>`: the same cached thumbnail the browser host serves, answered by the core (main/node/files/thumbnails.ts). */
async function thumbnailResponse(request: Request, dataDir: string, file: string, thumb: string | null, cors: Record<string, string>): Promise<Response> {
  const answer = await answerThumbnail(dataDir, file, thumb);
  if (!answer.ok) return textResponse(answer.status, answer.message, cors);
  const stat = statFile(answer.file);
  if (!stat) return textResponse(404, 'Not found', cors);
  const extra = { ...cors, 'cache-control': 'no-cache', etag: answer.etag };
  if (request.headers.get('if-none-match') === answer.etag) return new Response(null, { status: 304, headers: { ...SECURITY_HEADERS, ...extra } });
  return fileResponse(request, answer.file, stat.size, extra);
}

function statFile(file: string): fs.Stats | null {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? stat : null;
  } catch {
    return null;
  }
}

/** Declares the scheme's privileges; must run before the app is ready. */
export function registerKrakenScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  // registerSchemesAsPrivileged replaces earlier registrations: this is the only call in the app.
  protocol.registerSchemesAsPrivileged([KRAKEN_SCHEME]);
}

/** Serves `kraken:` on the default session; call once the app is ready. */
export function handleKrakenProtocol(protocol: Pick<Protocol, 'handle'>, roots: ProtocolRoots): void {
  protocol.handle(APP_SCHEME, createProtocolHandler(roots));
}
