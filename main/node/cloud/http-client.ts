/**
 * The one HTTP client every cloud service uses. Like the AWS SDK v3 middleware stack, one `send` runs through
 * layers — auth (a 401 refreshes once and repeats once), retry (exponential back-off with full jitter for network
 * errors and 5xx, Retry-After honoured on 429/503, none for other 4xx), timeout/cancel (AbortSignal) — down to a
 * transport (fetch by default). `request` parses every reply with the zod schema written from the seed, so a reply
 * the studio does not understand is an error here and never a half-read object further in.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import {
  badReplyError,
  cancelledError,
  httpError,
  networkError,
  retryAfterMs,
  safeOrigin,
  serviceParams,
  type CloudServiceName,
  type NetworkReason,
} from './errors';

export type { CloudServiceName } from './errors';

/** Supplies the Authorization header; a service's session (Atlas tokens, …) implements it. */
export interface AuthProvider {
  /** The whole header value ("Bearer …"), or null when there are no credentials. */
  header(): Promise<string | null>;
  /** Called once after a 401: get new credentials; true when the request is worth repeating. */
  refresh(): Promise<boolean>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue | readonly QueryValue[]>;

export interface HttpClientOptions {
  service: CloudServiceName;
  /** The server's root, e.g. `http://127.0.0.1:4010` (a trailing slash or a path prefix is fine). */
  baseUrl: string;
  /** Per attempt, until the reply is read (request) or its headers arrive (requestRaw). Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt for network errors, 408/429/5xx. Default 3. */
  maxRetries?: number;
  fetch?: typeof fetch;
  /** For tests: waits between attempts. Rejects when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For tests: the jitter source, [0, 1). */
  random?: () => number;
  userAgent?: string;
  /** Used when a request does not say `auth`. */
  auth?: AuthProvider;
  /** First back-off step (ms). Default 500. */
  baseDelayMs?: number;
  /** Longest back-off step (ms). Default 8 s. */
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the error carries retryAfterMs instead. Default 60 s. */
  maxRetryAfterMs?: number;
  /** The most a buffered reply (request, not requestRaw) may hold. Default 32 MiB. */
  maxReplyBytes?: number;
  /** Extra layers, outermost first (logging, metrics). */
  middleware?: readonly Middleware[];
}

/** A body that can be sent again on a retry. A ReadableStream cannot, so a request with one is never repeated. */
export type RequestBody = string | Uint8Array | ArrayBuffer | Blob | URLSearchParams | FormData | ReadableStream<Uint8Array>;

/** One request as the layers see it. */
export interface SendRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: RequestBody;
  signal?: AbortSignal;
  /** undefined: the client's default provider; false: none. */
  auth?: AuthProvider | false;
  retry: boolean;
  timeoutMs: number;
  /** Read the whole reply inside the timeout (request) instead of handing back the stream (requestRaw). */
  buffer: boolean;
  /** Replaces fetch for this request (streamed uploads use node:http). */
  transport?: Transport;
  /** 0 for the first try; set by the retry layer. */
  attempt?: number;
}

export interface TransportRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: RequestBody;
  signal: AbortSignal;
}
export type Transport = (req: TransportRequest) => Promise<Response>;
export type Handler = (req: SendRequest) => Promise<Response>;
export type Middleware = (next: Handler, client: HttpClient) => Handler;

interface CommonRequest {
  method?: HttpMethod;
  /** Appended to the base URL as written (`/atlas/auth/sign-In`); encode ids with encodeURIComponent. */
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  auth?: AuthProvider | false;
  signal?: AbortSignal;
  /** false: one attempt only (a POST that must not be repeated). Default true. */
  retry?: boolean;
  /** Statuses that count as success. Default 200–299. */
  okStatuses?: readonly number[];
  timeoutMs?: number;
}

export interface RequestOptions<T> extends CommonRequest {
  /** Sent as application/json. */
  json?: unknown;
  body?: RequestBody;
  /** The reply is parsed as JSON (else passed as text; an empty body as undefined) and must fit this schema. */
  schema: z.ZodType<T>;
}

