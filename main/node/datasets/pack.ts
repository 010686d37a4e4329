/**
 * Packages a labelled, split dataset as one zip in the platform's formats (FORMATS.md):
 * - `imagefolder` (classification): train/<class>/<file>, val/<class>/<file>, test/<class>/<file>;
 * - `coco` (detection): images/<split>/<file> and one annotations.json (COCO, every split, `split` per image).
 * Both carry dataset.json (classes, counts, seed). Images are stored, not deflated (already compressed); one file is
 * open at a time; the zip is written under a temporary name and renamed only when complete, removed on failure or cancel.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import type { DatasetFormat } from '../../common/contract/datasets';
import { tempPathFor } from '../files/atomic';
import { SPLITS, type SplitName } from './split';

export interface PackBox {
  className: string;
  /** COCO bbox: x, y, width, height in pixels. */
  bbox: [number, number, number, number];
}

export interface PackItem {
  abs: string;
  className: string;
  split: SplitName;
  /** Wanted file name (made unique within its folder). */
  name: string;
  width?: number | null;
  height?: number | null;
  /** Detection: the boxes on this image. */
  boxes?: PackBox[];
}

export interface PackOptions {
  format: DatasetFormat;
  classes: readonly string[];
  name?: string;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface PackResult {
  bytes: number;
  /** Entries in the zip (images and the json files). */
  entries: number;
  /** The entry name each item went under, in item order. */
  names: string[];
}

/** A file name safe in a zip on every OS: the base name only, no control or reserved characters. */
export function safeEntryName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f<>:"/\\|?*]/g, '_');
  return base === '' || base === '.' || base === '..' ? 'image' : base;
}

/** Entry names per item, unique within their folder (a clash gets -2, -3 … before the extension). */
export function entryNames(items: readonly PackItem[], format: DatasetFormat): string[] {
  const used = new Set<string>();
  return items.map((it) => {
    const folder = format === 'imagefolder' ? `${it.split}/${it.className}` : `images/${it.split}`;
    const name = safeEntryName(it.name);
    const ext = path.extname(name);
    const stem = name.slice(0, name.length - ext.length);
    let candidate = `${folder}/${name}`;
    for (let k = 2; used.has(candidate.toLowerCase()); k++) candidate = `${folder}/${stem}-${k}${ext}`;
    used.add(candidate.toLowerCase());
    return candidate;
  });
}

/**
 * The COCO detection json of the whole dataset (ids from 1; category ids in class order). file_name is the image's
 * path inside the zip (images/<split>/<file>), and each image carries its split in an extra `split` field
 * (COCO allows extra fields), so one file describes every split.
 */
export function cocoJson(items: readonly PackItem[], names: readonly string[], classes: readonly string[]) {
  const images: { id: number; file_name: string; width: number; height: number; split: SplitName }[] = [];
  const annotations: { id: number; image_id: number; category_id: number; bbox: number[]; area: number; iscrowd: 0 }[] = [];
  let annId = 1;
  items.forEach((it, i) => {
    const id = images.length + 1;
    images.push({ id, file_name: names[i]!, width: it.width ?? 0, height: it.height ?? 0, split: it.split });
    for (const b of it.boxes ?? []) {
      const cat = classes.indexOf(b.className);
      if (cat < 0) throw new AppError('INVALID_INPUT', say('dataset.box_unknown_class', { name: b.className }));
      annotations.push({ id: annId++, image_id: id, category_id: cat + 1, bbox: b.bbox, area: b.bbox[2] * b.bbox[3], iscrowd: 0 });
    }
  });
  return { info: { description: 'Kraken Studio dataset' }, images, annotations, categories: classes.map((name, i) => ({ id: i + 1, name, supercategory: 'none' })) };
}

const cancelled = () => new AppError('CANCELLED', say('error.cancelled', {}));

/** Writes the zip at `file` (which must not exist). */
export async function packDataset(items: readonly PackItem[], file: string, options: PackOptions): Promise<PackResult> {
  if (items.length === 0) throw new AppError('INVALID_INPUT', say('dataset.nothing_to_pack', {}));
  for (const it of items) if (!options.classes.includes(it.className)) throw new AppError('INVALID_INPUT', say('dataset.image_unknown_class', { name: it.className }));
  if (fs.existsSync(file)) throw new AppError('CONFLICT', say('dataset.file_exists', { path: file }));
  const names = entryNames(items, options.format);
  const signal = options.signal;
  const tmp = tempPathFor(file);
  const zip = new ZipFile();
  const reading: { stream: fs.ReadStream | null } = { stream: null };
  let out: fs.WriteStream | null = null;
  let failZip: (err: unknown) => void = () => {};
  const zipFailed = new Promise<never>((_, reject) => (failZip = reject));
  zipFailed.catch(() => undefined);
  zip.on('error', (err) => failZip(err));
  try {
    if (signal?.aborted) throw cancelled();
    const mtime = new Date();
    let done = 0;
    const counts = Object.fromEntries(SPLITS.map((s) => [s, items.filter((it) => it.split === s).length]));
    const manifest = {
      format: options.format,
      task: options.format === 'coco' ? 'detection' : 'classification',
      name: options.name ?? null,
      classes: options.classes,
      splits: counts,
      class_counts: Object.fromEntries(options.classes.map((c) => [c, Object.fromEntries(SPLITS.map((s) => [s, items.filter((it) => it.className === c && it.split === s).length]))])),
      seed: options.seed ?? null,
      created_by: 'Kraken Studio',
    };
    zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2) + '\n'), 'dataset.json', { mtime });
    let entries = 1;
    if (options.format === 'coco') {
      zip.addBuffer(Buffer.from(JSON.stringify(cocoJson(items, names, options.classes))), 'annotations.json', { mtime });
      entries++;
    }
    items.forEach((it, i) => {
      const { size } = fs.statSync(it.abs);
      zip.addReadStreamLazy(names[i]!, { compress: false, size, mtime }, (cb) => {
        reading.stream = fs
          .createReadStream(it.abs)
          .on('error', (err) => failZip(err))
          .on('end', () => {
            try {
              options.onProgress?.(++done, items.length);
            } catch (err) {
              failZip(err);
            }
          });
        cb(null, reading.stream);
      });
      entries++;
    });
    zip.end();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    out = fs.createWriteStream(tmp, { flush: true });
    const written = pipeline(zip.outputStream, out, signal ? { signal } : {});
    written.catch(() => undefined);
    await Promise.race([written, zipFailed]);
    if (signal?.aborted) throw cancelled();
    fs.renameSync(tmp, file);
    return { bytes: fs.statSync(file).size, entries, names };
  } catch (err) {
    reading.stream?.destroy();
    (zip.outputStream as Readable).destroy();
    if (out && !out.closed) {
      out.destroy();
      await once(out, 'close').catch(() => undefined);
    }
    fs.rmSync(tmp, { force: true });
    throw signal?.aborted ? cancelled() : AppError.from(err);
  }
}
