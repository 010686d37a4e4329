/**
 * Downloads to `dest + '.part'`, resumes a dropped connection with `Range: bytes=N-` (the 206's Content-Range is
 * checked; a 200 to a Range request starts again from 0; If-Range keeps a changed file from being stitched onto
 * the old half), verifies the size and the format, then renames to `dest` — so a crash or a bad reply never
 * leaves a half file, or an HTML page, under the final name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import { realpathInside, resolveInside } from '../files/safe-path';
import { cancelledError, networkError, serviceParams } from './errors';
import { expectKind, sniffFile, type FileKind } from './format-check';
import type { AuthProvider, HttpClient, Query } from './http-client';

export interface DownloadProgress {
  receivedBytes: number;
  /** Null when the service did not say (no Content-Length). */
  totalBytes: number | null;
  rateBytesPerSec: number | null;
  etaSec: number | null;
  /** How many times the connection dropped and the download went on from where it stopped. */
  resumes: number;
}

export interface DownloadOptions {
  path: string;
  query?: Query;
  /** Where the file goes: absolute, or relative to `root` (then checked to stay inside it, symbolic links included). */
  dest: string;
  root?: string;
  headers?: Record<string, string>;
  auth?: AuthProvider | false;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** What the service says the file is; anything else is removed and refused. */
  expect?: FileKind | FileKind[];
  /** Refuse (and remove) a file larger than this. */
  maxBytes?: number;
  /** Drops in a row without a byte received before giving up. Default: the client's maxRetries. */
  maxResumes?: number;
  /** No byte for this long mid-body is a drop (and resumed). Default: the client's timeout. */
  idleTimeoutMs?: number;
  progressIntervalMs?: number;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  contentType: string | null;
  /** The sniffed kind (null when it is none the studio knows). */
  kind: FileKind | null;
  resumes: number;
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

class Meter {
  private samples: [number, number][] = [];
  private last = -Infinity;
  constructor(
    private readonly intervalMs: number,
    private readonly listener?: (p: DownloadProgress) => void,
  ) {}
  update(received: number, total: number | null, resumes: number, force = false): void {
    if (!this.listener) return;
    const now = performance.now();
    this.samples.push([now, received]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > 3000) this.samples.shift();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    const [t0, b0] = this.samples[0]!;
    const span = (now - t0) / 1000;
    const rate = span >= 0.2 && received >= b0 ? (received - b0) / span : null;
    const eta = total === null ? null : total - received <= 0 ? 0 : rate ? Math.ceil((total - received) / rate) : null;
    this.listener({ receivedBytes: received, totalBytes: total, rateBytesPerSec: rate === null ? null : Math.round(rate), etaSec: eta, resumes });
  }
}

function destination(opts: DownloadOptions): string {
  if (opts.root === undefined) return path.resolve(opts.dest);
  return resolveInside(opts.root, opts.dest);
}

function tooLarge(client: HttpClient, limit: number): AppError {
  return new AppError('REMOTE', say('cloud.file_too_large', { ...serviceParams(client.service), mb: Math.round(limit / 1e6) }), {
    service: client.service,
    maxBytes: limit,
  });
}

/** Downloads `path` to `dest` with resume, size and format checks; the file appears under `dest` only when whole. */
export async function downloadToFile(client: HttpClient, opts: DownloadOptions): Promise<DownloadResult> {
  let final = destination(opts);
  await fs.promises.mkdir(path.dirname(final), { recursive: true });
  // Symbolic links on the way are judged after the folder exists.
  if (opts.root !== undefined) final = await realpathInside(opts.root, final);
  const part = `${final}.part`;
  const meter = new Meter(opts.progressIntervalMs ?? 250, opts.onProgress);
  const maxResumes = opts.maxResumes ?? client.maxRetries;
  const idleMs = opts.idleTimeoutMs ?? client.timeoutMs;
  const fh = await fs.promises.open(part, 'w');
  let received = 0;
  let total: number | null = null;
  let contentType: string | null = null;
  let validator: string | null = null;
  let resumes = 0;
  let failuresInRow = 0;
  let closed = false;
  const restart = async () => {
    await fh.truncate(0);
    received = 0;
  };
  try {
    for (;;) {
      if (opts.signal?.aborted) throw cancelledError();
      const headers: Record<string, string> = { 'accept-encoding': 'identity', ...opts.headers };
      if (received > 0) {
        headers.range = `bytes=${received}-`;
        if (validator) headers['if-range'] = validator;
      }
      const attempt = new AbortController();
      const signal = opts.signal ? AbortSignal.any([opts.signal, attempt.signal]) : attempt.signal;
      // Under the attempt's signal, so an idle socket can be cut (and resumed) without cancelling the download.
      const res = await client.requestRaw({ path: opts.path, query: opts.query, headers, auth: opts.auth, signal, okStatuses: [200, 206, 416] });

      if (res.status === 416) {
        await res.body?.cancel().catch(() => undefined);
        if (received > 0 && total !== null && received >= total) break;
        if (received === 0) throw new AppError('REMOTE', say('cloud.http_416', serviceParams(client.service)), { service: client.service, status: 416 });
        await restart();
        validator = null;
        continue;
      }
      if (res.status === 206) {
        const m = CONTENT_RANGE.exec(res.headers.get('content-range') ?? '');
        if (!m || Number(m[1]) !== received) {
          // Not the bytes we asked for: start over rather than stitch the wrong ones.
          await res.body?.cancel().catch(() => undefined);
            await restart();
          validator = null;
          if (++failuresInRow > maxResumes) throw networkError(client.service, 'dropped');
          continue;
        }
        if (m[3] !== '*') total = Number(m[3]);
      } else {
        if (received > 0) await restart(); // the server ignored Range (or the file changed): from 0
        const len = res.headers.get('content-length');
        total = len !== null && /^\d+$/.test(len) ? Number(len) : null;
        contentType = res.headers.get('content-type');
        const etag = res.headers.get('etag');
        validator = etag && !etag.startsWith('W/') ? etag : res.headers.get('last-modified');
      }
      if (opts.maxBytes !== undefined && total !== null && total > opts.maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw tooLarge(client, opts.maxBytes);
      }
      meter.update(received, total, resumes, true);

      let idle: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(idle);
        idle = setTimeout(() => attempt.abort(), idleMs);
      };
      const before = received;
      let dropped = false;
      try {
        arm();
        if (res.body) {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            arm();
            await fh.write(chunk, 0, chunk.byteLength, received);
            received += chunk.byteLength;
            if (opts.maxBytes !== undefined && received > opts.maxBytes) throw tooLarge(client, opts.maxBytes);
            meter.update(received, total, resumes);
          }
        }
        if (attempt.signal.aborted) dropped = true;
      } catch (err) {
        if (opts.signal?.aborted) throw cancelledError();
        if (err instanceof AppError) throw err;
        dropped = true;
      } finally {
        clearTimeout(idle);
      }
      // A clean end short of the announced size is a drop too.
      if (!dropped && total !== null && received < total) dropped = true;
      if (!dropped) break;
      failuresInRow = received > before ? 1 : failuresInRow + 1;
      if (failuresInRow > maxResumes) throw networkError(client.service, 'dropped');
      resumes++;
      await client.wait(client.backoffMs(failuresInRow - 1), opts.signal);
    }
    await fh.sync();
    await fh.close();
    closed = true;
    const size = (await fs.promises.stat(part)).size;
    if (total !== null && size !== total) {
      throw new AppError('REMOTE', say('cloud.file_wrong_size', { ...serviceParams(client.service), size, total }), {
        service: client.service,
        bytes: size,
        expectedBytes: total,
      });
    }
    const kind = opts.expect !== undefined ? expectKind(part, opts.expect, { service: client.service }) : sniffFile(part);
    await fs.promises.rename(part, final);
    meter.update(size, total ?? size, resumes, true);
    return { path: final, bytes: size, contentType, kind, resumes };
  } catch (err) {
    if (!closed) await fh.close().catch(() => undefined);
    await fs.promises.rm(part, { force: true });
    throw err;
  }
}
