/**
 * Frame sets as files: export to a folder or a zip (frames + frames.csv, written under a temporary name and
 * renamed when complete) and contact sheets (sharp: one thumbnail at a time, composited once).
 * Frames are copied or streamed file by file; no set is ever read into memory whole.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { ZipFile } from 'yazl';
import { AppError } from '../../common/app-error';

export interface SetFrame {
  /** Absolute path of the frame file. */
  abs: string;
  frameIndex: number | null;
  timestampSeconds: number | null;
  width: number | null;
  height: number | null;
  sharpness: number | null;
}

/** The manifest written beside the frames: one row per frame, in set order. */
function manifestCsv(frames: SetFrame[]): string {
  const rows = ['file,frame_index,timestamp_s,width,height,sharpness'];
  for (const f of frames) rows.push([path.basename(f.abs), f.frameIndex ?? '', f.timestampSeconds ?? '', f.width ?? '', f.height ?? '', f.sharpness ?? ''].join(','));
  return rows.join('\n') + '\n';
}

const cancelled = () => new AppError('CANCELLED', 'Cancelled');

/** Told after each frame is written: frames done so far and the set's total (frames.csv not counted). */
export type ExportProgress = (done: number, total: number) => void;

/** The temporary name an export is written under before the rename; `${target}.partial-<pid>`. */
export function exportTempName(target: string, pid: number = process.pid): string {
  return `${target}.partial-${pid}`;
}

/**
 * Removes temporary folders or files a killed process left for `target` (`${target}.partial-<pid>`, any pid):
 * a crash skips the writers' own clean-up, and nothing else ever uses those names.
 */
export function removeStaleExportTemps(target: string): string[] {
  const dir = path.dirname(target);
  const prefix = path.basename(target) + '.partial-';
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const stale = names.filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)));
  for (const n of stale) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
  return stale.map((n) => path.join(dir, n));
}

/** Refuses a target an export must not overwrite: a folder that is not empty, a .zip that exists. */
export function assertExportTargetFree(format: 'folder' | 'zip', target: string): void {
  if (format === 'zip') {
    if (fs.existsSync(target)) throw new AppError('CONFLICT', `${target} already exists; choose a new file name.`);
  } else if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    throw new AppError('CONFLICT', `The folder ${target} is not empty; choose an empty or new folder.`);
  }
}

/** Copies frames into `dir` (which must not exist or be empty) with a frames.csv manifest. */
export async function exportFolder(frames: SetFrame[], dir: string, signal?: AbortSignal, onProgress?: ExportProgress): Promise<{ files: number; bytes: number }> {
  assertExportTargetFree('folder', dir);
  const tmp = exportTempName(dir);
  try {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    let bytes = 0;
    let done = 0;
    for (const f of frames) {
      if (signal?.aborted) throw cancelled();
      // A copy-on-write clone where the file system can, a streamed copy elsewhere.
      await fs.promises.copyFile(f.abs, path.join(tmp, path.basename(f.abs)), fs.constants.COPYFILE_FICLONE);
      bytes += fs.statSync(f.abs).size;
      onProgress?.(++done, frames.length);
    }
    fs.writeFileSync(path.join(tmp, 'frames.csv'), manifestCsv(frames));
    if (fs.existsSync(dir)) fs.rmdirSync(dir);
    fs.renameSync(tmp, dir);
    return { files: frames.length, bytes };
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw AppError.from(err);
  }
}

/**
 * Streams frames and frames.csv into one zip at `file` (which must not exist). Frames are stored, not deflated:
 * they are JPEG/PNG/WebP already, so deflate would spend CPU to save nothing and the export stays I/O-bound.
 * One frame is open at a time; the zip goes to a temporary name that is renamed only when complete and
 * removed on any failure or abort, so no partial zip is ever left.
 */
