/**
 * Multipart uploads streamed from disk: the body is generated part by part while node:http writes it, so a
 * 2 GB video never sits in memory, and the exact Content-Length is known up front (file sizes are stat'ed),
 * which the seeds' servers and their proxies want. Hand-written rather than `form-data` because the encoding is
 * twenty lines and the streaming, exact length, progress and socket abort are what matter here.
 * Uploads are not resumable in the seed: a dropped connection is a NETWORK error saying so; the caller restarts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { z } from 'zod';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import { networkError } from './errors';
import type { AuthProvider, HttpClient, HttpMethod, Query, Transport, TransportRequest } from './http-client';

export interface UploadFile {
  /** The form field, exactly as the seed writes it (`Payload`, `payLoad`, `Image`, …). */
  field: string;
  path: string;
  /** Sent as the part's filename; default: the file's base name. */
  filename?: string;
  /** Default: guessed from the extension, else application/octet-stream. */
  contentType?: string;
}

export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
  /** Over the last few seconds; null until there is enough to say. */
  rateBytesPerSec: number | null;
  /** Seconds left at that rate; null while the rate is unknown. */
  etaSec: number | null;
}

export interface UploadOptions<T> {
  path: string;
  query?: Query;
  method?: Extract<HttpMethod, 'POST' | 'PUT' | 'PATCH'>;
  /** Text fields, sent first, in this order. */
  fields: Record<string, string>;
  files: UploadFile[];
  headers?: Record<string, string>;
  auth?: AuthProvider | false;
  signal?: AbortSignal;
  /** Throttled (progressIntervalMs), and once more when the last byte is written. */
  onProgress?: (p: UploadProgress) => void;
  schema: z.ZodType<T>;
  okStatuses?: readonly number[];
  /** A socket silent this long (no byte written or read) is a timeout. Default: the client's timeout. */
  idleTimeoutMs?: number;
  progressIntervalMs?: number;
  /** Repeat on 5xx/network errors (restarting from byte 0). Default false: a create call must not run twice. */
  retry?: boolean;
}

const CHUNK = 1024 * 1024;
const CRLF = '\r\n';

const TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.zip': 'application/zip',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.onnx': 'application/octet-stream',
};

