/**
 * The HTTP host every emulator runs on: 127.0.0.1 only (port 0 by default), the service's routes behind fault
 * injection, and the admin API under `/__emulator/` (faults, clock, sent mails, request log, reset) that the
 * service extends with its own admin routes. Admin routes are never faulted.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from './clock';
import { ConnectionCut, cutAfter, type FaultInjector, validateFaultRule } from './faults';
import { HttpError, normalisePath, readJson, type Ctx, type RequestRecord, Router, sendEmpty, sendError, sendJson } from './http';
import type { Mailbox } from './mailbox';

export const ADMIN_PREFIX = '/__emulator';

export interface HostOptions {
  /** Printed in the admin index. */
  name: string;
  port?: number;
  clock: Clock;
  faults: FaultInjector;
  mailbox: Mailbox;
  router: Router;
  /** Extra admin routes (paths already under /__emulator/). */
  adminRouter?: Router;
  /** Is this request a file download (so a download-cut rule applies)? */
  isDownload?: (method: string, path: string) => boolean;
  onReset?: () => Promise<void> | void;
  /** Unexpected handler errors go here (default: console.error). */
  logError?: (e: unknown, ctx: Ctx) => void;
  /** How many requests the request log keeps. */
  requestLogSize?: number;
  /** WebSocket upgrades (e.g. a `ws` WebSocketServer with noServer: true); without it upgrades are refused. */
  onUpgrade?: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * The JSON body of every error the host itself sends (no route, wrong method, an injected fault, an
   * `HttpError`, an unexpected failure). Default: the seeds' `{ message }`; a service whose seed has another
   * error shape (compute: `{ statusCode, errMessage }`) gives its own.
   */
  errorBody?: (status: number, message: string) => unknown;
}

export interface Host {
  url: string;
  /** The node:http server (for WebSocket servers and the like). */
  server: http.Server;
  port: number;
  requests(): RequestRecord[];
  clearRequests(): void;
  close(): Promise<void>;
}

