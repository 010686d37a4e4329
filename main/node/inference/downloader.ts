/**
 * Resumable, verified downloads. Bytes go to `<dest>.partial`; a dropped connection is retried from
 * where it stopped with an HTTP Range request (also after an app restart, since the partial file
 * stays); the finished file must have the expected size and SHA-256, or it is deleted and refused.
 * Only then is it renamed into place.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../common/app-error';
import { say, type Said } from '../../common/messages';
import { realpathInside } from '../files/safe-path';

export interface DownloadSpec {
  url: string;
  dest: string;
  /** The folder `dest` must stay in (after symbolic links are followed); checked before any byte is written and before the rename. */
  root?: string;
  sha256: string;
  sizeBytes: number;
  signal?: AbortSignal;
  onProgress?: (p: { received: number; total: number; resumedFrom: number }) => void;
  /** Attempts in a row that may fail without receiving any byte. */
  maxRetries?: number;
  retryDelayMs?: number;
  /**
   * How long the server may take to answer (response headers) before the attempt is given up (default 10 s):
   * an offline or unreachable host is reported within that, not after a long silence.
   */
  connectTimeoutMs?: number;
  /** Called when a connection is being opened ('connecting') and when bytes start to arrive ('downloading'). */
  onStage?: (stage: 'connecting' | 'downloading', host: string) => void;
  /** The fetch to use (tests stand in for a resolver that fails); default the global fetch. */
  fetchImpl?: typeof fetch;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Errors that say the host cannot be reached at all (its name does not resolve, nothing listens, no answer in time):
 * retrying at once changes nothing, so a download that has received nothing yet stops at the first one.
 */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'CONNECT_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export interface DownloadResult {
  path: string;
  bytes: number;
  /** Connections used (1 when nothing was dropped). */
  connections: number;
  resumedFrom: number;
}

export const partialPath = (dest: string) => `${dest}.partial`;

/** Downloads `url` to `dest`, resuming a previous partial file, and verifies it. */
export async function downloadVerified(spec: DownloadSpec): Promise<DownloadResult> {
  const part = partialPath(spec.dest);
  const fence = async () => {
    if (spec.root === undefined) return;
    await realpathInside(spec.root, spec.dest);
    await realpathInside(spec.root, part);
  };
  await fence();
  const maxRetries = spec.maxRetries ?? 5;
  const initial = fileSize(part);
  let connections = 0;
  let failuresInRow = 0;
  let lastError: unknown = null;

  while (fileSize(part) < spec.sizeBytes) {
    if (spec.signal?.aborted) throw new AppError('CANCELLED', say('download.cancelled', {}));
    const offset = fileSize(part);
    connections++;
    let got = 0;
    try {
      got = await fetchRange(spec, part, offset);
    } catch (err) {
      if (spec.signal?.aborted) throw new AppError('CANCELLED', say('download.cancelled', {}));
      if (err instanceof AppError && err.code !== 'NETWORK') throw err;
      lastError = err;
      got = fileSize(part) - offset;
      // Nothing ever arrived and the host cannot be reached: say so now instead of after several silent retries.
      const reason = err instanceof AppError ? (err.details as { reason?: string } | undefined)?.reason : undefined;
      if (got === 0 && fileSize(part) === 0 && reason && UNREACHABLE.has(reason)) throw err;
    }
    failuresInRow = got > 0 ? 0 : failuresInRow + 1;
    if (failuresInRow > maxRetries) throw lastError instanceof AppError ? lastError : networkError(spec.url, lastError, fileSize(part), spec.sizeBytes);
    if (got === 0 && fileSize(part) < spec.sizeBytes) await sleep((spec.retryDelayMs ?? 500) * failuresInRow, undefined, { signal: spec.signal }).catch(() => {});
  }

  const size = fileSize(part);
  if (size !== spec.sizeBytes) {
    await fs.promises.rm(part, { force: true });
    throw new AppError('NETWORK', say('download.wrong_size', { size: String(size), expected: String(spec.sizeBytes) }), { url: spec.url });
  }
  const actual = await hashFile(part);
  if (actual !== spec.sha256.toLowerCase()) {
    await fs.promises.rm(part, { force: true });
    throw new AppError('NETWORK', say('download.bad_hash', {}), {
      url: spec.url,
      expected: spec.sha256,
      actual,
    });
  }
  await fence();
  await fs.promises.rename(part, spec.dest);
  return { path: spec.dest, bytes: size, connections, resumedFrom: initial };
}

