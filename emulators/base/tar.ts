/**
 * A ustar archive, gzip-compressed, written as a stream (entries from buffers or from files on disk, so a
 * 300 MB upload is never held in memory). Enough for the seeds' *.tar.gz results; names up to 100 bytes.
 */
import fs from 'node:fs';

import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

export type TarEntry = { name: string; data: Uint8Array; mtimeMs?: number } | { name: string; file: string; mtimeMs?: number };

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** The 512-byte ustar header of one regular file. */
export function tarHeader(name: string, size: number, mtimeMs: number): Buffer {
  const h = Buffer.alloc(512, 0);
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new Error(`tar entry name longer than 100 bytes: ${name}`);
  nameBytes.copy(h, 0);
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtimeMs / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('atlas', 265, 'ascii');
  h.write('atlas', 297, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/**
 * A name that fits the 100-byte ustar field: longer names (three bytes a Hangul syllable) keep their
 * folder and extension and lose characters from the end of the stem.
 */
export function fitTarName(name: string): string {
  if (Buffer.byteLength(name, 'utf8') <= 100) return name;
  const slash = name.lastIndexOf('/') + 1;
  const dir = name.slice(0, slash).slice(0, 40);
  const base = name.slice(slash);
  const dot = base.indexOf('.', 1);
  const ext = dot > 0 ? base.slice(dot).slice(0, 16) : '';
  const chars = [...(dot > 0 ? base.slice(0, dot) : base)];
  while (chars.length && Buffer.byteLength(dir + chars.join('') + ext, 'utf8') > 100) chars.pop();
  return dir + (chars.join('') || 'file') + ext;
}

async function* tarStream(entries: TarEntry[], now: number): AsyncGenerator<Buffer> {
  for (const e of entries) {
    const size = 'data' in e ? e.data.length : (await fs.promises.stat(e.file)).size;
    yield tarHeader(fitTarName(e.name), size, e.mtimeMs ?? now);
    if ('data' in e) yield Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    else for await (const chunk of fs.createReadStream(e.file, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
    const pad = (512 - (size % 512)) % 512;
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(1024);
}

/** Writes `entries` as `target` (.tar.gz) through a temporary name; names are fitted to ustar's 100 bytes. `level` 1 keeps big inputs quick. */
export async function writeTarGz(target: string, entries: TarEntry[], now = Date.now(), level = 6): Promise<void> {
  const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.partial`;
  try {
    await pipeline(tarStream(entries, now), zlib.createGzip({ level }), fs.createWriteStream(tmp));
    await fs.promises.rename(tmp, target);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

/** Lists a .tar.gz held in memory (tests and small archives): names and contents. */
export function readTarGz(bytes: Uint8Array): { name: string; data: Buffer }[] {
  const tar = zlib.gunzipSync(bytes);
  const out: { name: string; data: Buffer }[] = [];
  let o = 0;
  while (o + 512 <= tar.length) {
    const h = tar.subarray(o, o + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
    out.push({ name, data: Buffer.from(tar.subarray(o + 512, o + 512 + size)) });
    o += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