export interface RawRequestOptions extends CommonRequest {
  json?: unknown;
  body?: RequestBody;
  transport?: Transport;
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const ERROR_BODY_LIMIT = 64 * 1024;

export class HttpClient {
  readonly service: CloudServiceName;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly defaultAuth: AuthProvider | undefined;
  readonly maxReplyBytes: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  readonly userAgent: string;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly handler: Handler;
  private readonly refreshing = new WeakMap<AuthProvider, Promise<boolean>>();

  constructor(options: HttpClientOptions) {
    this.service = options.service;
    this.baseUrl = checkBaseUrl(options.baseUrl, options.service);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = Math.max(0, Math.min(options.maxRetries ?? 3, 3));
    this.defaultAuth = options.auth;
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
    this.random = options.random ?? Math.random;
    this.userAgent = options.userAgent ?? 'KrakenStudio/0.1';
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.maxReplyBytes = options.maxReplyBytes ?? 32 * 1048576;
    const layers: Middleware[] = [...(options.middleware ?? []), authLayer, retryLayer, timeoutLayer];
    this.handler = layers.reduceRight<Handler>((next, layer) => layer(next, this), (req) => this.transport(req));
  }

  /** The full URL for a path and query (the path is appended to the base as written). */
  url(path: string, query?: Query): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
      // A full URL here would send our credentials to another host.
      throw new AppError('INTERNAL', safeOrigin(path) ? say('cloud.path_not_relative', { origin: safeOrigin(path) }) : say('cloud.path_not_relative_url', {}));
    }
    let url = `${this.baseUrl}/${path.replace(/^\/+/, '')}`;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        const values = Array.isArray(v) ? v : [v];
        for (const one of values) if (one !== undefined && one !== null) qs.append(k, String(one));
      }
      const s = qs.toString();
      if (s) url += (url.includes('?') ? '&' : '?') + s;
    }
    return url;
  }

  /** Runs one request through every layer; the reply comes back whatever its status (the caller maps errors). */
  send(req: SendRequest): Promise<Response> {
    if (req.signal?.aborted) return Promise.reject(cancelledError());
    return this.handler(req);
  }

  /** Sends, checks the status, parses the reply with `schema`. Errors are AppErrors with a plain sentence. */
  async request<T>(opts: RequestOptions<T>): Promise<T> {
    const res = await this.send(this.build(opts, true));
    return this.parseReply(res, opts.schema, opts.okStatuses);
  }

  /** Checks a reply's status and parses its body (JSON, else text, empty as undefined) with `schema`. */
  async parseReply<T>(res: Response, schema: z.ZodType<T>, okStatuses?: readonly number[]): Promise<T> {
    if (!isOk(res.status, okStatuses)) throw await this.errorFrom(res);
    const text = await res.text();
    const data = text === '' ? undefined : parseLoose(text);
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw badReplyError(this.service, res.status, parsed.error.issues);
    return parsed.data;
  }

  /** Sends and checks the status; the body is left unread for the caller to stream (downloads, binary replies). */
  async requestRaw(opts: RawRequestOptions): Promise<Response> {
    const res = await this.send({ ...this.build(opts, false), transport: opts.transport });
    if (!isOk(res.status, opts.okStatuses)) throw await this.errorFrom(res);
    return res;
  }

  /** The AppError for a reply with a failing status (reads at most 64 KB of its body). */
  async errorFrom(res: Response): Promise<AppError> {
    const body = await readCapped(res, ERROR_BODY_LIMIT).catch(() => '');
    return httpError({ service: this.service, status: res.status, headers: res.headers, body });
  }

  /** Maps a thrown transport error to NETWORK (or CANCELLED when the caller aborted). */
  mapNetworkError(err: unknown, opts: { callerSignal?: AbortSignal; timedOut?: boolean; timeoutMs?: number; reason?: NetworkReason } = {}): AppError {
    if (err instanceof AppError) return err;
    if (opts.callerSignal?.aborted) return cancelledError();
    if (opts.timedOut) return networkError(this.service, 'timeout', { timeoutMs: opts.timeoutMs ?? this.timeoutMs });
    const code = errnoOf(err);
    const reason: NetworkReason =
      opts.reason ?? (code && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|UND_ERR_CONNECT_TIMEOUT)$/.test(code) ? 'unreachable' : 'dropped');
    if (!code && !isFetchFailure(err)) {
      // Not the network: a bug (a bad header value, …). Say so rather than retrying it.
      return new AppError('INTERNAL', say('cloud.request_not_made', { ...serviceParams(this.service), error: err instanceof Error ? err.message : String(err) }));
    }
    return networkError(this.service, code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' ? 'timeout' : reason, {
      origin: safeOrigin(this.baseUrl),
      errno: code,
      timeoutMs: this.timeoutMs,
    });
  }

  /** Waits `ms` with the client's sleep (tests replace it); CANCELLED when the signal aborts. */
  async wait(ms: number, signal?: AbortSignal): Promise<void> {
    try {
      await this.sleep(ms, signal);
    } catch {
      throw cancelledError();
    }
    if (signal?.aborted) throw cancelledError();
  }

  /** Back-off before retry number `attempt` (0-based): full jitter over an exponential cap. */
  backoffMs(attempt: number): number {
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return Math.floor(this.random() * cap);
  }

  private build(opts: RawRequestOptions, buffer: boolean): SendRequest {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: buffer ? 'application/json' : '*/*' };
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    }
    return {
      method: opts.method ?? (body !== undefined ? 'POST' : 'GET'),
      url: this.url(opts.path, opts.query),
      headers,
      body,
      signal: opts.signal,
      auth: opts.auth,
      retry: opts.retry ?? true,
      timeoutMs: opts.timeoutMs ?? this.timeoutMs,
      buffer,
    };
  }

  private transport(req: SendRequest): Promise<Response> {
    const t: TransportRequest = { method: req.method, url: req.url, headers: req.headers, body: req.body, signal: req.signal ?? new AbortController().signal };
    if (req.transport) return req.transport(t);
    const init: RequestInit & { duplex?: 'half' } = { method: t.method, headers: t.headers, body: (t.body ?? null) as RequestInit['body'], signal: t.signal, redirect: 'follow' };
    if (t.body instanceof ReadableStream) init.duplex = 'half';
    return this.fetchImpl(t.url, init);
  }

  /** One refresh at a time per provider: concurrent 401s share it. */
  refreshOnce(auth: AuthProvider): Promise<boolean> {
    let p = this.refreshing.get(auth);
    if (!p) {
      p = auth.refresh().finally(() => this.refreshing.delete(auth));
      this.refreshing.set(auth, p);
    }
    return p;
  }

  /** @internal for the layers */
  get layerConfig() {
    return { sleep: this.sleep, maxRetries: this.maxRetries, maxRetryAfterMs: this.maxRetryAfterMs };
  }
}