export function contentTypeFor(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

// As browsers do (HTML's multipart/form-data encoding): quotes and line breaks percent-encoded, the rest UTF-8.
function quoted(s: string): string {
  return s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

interface Piece {
  kind: 'bytes' | 'file';
  bytes?: Buffer;
  file?: string;
  size: number;
}

/** A multipart body planned from the fields and the files' sizes: exact length, replayable stream. */
export interface MultipartBody {
  boundary: string;
  contentType: string;
  length: number;
  /** A fresh pass over the body (each attempt reads the files again). */
  chunks(): AsyncGenerator<Buffer>;
  /**
   * The same bytes, pushed to `write` through two reused buffers: `write` resolves when its chunk may be reused
   * (the socket took it), so memory stays at two chunks and nothing is allocated per chunk. Stops early when
   * `write` resolves false.
   */
  pump(write: (chunk: Buffer) => Promise<boolean>): Promise<void>;
}

/** Plans a multipart body; stats each file (NOT_FOUND / IO_ERROR when one cannot be read). */
export async function planMultipart(fields: Record<string, string>, files: readonly UploadFile[]): Promise<MultipartBody> {
  const boundary = `----KrakenStudio${randomBytes(12).toString('hex')}`;
  const pieces: Piece[] = [];
  const text = (s: string) => {
    const bytes = Buffer.from(s, 'utf8');
    pieces.push({ kind: 'bytes', bytes, size: bytes.length });
  };
  for (const [name, value] of Object.entries(fields)) {
    text(`--${boundary}${CRLF}Content-Disposition: form-data; name="${quoted(name)}"${CRLF}${CRLF}${value}${CRLF}`);
  }
  for (const f of files) {
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(f.path);
    } catch (err) {
      throw AppError.from(err);
    }
    if (!st.isFile()) throw new AppError('INVALID_INPUT', say('cloud.upload_not_a_file', { path: f.path }), { path: f.path });
    const filename = f.filename ?? path.basename(f.path);
    text(
      `--${boundary}${CRLF}Content-Disposition: form-data; name="${quoted(f.field)}"; filename="${quoted(filename)}"${CRLF}` +
        `Content-Type: ${f.contentType ?? contentTypeFor(filename)}${CRLF}${CRLF}`,
    );
    pieces.push({ kind: 'file', file: f.path, size: st.size });
    text(CRLF);
  }
  text(`--${boundary}--${CRLF}`);
  const length = pieces.reduce((n, p) => n + p.size, 0);
  const changed = (file: string, read: number, size: number) =>
    new AppError('IO_ERROR', say('cloud.upload_changed', { file, read, size }), { path: file });
  return {
    boundary,
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    async *chunks() {
      for (const p of pieces) {
        if (p.kind === 'bytes') {
          yield p.bytes!;
          continue;
        }
        if (p.size === 0) continue;
        let read = 0;
        // `end` is inclusive: exactly the stat'ed size, so a file that grows cannot break Content-Length.
        const stream = fs.createReadStream(p.file!, { highWaterMark: CHUNK, start: 0, end: p.size - 1 });
        try {
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            read += chunk.length;
            yield chunk;
          }
        } catch (err) {
          throw AppError.from(err);
        } finally {
          stream.destroy();
        }
        if (read !== p.size) throw changed(p.file!, read, p.size);
      }
    },
    async pump(write) {
      const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
      const inFlight: Promise<boolean>[] = [Promise.resolve(true), Promise.resolve(true)];
      let i = 0;
      // Waits for the write that last used buffer i; false: stop.
      const take = () => inFlight[i]!;
      const push = (chunk: Buffer) => {
        const w = write(chunk);
        // Observed now: a failure of the other buffer's write must not be an unhandled rejection meanwhile.
        w.catch(() => undefined);
        inFlight[i] = w;
        i ^= 1;
      };
      for (const p of pieces) {
        if (p.kind === 'bytes') {
          if (!(await take())) return;
          push(p.bytes!);
          continue;
        }
        if (p.size === 0) continue;
        let fh: fs.promises.FileHandle;
        try {
          fh = await fs.promises.open(p.file!, 'r');
        } catch (err) {
          throw AppError.from(err);
        }
        try {
          for (let pos = 0; pos < p.size; ) {
            if (!(await take())) return;
            const buf = bufs[i]!;
            let n: number;
            try {
              n = (await fh.read(buf, 0, Math.min(CHUNK, p.size - pos), pos)).bytesRead;
            } catch (err) {
              throw AppError.from(err);
            }
            if (n === 0) throw changed(p.file!, pos, p.size);
            pos += n;
            push(buf.subarray(0, n));
          }
        } finally {
          await fh.close().catch(() => undefined);
        }
      }
      await Promise.all(inFlight);
    },
  };
}

/** Throttled progress with a rate over a sliding window. */
class ProgressMeter {
  private samples: [number, number][] = [];
  private lastEmit = -Infinity;
  constructor(
    private readonly total: number,
    private readonly intervalMs: number,
    private readonly listener?: (p: UploadProgress) => void,
  ) {}

  update(sent: number, force = false): void {
    if (!this.listener) return;
    const now = performance.now();
    this.samples.push([now, sent]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > 3000) this.samples.shift();
    if (!force && now - this.lastEmit < this.intervalMs) return;
    this.lastEmit = now;
    const [t0, b0] = this.samples[0]!;
    const span = (now - t0) / 1000;
    const rate = span >= 0.2 ? (sent - b0) / span : null;
    const left = this.total - sent;
    const eta = left <= 0 ? 0 : rate && rate > 0 ? Math.ceil(left / rate) : null;
    this.listener({ sentBytes: sent, totalBytes: this.total, rateBytesPerSec: rate === null ? null : Math.round(rate), etaSec: eta });
  }
}

function toHeaders(h: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
  }
  return out;
}

/**
 * A transport that streams `body` through node:http(s), for the client's layers: Content-Length exact, writes
 * wait for the socket (back-pressure), the caller's signal destroys the socket, a stalled socket times out,
 * and a connection lost mid-body is an "upload interrupted" NETWORK error.
 */
