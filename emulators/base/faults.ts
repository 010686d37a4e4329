/**
 * Fault injection: 5xx replies (always, at a rate, or for the next N requests), slow replies, and a connection
 * cut after N bytes of an upload or of a download. Rules match `METHOD /path` globs; admin routes are exempt.
 */
import { Transform, type TransformCallback } from 'node:stream';

export interface FaultRule {
  /** `"POST /atlas/item/*"`, `"/atlas/me"` (any method) or `"*"`; `*` matches any characters. Default: every route. */
  route?: string;
  /** Reply with this status instead of running the handler (e.g. 500, 502, 503). */
  status?: number;
  /** With `status`: the share of matching requests that fail, 0..1 (default 1). Seeded, so runs repeat. */
  rate?: number;
  /** With `status`: a `Retry-After` header in seconds. */
  retryAfterSec?: number;
  /** The reply waits this long (real milliseconds) before the handler runs. */
  delayMs?: number;
  /** Cut the connection after this many bytes of the request body have been read. */
  cutUploadAfterBytes?: number;
  /** Cut the connection after this many bytes of a file download have been sent. */
  cutDownloadAfterBytes?: number;
  /** The rule applies to this many matching requests, then drops out (default: until cleared). */
  times?: number;
}

export interface AppliedFaults {
  status: number | null;
  retryAfterSec: number | null;
  delayMs: number;
  cutUploadAfterBytes: number | null;
  cutDownloadAfterBytes: number | null;
  names: string[];
}

function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

/** mulberry32: a small seeded generator so a 5xx rate gives the same sequence every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function validateFaultRule(r: unknown): FaultRule {
  if (!r || typeof r !== 'object' || Array.isArray(r)) throw new Error('A fault rule must be an object.');
  const o = r as Record<string, unknown>;
  const known = ['route', 'status', 'rate', 'retryAfterSec', 'delayMs', 'cutUploadAfterBytes', 'cutDownloadAfterBytes', 'times'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new Error(`Unknown fault rule field "${k}" (known: ${known.join(', ')}).`);
  if (o.route !== undefined && typeof o.route !== 'string') throw new Error('route must be a string.');
  const nonNeg = (k: string) => {
    if (o[k] !== undefined && (typeof o[k] !== 'number' || !Number.isFinite(o[k]) || (o[k] as number) < 0)) throw new Error(`${k} must be a number ≥ 0.`);
  };
  for (const k of ['retryAfterSec', 'delayMs', 'cutUploadAfterBytes', 'cutDownloadAfterBytes', 'times']) nonNeg(k);
  if (o.status !== undefined && (typeof o.status !== 'number' || !Number.isInteger(o.status) || o.status < 400 || o.status > 599)) throw new Error('status must be an HTTP error status (400–599).');
  if (o.rate !== undefined && (typeof o.rate !== 'number' || !(o.rate >= 0 && o.rate <= 1))) throw new Error('rate must be between 0 and 1.');
  return o as FaultRule;
}

export class FaultInjector {
  private rules: { rule: FaultRule; re: RegExp; left: number }[] = [];
  private random: () => number;

  constructor(
    rules: FaultRule[] = [],
    private readonly seed = 1,
  ) {
    this.random = rng(seed);
    this.set(rules);
  }

  /** Replaces every rule (and restarts the seeded sequence). */
  set(rules: FaultRule[]): void {
    const checked = rules.map(validateFaultRule);
    this.random = rng(this.seed);
    this.rules = checked.map((rule) => ({ rule, re: globToRegExp(rule.route ?? '*'), left: rule.times ?? Infinity }));
  }

  add(rule: FaultRule): void {
    const r = validateFaultRule(rule);
    this.rules.push({ rule: r, re: globToRegExp(r.route ?? '*'), left: r.times ?? Infinity });
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r.rule, ...(Number.isFinite(r.left) ? { times: r.left } : {}) }));
  }

  clear(): void {
    this.set([]);
  }

  /** The faults for one request; consumes `times` of the rules that fire. */
  forRequest(method: string, path: string, isUpload: boolean, isDownload: () => boolean): AppliedFaults {
    const out: AppliedFaults = { status: null, retryAfterSec: null, delayMs: 0, cutUploadAfterBytes: null, cutDownloadAfterBytes: null, names: [] };
    const keyWithMethod = `${method} ${path}`;
    for (const r of this.rules) {
      if (r.left <= 0) continue;
      const glob = r.rule.route ?? '*';
      const target = /^[A-Z]+ /.test(glob) ? keyWithMethod : path;
      if (!r.re.test(target)) continue;
      let fired = false;
      if (r.rule.delayMs) {
        out.delayMs += r.rule.delayMs;
        out.names.push(`delay ${r.rule.delayMs} ms`);
        fired = true;
      }
      if (r.rule.status !== undefined && out.status === null && this.random() < (r.rule.rate ?? 1)) {
        out.status = r.rule.status;
        out.retryAfterSec = r.rule.retryAfterSec ?? null;
        out.names.push(`status ${r.rule.status}`);
        fired = true;
      }
      if (r.rule.cutUploadAfterBytes !== undefined && isUpload && out.cutUploadAfterBytes === null) {
        out.cutUploadAfterBytes = r.rule.cutUploadAfterBytes;
        out.names.push(`cut upload after ${r.rule.cutUploadAfterBytes} B`);
        fired = true;
      }
      if (r.rule.cutDownloadAfterBytes !== undefined && out.cutDownloadAfterBytes === null && isDownload()) {
        out.cutDownloadAfterBytes = r.rule.cutDownloadAfterBytes;
        out.names.push(`cut download after ${r.rule.cutDownloadAfterBytes} B`);
        fired = true;
      }
      if (fired) r.left--;
    }
    this.rules = this.rules.filter((r) => r.left > 0);
    return out;
  }
}

/** Error raised inside a body stream when fault injection cuts the connection. */
export class ConnectionCut extends Error {
  constructor(bytes: number) {
    super(`connection cut by fault injection after ${bytes} bytes`);
  }
}

/** Passes `limit` bytes through, then calls `cut` (which destroys the socket) and errors the stream. */
export function cutAfter(limit: number, cut: () => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const room = limit - seen;
      if (chunk.length < room) {
        seen += chunk.length;
        done(null, chunk);
        return;
      }
      if (room > 0) this.push(chunk.subarray(0, room));
      seen = limit;
      // let the pushed bytes reach the socket before it goes
      setImmediate(() => {
        cut();
        done(new ConnectionCut(limit));
      });
    },
  });
}
