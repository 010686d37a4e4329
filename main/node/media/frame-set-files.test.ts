/**
 * Frame-set export: every frame and frames.csv byte for byte, frames stored in a zip; progress per frame written;
 * no folder or zip left after a failure or an abort; temporary copies a killed process left are found and removed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { readZip } from '../../../test-support/read-zip';
import { exportFolder, exportTempName, exportZip, removeStaleExportTemps, type SetFrame } from './frame-set-files';

const dirs: string[] = [];
const undo: (() => void)[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-zip-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const u of undo.splice(0)) u();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** `n` real JPEG frames of different content, as a finished set holds them. */
async function jpegFrames(n: number): Promise<SetFrame[]> {
  const dir = tmp();
  const frames: SetFrame[] = [];
  for (let i = 1; i <= n; i++) {
    const abs = path.join(dir, `${String(i).padStart(6, '0')}.jpg`);
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: (i * 40) % 256, g: 90, b: 200 - i } } }).jpeg({ quality: 80 }).toFile(abs);
    frames.push({ abs, frameIndex: i, timestampSeconds: (i - 1) / 2, width: 64, height: 48, sharpness: i === 2 ? 123.5 : null });
  }
  return frames;
}

/** Big incompressible frames so an export is still running when it is aborted. */
function bigFrames(n: number, bytes: number): SetFrame[] {
  const dir = tmp();
  return Array.from({ length: n }, (_, k) => {
    const abs = path.join(dir, `${String(k + 1).padStart(6, '0')}.png`);
    fs.writeFileSync(abs, randomBytes(bytes));
    return { abs, frameIndex: k + 1, timestampSeconds: k / 30, width: 1920, height: 1080, sharpness: null };
  });
}

/**
 * A folder the process cannot write to. Root ignores permission bits, so there the folder is made immutable
 * (chattr +i) instead; `real` is false only where neither works (root without CAP_LINUX_IMMUTABLE), and then
 * a regular file stands where the zip's folder must be created, which fails the same way (IO_ERROR).
 */
function readOnlyDir(): { dir: string; real: boolean } {
  const parent = tmp();
  const dir = path.join(parent, 'read-only');
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o555);
  undo.push(() => fs.chmodSync(dir, 0o755));
  const writable = () => {
    try {
      fs.writeFileSync(path.join(dir, '.probe'), '');
      fs.rmSync(path.join(dir, '.probe'));
      return true;
    } catch {
      return false;
    }
  };
  if (!writable()) return { dir, real: true };
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    undo.unshift(() => execFileSync('chattr', ['-i', dir], { stdio: 'ignore' }));
    if (!writable()) return { dir, real: true };
  } catch {
    // no chattr, or no right to use it
  }
  const blocker = path.join(parent, 'not-a-folder');
  fs.writeFileSync(blocker, 'a file where a folder must be');
  return { dir: blocker, real: false };
}

