/**
 * The vision platform's layers over the shared HttpClient:
 * - errors: seed 001's `{error:{code, message, details, request_id}}` becomes an AppError with a plain sentence that
 *   keeps the request id for support, and 422 `details.errors[]` as `fieldErrors` the UI puts next to the fields;
 * - rate limits: X-RateLimit-Limit/Remaining/Reset are read on every reply; the client slows down before the window
 *   is used up (spacing the last requests over what is left of it, none at all at 0), and on a 429 it holds every
 *   request until the reset time (X-RateLimit-Reset, Retry-After, or the body's `details.reset_at`) and says until
 *   when (`onWait`) — it never hammers. 503 is retried with back-off by the shared retry layer; 401 refreshes once
 *   through the session (the shared auth layer).
 */
import { AppError } from '../../../common/app-error';
import type { VisionFieldError, VisionRateLimit } from '../../../common/contract/vision';
import { say, type Said } from '../../../common/messages';
import { cancelledError, httpError, retryAfterMs, saidOf, serviceParams } from '../errors';
import { HttpClient, readCapped, type HttpClientOptions, type Middleware, type Transport } from '../http-client';

const ERROR_BODY_LIMIT = 64 * 1024;
/** Added to a 429's reset time (see observe). */
const RESET_MARGIN_MS = 250;

export interface RateGateOptions {
  now?: () => number;
  /** Waits (tests make it instant or observable). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told when the studio starts holding requests back, and until when. */
  onWait?: (w: { until: number; waitMs: number; limit: number | null; remaining: number | null; reason: '429' | 'window' }) => void;
  /** Longest wait the gate will sit through before a request (longer: the request fails with RATE_LIMITED). Default 2 min. */
  maxWaitMs?: number;
  /** When remaining falls to this share of the limit, requests are spaced over the rest of the window. Default 0.05. */
  slowShare?: number;
}

/** Reads a 429 body's `details.reset_at` (an ISO time, or epoch seconds). */
function resetFromBody(text: string, now: number): number | null {
  try {
    const j = JSON.parse(text) as { error?: { details?: { reset_at?: unknown; retry_after?: unknown } } };
    const d = j?.error?.details;
    const at = d?.reset_at;
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at))) return Date.parse(at);
    if (typeof at === 'number' && Number.isFinite(at)) return at > 1e12 ? at : at > 1e9 ? at * 1000 : now + at * 1000;
    if (typeof d?.retry_after === 'number') return now + d.retry_after * 1000;
  } catch {
    // not JSON
  }
  return null;
}

function num(h: Headers, name: string): number | null {
  const v = h.get(name)?.trim();
  return v && /^\d+(\.\d+)?$/.test(v) ? Number(v) : null;
}

/** What every reply says about the rate limit, shared by all requests to one platform address. */
export class RateGate {
  limit: number | null = null;
  remaining: number | null = null;
  /** ms since epoch */
  resetAt: number | null = null;
  waitingUntil: number | null = null;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private announced = 0;