function hasBody(req: http.IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** A handler failed because the socket is gone (cut or client abort): nothing can be answered. */
function isGone(ctx: Ctx, e: unknown): boolean {
  return e instanceof ConnectionCut || ctx.req.socket.destroyed || ctx.res.destroyed || (e as NodeJS.ErrnoException)?.code === 'ECONNRESET';
}

export async function startHost(opts: HostOptions): Promise<Host> {
  const log: RequestRecord[] = [];
  const logSize = opts.requestLogSize ?? 500;
  const admin = baseAdmin(opts, log);
  const sockets = new Set<Socket>();
  const fail = (ctx: Ctx, status: number, message: string, headers: Record<string, string> = {}) =>
    opts.errorBody ? sendJson(ctx, status, opts.errorBody(status, message), headers) : sendError(ctx, status, message, headers);

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // a client that drops mid-request must not take the server down
  server.on('clientError', (_e, socket) => socket.destroy());
  server.on('upgrade', (req, socket, head) => {
    if (opts.onUpgrade) opts.onUpgrade(req, socket, head);
    else socket.destroy();
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // not new URL(req.url, base): a target like "//atlas/…" would read as a host name
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const url = { pathname: q < 0 ? raw : raw.slice(0, q), searchParams: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
    const method = (req.method ?? 'GET').toUpperCase();
    const path = normalisePath(url.pathname);
    const record: RequestRecord = {
      at: opts.clock.now(),
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      contentType: req.headers['content-type'] ?? null,
      bearer: /^\s*Bearer\s+\S/i.test(req.headers.authorization ?? ''),
    };
    const ctx: Ctx = { req, res, method, path, query: url.searchParams, params: {}, input: req, cutDownloadAfter: null, record };
    const isAdmin = path === ADMIN_PREFIX || path.startsWith(ADMIN_PREFIX + '/');
    try {
      if (!isAdmin) {
        log.push(record);
        if (log.length > logSize) log.splice(0, log.length - logSize);
        const f = opts.faults.forRequest(method, path, hasBody(req), () => opts.isDownload?.(method, path) ?? false);
        if (f.names.length) record.faults = f.names;
        if (f.delayMs) await sleep(f.delayMs);
        if (f.status !== null) {
          req.resume(); // discard the body so the reply is read, not an EPIPE
          fail(ctx, f.status, `Injected fault: this reply is a ${f.status} from the emulator's fault injection.`, f.retryAfterSec !== null ? { 'retry-after': String(f.retryAfterSec) } : {});
          return;
        }
        if (f.cutUploadAfterBytes !== null) {
          const cutter = cutAfter(f.cutUploadAfterBytes, () => req.socket.destroy());
          req.pipe(cutter);
          req.on('error', (e) => cutter.destroy(e));
          ctx.input = cutter;
        }
        ctx.cutDownloadAfter = f.cutDownloadAfterBytes;
      }
      const router = isAdmin ? admin : opts.router;
      let m = router.match(method, path);
      if (isAdmin && !m && opts.adminRouter) m = opts.adminRouter.match(method, path);
      if (!m) {
        req.resume();
        fail(ctx, 404, `No route for ${method} ${path}.`);
        return;
      }
      if ('allowed' in m) {
        req.resume();
        fail(ctx, 405, `${method} is not allowed on ${path} (allowed: ${m.allowed.join(', ')}).`, { allow: m.allowed.join(', ') });
        return;
      }
      ctx.params = m.params;
      await m.handler(ctx);
      if (!res.headersSent && !res.destroyed) fail(ctx, 500, 'The handler sent no reply.');
    } catch (e) {
      if (isGone(ctx, e)) {
        record.status = -1;
        res.destroy();
        return;
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      req.resume();
      if (e instanceof HttpError) fail(ctx, e.status, e.message, e.headers);
      else {
        (opts.logError ?? ((err) => console.error(`[${opts.name}]`, err)))(e, ctx);
        fail(ctx, 500, 'Unexpected error in the emulator.');
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    port,
    requests: () => log.map((r) => ({ ...r })),
    clearRequests: () => void log.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function baseAdmin(opts: HostOptions, log: RequestRecord[]): Router {
  const r = new Router();
  const p = (s: string) => ADMIN_PREFIX + s;
  r.on('GET', p(''), (ctx) =>
    sendJson(ctx, 200, {
      emulator: opts.name,
      routes: [
        'GET /__emulator/health',
        'GET|PUT|POST|DELETE /__emulator/faults',
        'GET /__emulator/clock',
        'POST /__emulator/clock/advance {ms}',
        'GET|DELETE /__emulator/mails ?to=&kind=',
        'GET|DELETE /__emulator/requests',
        'POST /__emulator/reset',
      ],
    }),
  );
  r.on('GET', p('/health'), (ctx) => sendJson(ctx, 200, { ok: true, emulator: opts.name, now: opts.clock.now() }));
  r.on('GET', p('/faults'), (ctx) => sendJson(ctx, 200, { rules: opts.faults.list() }));
  const setRules = (replace: boolean) => async (ctx: Ctx) => {
    const body = await readJson(ctx);
    const raw = Array.isArray(body.rules) ? body.rules : [body];
    try {
      const rules = raw.map(validateFaultRule);
      if (replace) opts.faults.set(rules);
      else for (const rule of rules) opts.faults.add(rule);
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
    sendJson(ctx, 200, { rules: opts.faults.list() });
  };
  r.on('PUT', p('/faults'), setRules(true));
  r.on('POST', p('/faults'), setRules(false));
  r.on('DELETE', p('/faults'), (ctx) => {
    opts.faults.clear();
    sendJson(ctx, 200, { rules: [] });
  });
  r.on('GET', p('/clock'), (ctx) => sendJson(ctx, 200, { now: opts.clock.now(), iso: new Date(opts.clock.now()).toISOString(), offsetMs: opts.clock.offset }));
  r.on('POST', p('/clock/advance'), async (ctx) => {
    const body = await readJson(ctx);
    const ms = typeof body.ms === 'number' ? body.ms : typeof body.seconds === 'number' ? body.seconds * 1000 : NaN;
    if (!Number.isFinite(ms)) throw new HttpError(400, 'Give {"ms": N} or {"seconds": N}.');
    const now = opts.clock.advance(ms);
    sendJson(ctx, 200, { now, iso: new Date(now).toISOString(), offsetMs: opts.clock.offset });
  });
  r.on('GET', p('/mails'), (ctx) => sendJson(ctx, 200, { mails: opts.mailbox.list({ to: ctx.query.get('to') ?? undefined, kind: ctx.query.get('kind') ?? undefined }) }));
  r.on('DELETE', p('/mails'), (ctx) => {
    opts.mailbox.clear();
    sendEmpty(ctx, 204);
  });
  r.on('GET', p('/requests'), (ctx) => sendJson(ctx, 200, { requests: log.map((x) => ({ ...x })) }));
  r.on('DELETE', p('/requests'), (ctx) => {
    log.splice(0);
    sendEmpty(ctx, 204);
  });
  r.on('POST', p('/reset'), async (ctx) => {
    ctx.req.resume();
    opts.faults.clear();
    opts.mailbox.clear();
    opts.clock.reset();
    log.splice(0);
    await opts.onReset?.();
    sendJson(ctx, 200, { ok: true });
  });
  return r;
}
