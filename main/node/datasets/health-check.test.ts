import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthIssue } from '../../common/contract/datasets';
import { checkDataset, type CheckEntry } from './health-check';
import { describeIssue, reportLines } from './health-text';
import { hammingDistance, inspectImage, type ImageInfo } from './image-info';
import type { SplitName } from './split';

let n = 0;
/** A readable image whose sha and dhash are unique unless given. */
function ok(over: Partial<Extract<ImageInfo, { ok: true }>> = {}): ImageInfo {
  n++;
  // Spread hashes far apart: each unique image gets a hash with many differing bits.
  const h = (Math.imul(n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  const l = (Math.imul(n, 0x85ebca6b) >>> 0).toString(16).padStart(8, '0');
  return { ok: true, sha256: `sha-${n}`, width: 640, height: 480, format: 'jpeg', dhash: h + l, bytes: 1000, ...over };
}
const e = (cls: string, i: number, info: ImageInfo, split: SplitName | null = null): CheckEntry => ({ key: `${cls}/${i}`, file: `${cls}/${i}.jpg`, className: cls, split, info });
const many = (cls: string, count: number, split?: (i: number) => SplitName): CheckEntry[] => Array.from({ length: count }, (_, i) => e(cls, i, ok(), split ? split(i) : null));
const codes = (issues: HealthIssue[]) => issues.map((i) => i.code);
const byCode = (issues: HealthIssue[], code: HealthIssue['code']) => issues.filter((i) => i.code === code);
const tenEach = (...classes: string[]) => classes.flatMap((c) => many(c, 10, (i) => (i < 8 ? 'train' : i === 8 ? 'val' : 'test')));

describe('checkDataset', () => {
  it('a clean balanced dataset is ok with no issue, and counts per class and split', () => {
    const r = checkDataset({ entries: tenEach('cat', 'dog') });
    expect(r.ok).toBe(true);
    expect(r.issues).toEqual([]);
    expect(r.classes).toEqual([
      { name: 'cat', total: 10, train: 8, val: 1, test: 1, unreadable: 0 },
      { name: 'dog', total: 10, train: 8, val: 1, test: 1, unreadable: 0 },
    ]);
    expect(r.counts).toEqual({ error: 0, warning: 0, info: 0 });
  });

  it('names a corrupt image and a class of one image (the faults journey), both errors', () => {
    const entries = [...tenEach('cat', 'dog'), e('dog', 99, { ok: false, sha256: 'x', bytes: 10, reason: 'premature end of JPEG' }), e('owl', 0, ok(), 'train')];
    const r = checkDataset({ entries });
    expect(r.ok).toBe(false);
    const corrupt = byCode(r.issues, 'CORRUPT_IMAGE');
    expect(corrupt).toEqual([{ severity: 'error', code: 'CORRUPT_IMAGE', params: { file: 'dog/99.jpg', className: 'dog', reason: 'premature end of JPEG' }, files: ['dog/99.jpg'] }]);
    expect(byCode(r.issues, 'CLASS_TOO_FEW_IMAGES')).toEqual([{ severity: 'error', code: 'CLASS_TOO_FEW_IMAGES', params: { className: 'owl', count: 1, min: 2 }, files: ['owl/0.jpg'] }]);
    expect(r.unreadable).toBe(1);
    expect(r.classes.find((c) => c.name === 'dog')).toMatchObject({ total: 10, unreadable: 1 });
    // errors come first
    expect(r.issues[0]!.severity).toBe('error');
  });

  it('no readable image at all; one class only; a declared class left empty', () => {
    const none = checkDataset({ entries: [e('a', 0, { ok: false, sha256: null, bytes: 0, reason: 'empty file' })] });
    expect(codes(none.issues)).toEqual(expect.arrayContaining(['NO_IMAGES', 'TOO_FEW_CLASSES', 'CORRUPT_IMAGE']));
    const one = checkDataset({ entries: many('a', 12) });
    expect(byCode(one.issues, 'TOO_FEW_CLASSES')[0]!.params).toEqual({ count: 1, min: 2 });
    const empty = checkDataset({ entries: tenEach('a', 'b'), classes: ['a', 'b', 'c'] });
    expect(byCode(empty.issues, 'CLASS_TOO_FEW_IMAGES')[0]!.params).toEqual({ className: 'c', count: 0, min: 2 });
    // detection does not need two classes
    expect(codes(checkDataset({ entries: many('box', 12), task: 'detection' }).issues)).not.toContain('TOO_FEW_CLASSES');
  });

  it('few images is a warning below the recommended count', () => {
    const r = checkDataset({ entries: [...tenEach('a'), ...many('b', 4, (i) => (i < 3 ? 'train' : 'val'))], options: { imbalanceRatio: 10 } });
    expect(r.ok).toBe(true);
    expect(byCode(r.issues, 'CLASS_FEW_IMAGES')).toEqual([{ severity: 'warning', code: 'CLASS_FEW_IMAGES', params: { className: 'b', count: 4, recommended: 10 }, files: [] }]);
  });

  it('class imbalance above the ratio', () => {
    const r = checkDataset({ entries: [...many('big', 30), ...many('small', 10)] });
    expect(byCode(r.issues, 'CLASS_IMBALANCE')[0]).toMatchObject({ severity: 'warning', params: { largest: 'big', largestCount: 30, smallest: 'small', smallestCount: 10, ratio: 3, limit: 1.5 } });
    expect(codes(checkDataset({ entries: [...many('big', 14), ...many('small', 10)] }).issues)).not.toContain('CLASS_IMBALANCE');
  });

  it('exact duplicates in one class warn; the same file in two classes is an error', () => {
    const dup = ok();
    const r = checkDataset({ entries: [...many('a', 10), ...many('b', 10), e('a', 50, dup), e('a', 51, { ...dup })] });
    expect(byCode(r.issues, 'EXACT_DUPLICATES')[0]).toMatchObject({ severity: 'warning', params: { groups: 1, images: 2 }, files: ['a/50.jpg', 'a/51.jpg'] });
    const cross = checkDataset({ entries: [...many('a', 10), ...many('b', 10), e('a', 50, dup), e('b', 50, { ...dup })] });
    expect(byCode(cross.issues, 'DUPLICATE_ACROSS_CLASSES')[0]).toMatchObject({ severity: 'error', params: { file: 'a/50.jpg', classes: 'a, b', images: 2 } });
    expect(codes(cross.issues)).not.toContain('EXACT_DUPLICATES');
  });

  it('near duplicates by perceptual hash (within the threshold, not byte-identical)', () => {
    const base = ok({ dhash: 'f0f0f0f0f0f0f0f0' });
    const near = ok({ dhash: 'f0f0f0f0f0f0f0f3' }); // 2 bits off
    const far = ok({ dhash: '0f0f0f0f0f0f0f0f' });
    const r = checkDataset({ entries: [...many('a', 10), ...many('b', 10), e('a', 60, base), e('a', 61, near), e('a', 62, far)] });
    expect(byCode(r.issues, 'NEAR_DUPLICATES')[0]).toMatchObject({ severity: 'info', params: { groups: 1, images: 2, threshold: 5 }, files: ['a/60.jpg', 'a/61.jpg'] });
    expect(codes(checkDataset({ entries: [...many('a', 10), ...many('b', 10), e('a', 60, base), e('a', 61, near)], options: { nearThreshold: 1 } }).issues)).not.toContain('NEAR_DUPLICATES');
  });

  it("images below the model's input size", () => {
    const r = checkDataset({ entries: [...tenEach('a', 'b'), e('a', 70, ok({ width: 100, height: 80 }))], options: { minInputSize: { width: 224, height: 224 } } });
    expect(byCode(r.issues, 'IMAGE_TOO_SMALL')[0]).toMatchObject({ severity: 'warning', params: { count: 1, minWidth: 224, minHeight: 224, smallestWidth: 100, smallestHeight: 80 }, files: ['a/70.jpg'] });
    expect(r.minInputSize).toEqual({ width: 224, height: 224 });
    expect(codes(checkDataset({ entries: tenEach('a', 'b') }).issues)).not.toContain('IMAGE_TOO_SMALL');
  });

  it('a class with no validation image', () => {
    const r = checkDataset({ entries: [...tenEach('a'), ...many('b', 10, () => 'train')] });
    expect(byCode(r.issues, 'CLASS_MISSING_FROM_SPLIT')).toEqual([{ severity: 'warning', code: 'CLASS_MISSING_FROM_SPLIT', params: { className: 'b', split: 'val' }, files: [] }]);
  });

  it('leakage: the same file in train and val is an error; a near-identical picture a warning', () => {
    const same = ok();
    const r = checkDataset({ entries: [...tenEach('a', 'b'), e('a', 80, same, 'train'), e('a', 81, { ...same }, 'val')] });
    expect(byCode(r.issues, 'LEAKAGE_EXACT')[0]).toMatchObject({ severity: 'error', params: { count: 1 }, files: ['a/81.jpg'] });
    const near = checkDataset({ entries: [...tenEach('a', 'b'), e('a', 80, ok({ dhash: 'aaaaaaaaaaaaaaaa' }), 'train'), e('a', 81, ok({ dhash: 'aaaaaaaaaaaaaaab' }), 'test')] });
    expect(byCode(near.issues, 'LEAKAGE_NEAR')[0]).toMatchObject({ severity: 'warning', params: { count: 1, heldOut: 5, threshold: 5 }, files: ['a/81.jpg'] });
    expect(near.ok).toBe(true);
    // both on the training side: no leakage
    const inTrain = checkDataset({ entries: [...tenEach('a', 'b'), e('a', 80, same, 'train'), e('a', 81, { ...same }, 'train')] });
    expect(codes(inTrain.issues)).not.toContain('LEAKAGE_EXACT');
  });

  it('every issue has English words for the CLI', () => {
    const dup = ok();
    const r = checkDataset({
      entries: [e('a', 0, { ok: false, sha256: null, bytes: 0, reason: 'bad' }), e('a', 1, dup, 'train'), e('b', 1, { ...dup }, 'val'), e('c', 1, ok({ width: 10, height: 10 }), 'train')],
      options: { minInputSize: { width: 32, height: 32 } },
    });
    for (const i of r.issues) expect(describeIssue(i)).not.toMatch(/undefined/);
    expect(reportLines(r).join('\n')).toMatch(/ERROR CORRUPT_IMAGE: a\/0\.jpg \(class a\) cannot be read: bad\./);
  });
});

describe('inspectImage (real files through sharp)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-ds-inspect-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const gradient = (w: number, h: number, flip = false) => {
    const buf = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) buf.fill(Math.round(((flip ? w - x : x) / w) * 255), (y * w + x) * 3, (y * w + x) * 3 + 3);
    return sharp(buf, { raw: { width: w, height: h, channels: 3 } });
  };

  it('reads size, sha and dHash; a re-encoded copy is near, a mirrored picture far; a cut file and a text file are unreadable', async () => {
    const a = path.join(dir, 'a.jpg');
    const b = path.join(dir, 'b.png');
    const c = path.join(dir, 'c.jpg');
    await gradient(320, 200).jpeg({ quality: 90 }).toFile(a);
    await gradient(320, 200).png().toFile(b);
    await gradient(320, 200, true).jpeg().toFile(c);
    const ia = await inspectImage(a);
    const ib = await inspectImage(b);
    const ic = await inspectImage(c);
    if (!ia.ok || !ib.ok || !ic.ok) throw new Error('expected readable images');
    expect([ia.width, ia.height, ia.format]).toEqual([320, 200, 'jpeg']);
    expect(ia.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ia.sha256).not.toBe(ib.sha256);
    expect(hammingDistance(ia.dhash, ib.dhash)).toBeLessThanOrEqual(5);
    expect(hammingDistance(ia.dhash, ic.dhash)).toBeGreaterThan(20);

    const cut = path.join(dir, 'cut.jpg');
    const bytes = fs.readFileSync(a);
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const icut = await inspectImage(cut);
    expect(icut.ok).toBe(false);
    const txt = path.join(dir, 'note.jpg');
    fs.writeFileSync(txt, 'not an image');
    const itxt = await inspectImage(txt);
    expect(itxt).toMatchObject({ ok: false });
    if (!itxt.ok) expect(itxt.reason.length).toBeGreaterThan(0);
  });
});