  constructor(private readonly opts: RateGateOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.sleep =
      opts.sleep ??
      ((ms, signal) =>
        new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, ms);
          signal?.addEventListener('abort', () => (clearTimeout(t), reject(cancelledError())), { once: true });
        }));
  }

  /** The state for the UI. */
  state(): VisionRateLimit {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const waiting = this.waitingUntil !== null && this.waitingUntil > this.now() ? this.waitingUntil : null;
    return { limit: this.limit, remaining: this.remaining, resetAt: iso(this.resetAt), waitingUntil: iso(waiting) };
  }

  /** Reads the three headers of a reply (and a 429's reset); returns the reset time to wait for on a 429. */
  observe(status: number, headers: Headers, bodyText?: string): number | null {
    const now = this.now();
    const limit = num(headers, 'x-ratelimit-limit');
    const remaining = num(headers, 'x-ratelimit-remaining');
    const reset = headers.get('x-ratelimit-reset');
    if (limit !== null) this.limit = limit;
    if (remaining !== null) this.remaining = remaining;
    if (reset !== null) {
      const ms = retryAfterMs({ get: (n: string) => (n === 'x-ratelimit-reset' ? reset : null) }, now);
      if (ms !== undefined) this.resetAt = now + ms;
    }
    if (status !== 429) return null;
    // The latest of what the platform said (Retry-After, X-RateLimit-Reset, the body's reset_at), plus a margin: a
    // reset in whole seconds may be rounded down, and a request a moment early would only be refused again.
    const ra = headers.get('retry-after');
    const asked = ra ? retryAfterMs({ get: (n: string) => (n === 'retry-after' ? ra : null) }, now) : undefined;
    const candidates = [asked !== undefined ? now + asked : null, reset !== null ? this.resetAt : null, resetFromBody(bodyText ?? '', now)].filter((x): x is number => x !== null);
    const until = (candidates.length ? Math.max(...candidates) : now + 1000) + RESET_MARGIN_MS;
    this.remaining = 0;
    this.hold(Math.max(until, now), '429');
    return until;
  }

  private hold(until: number, reason: '429' | 'window'): void {
    this.waitingUntil = Math.max(this.waitingUntil ?? 0, until);
    if (this.waitingUntil !== this.announced) {
      this.announced = this.waitingUntil;
      this.opts.onWait?.({ until: this.waitingUntil, waitMs: Math.max(0, this.waitingUntil - this.now()), limit: this.limit, remaining: this.remaining, reason });
    }
  }

  /** How long to wait before the next request: the hold after a 429, or spacing when the window is nearly used. */
  delayMs(): number {
    const now = this.now();
    if (this.waitingUntil !== null && this.waitingUntil > now) return this.waitingUntil - now;
    if (this.resetAt === null || this.resetAt <= now || this.remaining === null) return 0;
    if (this.remaining <= 0) {
      this.hold(this.resetAt, 'window');
      return this.resetAt - now;
    }
    const slow = Math.max(1, Math.floor((this.limit ?? 0) * (this.opts.slowShare ?? 0.05)));
    if (this.remaining > slow) return 0;
    // Spread what is left over the rest of the window, and count this request as sent.
    const gap = Math.floor((this.resetAt - now) / (this.remaining + 1));
    this.remaining -= 1;
    return gap;
  }

  /** Waits as `delayMs` says; RATE_LIMITED when that is longer than the gate may wait. */
  async before(signal?: AbortSignal): Promise<void> {
    const ms = this.delayMs();
    if (ms <= 0) return;
    const max = this.opts.maxWaitMs ?? 120_000;
    if (ms > max) {
      throw new AppError('RATE_LIMITED', say('vision.wait_until', { ...serviceParams('vision'), until: new Date(this.now() + ms).toISOString() }), {
        service: 'vision',
        status: 429,
        retryAfterMs: ms,
        waitingUntil: new Date(this.now() + ms).toISOString(),
      });
    }
    await this.sleep(ms, signal);
  }

  /** A fetch (or transport) that reads the headers of every attempt and gives a 429 the Retry-After it implies. */
  wrap<F extends (...args: never[]) => Promise<Response>>(send: F): F {
    return (async (...args: Parameters<F>) => {
      const res = await send(...args);
      if (res.status !== 429) {
        this.observe(res.status, res.headers);
        if (res.status >= 500 && res.headers.has('x-ratelimit-reset') && !res.headers.has('retry-after')) {
          // Every vision reply carries the rate window's reset; for a 5xx it is not a "come back then" (the shared
          // retry layer would read it so): without Retry-After a 503 is retried with back-off.
          const headers = new Headers(res.headers);
          headers.delete('x-ratelimit-reset');
          return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
        }
        return res;
      }
      const text = await readCapped(res, ERROR_BODY_LIMIT).catch(() => '');
      const until = this.observe(429, res.headers, text)!;
      const headers = new Headers(res.headers);
      // The shared retry layer waits for Retry-After: it waits until the reset, whichever way the platform said it.
      headers.set('retry-after', String(Math.max(0, (until - this.now()) / 1000)));
      return new Response(text, { status: 429, statusText: res.statusText, headers });
    }) as F;
  }

  /**
   * The outermost layer: waits before each request as the gate says, wraps a custom transport (streamed uploads) so
   * its replies are read too, and repeats once a request the retry layer would not repeat (a create call) after a
   * 429 — the platform did not take it, so sending it after the reset is safe.
   */
  layer(): Middleware {
    return (next) => async (req) => {
      const wrapped = req.transport ? { ...req, transport: this.wrap(req.transport as Transport) } : req;
      for (let tries = 0; ; tries++) {
        await this.before(req.signal);
        const res = await next(wrapped);
        if (res.status !== 429 || tries >= 1 || (req.retry && !(req.body instanceof ReadableStream))) return res;
        await res.body?.cancel().catch(() => undefined);
      }
    };
  }
}

/** The seed's error body, read liberally. */
interface SeedError {
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
  requestId?: string;
}