/** One connection: appends what arrives to the partial file; returns bytes received. */
async function fetchRange(spec: DownloadSpec, part: string, offset: number): Promise<number> {
  // One controller per connection: the caller's cancel and the answer timeout both stop it.
  const answered = new AbortController();
  const onAbort = () => answered.abort();
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await fetchRangeWith(spec, part, offset, answered);
  } finally {
    spec.signal?.removeEventListener('abort', onAbort);
  }
}

async function fetchRangeWith(spec: DownloadSpec, part: string, offset: number, answered: AbortController): Promise<number> {
  const headers: Record<string, string> = { 'user-agent': 'KrakenStudio', 'accept-encoding': 'identity' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const host = hostOf(spec.url);
  spec.onStage?.('connecting', host);
  const timeoutMs = spec.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // The timer covers the wait for the answer only; once headers are in, a slow body is not cut.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    answered.abort();
  }, timeoutMs);
  let res: Response;
  try {
    res = await (spec.fetchImpl ?? fetch)(spec.url, { headers, redirect: 'follow', signal: answered.signal });
  } catch (err) {
    if (spec.signal?.aborted) throw err;
    throw networkError(spec.url, timedOut ? Object.assign(new Error('timeout'), { cause: { code: 'CONNECT_TIMEOUT' } }) : err, offset, spec.sizeBytes, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
  if (res.status === 416 && offset > 0) {
    // The partial file already holds everything (or more): let verification decide.
    await res.body?.cancel();
    return 0;
  }
  if (res.status >= 400) {
    await res.body?.cancel();
    const code = res.status >= 500 ? 'NETWORK' : 'NOT_FOUND';
    throw new AppError(code, say('download.http', { status: res.status, statusText: res.statusText, url: spec.url }), { status: res.status });
  }
  let start = offset;
  if (offset > 0 && res.status !== 206) start = 0; // the server ignored Range: start over
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && start + length !== spec.sizeBytes) {
    await res.body?.cancel();
    throw new AppError('CONFLICT', say('download.size_changed', { offered: String(start + length), expected: String(spec.sizeBytes) }), { url: spec.url });
  }
  const fh = await fs.promises.open(part, start === 0 ? 'w' : 'a');
  let received = 0;
  spec.onStage?.('downloading', host);
  try {
    if (!res.body) return 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const room = spec.sizeBytes - (start + received);
      const piece = chunk.length > room ? chunk.subarray(0, Math.max(0, room)) : chunk;
      if (piece.length > 0) await fh.write(piece);
      received += piece.length;
      spec.onProgress?.({ received: start + received, total: spec.sizeBytes, resumedFrom: offset });
      if (room <= chunk.length) break;
    }
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err;
    throw networkError(spec.url, err, start + received, spec.sizeBytes);
  } finally {
    await fh.sync().catch(() => {});
    await fh.close();
  }
  return received;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** "Could not reach <host>: <what an error code means, in words a creator can act on>. …" (one code per cause). */
function unreachable(code: string, host: string, timeoutMs: number, kept: { have: string; total: string } | null): Said {
  const wait = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return kept ? say('download.unreachable_resolve_kept', { host, ...kept }) : say('download.unreachable_resolve_nothing', { host });
    case 'ECONNREFUSED':
      return kept ? say('download.unreachable_refused_kept', { host, ...kept }) : say('download.unreachable_refused_nothing', { host });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return kept ? say('download.unreachable_route_kept', { host, ...kept }) : say('download.unreachable_route_nothing', { host });
    default:
      return kept ? say('download.unreachable_timeout_kept', { host, wait, ...kept }) : say('download.unreachable_timeout_nothing', { host, wait });
  }
}

function networkError(url: string, err: unknown, have: number, total: number, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): AppError {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const why = cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
  const host = hostOf(url);
  const kept = have > 0 ? { have: String(have), total: String(total) } : null;
  if (UNREACHABLE.has(why)) return new AppError('NETWORK', unreachable(why, host, timeoutMs, kept), { url, host, reason: why, received: have, total });
  const said = kept ? say('download.failed_kept', { host, why, ...kept }) : say('download.failed_nothing', { host, why });
  return new AppError('NETWORK', said, { url, host, reason: why, received: have, total });
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    fs.createReadStream(file, { highWaterMark: 1 << 20 })
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
