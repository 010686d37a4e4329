import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { parseThumbParam, thumbnailErrorStatus, thumbnailFor, THUMB_CACHE_DIR } from './thumbnails';

let tmp: string;
let dataDir: string;
let frames: string;

/** A real image made with sharp: left half red, right half blue, so orientation can be read back. */
async function halves(file: string, width: number, height: number, orientation?: number): Promise<void> {
  const left = await sharp({ create: { width: Math.floor(width / 2), height, channels: 3, background: '#ff0000' } }).png().toBuffer();
  let img = sharp({ create: { width, height, channels: 3, background: '#0000ff' } }).composite([{ input: left, left: 0, top: 0 }]);
  if (orientation) img = img.withMetadata({ orientation });
  await (file.endsWith('.png') ? img.png() : img.jpeg({ quality: 90 })).toFile(file);
}

async function pixel(file: string, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

async function caught(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

function cached(): string[] {
  const root = path.join(dataDir, THUMB_CACHE_DIR);
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jpg'));
}

beforeAll(async () => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-thumbs-')));
  dataDir = path.join(tmp, 'data');
  frames = path.join(dataDir, 'projects', '1', 'frames', '2');
  fs.mkdirSync(frames, { recursive: true });
  await halves(path.join(frames, 'wide.jpg'), 1600, 900);
  await halves(path.join(frames, 'alpha.png'), 800, 400);
  // Stored 400×200 landscape, tagged "rotate 90° clockwise": the user sees it 200 wide and 400 tall.
  await halves(path.join(frames, 'phone.jpg'), 400, 200, 6);
  await halves(path.join(frames, 'small.jpg'), 120, 90);
  fs.writeFileSync(path.join(frames, 'broken.jpg'), 'this is not a jpeg');
  fs.writeFileSync(path.join(frames, 'notes.txt'), 'hello');
  fs.mkdirSync(path.join(tmp, 'outside'));
  await halves(path.join(tmp, 'outside', 'secret.jpg'), 640, 480);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('thumbnailFor', () => {
  it('makes a JPEG of the snapped width, height by aspect, under cache/thumbs', async () => {
    const thumb = await thumbnailFor(dataDir, path.join(frames, 'wide.jpg'), 300);
    expect(thumb.startsWith(path.join(dataDir, THUMB_CACHE_DIR) + path.sep)).toBe(true);
    const meta = await sharp(thumb).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 320, 180]);
    expect(fs.statSync(thumb).size).toBeLessThan(fs.statSync(path.join(frames, 'wide.jpg')).size);
    // Widths snap to a few sizes: 161 → 320, 1000 → 640, 10 → 160.
    expect((await sharp(await thumbnailFor(dataDir, path.join(frames, 'wide.jpg'), 1000)).metadata()).width).toBe(640);
    expect((await sharp(await thumbnailFor(dataDir, path.join(frames, 'wide.jpg'), 10)).metadata()).width).toBe(160);
    expect(await thumbnailFor(dataDir, path.join(frames, 'wide.jpg'), 161)).toBe(thumb);
  });

  it('honours EXIF orientation (the thumbnail is upright, sized as the user sees the image)', async () => {
    const thumb = await thumbnailFor(dataDir, path.join(frames, 'phone.jpg'), 160);
    const meta = await sharp(thumb).metadata();
    expect([meta.width, meta.height, meta.orientation ?? 1]).toEqual([160, 320, 1]);
    // Rotated 90° clockwise, the red left half is now on top.
    const [r1, , b1] = await pixel(thumb, 80, 40);
    const [r2, , b2] = await pixel(thumb, 80, 280);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(60);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(60);
  });

  it('never upscales, and flattens PNG alpha into a JPEG', async () => {
    const small = await sharp(await thumbnailFor(dataDir, path.join(frames, 'small.jpg'), 640)).metadata();
    expect([small.width, small.height]).toEqual([120, 90]);
    const png = await sharp(await thumbnailFor(dataDir, path.join(frames, 'alpha.png'), 160)).metadata();
    expect([png.format, png.width, png.height, png.hasAlpha]).toEqual(['jpeg', 160, 80, false]);
  });

  it('reuses the cached file on the next call without encoding again', async () => {
    const first = await thumbnailFor(dataDir, path.join(frames, 'wide.jpg'), 320);
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(first, past, past);
    const before = fs.statSync(first).mtimeMs;
    const again = await thumbnailFor(dataDir, path.join(frames, 'wide.jpg'), 320);
    expect(again).toBe(first);
    expect(fs.statSync(again).mtimeMs).toBe(before);
  });

  it('gives an edited source a new thumbnail and drops the stale one', async () => {
    const src = path.join(frames, 'edited.jpg');
    await halves(src, 800, 600);
    const old = await thumbnailFor(dataDir, src, 160);
    expect((await sharp(old).metadata()).height).toBe(120);
    await halves(src, 800, 200);
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(src, later, later);
    const fresh = await thumbnailFor(dataDir, src, 160);
    expect(fresh).not.toBe(old);
    expect((await sharp(fresh).metadata()).height).toBe(40);
    expect(fs.existsSync(old)).toBe(false);
  });

  it('shares one job between concurrent calls and leaves one file, no temporary ones', async () => {
    const src = path.join(frames, 'busy.jpg');
    await halves(src, 1200, 800);
    const before = cached().length;
    const all = await Promise.all(Array.from({ length: 8 }, () => thumbnailFor(dataDir, src, 640)));
    expect(new Set(all).size).toBe(1);
    expect(cached().length).toBe(before + 1);
    const dir = path.dirname(all[0]!);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('says clearly when a file is not a readable image, missing, or not a width', async () => {
    const broken = await caught(thumbnailFor(dataDir, path.join(frames, 'broken.jpg'), 320));
    expect(broken.code).toBe('MEDIA_UNREADABLE');
    expect(broken.message).toMatch(/^Cannot make a thumbnail of broken\.jpg: /);
    expect(broken.message).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(path.join(dataDir, THUMB_CACHE_DIR), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.partial'))).toEqual([]);
    const text = await caught(thumbnailFor(dataDir, path.join(frames, 'notes.txt'), 320));
    expect(text.code).toBe('UNSUPPORTED');
    expect(text.message).toMatch(/notes\.txt is not an image/);
    expect((await caught(thumbnailFor(dataDir, path.join(frames, 'gone.jpg'), 320))).code).toBe('NOT_FOUND');
    expect((await caught(thumbnailFor(dataDir, path.join(frames, 'wide.jpg'), 0))).code).toBe('INVALID_INPUT');
  });

  it('refuses images outside the data folder, also through a symlink, and writes nothing for them', async () => {
    const before = cached().length;
    const outside = await caught(thumbnailFor(dataDir, path.join(tmp, 'outside', 'secret.jpg'), 320));
    expect(outside.code).toBe('FORBIDDEN');
    expect((await caught(thumbnailFor(dataDir, path.join(frames, '..', '..', '..', '..', '..', 'outside', 'secret.jpg'), 320))).code).toBe('FORBIDDEN');
    fs.symlinkSync(path.join(tmp, 'outside', 'secret.jpg'), path.join(frames, 'link.jpg'));
    expect((await caught(thumbnailFor(dataDir, path.join(frames, 'link.jpg'), 320))).code).toBe('FORBIDDEN');
    expect(cached().length).toBe(before);
  });
});

describe('thumb query and status', () => {
  it('snaps a query width and refuses what is not one', () => {
    expect(parseThumbParam(null)).toBeNull();
    expect(parseThumbParam('320')).toBe(320);
    expect(parseThumbParam('241.5')).toBe(320);
    expect(parseThumbParam('5000')).toBe(640);
    for (const bad of ['', 'abc', '-1', '0', 'Infinity']) expect(() => parseThumbParam(bad)).toThrow(/thumb must be a width/);
  });

  it('maps errors to the statuses the shells answer', () => {
    expect(thumbnailErrorStatus('MEDIA_UNREADABLE')).toBe(415);
    expect(thumbnailErrorStatus('UNSUPPORTED')).toBe(415);
    expect(thumbnailErrorStatus('NOT_FOUND')).toBe(404);
    expect(thumbnailErrorStatus('FORBIDDEN')).toBe(403);
    expect(thumbnailErrorStatus('INVALID_INPUT')).toBe(400);
  });
});
