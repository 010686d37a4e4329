/**
 * Routing over node:http and the JSON helpers every emulator uses. Paths are normalised liberally (double
 * slashes collapsed, a trailing slash dropped) but matched case-sensitively: the seeds' odd capitals
 * (`sign-In`) are part of the contract and a client that writes them otherwise must see a 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What the request log keeps about one request (no header values, no bodies: nothing secret). */
export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  contentType: string | null;
  /** An `Authorization: Bearer …` header was present (its value is never kept). */
  bearer: boolean;
  /** Top-level keys of a JSON body. */
  jsonKeys?: string[];
  /** Parts of a multipart body, in the order sent. */
  parts?: { name: string; kind: 'file' | 'field'; filename?: string; bytes?: number }[];
  /** Faults applied to this request. */
  faults?: string[];
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Normalised path (leading slash, no trailing slash, single slashes). */
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  /** The request body as the handler must read it (fault injection may cut it). */
  input: Readable;
  /** Bytes of a file download after which the connection is cut (fault injection), if any. */
  cutDownloadAfter: number | null;
  record: RequestRecord;
}

export type Handler = (ctx: Ctx) => Promise<void> | void;

export function normalisePath(raw: string): string {
  let p = raw.replace(/\/{2,}/g, '/');
  if (!p.startsWith('/')) p = '/' + p;
  if (p.length > 1 && p.endsWith('/')) p = p.replace(/\/+$/, '') || '/';
  return p;
}

interface Route {
  methods: string[];
  segments: string[];
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  /** `pattern` like `/atlas/item/detail/:requestId`; routes match in the order added. */
  on(methods: string | string[], pattern: string, handler: Handler): this {
    const list = (Array.isArray(methods) ? methods : [methods]).map((m) => m.toUpperCase());
    if (list.includes('GET') && !list.includes('HEAD')) list.push('HEAD');
    this.routes.push({ methods: list, segments: normalisePath(pattern).split('/').slice(1), handler });
    return this;
  }

  /** The handler and params for a request, `{ allowed }` when the path exists under other methods, or null. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | { allowed: string[] } | null {
    const segs = path.split('/').slice(1);
    const allowed = new Set<string>();
    for (const r of this.routes) {
      if (r.segments.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segs.length && ok; i++) {
        const want = r.segments[i]!;
        if (want.startsWith(':')) {
          try {
            params[want.slice(1)] = decodeURIComponent(segs[i]!);
          } catch {
            ok = false;
          }
        } else ok = want === segs[i];
      }
      if (!ok) continue;
      if (r.methods.includes(method)) return { handler: r.handler, params };
      for (const m of r.methods) allowed.add(m);
    }
    return allowed.size ? { allowed: [...allowed] } : null;
  }
}

export function sendJson(ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  ctx.record.status = status;
  ctx.res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  ctx.res.end(text);
}

/** A reply with no body: the seed's success tables without keys. */
export function sendEmpty(ctx: Ctx, status: number): void {
  ctx.record.status = status;
  ctx.res.writeHead(status, { 'content-length': 0, 'cache-control': 'no-store' });
  ctx.res.end();
}

export function sendText(ctx: Ctx, status: number, text: string): void {
  ctx.record.status = status;
  ctx.res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  ctx.res.end(text);
}

/** The seeds' error body: `{ message }` and nothing else. */
export function sendError(ctx: Ctx, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(ctx, status, { message }, headers);
}

/** Reads a JSON object body (≤ `limit` bytes). An empty body reads as `{}`; anything else that is not an object → 400. */
export async function readJson(ctx: Ctx, limit = 1 << 20): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.input) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `The request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) {
    ctx.record.jsonKeys = [];
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'The request body must be a JSON object.');
  ctx.record.jsonKeys = Object.keys(value);
  return value as Record<string, unknown>;
}

/** A string field of a JSON body, or null when absent/not a string. */
export function str(body: Record<string, unknown>, key: string): string | null {
  const v = body[key];
  return typeof v === 'string' ? v : null;
}