function streamingTransport(client: HttpClient, body: MultipartBody, meter: ProgressMeter, idleTimeoutMs: number): Transport {
  return (t: TransportRequest) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(t.url);
      const mod = url.protocol === 'https:' ? https : http;
      const headers = { ...t.headers, 'content-type': body.contentType, 'content-length': String(body.length) };
      let settled = false;
      let replied = false;
      let sent = 0;
      // Writes still waiting for the socket: released (false) when the request ends, so the pump never hangs on a
      // destroyed socket and closes its file.
      const waiting = new Set<(ok: boolean) => void>();
      const release = () => {
        for (const w of waiting) w(false);
        waiting.clear();
      };
      // The answer is given only once the pump has stopped and closed its file: nothing of an upload outlives it.
      let pumping: Promise<void> = Promise.resolve();
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        req.destroy();
        release();
        let e: unknown;
        if (t.signal.aborted) e = Object.assign(new Error('aborted'), { name: 'AbortError' }); // cancel, not a timeout
        else if (err instanceof AppError) e = err;
        else if (err instanceof Error && (err as { code?: string }).code === 'ECONNREFUSED') e = client.mapNetworkError(err);
        else if (err instanceof Error && err.message === 'idle timeout') e = client.mapNetworkError(err, { timedOut: true, timeoutMs: idleTimeoutMs });
        else e = networkError(client.service, 'interrupted', { errno: (err as { code?: string })?.code });
        void pumping.then(() => reject(e));
      };
      // A fresh connection per upload (its own agent): a pooled socket the server is closing at that instant would
      // reset and read as "interrupted"; one handshake is nothing next to the upload. Keep-alive stays on so the
      // request does not say "Connection: close": a server answering early (401, 413) then drains the body instead
      // of resetting the socket, which would lose its answer.
      const agent = new mod.Agent({ keepAlive: true, maxSockets: 1 });
      const req = mod.request(url, { method: t.method, headers, agent });
      const onAbort = () => fail(new Error('aborted'));
      t.signal.addEventListener('abort', onAbort, { once: true });
      req.setTimeout(idleTimeoutMs, () => fail(new Error('idle timeout')));
      req.on('error', fail);
      req.on('close', () => {
        t.signal.removeEventListener('abort', onAbort);
        release();
        agent.destroy();
      });
      req.on('response', (res) => {
        // The server may answer before the body is done (401, 413): stop writing and take its answer.
        replied = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          if (settled) return;
          settled = true;
          t.signal.removeEventListener('abort', onAbort);
          const status = res.statusCode ?? 0;
          const bodyless = status === 204 || status === 205 || status === 304;
          const reply = new Response(bodyless ? null : Buffer.concat(chunks), { status, headers: toHeaders(res.headers) });
          if (sent < body.length) req.destroy();
          release();
          void pumping.then(() => resolve(reply));
        });
      });
      // At most two chunks in flight: each write's callback (the socket took it) frees its buffer for the next read.
      const write = (chunk: Buffer) =>
        new Promise<boolean>((ok, ko) => {
          if (settled || replied) return ok(false);
          waiting.add(ok);
          req.write(chunk, (err) => {
            if (!waiting.delete(ok)) return; // released already
            if (err) return settled || replied ? ok(false) : ko(err);
            sent += chunk.length;
            meter.update(sent, sent === body.length);
            ok(!settled && !replied);
          });
        });
      pumping = body
        .pump(write)
        .then(() => {
          if (!settled && !replied) req.end();
        })
        .catch((err) => {
          if (!replied) fail(err);
        });
    });
}

/** Uploads fields and files as multipart/form-data, streamed from disk, and parses the reply with `schema`. */
export async function uploadMultipart<T>(client: HttpClient, opts: UploadOptions<T>): Promise<T> {
  const body = await planMultipart(opts.fields, opts.files);
  const meter = new ProgressMeter(body.length, opts.progressIntervalMs ?? 250, opts.onProgress);
  meter.update(0, true);
  const headers: Record<string, string> = { 'user-agent': client.userAgent, accept: 'application/json' };
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  const res = await client.send({
    method: opts.method ?? 'POST',
    url: client.url(opts.path, opts.query),
    headers,
    signal: opts.signal,
    auth: opts.auth,
    retry: opts.retry ?? false,
    timeoutMs: Infinity,
    buffer: true,
    transport: streamingTransport(client, body, meter, opts.idleTimeoutMs ?? client.timeoutMs),
  });
  return client.parseReply(res, opts.schema, opts.okStatuses);
}
