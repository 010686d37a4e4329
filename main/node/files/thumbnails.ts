/**
 * Cached JPEG thumbnails of images in the data folder, for tile lists that would otherwise make the page
 * decode full-size frames (an 8-megapixel JPEG for a 240-px tile). Both shells serve them from here:
 * the browser host at `/files/<rel>?thumb=<w>`, Electron at `kraken://files/<rel>?thumb=<w>`.
 *
 * A thumbnail lives at `cache/thumbs/<xx>/<key>-<width>-<mtime>-<size>.jpg`, where key hashes the source's
 * path relative to the data folder: an edited or replaced source (new mtime or size) gets a new file, and the
 * stale one of that width is removed when the new one is written.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AppError } from '../../common/app-error';
import type { ErrorCode } from '../../common/contract/define';
import { snapThumbWidth, type ThumbWidth } from '../../common/thumb-widths';
import { tempPathFor } from './atomic';

/** Where thumbnails are kept, relative to the data folder. */
export const THUMB_CACHE_DIR = path.join('cache', 'thumbs');

// What sharp's prebuilt libvips decodes. Videos, 3D files and the rest have no thumbnail (415).
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.avif', '.gif', '.tif', '.tiff']);

// One job per target file: a grid that asks for the same tile twice (two tabs, a re-render) encodes once.
const inflight = new Map<string, Promise<string>>();

/** Whether `file` is a kind of image the thumbnailer reads (by extension). */
export function isThumbnailable(file: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase());
}

/** The width a `?thumb=` query asks for, snapped; null without one; INVALID_INPUT for anything but a positive number. */
export function parseThumbParam(value: string | null): ThumbWidth | null {
  if (value === null) return null;
  const n = Number(value);
  if (!value.trim() || !Number.isFinite(n) || n <= 0) throw new AppError('INVALID_INPUT', `thumb must be a width in pixels, not "${value}"`);
  return snapThumbWidth(n);
}

/** The HTTP status both shells answer when a thumbnail cannot be made. */
export function thumbnailErrorStatus(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
      return 400;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'UNSUPPORTED':
    case 'MEDIA_UNREADABLE':
      return 415;
    case 'IO_ERROR':
      return 507;
    default:
      return 500;
  }
}

/**
 * Path of a cached JPEG of `absImagePath`, `width` pixels wide after snapping (height by aspect, EXIF
 * orientation applied, never upscaled), made on first use. The image must lie in `dataDir`; shells resolve
 * URLs with their own path checks first, so this only needs the image's place in the folder for its key.
 */
export async function thumbnailFor(dataDir: string, absImagePath: string, width: number): Promise<string> {
  if (!Number.isFinite(width) || width <= 0) throw new AppError('INVALID_INPUT', `A thumbnail width must be a positive number, not ${width}`);
  const size = snapThumbWidth(width);
  const name = path.basename(absImagePath);
  if (!isThumbnailable(absImagePath)) throw new AppError('UNSUPPORTED', `${name} is not an image, so it has no thumbnail`, { file: absImagePath });
  let root: string;
  let source: string;
  let stat: fs.Stats;
  try {
    root = await fs.promises.realpath(dataDir);
    source = await fs.promises.realpath(absImagePath);
    stat = await fs.promises.stat(source);
  } catch {
    throw new AppError('NOT_FOUND', `The image ${name} is missing`, { file: absImagePath });
  }
  if (!stat.isFile()) throw new AppError('NOT_FOUND', `${name} is not a file`, { file: absImagePath });
  const rel = path.relative(root, source);
  if (rel === '' || rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) {
    throw new AppError('FORBIDDEN', `Only images inside the data folder have thumbnails`, { file: absImagePath });
  }
  const key = createHash('sha256').update(rel.split(path.sep).join('/')).digest('hex').slice(0, 20);
  const prefix = `${key}-${size}-`;
  const target = path.join(root, THUMB_CACHE_DIR, key.slice(0, 2), `${prefix}${Math.floor(stat.mtimeMs).toString(36)}-${stat.size.toString(36)}.jpg`);
  if (fs.existsSync(target)) return target;
  let job = inflight.get(target);
  if (!job) {
    job = encode(source, target, size, prefix).finally(() => inflight.delete(target));
    inflight.set(target, job);
  }
  return job;
}

async function encode(source: string, target: string, width: ThumbWidth, prefix: string): Promise<string> {
  const dir = path.dirname(target);
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = tempPathFor(target);
  try {
    await sharp(source)
      .rotate() // EXIF orientation first, so `width` is the width the user sees
      .resize({ width, withoutEnlargement: true })
      .flatten({ background: '#000000' }) // JPEG has no alpha
      .jpeg({ quality: 80 })
      .toFile(tmp);
    await fs.promises.rename(tmp, target);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    if (err instanceof AppError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === 'string') throw AppError.from(err);
    const msg = String(e.message ?? err).split('\n')[0];
    throw new AppError('MEDIA_UNREADABLE', `Cannot make a thumbnail of ${path.basename(source)}: ${msg}`, { file: source });
  }
  // The same source at the same width, from before an edit: nothing will ask for it again.
  for (const entry of await fs.promises.readdir(dir).catch(() => [] as string[])) {
    // Best effort: on Windows a file being served cannot be removed; the next edit tries again.
    if (entry.startsWith(prefix) && entry !== path.basename(target)) await fs.promises.rm(path.join(dir, entry), { force: true }).catch(() => {});
  }
  return target;
}

/** What a shell answers to `<file>?thumb=<w>`: the cached file and its ETag, or a status and a one-line message. */
export type ThumbnailAnswer = { ok: true; file: string; etag: string } | { ok: false; status: number; message: string };

/**
 * The whole `?thumb=` request for both shells (browser host and Electron's protocol): parse the width, make or
 * reuse the thumbnail, name it for revalidation. The URL carries no mtime, so the page revalidates; the ETag is
 * the cached file's name, which changes when the source does.
 */
export async function answerThumbnail(dataDir: string, file: string, thumb: string | null): Promise<ThumbnailAnswer> {
  try {
    const thumbFile = await thumbnailFor(dataDir, file, parseThumbParam(thumb) ?? Number.NaN);
    return { ok: true, file: thumbFile, etag: `"${path.basename(thumbFile, '.jpg')}"` };
  } catch (err) {
    const e = AppError.from(err);
    return { ok: false, status: thumbnailErrorStatus(e.code), message: e.message };
  }
}
