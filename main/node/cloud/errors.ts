/**
 * One place that turns a remote service's failure into an AppError with a plain sentence. Every seed writes its
 * errors differently (`{message}` Atlas, `{error:{code,message}}` vision, `{success:false,error}` Solana,
 * `{statusCode, errMessage}` compute), so the service's own words are dug out of any of those shapes; a stack
 * trace, an HTML error page or a token never reaches the user.
 */
import { AppError } from '../../common/app-error';
import type { ErrorCode } from '../../common/contract';
import { MESSAGES, say, type Said } from '../../common/messages';

export const CLOUD_SERVICES = ['atlas', 'vision', 'solana', 'compute', 'network'] as const;
export type CloudServiceName = (typeof CLOUD_SERVICES)[number];

/**
 * "Atlas service", "vision training platform", … — for sentences that start with "The". The English names live in
 * the message registry (`cloud.service.<name>`), so the renderer shows them in the creator's language.
 */
export function serviceLabel(service: CloudServiceName): string {
  return MESSAGES[`cloud.service.${service}`].en({});
}

/** The parameters every cloud sentence carries: the service's key (the renderer translates its name) and its English label. */
export function serviceParams(service: CloudServiceName): { service: string; label: string } {
  return { service, label: serviceLabel(service) };
}

/** What every cloud AppError carries in `details`: never a token, never a request body. */
export interface CloudErrorDetails {
  service: CloudServiceName;
  /** HTTP status; absent when no reply came (network errors). */
  status?: number;
  /** How long the service asked us to wait (Retry-After / X-RateLimit-Reset). */
  retryAfterMs?: number;
  /** The service's own words, cleaned (no HTML, no stack, tokens masked). */
  serviceMessage?: string;
  /** A machine code the service gave (`error.code` of the vision platform), when any. */
  serviceCode?: string;
  /** For network errors: what went wrong. */
  reason?: NetworkReason;
  [key: string]: unknown;
}

export type NetworkReason = 'unreachable' | 'timeout' | 'dropped' | 'interrupted';

