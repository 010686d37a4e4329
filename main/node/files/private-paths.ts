/**
 * What of the data folder the page may read, and how it is served — one rule for both shells (Electron's
 * `kraken://files/` and the browser host's `/files/`).
 *
 * An allow-list, not a deny-list: only the sub-folders whose files the services hand to the renderer are served
 * (projects/…, results/…, exports/…, models/…, uploads/…, cache/thumbs/…). Everything else — the database and its
 * journals, secrets, credentials, Chromium's profile, backups, and whatever a later feature puts at the top level —
 * is refused without being named. A deny-list of names cannot be complete: on Windows `studio.db.`,
 * `studio.db::$DATA` and the 8.3 name `STUDIO~1.DB` all open the database.
 */
import path from 'node:path';

/** Top-level folders of the data folder whose files the page may read. */
export const SERVED_DATA_FOLDERS: readonly string[] = ['projects', 'results', 'exports', 'models', 'uploads', 'cache'];
/** Of cache/, only the thumbnails (other caches are the core's business). */
const SERVED_CACHE = 'thumbs';

/**
 * True for a path (relative segments inside the data folder) the page may read: inside an allowed folder, and no
 * segment hidden (`.x`), with a stream or drive separator (`:`), or ending in a dot or space (names Windows rewrites).
 */
export function isServedDataPath(segments: readonly string[]): boolean {
  if (segments.length < 2) return false;
  for (const s of segments) if (s === '' || s.startsWith('.') || s.includes(':') || /[. ]$/.test(s) || s.includes('\0')) return false;
  // Exact, case-sensitive folder names: `PROJECTS` or `PROJEC~1` would only ever be another spelling of a folder.
  if (!SERVED_DATA_FOLDERS.includes(segments[0]!)) return false;
  if (segments[0] === 'cache' && (segments.length < 3 || segments[1] !== SERVED_CACHE)) return false;
  return true;
}

/** The page never reads it (the complement of isServedDataPath). */
export function isPrivateDataPath(segments: readonly string[]): boolean {
  return !isServedDataPath(segments);
}

/** The same rule for an absolute path already resolved inside `dataDir` (both real paths). */
export function isPrivateDataFile(realDataDir: string, file: string): boolean {
  const rel = path.relative(realDataDir, file);
  if (rel === '' || path.isAbsolute(rel) || rel.split(path.sep)[0] === '..') return true;
  return isPrivateDataPath(rel.split(path.sep));
}

/** Types the page shows or loads itself (images, video, 3D and model files): served inline. SVG is not one (it runs script). */
const INLINE_TYPES = new Set([
  '.jpg', '.jpeg', '.png', '.webp', '.gif', '.avif', '.bmp',
  '.mp4', '.m4v', '.webm', '.mov', '.mkv',
  '.glb', '.gltf', '.ply', '.splat', '.ksplat', '.obj', '.mtl', '.hdr', '.bin',
  '.onnx', '.json',
]);

/** True when a data file of this name is shown inline; anything else is a download that cannot run. */
export function isInlineDataFile(file: string): boolean {
  return INLINE_TYPES.has(path.extname(file).toLowerCase());
}

/**
 * Headers for a file from the data folder, after the shell's own: never sniffed, and a file of any other type
 * (an uploaded .html or .svg with a script) is an opaque download in a sandbox — it cannot run on the app's
 * origin, so it cannot reach the IPC socket or the page's storage.
 */
export function dataFileHeaders(file: string): Record<string, string> {
  if (isInlineDataFile(file)) return { 'x-content-type-options': 'nosniff' };
  return {
    'x-content-type-options': 'nosniff',
    'content-type': 'application/octet-stream',
    'content-disposition': 'attachment',
    'content-security-policy': 'sandbox',
  };
}
