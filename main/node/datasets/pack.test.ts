import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../../test-support/read-zip';
import { entryNames, packDataset, safeEntryName, type PackItem } from './pack';

let dir: string;
let jpg: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-ds-pack-'));
  jpg = path.join(dir, 'src.jpg');
  await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).jpeg().toFile(jpg);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const item = (className: string, split: PackItem['split'], name: string, over: Partial<PackItem> = {}): PackItem => ({ abs: jpg, className, split, name, width: 40, height: 30, ...over });

describe('entry names', () => {
  it('keeps base names, replaces reserved characters, and makes clashes unique per folder (case-insensitively)', () => {
    expect(safeEntryName('../x/a:b.jpg')).toBe('a_b.jpg');
    expect(safeEntryName('..')).toBe('image');
    const names = entryNames([item('cat', 'train', 'a.jpg'), item('cat', 'train', 'A.jpg'), item('cat', 'val', 'a.jpg'), item('dog', 'train', 'a.jpg')], 'imagefolder');
    expect(names).toEqual(['train/cat/a.jpg', 'train/cat/A-2.jpg', 'val/cat/a.jpg', 'train/dog/a.jpg']);
  });
});

describe('packDataset', () => {
  it('imagefolder: split/class/file entries stored uncompressed, dataset.json with counts, Korean class names', async () => {
    const file = path.join(dir, 'cls.zip');
    const progress: number[] = [];
    const items = [item('치즈', 'train', '1.jpg'), item('치즈', 'val', '2.jpg'), item('나비', 'train', '3.jpg'), item('나비', 'test', '4.jpg')];
    const r = await packDataset(items, file, { format: 'imagefolder', classes: ['치즈', '나비'], name: 'cats', seed: 42, onProgress: (d) => progress.push(d) });
    const zip = await readZip(file);
    expect([...zip.keys()].sort()).toEqual(['dataset.json', 'test/나비/4.jpg', 'train/나비/3.jpg', 'train/치즈/1.jpg', 'val/치즈/2.jpg']);
    expect(zip.get('train/치즈/1.jpg')!.method).toBe(0);
    expect(zip.get('train/치즈/1.jpg')!.data.equals(fs.readFileSync(jpg))).toBe(true);
    const manifest = JSON.parse(zip.get('dataset.json')!.data.toString());
    expect(manifest).toMatchObject({ format: 'imagefolder', task: 'classification', name: 'cats', classes: ['치즈', '나비'], splits: { train: 2, val: 1, test: 1 }, seed: 42 });
    expect(manifest.class_counts['나비']).toEqual({ train: 1, val: 0, test: 1 });
    expect(r).toMatchObject({ entries: 5, bytes: fs.statSync(file).size });
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it('coco: images/<split>/ and one annotations.json whose file_name points at the entry, boxes as categories 1..n', async () => {
    const file = path.join(dir, 'det.zip');
    const items = [item('car', 'train', 'a.jpg', { boxes: [{ className: 'car', bbox: [1, 2, 10, 5] }, { className: 'bus', bbox: [0, 0, 4, 4] }] }), item('bus', 'val', 'b.jpg', { boxes: [{ className: 'bus', bbox: [3, 3, 6, 6] }] })];
    await packDataset(items, file, { format: 'coco', classes: ['car', 'bus'] });
    const zip = await readZip(file);
    expect([...zip.keys()].sort()).toEqual(['annotations.json', 'dataset.json', 'images/train/a.jpg', 'images/val/b.jpg']);
    const coco = JSON.parse(zip.get('annotations.json')!.data.toString());
    expect(coco.categories).toEqual([
      { id: 1, name: 'car', supercategory: 'none' },
      { id: 2, name: 'bus', supercategory: 'none' },
    ]);
    expect(coco.images).toEqual([
      { id: 1, file_name: 'images/train/a.jpg', width: 40, height: 30, split: 'train' },
      { id: 2, file_name: 'images/val/b.jpg', width: 40, height: 30, split: 'val' },
    ]);
    expect(coco.annotations.map((a: { image_id: number; category_id: number; area: number }) => [a.image_id, a.category_id, a.area])).toEqual([
      [1, 1, 50],
      [1, 2, 16],
      [2, 2, 36],
    ]);
  });

  it('refuses an existing target, an empty dataset and a label outside the classes; leaves nothing behind', async () => {
    const existing = path.join(dir, 'exists.zip');
    fs.writeFileSync(existing, 'x');
    await expect(packDataset([item('a', 'train', '1.jpg')], existing, { format: 'imagefolder', classes: ['a'] })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(fs.readFileSync(existing, 'utf8')).toBe('x');
    await expect(packDataset([], path.join(dir, 'e.zip'), { format: 'imagefolder', classes: ['a'] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(packDataset([item('zzz', 'train', '1.jpg')], path.join(dir, 'l.zip'), { format: 'imagefolder', classes: ['a'] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('a cancel or a missing file removes the temporary zip and writes no target', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'c-'));
    const abort = new AbortController();
    abort.abort();
    await expect(packDataset([item('a', 'train', '1.jpg')], path.join(sub, 'x.zip'), { format: 'imagefolder', classes: ['a'], signal: abort.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(packDataset([item('a', 'train', '1.jpg', { abs: path.join(dir, 'gone.jpg') })], path.join(sub, 'y.zip'), { format: 'imagefolder', classes: ['a'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fs.readdirSync(sub)).toEqual([]);
  });
});
