/**
 * Contributor protocol v1 over HTTP (docs/contributor-protocol.md): every path under `/v1`, every request
 * signed (`X-Kraken-Protocol`, `X-Node-Id`, `X-Node-Timestamp`, `X-Node-Signature`), errors as
 * `{ error: { code, message, details? } }`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../base/clock';
import { HttpError, type Ctx, type Router, sendJson, sendEmpty } from '../base/http';
import { sendFile } from '../base/send-file';
import { invalid, NetError, type NetworkService } from './service';
import { publicKeyOf, requestMessage, sha256Hex, verify } from './signing';
import type { NetworkStore } from './store';

type Body = Record<string, unknown>;

/** The protocol's code for a status the host or base answers itself (no route, bad JSON, injected fault…). */
export function codeFor(status: number): string {
  const codes: Record<number, string> = { 400: 'INVALID_REQUEST', 401: 'BAD_SIGNATURE', 402: 'INSUFFICIENT_CREDIT', 403: 'NOT_LEASE_HOLDER', 404: 'NOT_FOUND', 405: 'INVALID_REQUEST', 409: 'LEASE_EXPIRED', 413: 'TOO_LARGE', 416: 'INVALID_REQUEST', 422: 'RESULT_REJECTED', 426: 'PROTOCOL_VERSION', 429: 'RATE_LIMITED', 503: 'UNAVAILABLE' };
  return codes[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_REQUEST');
}

export function errorBody(status: number, message: string): unknown {
  return { error: { code: codeFor(status), message } };
}

const JSON_LIMIT = 64 * 1024 * 1024;

async function readBody(ctx: Ctx, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.input) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new NetError(413, 'TOO_LARGE', `The request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(ctx: Ctx, raw: Buffer): Body {
  const text = raw.toString('utf8').trim();
  if (!text) {
    ctx.record.jsonKeys = [];
    return {};
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalid('The request body must be a JSON object.');
  ctx.record.jsonKeys = Object.keys(v);
  return v as Body;
}

interface Signed {
  nodeId: string;
}

export interface RouteDeps {
  svc: NetworkService;
  store: NetworkStore;
  clock: Clock;
  blobDir: string;
}

export function networkRoutes(router: Router, deps: RouteDeps): void {
  const { svc, store, clock, blobDir } = deps;

  /** Protocol version, then the signature headers, the clock, the signature itself. */
  function checkHeaders(ctx: Ctx): { nodeId: string; timestamp: string; signature: string } {
    const h = ctx.req.headers;
    const version = h['x-kraken-protocol'];
    if (version !== '1') throw new NetError(426, 'PROTOCOL_VERSION', `This server speaks contributor protocol 1; the request ${version === undefined ? 'names no version (X-Kraken-Protocol)' : `asks for ${String(version)}`}.`, { supported: [1] });
    const nodeId = h['x-node-id'];
    const timestamp = h['x-node-timestamp'];
    const signature = h['x-node-signature'];
    if (typeof nodeId !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') throw new NetError(401, 'BAD_SIGNATURE', 'Every request carries X-Node-Id, X-Node-Timestamp and X-Node-Signature.');
    if (!/^\d{1,16}$/.test(timestamp)) throw new NetError(401, 'BAD_SIGNATURE', 'X-Node-Timestamp must be unix milliseconds.');
    const skew = Math.abs(Number(timestamp) - clock.now());
    if (skew > svc.settings.maxSkewSeconds * 1000) throw new NetError(401, 'CLOCK_SKEW', `The request's timestamp is ${Math.round(skew / 1000)} s from the server's clock (at most ${svc.settings.maxSkewSeconds} s).`, { serverTime: new Date(clock.now()).toISOString() });
    return { nodeId, timestamp, signature };
  }

  function checkSignature(ctx: Ctx, hdr: { nodeId: string; timestamp: string; signature: string }, bodySha: string): void {
    const key = publicKeyOf(hdr.nodeId);
    if (!key) throw new NetError(401, 'BAD_SIGNATURE', 'X-Node-Id is not a base58 ed25519 public key.');
    const msg = requestMessage(ctx.method, ctx.req.url ?? ctx.path, hdr.timestamp, bodySha);
    if (!verify(key, msg, hdr.signature)) throw new NetError(401, 'BAD_SIGNATURE', 'The request signature does not verify.');
  }

  const send = (ctx: Ctx, status: number, body: unknown) => sendJson(ctx, status, body);

  /** A JSON route: signed, optionally only for registered nodes. */
  function json(method: string, pattern: string, opts: { node: boolean }, fn: (ctx: Ctx, who: Signed, body: Body) => void | Promise<void>): void {
    router.on(method, pattern, async (ctx) => {
      await guard(ctx, async () => {
        const hdr = checkHeaders(ctx);
        const raw = await readBody(ctx, JSON_LIMIT);
        checkSignature(ctx, hdr, sha256Hex(raw));
        const body = parseJson(ctx, raw);
        if (opts.node) svc.requireNode(hdr.nodeId);
        await fn(ctx, { nodeId: hdr.nodeId }, body);
      });
    });
  }

  json('POST', '/v1/nodes/register', { node: false }, (ctx, who, body) => send(ctx, 200, svc.register(who.nodeId, body)));
  json('POST', '/v1/nodes/heartbeat', { node: true }, (ctx, who, body) => send(ctx, 200, svc.heartbeat(who.nodeId, body)));
  json('GET', '/v1/nodes/me', { node: true }, (ctx, who) => send(ctx, 200, svc.me(who.nodeId)));
  json('GET', '/v1/nodes/me/ledger', { node: true }, (ctx, who) => send(ctx, 200, svc.ledger(who.nodeId)));
  json('POST', '/v1/nodes/me/payout', { node: true }, async (ctx, who, body) => send(ctx, 200, await svc.payout(who.nodeId, body)));
  json('POST', '/v1/leases', { node: true }, (ctx, who, body) => {
    const l = svc.lease(who.nodeId, body);
    if (l) send(ctx, 200, l);
    else sendEmpty(ctx, 204);
  });
  json('POST', '/v1/leases/:leaseId/progress', { node: true }, (ctx, who, body) => send(ctx, 200, svc.progress(who.nodeId, ctx.params.leaseId!, body)));
  json('POST', '/v1/leases/:leaseId/result', { node: true }, (ctx, who, body) => send(ctx, 200, svc.result(who.nodeId, ctx.params.leaseId!, body)));
  json('POST', '/v1/leases/:leaseId/release', { node: true }, (ctx, who, body) => send(ctx, 200, svc.release(who.nodeId, ctx.params.leaseId!, body)));

  json('POST', '/v1/jobs', { node: false }, (ctx, who, body) => send(ctx, 201, svc.submit(who.nodeId, body)));
  json('GET', '/v1/jobs', { node: false }, (ctx, who) => {
    // the emulator has no public job list: every listing is the caller's own (mine=1 or not)
    svc.sweep();
    send(ctx, 200, { jobs: store.jobs(who.nodeId).map((j) => svc.jobStatus(j)) });
  });
  json('GET', '/v1/jobs/:jobId', { node: false }, (ctx, who) => send(ctx, 200, svc.jobStatus(svc.ownJob(who.nodeId, ctx.params.jobId!))));
  json('DELETE', '/v1/jobs/:jobId', { node: false }, (ctx, who) => send(ctx, 200, svc.cancel(who.nodeId, ctx.params.jobId!)));
  json('GET', '/v1/accounts/me', { node: false }, (ctx, who) => send(ctx, 200, svc.account(who.nodeId)));

  const blobSha = (ctx: Ctx) => {
    const s = ctx.params.sha256!;
    if (!/^[0-9a-f]{64}$/.test(s)) throw invalid('A blob is named by its sha256: 64 lowercase hex characters.', { field: 'sha256' });
    return s;
  };

  // GET (and HEAD) of a blob: any signed caller (a node fetching a job's files, a creator checking what is stored)
  router.on('GET', '/v1/blobs/:sha256', async (ctx) => {
    await guard(ctx, async () => {
      const hdr = checkHeaders(ctx);
      await readBody(ctx, 1 << 20);
      checkSignature(ctx, hdr, sha256Hex(Buffer.alloc(0)));
      const s = blobSha(ctx);
      if (!store.blob(s)) throw new NetError(404, 'NOT_FOUND', `No blob ${s}.`);
      await sendFile(ctx, path.join(blobDir, s), { contentType: 'application/octet-stream' });
    });
  });

  router.on('PUT', '/v1/blobs/:sha256', async (ctx) => {
    await guard(ctx, async () => {
      const hdr = checkHeaders(ctx);
      const s = blobSha(ctx);
      const declared = Number(ctx.req.headers['content-length'] ?? NaN);
      const limit = svc.settings.maxBlobBytes;
      if (Number.isFinite(declared) && declared > limit) throw new NetError(413, 'TOO_LARGE', `A blob is at most ${limit} bytes.`, { limit });
      const tmp = path.join(blobDir, `.${s}.${crypto.randomBytes(6).toString('hex')}.part`);
      const hash = crypto.createHash('sha256');
      let size = 0;
      const out = fs.createWriteStream(tmp);
      try {
        for await (const chunk of ctx.input) {
          size += (chunk as Buffer).length;
          if (size > limit) throw new NetError(413, 'TOO_LARGE', `A blob is at most ${limit} bytes.`, { limit });
          hash.update(chunk as Buffer);
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
        await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
        const got = hash.digest('hex');
        checkSignature(ctx, hdr, got);
        if (got !== s) throw invalid(`The bytes' sha256 is ${got}, not ${s}.`, { reason: 'hash_mismatch', sha256: got });
        if (store.blob(s)) {
          fs.rmSync(tmp, { force: true });
          send(ctx, 200, { sha256: s, bytes: size, stored: false });
          return;
        }
        fs.renameSync(tmp, path.join(blobDir, s));
        store.addBlob(s, size, clock.now());
        send(ctx, 201, { sha256: s, bytes: size, stored: true });
      } finally {
        out.destroy();
        fs.rmSync(tmp, { force: true });
      }
    });
  });
}

async function guard(ctx: Ctx, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof NetError) {
      ctx.req.resume();
      sendJson(ctx, e.status, { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } }, e.headers);
      return;
    }
    if (e instanceof HttpError) throw e;
    throw e;
  }
}
