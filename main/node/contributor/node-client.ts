/**
 * The node's calls (docs/contributor-protocol.md, "Node calls") over the shared cloud HTTP client: a signing layer
 * adds the four X-Node headers to every attempt; retries, Retry-After and timeouts are the client's.
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import { HttpClient, type HttpClientOptions, type Middleware } from '../cloud/http-client';
import type { NodeIdentity } from './identity';
import { HeartbeatReply, LeaseReply, LedgerReply, ProgressReply, RegisterReply, ResultReply, type Lease } from './job-spec';
import { signedHeaders } from './signing';

export interface HardwareProfile {
  gpu: { model: string; memoryMb: number | null } | null;
  providers: string[];
  cpuCores: number;
  memoryMb: number;
  os: string;
  arch: string;
}

/** Signs each attempt (a retry gets a fresh timestamp) over the body exactly as sent. */
export function signingLayer(identity: NodeIdentity, now: () => number = Date.now): Middleware {
  return (next) => async (req) => {
    const url = new URL(req.url);
    const body = typeof req.body === 'string' || req.body instanceof Uint8Array ? req.body : undefined;
    if (req.body !== undefined && body === undefined) throw new AppError('INTERNAL', say('contributor.body_not_signable', {}));
    return next({ ...req, headers: { ...req.headers, ...signedHeaders(identity, req.method, url.pathname + url.search, body, now()) } });
  };
}

export type ResultBody = {
  outputs: Array<{ input: string; output: unknown }>;
  resultSha256: string;
  signature: string;
  claimedCredit: number;
  deviceMs: number;
};

export class NodeClient {
  readonly http: HttpClient;

  constructor(
    readonly baseUrl: string,
    identity: NodeIdentity,
    options: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>> & { now?: () => number } = {},
  ) {
    this.http = new HttpClient({
      ...options,
      service: 'network',
      baseUrl,
      middleware: [...(options.middleware ?? []), signingLayer(identity, options.now)],
    });
  }

  register(body: { hardware: HardwareProfile; clusters: string[]; clientVersion: string }) {
    return this.http.request({ method: 'POST', path: '/v1/nodes/register', json: body, schema: RegisterReply });
  }

  heartbeat(body: { state: 'idle' | 'working' | 'paused'; leaseId?: string; reason?: string }) {
    return this.http.request({ method: 'POST', path: '/v1/nodes/heartbeat', json: body, schema: HeartbeatReply });
  }

  /** The lease (the same one when the node holds one), or null for 204 (no work). */
  async lease(body: { clusters: string[]; providers: string[] }): Promise<Lease | null> {
    const r = await this.http.request({ method: 'POST', path: '/v1/leases', json: body, schema: LeaseReply.optional(), okStatuses: [200, 204], retry: false });
    return r?.lease ?? null;
  }

  progress(leaseId: string, body: { done: number; total: number }) {
    return this.http.request({ method: 'POST', path: `/v1/leases/${encodeURIComponent(leaseId)}/progress`, json: body, schema: ProgressReply });
  }

  result(leaseId: string, body: ResultBody) {
    return this.http.request({ method: 'POST', path: `/v1/leases/${encodeURIComponent(leaseId)}/result`, json: body, schema: ResultReply, retry: false, timeoutMs: 120_000 });
  }

  release(leaseId: string, body: { reason: 'paused' | 'deadline' | 'shutdown' | 'refused' | 'error'; done: number; message?: string }) {
    return this.http.request({ method: 'POST', path: `/v1/leases/${encodeURIComponent(leaseId)}/release`, json: body, schema: z.unknown() });
  }

  ledger() {
    return this.http.request({ method: 'GET', path: '/v1/nodes/me/ledger', schema: LedgerReply });
  }

  /**
   * Fetches a blob by hash to `dest`: written under a temporary name, its sha256 and size checked, then renamed.
   * A mismatch (or more bytes than the spec says) is refused and leaves nothing behind.
   */
  async fetchBlob(sha256: string, bytes: number, dest: string, signal?: AbortSignal): Promise<void> {
    const tmp = `${dest}.part`;
    const res = await this.http.requestRaw({ method: 'GET', path: `/v1/blobs/${sha256}`, signal, timeoutMs: 60_000 });
    if (!res.body) throw new AppError('REMOTE', say('contributor.no_blob_bytes', { sha: sha256.slice(0, 12) }));
    const hash = createHash('sha256');
    let n = 0;
    const check = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        n += chunk.length;
        if (n > bytes) return cb(new BlobMismatch(`blob ${sha256.slice(0, 12)} is larger than the job says (${bytes} bytes)`));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), check, fs.createWriteStream(tmp, { mode: 0o600 }), { signal });
      const got = hash.digest('hex');
      if (got !== sha256) throw new BlobMismatch(`blob ${sha256.slice(0, 12)}… has sha256 ${got.slice(0, 12)}…, not the one the job names`);
      if (n !== bytes) throw new BlobMismatch(`blob ${sha256.slice(0, 12)} has ${n} bytes, the job says ${bytes}`);
      fs.renameSync(tmp, dest);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }
}

/** A fetched file that is not what the job named: the job is refused. */
export class BlobMismatch extends Error {}