/** auth: sets Authorization; a 401 refreshes once and repeats once. */
const authLayer: Middleware = (next, client) => async (req) => {
  const auth = req.auth === false ? undefined : (req.auth ?? client.defaultAuth);
  if (!auth) return next(req);
  const withHeader = (value: string | null): SendRequest => {
    const headers = { ...req.headers };
    if (value) headers.authorization = value;
    else delete headers.authorization;
    return { ...req, headers };
  };
  const sent = await auth.header();
  const res = await next(withHeader(sent));
  if (res.status !== 401 || req.body instanceof ReadableStream) return res;
  // Keep the refusal's body: if the refresh fails, its message is the one to show.
  const text = await readCapped(res, ERROR_BODY_LIMIT).catch(() => '');
  // Refused with credentials that were replaced meanwhile (another request's refresh): just repeat with the new ones.
  const now = await auth.header();
  if (now && now !== sent) return next(withHeader(now));
  if (!(await client.refreshOnce(auth))) return new Response(text, { status: 401, headers: res.headers });
  return next(withHeader(await auth.header()));
};

/** retry: network errors, 408/429/5xx; exponential back-off with full jitter; Retry-After honoured. */
const retryLayer: Middleware = (next, client) => async (req) => {
  const { sleep, maxRetries, maxRetryAfterMs } = client.layerConfig;
  const canRetry = req.retry && !(req.body instanceof ReadableStream);
  for (let attempt = 0; ; attempt++) {
    let wait: number;
    try {
      const res = await next({ ...req, attempt });
      if (!canRetry || attempt >= maxRetries || !RETRY_STATUSES.has(res.status)) return res;
      const asked = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers) : undefined;
      // A long wait is the caller's to schedule (the outbox does); the error carries retryAfterMs.
      if (asked !== undefined && asked > maxRetryAfterMs) return res;
      wait = asked ?? client.backoffMs(attempt);
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      const e = err instanceof AppError ? err : client.mapNetworkError(err, { callerSignal: req.signal });
      if (!canRetry || attempt >= maxRetries || e.code !== 'NETWORK') throw e;
      wait = client.backoffMs(attempt);
    }
    try {
      await sleep(wait, req.signal);
    } catch {
      throw cancelledError();
    }
    if (req.signal?.aborted) throw cancelledError();
  }
};

