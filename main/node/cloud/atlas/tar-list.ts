/**
 * Lists the entry names of a .tar.gz result (decal code 3) without extracting it: streamed through gunzip,
 * 512-byte ustar headers read, file bodies skipped. Every name goes through safeRelativePath; an entry that
 * would leave its folder is reported as refused, never listed as a file to open.
 */
import fs from 'node:fs';
import { createGunzip } from 'node:zlib';
import { safeRelativePath } from '../../files/safe-path';

export interface TarListing {
  entries: string[];
  refused: string[];
}

const MAX_ENTRIES = 10_000;

function text(buf: Buffer, start: number, len: number): string {
  const slice = buf.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return (nul === -1 ? slice : slice.subarray(0, nul)).toString('utf8');
}

/** The names of regular files and folders in a gzip'd tar (GNU long names and pax `path` honoured). */
export async function listTarGz(file: string): Promise<TarListing> {
  const entries: string[] = [];
  const refused: string[] = [];
  let pending: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  let skip = 0;
  let longName: string | null = null;
  let collect: { bytes: number; kind: 'L' | 'x'; chunks: Buffer[] } | null = null;
  let ended = false;

  const onHeader = (h: Buffer): void => {
    if (h.every((b) => b === 0)) {
      ended = true;
      return;
    }
    const size = parseInt(text(h, 124, 12).trim() || '0', 8) || 0;
    const type = String.fromCharCode(h[156] ?? 48);
    const padded = Math.ceil(size / 512) * 512;
    if (type === 'L' || type === 'x') {
      collect = { bytes: size, kind: type, chunks: [] };
      skip = padded - size;
      return;
    }
    const prefix = text(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
    longName = null;
    skip = padded;
    if (type !== '0' && type !== '\0' && type !== '5' && type !== '7') return; // links and devices are not listed
    if (entries.length + refused.length >= MAX_ENTRIES) return;
    try {
      const safe = safeRelativePath(name);
      entries.push(type === '5' ? `${safe}/` : safe);
    } catch {
      refused.push(name);
    }
  };

  const feed = (chunk: Buffer): void => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (!ended) {
      if (collect) {
        const c = collect as { bytes: number; kind: 'L' | 'x'; chunks: Buffer[] };
        const take = Math.min(c.bytes, pending.length);
        c.chunks.push(pending.subarray(0, take));
        c.bytes -= take;
        pending = pending.subarray(take);
        if (c.bytes > 0) return;
        const body = Buffer.concat(c.chunks).toString('utf8');
        if (c.kind === 'L') longName = body.replace(/\0+$/, '');
        else {
          const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body);
          if (m) longName = m[1]!;
        }
        collect = null;
        continue;
      }
      if (skip > 0) {
        const take = Math.min(skip, pending.length);
        skip -= take;
        pending = pending.subarray(take);
        if (skip > 0) return;
        continue;
      }
      if (pending.length < 512) return;
      const h = pending.subarray(0, 512);
      pending = pending.subarray(512);
      onHeader(Buffer.from(h));
    }
  };

  await new Promise<void>((resolve, reject) => {
    const gunzip = createGunzip();
    fs.createReadStream(file).on('error', reject).pipe(gunzip);
    gunzip.on('data', (c: Buffer) => feed(c));
    gunzip.on('end', () => resolve());
    gunzip.on('error', reject);
  });
  return { entries, refused };
}