const MAX_MESSAGE = 300;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const STACK_LINE = /^\s*at\s+\S.*(\(|:\d+:\d+)/m;

/** Cleans one candidate message: one line, no control characters, tokens masked; null when it is not a sentence. */
function clean(text: string): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach the UI
  let s = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  if (STACK_LINE.test(s) || /^\s*(<|<!doctype|<html)/i.test(s) || /<\/?(html|body|head|div|h1|p|pre|title)\b/i.test(s)) return null;
  // A thrown error's first line is the useful part ("Error: x\n    at …" is cut before the stack anyway).
  s = s.split(/\r?\n/)[0]!.replace(/\s+/g, ' ').trim();
  s = s.replace(JWT, '[token]').replace(BEARER, '$1 [token]');
  if (!s) return null;
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1).trimEnd()}…` : s;
}

function fromArray(items: unknown[]): string | null {
  const parts = items
    .map((x) => (typeof x === 'string' ? x : x && typeof x === 'object' ? pick(x as Record<string, unknown>) : null))
    .filter((x): x is string => !!x);
  return parts.length ? parts.slice(0, 5).join('; ') : null;
}

// Keys in the order they are most likely to hold a human sentence.
function pick(o: Record<string, unknown>): string | null {
  for (const key of ['message', 'errMessage', 'error_description', 'detail', 'msg', 'error', 'errors', 'title']) {
    const v = o[key];
    if (typeof v === 'string' && v.trim()) return v;
    if (Array.isArray(v)) {
      const joined = fromArray(v);
      if (joined) return joined;
    }
    if (v && typeof v === 'object') {
      const inner = pick(v as Record<string, unknown>);
      if (inner) return inner;
    }
  }
  return null;
}

/**
 * The service's own message from a reply body (parsed JSON, or the raw text), or null when there is none worth
 * showing. Accepts every seed's shape and NestJS's `{message: string[]}`.
 */
export function extractServiceMessage(body: unknown): string | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') {
    const t = body.trim();
    if (!t) return null;
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        return extractServiceMessage(JSON.parse(t));
      } catch {
        return null;
      }
    }
    return clean(t);
  }
  if (Array.isArray(body)) {
    const s = fromArray(body);
    return s ? clean(s) : null;
  }
  if (typeof body === 'object') {
    const s = pick(body as Record<string, unknown>);
    return s ? clean(s) : null;
  }
  return null;
}

/** The vision platform's `error.code` (or a top-level `code` string), when the reply has one. */
export function extractServiceCode(body: unknown): string | undefined {
  let o = body;
  if (typeof o === 'string') {
    try {
      o = JSON.parse(o);
    } catch {
      return undefined;
    }
  }
  if (!o || typeof o !== 'object') return undefined;
  const rec = o as Record<string, unknown>;
  const err = rec.error;
  const code = err && typeof err === 'object' ? (err as Record<string, unknown>).code : rec.code;
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined;
}

/** Headers as a plain getter, so both fetch's Headers and node:http's IncomingHttpHeaders fit. */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function header(h: HeaderSource | undefined, name: string): string | null {
  if (!h) return null;
  if (typeof (h as { get?: unknown }).get === 'function') return (h as { get(n: string): string | null }).get(name);
  const v = (h as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

/**
 * How long the service asks us to wait, in ms: `Retry-After` (seconds or an HTTP date), else `X-RateLimit-Reset`
 * (epoch seconds; a small number is read as seconds from now, as some services send).
 */
export function retryAfterMs(headers: HeaderSource | undefined, now: number = Date.now()): number | undefined {
  const ra = header(headers, 'retry-after')?.trim();
  if (ra) {
    if (/^\d+(\.\d+)?$/.test(ra)) return Math.round(Number(ra) * 1000);
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = header(headers, 'x-ratelimit-reset')?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset)) {
    const n = Number(reset);
    return n > 1e9 ? Math.max(0, Math.round(n * 1000 - now)) : Math.round(n * 1000);
  }
  return undefined;
}

function sentence(s: string): string {
  return /[.!?…)"”]$/.test(s) ? s : `${s}.`;
}

/** A wait in whole seconds, or in minutes from 2 minutes on ("30 s", "3 minutes" in English). */
function wait(ms: number): { seconds: number } | { minutes: number } {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return s >= 120 ? { minutes: Math.ceil(s / 60) } : { seconds: s };
}

export interface HttpErrorInput {
  service: CloudServiceName;
  status: number;
  headers?: HeaderSource;
  /** The reply body: raw text or already-parsed JSON. Only its message is kept. */
  body?: unknown;
  now?: number;
}

/** Maps an HTTP failure (a reply with a non-success status) to an AppError with a plain sentence. */
export function httpError({ service, status, headers, body, now }: HttpErrorInput): AppError {
  const who = serviceParams(service);
  const msg = extractServiceMessage(body);
  const details: CloudErrorDetails = { service, status };
  if (msg) details.serviceMessage = msg;
  const code = extractServiceCode(body);
  if (code) details.serviceCode = code;

  if (status === 429) {
    const ms = retryAfterMs(headers, now);
    if (ms !== undefined) details.retryAfterMs = ms;
    return new AppError('RATE_LIMITED', busy(who, ms === undefined ? undefined : wait(ms), msg ? sentence(msg) : undefined), details);
  }
  if (status >= 500 || status < 400) {
    const ms = status === 503 ? retryAfterMs(headers, now) : undefined;
    if (ms !== undefined) details.retryAfterMs = ms;
    return new AppError('REMOTE', msg ? say('cloud.http_5xx_said', { ...who, status, server: msg.replace(/[.!]$/, '') }) : say('cloud.http_5xx', { ...who, status }), details);
  }
  const table: Record<number, [ErrorCode, Said]> = {
    400: ['INVALID_INPUT', say('cloud.http_invalid', { ...who, status })],
    401: ['UNAUTHORIZED', say('cloud.http_401', who)],
    403: ['FORBIDDEN', say('cloud.http_403', who)],
    404: ['NOT_FOUND', say('cloud.http_404', who)],
    409: ['CONFLICT', say('cloud.http_409', who)],
    413: ['INVALID_INPUT', say('cloud.http_413', who)],
    422: ['INVALID_INPUT', say('cloud.http_invalid', { ...who, status })],
  };
  const [errCode, fallback] = table[status] ?? ['REMOTE', say('cloud.http_refused', { ...who, status })];
  return new AppError(errCode, msg ? saidByService(service, msg) : fallback, details);
}

/** "The Atlas service said: …" — the service's own words (untranslated), made a sentence. */
export function saidByService(service: CloudServiceName, serviceMessage: string): Said {
  return say('cloud.said', { ...serviceParams(service), server: sentence(serviceMessage) });
}

function busy(who: { service: string; label: string }, w: { seconds: number } | { minutes: number } | undefined, server: string | undefined): Said {
  if (!w) return server ? say('cloud.busy_said', { ...who, server }) : say('cloud.busy', who);
  if ('minutes' in w) return server ? say('cloud.busy_minutes_said', { ...who, ...w, server }) : say('cloud.busy_minutes', { ...who, ...w });
  return server ? say('cloud.busy_seconds_said', { ...who, ...w, server }) : say('cloud.busy_seconds', { ...who, ...w });
}

/** The reply arrived but does not fit the schema written from the seed. */
export function badReplyError(service: CloudServiceName, status: number, issues?: readonly { path: readonly PropertyKey[] }[]): AppError {
  const details: CloudErrorDetails = { service, status };
  // Only where the reply broke the schema, never its values (they could be tokens).
  if (issues?.length) details.issues = issues.slice(0, 10).map((i) => i.path.map(String).join('.') || '(root)');
  return new AppError('REMOTE', say('cloud.bad_reply', serviceParams(service)), details);
}

/** A failure with no HTTP reply: unreachable, timed out, the connection dropped, an upload interrupted. */
export function networkError(service: CloudServiceName, reason: NetworkReason, opts: { origin?: string; timeoutMs?: number; errno?: string } = {}): AppError {
  const who = serviceParams(service);
  const details: CloudErrorDetails = { service, reason };
  if (opts.errno) details.errno = opts.errno;
  switch (reason) {
    case 'timeout': {
      const w = wait(opts.timeoutMs ?? 0);
      return new AppError('NETWORK', 'minutes' in w ? say('cloud.timeout_minutes', { ...who, ...w }) : say('cloud.timeout_seconds', { ...who, ...w }), details);
    }
    case 'dropped':
      return new AppError('NETWORK', say('cloud.dropped', who), details);
    case 'interrupted':
      return new AppError('NETWORK', say('cloud.interrupted', who), details);
    default:
      return new AppError('NETWORK', opts.origin ? say('cloud.unreachable_at', { ...who, origin: opts.origin }) : say('cloud.unreachable', who), details);
  }
}

/** An AppError's sentence as it travels (code and parameters kept), to build another AppError from it. */
export function saidOf(e: AppError): Said | string {
  return e.messageCode ? { messageCode: e.messageCode, messageParams: e.messageParams ?? {}, message: e.message } : e.message;
}

/** A URL's origin without any user:password part, for messages. */
export function safeOrigin(url: string | URL): string {
  try {
    const u = new URL(String(url));
    return `${u.protocol}//${u.host}`;
  } catch {
    return '';
  }
}

export function cancelledError(): AppError {
  return new AppError('CANCELLED', say('cloud.cancelled', {}));
}

/** Network trouble, 429 and 5xx are worth another try; 4xx, replies that break the schema and cancellations are not. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof AppError)) return false;
  if (err.code === 'NETWORK' || err.code === 'RATE_LIMITED') return true;
  const status = (err.details as CloudErrorDetails | undefined)?.status;
  return err.code === 'REMOTE' && typeof status === 'number' && status >= 500;
}
