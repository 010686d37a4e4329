/**
 * File downloads with `Range` (a single range: `a-b`, `a-`, `-n`), `If-Range`, an ETag, and the fault that cuts
 * the connection after N bytes, so a client's resume can be tested against real partial replies.
 */
import fs from 'node:fs';
import type { Ctx } from './http';
import { sendError } from './http';

export interface SendFileOptions {
  contentType: string;
  /** Offered name (Content-Disposition: attachment). */
  filename?: string;
}

/** Parses one `bytes=` range against `size`: the inclusive span, 'unsatisfiable', or null (ignore the header). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null; // several ranges or another unit: serve the whole file, as RFC 9110 allows
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  let start: number;
  let end: number;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return null;
  }
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export async function sendFile(ctx: Ctx, file: string, opts: SendFileOptions): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch {
    sendError(ctx, 404, 'The file is gone.');
    return;
  }
  const size = st.size;
  const etag = `"${size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const headers: Record<string, string | number> = {
    'content-type': opts.contentType,
    'accept-ranges': 'bytes',
    etag,
    'last-modified': st.mtime.toUTCString(),
    'cache-control': 'no-cache',
  };
  if (opts.filename) headers['content-disposition'] = contentDisposition(opts.filename);
  let range = parseRange(ctx.req.headers.range, size);
  const ifRange = ctx.req.headers['if-range'];
  if (range && ifRange && ifRange !== etag && ifRange !== headers['last-modified']) range = null; // changed since: whole file
  if (range === 'unsatisfiable') {
    sendError(ctx, 416, `The range is outside the file (${size} bytes).`, { 'content-range': `bytes */${size}` });
    return;
  }
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (range) {
    ({ start, end } = range);
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${size}`;
  }
  const length = size === 0 ? 0 : end - start + 1;
  headers['content-length'] = length;
  ctx.record.status = status;
  ctx.res.writeHead(status, headers);
  if (ctx.method === 'HEAD' || length === 0) {
    ctx.res.end();
    return;
  }
  await pump(ctx, file, start, end, ctx.cutDownloadAfter);
}

/** Streams [start, end] with back-pressure; with `cutAt`, sends that many body bytes, waits for them to flush, then drops the socket. */
function pump(ctx: Ctx, file: string, start: number, end: number, cutAt: number | null): Promise<void> {
  return new Promise((resolve) => {
    const { res } = ctx;
    const stream = fs.createReadStream(file, { start, end, highWaterMark: 256 * 1024 });
    let sent = 0;
    const finish = () => resolve();
    res.on('close', () => {
      stream.destroy();
      finish();
    });
    stream.on('error', () => {
      res.destroy();
      finish();
    });
    stream.on('data', (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (cutAt !== null && sent + buf.length >= cutAt) {
        stream.destroy();
        const part = buf.subarray(0, Math.max(0, cutAt - sent));
        sent = cutAt;
        const drop = () => {
          res.socket?.destroy();
          res.destroy();
          finish();
        };
        if (part.length) res.write(part, drop);
        else drop();
        return;
      }
      sent += buf.length;
      if (!res.write(buf)) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => {
      if (cutAt === null || sent < cutAt) res.end(finish);
    });
  });
}