export async function exportZip(frames: SetFrame[], file: string, signal?: AbortSignal, onProgress?: ExportProgress): Promise<{ files: number; bytes: number }> {
  assertExportTargetFree('zip', file);
  const tmp = exportTempName(file);
  const zip = new ZipFile();
  const reading: { stream: fs.ReadStream | null } = { stream: null };
  let out: fs.WriteStream | null = null;
  // yazl reports its own failures (a frame that changed size, a read error) as events on the ZipFile.
  let failZip: (err: unknown) => void = () => {};
  const zipFailed = new Promise<never>((_, reject) => (failZip = reject));
  zipFailed.catch(() => undefined); // a late error after a failure is already handled below
  zip.on('error', (err) => failZip(err));
  try {
    if (signal?.aborted) throw cancelled();
    const mtime = new Date();
    let done = 0;
    for (const f of frames) {
      const { size } = fs.statSync(f.abs);
      zip.addReadStreamLazy(path.basename(f.abs), { compress: false, size, mtime }, (cb) => {
        // yazl opens one frame at a time; a frame counts as written once all its bytes went into the zip.
        reading.stream = fs
          .createReadStream(f.abs)
          .on('error', (err) => failZip(err))
          .on('end', () => {
            // A throwing listener here would be an uncaught exception: it fails the export instead.
            try {
              onProgress?.(++done, frames.length);
            } catch (err) {
              failZip(err);
            }
          });
        cb(null, reading.stream);
      });
    }
    zip.addBuffer(Buffer.from(manifestCsv(frames)), 'frames.csv', { mtime });
    zip.end();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // flush: the bytes are on disk before the rename makes the zip look whole.
    out = fs.createWriteStream(tmp, { flush: true });
    const written = pipeline(zip.outputStream, out, signal ? { signal } : {});
    written.catch(() => undefined); // when yazl fails first, the pipeline's own rejection comes after the race
    await Promise.race([written, zipFailed]);
    if (signal?.aborted) throw cancelled();
    fs.renameSync(tmp, file);
    return { files: frames.length, bytes: fs.statSync(file).size };
  } catch (err) {
    reading.stream?.destroy();
    (zip.outputStream as Readable).destroy();
    if (out && !out.closed) {
      // Wait for the file to be closed before removing it (Windows cannot delete an open file).
      out.destroy();
      await once(out, 'close').catch(() => undefined);
    }
    fs.rmSync(tmp, { force: true });
    throw signal?.aborted ? cancelled() : AppError.from(err);
  }
}

/** Evenly spread picks of at most `max` items, first and last included. */
export function spreadPick<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  if (max === 1) return [items[Math.floor(items.length / 2)]!];
  return Array.from({ length: max }, (_, k) => items[Math.round((k * (items.length - 1)) / (max - 1))]!);
}

function label(seconds: number | null, n: number | null): string {
  if (seconds === null) return n !== null ? `#${n}` : '';
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(2).padStart(5, '0')}`;
}

/** Writes a JPEG contact sheet of the frames to `out`. */
export async function contactSheet(frames: SetFrame[], out: string, opts: { columns: number; thumbWidth: number; maxFrames: number }): Promise<{ width: number; height: number; columns: number; rows: number; frames: number }> {
  const shown = spreadPick(frames, opts.maxFrames);
  if (shown.length === 0) throw new AppError('INVALID_INPUT', 'This frame set has no frames to show.');
  const first = shown[0]!;
  const aspect = first.width && first.height ? first.height / first.width : 9 / 16;
  const tw = opts.thumbWidth;
  const th = Math.max(16, Math.round(tw * aspect));
  const pad = 4;
  const labelH = 18;
  const columns = Math.min(opts.columns, shown.length);
  const rows = Math.ceil(shown.length / columns);
  const width = columns * (tw + pad) + pad;
  const height = rows * (th + labelH + pad) + pad;
  const tiles: sharp.OverlayOptions[] = [];
  for (let i = 0; i < shown.length; i++) {
    const f = shown[i]!;
    const left = pad + (i % columns) * (tw + pad);
    const top = pad + Math.floor(i / columns) * (th + labelH + pad);
    const thumb = await sharp(f.abs).resize(tw, th, { fit: 'contain', background: '#000' }).jpeg({ quality: 80 }).toBuffer();
    tiles.push({ input: thumb, left, top });
    const text = label(f.timestampSeconds, f.frameIndex);
    tiles.push({
      input: Buffer.from(`<svg width="${tw}" height="${labelH}"><text x="2" y="${labelH - 5}" font-family="DejaVu Sans, sans-serif" font-size="12" fill="#d0d4da">${text}</text></svg>`),
      left,
      top: top + th,
    });
  }
  const tmp = `${out}.partial.jpg`;
  try {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await sharp({ create: { width, height, channels: 3, background: '#15171b' } }).composite(tiles).jpeg({ quality: 85 }).toFile(tmp);
    fs.renameSync(tmp, out);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw AppError.from(err);
  }
  return { width, height, columns, rows, frames: shown.length };
}