/** timeout and cancel: each attempt gets its own deadline; the caller's signal aborts it at once. */
const timeoutLayer: Middleware = (next, client) => async (req) => {
  const deadline = new AbortController();
  // Infinity (or 0): no overall deadline — streamed uploads watch for a stalled socket instead.
  const timer = Number.isFinite(req.timeoutMs) && req.timeoutMs > 0 ? setTimeout(() => deadline.abort(), req.timeoutMs) : undefined;
  const signal = req.signal ? AbortSignal.any([req.signal, deadline.signal]) : deadline.signal;
  try {
    const res = await next({ ...req, signal });
    if (!req.buffer) return res;
    // Read the whole reply inside the deadline, so a reply that stalls halfway is a timeout and can be retried.
    const bytes = await readAll(res, client.maxReplyBytes, client.service);
    const bodyless = res.status === 204 || res.status === 205 || res.status === 304 || res.status < 200;
    return new Response(bodyless ? null : (bytes as Uint8Array<ArrayBuffer>), { status: res.status, statusText: res.statusText, headers: res.headers });
  } catch (err) {
    throw client.mapNetworkError(err, { callerSignal: req.signal, timedOut: deadline.signal.aborted && !req.signal?.aborted, timeoutMs: req.timeoutMs });
  } finally {
    clearTimeout(timer);
  }
};

function checkBaseUrl(baseUrl: string, service: CloudServiceName): string {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    throw new AppError('INVALID_INPUT', say('cloud.address_not_url', { ...serviceParams(service), url: baseUrl }), { service });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new AppError('INVALID_INPUT', say('cloud.address_protocol', serviceParams(service)), { service });
  }
  if (u.search || u.hash) throw new AppError('INVALID_INPUT', say('cloud.address_query', serviceParams(service)), { service });
  return u.toString().replace(/\/+$/, '');
}

function isOk(status: number, okStatuses?: readonly number[]): boolean {
  return okStatuses ? okStatuses.includes(status) : status >= 200 && status < 300;
}

function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A buffered (JSON) reply, refused past `limit` bytes: a misrouted download must not fill the memory. */
async function readAll(res: Response, limit: number, service: CloudServiceName): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  const tooBig = () =>
    new AppError('REMOTE', say('cloud.reply_too_large', { ...serviceParams(service), mb: Math.round(limit / 1048576) }), { service, status: res.status });
  if (declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw tooBig();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads at most `limit` bytes of a body as text, then lets the rest go. */
export async function readCapped(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function errnoOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
  }
  return undefined;
}

function isFetchFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'AbortError' || /^(fetch failed|terminated|other side closed|socket hang up)/i.test(err.message);
}

export interface RequestLogLine {
  service: CloudServiceName;
  method: HttpMethod;
  /** The path without its query (query values can be ids or cursors; they stay out of logs). */
  path: string;
  status: number | null;
  ms: number;
  /** The error code when no reply came (NETWORK, CANCELLED, …). */
  error?: string;
}

/**
 * A logging layer (pass it in `middleware`): one line per request with method, path, status and time — never
 * headers, query values or bodies, so a token cannot reach a log through it.
 */
export function loggingLayer(log: (line: RequestLogLine) => void): Middleware {
  return (next, client) => async (req) => {
    const started = performance.now();
    let path = req.url;
    try {
      const u = new URL(req.url);
      path = u.pathname;
    } catch {
      // keep the raw value (it came from client.url, so it parses)
    }
    try {
      const res = await next(req);
      log({ service: client.service, method: req.method, path, status: res.status, ms: Math.round(performance.now() - started) });
      return res;
    } catch (err) {
      log({ service: client.service, method: req.method, path, status: null, ms: Math.round(performance.now() - started), error: err instanceof AppError ? err.code : 'INTERNAL' });
      throw err;
    }
  };
}
