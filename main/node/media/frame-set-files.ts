/**
 * Frame sets as files: export to a folder (frames + frames.csv, written under a temporary name and
 * renamed when complete) and contact sheets (sharp: one thumbnail at a time, composited once).
 * Frames are copied file by file; no set is ever read into memory whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
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

/** Copies frames into `dir` (which must not exist or be empty) with a frames.csv manifest. */
export async function exportFolder(frames: SetFrame[], dir: string, signal?: AbortSignal): Promise<{ files: number; bytes: number }> {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new AppError('CONFLICT', `The folder ${dir} is not empty; choose an empty or new folder.`);
  const tmp = `${dir}.partial-${process.pid}`;
  try {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    let bytes = 0;
    const rows = ['file,frame_index,timestamp_s,width,height,sharpness'];
    for (const f of frames) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'Cancelled');
      const name = path.basename(f.abs);
      // A copy-on-write clone where the file system can, a streamed copy elsewhere.
      await fs.promises.copyFile(f.abs, path.join(tmp, name), fs.constants.COPYFILE_FICLONE);
      bytes += fs.statSync(f.abs).size;
      rows.push([name, f.frameIndex ?? '', f.timestampSeconds ?? '', f.width ?? '', f.height ?? '', f.sharpness ?? ''].join(','));
    }
    fs.writeFileSync(path.join(tmp, 'frames.csv'), rows.join('\n') + '\n');
    if (fs.existsSync(dir)) fs.rmdirSync(dir);
    fs.renameSync(tmp, dir);
    return { files: frames.length, bytes };
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw AppError.from(err);
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