describe('exportZip', () => {
  it('holds every frame and frames.csv with identical bytes, frames stored uncompressed, and no temporary file left', async () => {
    const frames = await jpegFrames(6);
    const out = tmp();
    const file = path.join(out, 'new folder', '내보내기 set.zip');
    const r = await exportZip(frames, file);
    expect(r.files).toBe(6);
    expect(r.bytes).toBe(fs.statSync(file).size);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['내보내기 set.zip']);

    const entries = await readZip(file);
    expect([...entries.keys()]).toEqual(['000001.jpg', '000002.jpg', '000003.jpg', '000004.jpg', '000005.jpg', '000006.jpg', 'frames.csv']);
    for (const f of frames) {
      const e = entries.get(path.basename(f.abs))!;
      expect(e.method).toBe(0); // stored
      expect(e.data.equals(fs.readFileSync(f.abs))).toBe(true);
    }
    // The zip's frames.csv is the folder export's, byte for byte.
    const folder = path.join(tmp(), 'as-folder');
    await exportFolder(frames, folder);
    const csv = entries.get('frames.csv')!.data;
    expect(csv.equals(fs.readFileSync(path.join(folder, 'frames.csv')))).toBe(true);
    expect(csv.toString('utf8').trim().split('\n')).toEqual([
      'file,frame_index,timestamp_s,width,height,sharpness',
      '000001.jpg,1,0,64,48,',
      '000002.jpg,2,0.5,64,48,123.5',
      '000003.jpg,3,1,64,48,',
      '000004.jpg,4,1.5,64,48,',
      '000005.jpg,5,2,64,48,',
      '000006.jpg,6,2.5,64,48,',
    ]);
    // The stored frames make the zip barely larger than the frames themselves.
    const frameBytes = frames.reduce((n, f) => n + fs.statSync(f.abs).size, 0);
    expect(r.bytes).toBeGreaterThan(frameBytes);
    expect(r.bytes).toBeLessThan(frameBytes + 2048);
  });

  it('refuses to overwrite an existing file', async () => {
    const frames = await jpegFrames(1);
    const file = path.join(tmp(), 'taken.zip');
    fs.writeFileSync(file, 'mine');
    await expect(exportZip(frames, file)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(fs.readFileSync(file, 'utf8')).toBe('mine');
  });

  it('a read-only destination fails with a clear IO error and leaves no file', async () => {
    const frames = await jpegFrames(2);
    const { dir, real } = readOnlyDir();
    for (const file of [path.join(dir, 'set.zip'), path.join(dir, 'sub', 'set.zip')]) {
      const err = await exportZip(frames, file).then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err).toMatchObject({ code: 'IO_ERROR' });
      if (real) expect(err!.message).toMatch(/read-only or access is denied/);
      expect(err!.message).not.toMatch(/\n\s+at /); // one sentence, no stack
      expect(fs.existsSync(file)).toBe(false);
    }
    if (fs.statSync(dir).isDirectory()) expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('abort in the middle removes the partial zip and leaves nothing', async () => {
    const frames = bigFrames(40, 1 << 20);
    const out = tmp();
    const file = path.join(out, 'set.zip');
    const ac = new AbortController();
    // Abort once bytes have reached the temporary file: the export is really under way.
    let sawPartial = false;
    const watcher = setInterval(() => {
      const partial = fs.readdirSync(out).find((n) => n.startsWith('set.zip.partial'));
      if (partial && fs.statSync(path.join(out, partial)).size > 0) {
        sawPartial = true;
        clearInterval(watcher);
        ac.abort();
      }
    }, 1);
    const result = exportZip(frames, file, ac.signal);
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
    clearInterval(watcher);
    expect(sawPartial).toBe(true);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('an abort before the start writes nothing', async () => {
    const frames = await jpegFrames(2);
    const out = tmp();
    await expect(exportZip(frames, path.join(out, 'set.zip'), AbortSignal.abort())).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('a frame that cannot be read half-way fails the export and leaves no zip', async () => {
    const frames = await jpegFrames(3);
    const broken = path.join(tmp(), '000002.jpg');
    fs.mkdirSync(broken); // stat works, reading fails (EISDIR) once the zip has begun
    frames[1] = { ...frames[1]!, abs: broken };
    const out = tmp();
    await expect(exportZip(frames, path.join(out, 'set.zip'))).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('export progress', () => {
  it('exportZip reports each frame once it is in the zip, in order, ending at the total', async () => {
    const frames = await jpegFrames(5);
    const file = path.join(tmp(), 'set.zip');
    const seen: [number, number][] = [];
    let existedAtLast = true;
    await exportZip(frames, file, undefined, (done, total) => {
      seen.push([done, total]);
      if (done === total) existedAtLast = fs.existsSync(file);
    });
    expect(seen).toEqual([1, 2, 3, 4, 5].map((d) => [d, 5]));
    // The last frame is reported before the rename: the zip only looks whole once it is.
    expect(existedAtLast).toBe(false);
    expect([...(await readZip(file)).keys()]).toHaveLength(6);
  });

  it('exportFolder reports each frame copied, in order, ending at the total', async () => {
    const frames = await jpegFrames(4);
    const dir = path.join(tmp(), 'out');
    const seen: [number, number][] = [];
    await exportFolder(frames, dir, undefined, (done, total) => seen.push([done, total]));
    expect(seen).toEqual([1, 2, 3, 4].map((d) => [d, 4]));
    expect(fs.readdirSync(dir).sort()).toEqual(['000001.jpg', '000002.jpg', '000003.jpg', '000004.jpg', 'frames.csv']);
  });

  it.each(['folder', 'zip'] as const)('an abort from the progress callback part-way (%s) stops at once and leaves nothing', async (format) => {
    const frames = await jpegFrames(6);
    const out = tmp();
    const target = path.join(out, format === 'zip' ? 'set.zip' : 'set');
    const ac = new AbortController();
    let last = 0;
    const write = format === 'zip' ? exportZip : exportFolder;
    await expect(
      write(frames, target, ac.signal, (done) => {
        last = done;
        if (done === 2) ac.abort();
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(last).toBeGreaterThanOrEqual(2);
    expect(last).toBeLessThan(6);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('removeStaleExportTemps', () => {
  it("removes the temporary folder or zip a killed process left for a target, and nothing else", () => {
    const out = tmp();
    const target = path.join(out, 'set');
    const staleDir = exportTempName(target, 4242);
    fs.mkdirSync(staleDir);
    fs.writeFileSync(path.join(staleDir, '000001.jpg'), 'half');
    const staleZip = exportTempName(path.join(out, 'set.zip'), 77);
    fs.writeFileSync(staleZip, 'half a zip');
    const keep = ['set.partial-notapid', 'other.partial-12', 'set.zip', 'set.partial-12.bak'];
    for (const k of keep) fs.writeFileSync(path.join(out, k), 'mine');
    expect(removeStaleExportTemps(target)).toEqual([staleDir]);
    expect(removeStaleExportTemps(path.join(out, 'set.zip'))).toEqual([staleZip]);
    expect(fs.readdirSync(out).sort()).toEqual([...keep].sort());
    expect(removeStaleExportTemps(path.join(out, 'missing', 'set'))).toEqual([]);
  });
});
