/**
 * Reads an uploaded dataset zip (yauzl) for real: `imagefolder` (one folder per class, optionally under
 * train/ val/ test/) or `coco` (an instances JSON with images, annotations, categories, plus the images).
 * Images are extracted under the dataset folder with safe names and each one is decoded with sharp, so corrupt
 * files, tiny classes and imbalance show up in validation.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { rng } from './trainer/model';

export const IMAGE_EXT = /\.(jpe?g|png|webp|bmp|gif|tiff?|avif)$/i;
export const FORMATS = ['imagefolder', 'coco'] as const;
export type DatasetFormat = (typeof FORMATS)[number];
/** Other spellings a client may send for a format. */
export const FORMAT_ALIASES: Record<string, DatasetFormat> = { imagefolder: 'imagefolder', 'image-folder': 'imagefolder', image_folder: 'imagefolder', folder: 'imagefolder', classification: 'imagefolder', coco: 'coco' };

export type Split = 'train' | 'val' | 'test';

export interface InspectedImage {
  /** Relative to the dataset's files folder. */
  file: string;
  /** Zip entry name. */
  entry: string;
  class: string | null;
  split: Split;
  ok: boolean;
  error?: string;
  width?: number;
  height?: number;
}

export interface InspectedBox {
  image: string;
  class: string;
  bbox: [number, number, number, number];
  split: Split;
}

export interface Problem {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export interface Inspection {
  format: DatasetFormat;
  classes: { name: string; count: number }[];
  images: InspectedImage[];
  /** COCO only: one per annotation, split as its image. */
  boxes: InspectedBox[];
  splits: Record<Split, number>;
  problems: Problem[];
  /** Why the dataset cannot be used at all (status failed), or null. */
  fatal: string | null;
}

export interface ZipListing {
  entries: string[];
  imageCount: number;
}

/** The entry names of a zip (central directory only); throws when the file is not a zip. */
export function listZip(file: string): Promise<ZipListing> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip'));
      const entries: string[] = [];
      zip.on('error', reject);
      zip.on('entry', (e: yauzl.Entry) => {
        entries.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve({ entries, imageCount: entries.filter((n) => !n.endsWith('/') && IMAGE_EXT.test(n) && !isJunk(n)).length }));
      zip.readEntry();
    });
  });
}

const isJunk = (name: string) => name.split('/').some((p) => p === '__MACOSX' || p.startsWith('._') || p === '.DS_Store');

/** Extracts every file entry (no directories, no junk) under `dir`, refusing names that climb out; returns entry → relative file. */
function extract(file: string, dir: string, maxBytes: number): Promise<Map<string, string>> {
  fs.mkdirSync(dir, { recursive: true });
  const out = new Map<string, string>();
  let total = 0;
  let n = 0;
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip'));
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (e: yauzl.Entry) => {
        const name = e.fileName.replace(/\\/g, '/');
        if (name.endsWith('/') || isJunk(name) || name.split('/').includes('..') || path.isAbsolute(name)) {
          zip.readEntry();
          return;
        }
        total += e.uncompressedSize;
        if (total > maxBytes) {
          zip.close();
          reject(new Error(`the zip unpacks to more than ${Math.round(maxBytes / 1048576)} MB`));
          return;
        }
        const rel = `${String(n++).padStart(6, '0')}${path.extname(name).toLowerCase().replace(/[^.\w]/g, '')}`;
        zip.openReadStream(e, (e2, stream) => {
          if (e2 || !stream) return reject(e2 ?? new Error('unreadable entry'));
          const target = path.join(dir, rel);
          const ws = fs.createWriteStream(target);
          stream.on('error', reject);
          ws.on('error', reject);
          ws.on('finish', () => {
            out.set(name, rel);
            zip.readEntry();
          });
          stream.pipe(ws);
        });
      });
      zip.readEntry();
    });
  });
}