function seedError(text: string): SeedError | null {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return null;
  }
  if (!j || typeof j !== 'object') return null;
  const e = (j as { error?: unknown }).error;
  const src = (e && typeof e === 'object' ? e : j) as Record<string, unknown>;
  const out: SeedError = {};
  if (typeof src.code === 'string') out.code = src.code;
  if (typeof src.message === 'string') out.message = src.message;
  if (src.details && typeof src.details === 'object' && !Array.isArray(src.details)) out.details = src.details as Record<string, unknown>;
  const rid = src.request_id ?? (j as Record<string, unknown>).request_id;
  if (typeof rid === 'string' || typeof rid === 'number') out.requestId = String(rid).slice(0, 100);
  return out;
}

/** 422 `details.errors[]` (and a 400's single `details.field` + `reason`) as field errors. */
export function fieldErrorsOf(details: Record<string, unknown> | undefined): VisionFieldError[] {
  if (!details) return [];
  const out: VisionFieldError[] = [];
  if (Array.isArray(details.errors)) {
    for (const e of details.errors) {
      if (!e || typeof e !== 'object') continue;
      const r = e as Record<string, unknown>;
      const field = typeof r.field === 'string' ? r.field : Array.isArray(r.loc) ? r.loc.map(String).join('.') : null;
      const message = typeof r.message === 'string' ? r.message : typeof r.msg === 'string' ? r.msg : null;
      if (field && message) out.push({ field, message: message.slice(0, 300), ...('value' in r ? { value: r.value } : {}) });
    }
  } else if (typeof details.field === 'string' && typeof details.reason === 'string') {
    out.push({ field: details.field, message: details.reason.slice(0, 300) });
  }
  return out.slice(0, 50);
}

/** Details worth keeping for the UI: short scalar values and short string lists (never the whole body). */
function keptDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!details) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (k === 'errors') continue;
    if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'string' && v.length <= 300) out[k] = v;
    else if (Array.isArray(v) && v.length <= 50 && v.every((x) => typeof x === 'string' || typeof x === 'number')) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Maps a failing reply of the vision platform to an AppError: plain sentence, request id, field errors. */
export function visionHttpError(status: number, headers: Headers | undefined, text: string, now?: number): AppError {
  const base = httpError({ service: 'vision', status, headers, body: text, now });
  const e = seedError(text);
  if (!e) return base;
  const fieldErrors = fieldErrorsOf(e.details);
  const details: Record<string, unknown> = { ...(base.details ?? {}) };
  if (e.requestId) details.requestId = e.requestId;
  if (e.code) details.serviceCode = e.code;
  if (fieldErrors.length) details.fieldErrors = fieldErrors;
  const kept = keptDetails(e.details);
  if (kept) details.serviceDetails = kept;
  let said = saidOf(base);
  if (fieldErrors.length) {
    const list = fieldErrors
      .slice(0, 5)
      .map((f) => `${f.field}: ${f.message}`)
      .join('; ');
    said = say('cloud.refused_values', { ...serviceParams('vision'), list });
  } else if (typeof kept?.reason === 'string' && e.message && !base.message.includes(kept.reason)) {
    said = withNote(said, 'noteReason', kept.reason);
  }
  if (e.requestId) said = withNote(said, 'noteRequestId', e.requestId);
  return new AppError(base.code, said, details);
}

/**
 * A note after the sentence (the platform's reason, its request id): the English gets it as before; a coded sentence
 * keeps its code, with the note in a parameter the renderer adds in the language shown (renderer/src/i18n/say.ts).
 */
function withNote(said: Said | string, note: 'noteReason' | 'noteRequestId', value: string): Said | string {
  const english = typeof said === 'string' ? said : said.message;
  const text =
    note === 'noteReason'
      ? say('cloud.note_reason', { sentence: english.replace(/\.$/, ''), noteReason: value }).message
      : say('cloud.note_request_id', { sentence: english, noteRequestId: value }).message;
  return typeof said === 'string' ? text : { ...said, messageParams: { ...said.messageParams, [note]: value }, message: text };
}

/** The HttpClient with the vision platform's error reading. */
export class VisionHttpClient extends HttpClient {
  override async errorFrom(res: Response): Promise<AppError> {
    const text = await readCapped(res, ERROR_BODY_LIMIT).catch(() => '');
    return visionHttpError(res.status, res.headers, text);
  }
}

export interface VisionClientOptions extends Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>> {
  baseUrl: string;
  gate: RateGate;
}

/** One client per address: the gate outermost, the given fetch wrapped so every attempt's headers are read. */
export function createVisionClient(o: VisionClientOptions): VisionHttpClient {
  const { gate, baseUrl, ...rest } = o;
  return new VisionHttpClient({
    maxRetryAfterMs: 120_000,
    ...rest,
    service: 'vision',
    baseUrl,
    fetch: gate.wrap(rest.fetch ?? fetch),
    middleware: [gate.layer(), ...(rest.middleware ?? [])],
  });
}