const SPLIT_NAMES: Record<string, Split> = { train: 'train', training: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test', testing: 'test' };

/** The seed's example split (800/150/50): 15 % val, 5 % test, at least one val image for a class of 2+. */
export function assignSplits(keys: string[], seed: number): Map<string, Split> {
  const sorted = [...keys].sort();
  const random = rng(seed);
  for (let i = sorted.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [sorted[i], sorted[j]] = [sorted[j]!, sorted[i]!];
  }
  const n = sorted.length;
  let val = Math.round(n * 0.15);
  const test = Math.round(n * 0.05);
  if (n >= 2 && val === 0) val = 1;
  const out = new Map<string, Split>();
  sorted.forEach((k, i) => out.set(k, i < val ? 'val' : i < val + test ? 'test' : 'train'));
  return out;
}

async function decodes(file: string): Promise<{ ok: true; width: number; height: number } | { ok: false; error: string }> {
  try {
    const { info } = await sharp(file, { failOn: 'error' }).rotate().resize(8, 8, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    const meta = await sharp(file).rotate().metadata();
    void info;
    const swap = (meta.orientation ?? 1) >= 5;
    return { ok: true, width: (swap ? meta.height : meta.width) ?? 0, height: (swap ? meta.width : meta.height) ?? 0 };
  } catch (e) {
    return { ok: false, error: String((e as Error).message ?? e).split('\n')[0]! };
  }
}

function isCoco(v: unknown): v is { images: unknown[]; annotations: unknown[]; categories: unknown[] } {
  const o = v as Record<string, unknown> | null;
  return !!o && Array.isArray(o.images) && Array.isArray(o.annotations) && Array.isArray(o.categories);
}

/** Guesses the format of a listing: a JSON entry next to images reads as COCO, folders of images as imagefolder. */
export function guessFormat(listing: ZipListing): DatasetFormat {
  // the studio's packages carry a dataset.json manifest in both formats (main/node/datasets/FORMATS.md): not COCO
  return listing.entries.some((n) => /\.json$/i.test(n) && !isJunk(n) && path.posix.basename(n).toLowerCase() !== 'dataset.json') ? 'coco' : 'imagefolder';
}

export async function inspectZip(zipFile: string, filesDir: string, format: DatasetFormat, seed: number, maxBytes: number): Promise<Inspection> {
  const entries = await extract(zipFile, filesDir, maxBytes);
  const problems: Problem[] = [];
  const images: InspectedImage[] = [];
  const boxes: InspectedBox[] = [];
  let fatal: string | null = null;
  const imageEntries = [...entries.keys()].filter((n) => IMAGE_EXT.test(n));

  if (format === 'imagefolder') {
    const unlabelled: string[] = [];
    const staged: { entry: string; cls: string; split: Split | null }[] = [];
    for (const entry of imageEntries) {
      // the class is the image's own folder; a train/ val/ test/ folder above it names the split
      const dirs = entry.split('/').slice(0, -1);
      const parent = dirs[dirs.length - 1];
      const splitDir = dirs.slice(0, -1).reverse().find((d) => SPLIT_NAMES[d.toLowerCase()]);
      if (!parent || SPLIT_NAMES[parent.toLowerCase()]) {
        unlabelled.push(entry);
        continue;
      }
      staged.push({ entry, cls: parent.normalize('NFC'), split: splitDir ? SPLIT_NAMES[splitDir.toLowerCase()]! : null });
    }
    if (unlabelled.length) problems.push({ severity: 'warning', code: 'UNLABELLED_IMAGES', message: `클래스 폴더 밖의 이미지 ${unlabelled.length}개는 학습에서 제외됩니다.`, details: { count: unlabelled.length, examples: unlabelled.slice(0, 5) } });
    const byClass = new Map<string, typeof staged>();
    for (const s of staged) byClass.set(s.cls, [...(byClass.get(s.cls) ?? []), s]);
    for (const [, list] of byClass) {
      const auto = assignSplits(list.filter((s) => !s.split).map((s) => s.entry), seed);
      for (const s of list) {
        const rel = entries.get(s.entry)!;
        const d = await decodes(path.join(filesDir, rel));
        images.push({ file: rel, entry: s.entry, class: s.cls, split: s.split ?? auto.get(s.entry) ?? 'train', ...(d.ok ? { ok: true, width: d.width, height: d.height } : { ok: false, error: d.error }) });
      }
    }
    if (!staged.length) fatal = 'No class folders with images were found (an imagefolder zip holds one folder per class, e.g. cats/치즈/001.jpg).';
  } else {
    const jsonEntries = [...entries.keys()].filter((n) => /\.json$/i.test(n));
    let coco: { images: unknown[]; annotations: unknown[]; categories: unknown[] } | null = null;
    let jsonEntry = '';
    for (const j of jsonEntries.sort((a, b) => Number(/instances|annotations/i.test(b)) - Number(/instances|annotations/i.test(a)))) {
      try {
        const v = JSON.parse(fs.readFileSync(path.join(filesDir, entries.get(j)!), 'utf8'));
        if (isCoco(v)) {
          coco = v;
          jsonEntry = j;
          break;
        }
      } catch {
        problems.push({ severity: 'error', code: 'INVALID_JSON', message: `${j}: JSON을 읽을 수 없습니다.`, details: { file: j } });
      }
    }
    if (!coco) fatal = 'No COCO annotation file (a JSON with images, annotations and categories) was found in the zip.';
    else {
      const byBase = new Map<string, string>();
      for (const e of imageEntries) byBase.set(path.posix.basename(e), e);
      const jsonDir = path.posix.dirname(jsonEntry);
      const cats = new Map<number, string>();
      for (const c of coco.categories as { id: number; name: string }[]) if (c && typeof c.id === 'number' && typeof c.name === 'string') cats.set(c.id, c.name.normalize('NFC'));
      const imgs = new Map<number, InspectedImage>();
      const missing: string[] = [];
      const imageIds = (coco.images as { id: number; file_name: string; split?: unknown }[]).filter((i) => i && typeof i.id === 'number' && typeof i.file_name === 'string');
      // an image's own `split` (the studio's packages add one; COCO allows extra fields) wins over the seeded split
      const givenSplit = (i: { split?: unknown }) => (typeof i.split === 'string' ? SPLIT_NAMES[i.split.toLowerCase()] : undefined);
      const splitOf = assignSplits(imageIds.filter((i) => !givenSplit(i)).map((i) => String(i.id)), seed);
      for (const i of imageIds) if (givenSplit(i)) splitOf.set(String(i.id), givenSplit(i)!);
      for (const im of imageIds) {
        const candidates = [im.file_name, path.posix.join(jsonDir, im.file_name), path.posix.join(jsonDir, 'images', im.file_name)];
        const entry = candidates.find((c) => entries.has(c)) ?? byBase.get(path.posix.basename(im.file_name));
        if (!entry) {
          missing.push(im.file_name);
          continue;
        }
        const rel = entries.get(entry)!;
        const d = await decodes(path.join(filesDir, rel));
        const rec: InspectedImage = { file: rel, entry, class: null, split: splitOf.get(String(im.id)) ?? 'train', ...(d.ok ? { ok: true, width: d.width, height: d.height } : { ok: false, error: d.error }) };
        imgs.set(im.id, rec);
        images.push(rec);
      }
      if (missing.length) problems.push({ severity: 'error', code: 'MISSING_IMAGES', message: `어노테이션에 있는 이미지 ${missing.length}개가 zip에 없습니다.`, details: { count: missing.length, examples: missing.slice(0, 5) } });
      let badRefs = 0;
      let outOfBounds = 0;
      const annotated = new Set<number>();
      for (const a of coco.annotations as { image_id: number; category_id: number; bbox: number[] }[]) {
        const img = a ? imgs.get(a.image_id) : undefined;
        const cls = a ? cats.get(a.category_id) : undefined;
        if (!img || !cls || !Array.isArray(a.bbox) || a.bbox.length !== 4 || !a.bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
          badRefs++;
          continue;
        }
        const [x, y, w, h] = a.bbox as [number, number, number, number];
        if (w <= 0 || h <= 0 || (img.ok && (x < 0 || y < 0 || x + w > (img.width ?? 0) + 1 || y + h > (img.height ?? 0) + 1))) outOfBounds++;
        if (w <= 0 || h <= 0) continue;
        annotated.add(a.image_id);
        boxes.push({ image: img.file, class: cls, bbox: [x, y, w, h], split: img.split });
      }
      if (badRefs) problems.push({ severity: 'error', code: 'INVALID_ANNOTATIONS', message: `잘못된 어노테이션 ${badRefs}개 (없는 이미지나 카테고리, 잘못된 bbox).`, details: { count: badRefs } });
      if (outOfBounds) problems.push({ severity: 'warning', code: 'BBOX_OUT_OF_BOUNDS', message: `이미지 밖으로 나가는 bbox ${outOfBounds}개.`, details: { count: outOfBounds } });
      const empty = [...imgs.keys()].filter((id) => !annotated.has(id)).length;
      if (empty) problems.push({ severity: 'info', code: 'UNANNOTATED_IMAGES', message: `어노테이션이 없는 이미지 ${empty}개 (배경 이미지로 사용됩니다).`, details: { count: empty } });
      if (!boxes.length && !fatal) fatal = 'The COCO file has no usable annotations.';
    }
  }

  const corrupt = images.filter((i) => !i.ok);
  if (corrupt.length) problems.push({ severity: 'error', code: 'CORRUPT_IMAGES', message: `손상되었거나 읽을 수 없는 이미지 ${corrupt.length}개.`, details: { count: corrupt.length, files: corrupt.slice(0, 10).map((i) => i.entry) } });
  const counts = new Map<string, number>();
  if (format === 'coco') for (const b of boxes) counts.set(b.class, (counts.get(b.class) ?? 0) + 1);
  else for (const i of images) if (i.ok && i.class) counts.set(i.class, (counts.get(i.class) ?? 0) + 1);
  const classes = [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([name, count]) => ({ name, count }));
  if (!fatal && images.length && !images.some((i) => i.ok)) fatal = 'None of the images could be decoded.';
  const splits: Record<Split, number> = { train: 0, val: 0, test: 0 };
  for (const i of images) if (i.ok) splits[i.split]++;
  return { format, classes, images, boxes, splits, problems, fatal };
}
