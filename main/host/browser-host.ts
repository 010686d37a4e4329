/**
 * The browser host: serves the built renderer on 127.0.0.1 to signed-in browser sessions and carries
 * the same IPC contract over a WebSocket, through the same dispatcher as the Electron shell.
 * It lets the real UI run in a real browser where no Electron binary exists (tests, headless rigs).
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AppError } from '../common/app-error';
import { appRoot } from '../node/app-paths';
import type { Core } from '../node/core';
import { sanitizeFileName } from '../node/files/file-names';
import { dataFileHeaders, isPrivateDataFile } from '../node/files/private-paths';
import { answerThumbnail } from '../node/files/thumbnails';
import { createDispatcher } from '../node/ipc/dispatch';
import { resolveInside, sendFile } from './static-files';

export interface BrowserHostOptions {
  core: Core;
  port?: number;
  /** Built renderer folder; defaults to dist/renderer. */
  rendererDir?: string;
}

export interface BrowserHost {
  /** A sign-in address (single use, valid a day) for the terminal. */
  url: string;
  origin: string;
  /** Mints another single-use sign-in address, valid `ttlMs` (default a day). */
  loginUrl(ttlMs?: number): string;
  close(): Promise<void>;
}

/** A sign-in code printed to the terminal is good for one use within a day; one handed to a browser launcher, a minute. */
const LOGIN_TTL_MS = 24 * 60 * 60 * 1000;
/** Sessions kept at once (each sign-in makes one); the oldest goes first. */
const MAX_SESSIONS = 32;
/** Largest frame a page sends (a call's JSON); bigger ones close that socket. */
const MAX_FRAME = 16 * 1024 * 1024;
/** Calls one socket may have running at once; the page makes a handful. */
const MAX_IN_FLIGHT = 64;
/** Bad frames one socket may send before it is closed. */
const MAX_STRIKES = 20;
/** Unsent bytes a socket may hold before the host stops writing to it. */
const MAX_BUFFERED = 32 * 1024 * 1024;

/** True when the Host header names this very port on 127.0.0.1 or localhost (nothing else is us). */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
}

/**
 * The request target as a URL on our origin, or null when it is not an origin-form path (`*`, `http://…`, none).
 * Joined as text rather than resolved: `//x` is then the path `//x`, not the host `x`, and nothing here throws.
 */
export function parseTarget(target: string | undefined, origin: string): URL | null {
  if (!target || !target.startsWith('/')) return null;
  try {
    return new URL(origin + target);
  } catch {
    return null;
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

// Same policy as the Electron window: our own origin only, the socket back to us, no remote anything.
function csp(origins: readonly string[]): string {
  const ws = origins.map((o) => o.replace(/^http/, 'ws')).join(' ');
  return [
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src 'self' ${ws}`,
    "worker-src 'self' blob:",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function safeEqual(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Every value of the cookie `name` (the browser may hold several, one per path). */
function cookieValues(req: http.IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}

/** `/s/<id>/<rest>` → { id, rest }; null for any other path. */
function sessionPath(pathname: string): { id: string; rest: string } | null {
  const m = /^\/s\/([A-Za-z0-9_-]{16,64})(\/.*)?$/.exec(pathname);
  return m ? { id: m[1]!, rest: m[2] ?? '' } : null;
}

/** Starts the host on 127.0.0.1 (never on other interfaces). */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const { core } = options;
  const rendererDir = options.rendererDir ?? path.join(appRoot(), 'dist', 'renderer');
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  // The two names the Host check accepts; a page opened on either is our page (each gets its own session cookie).
  const origins = [origin, `http://localhost:${port}`];
  /*
   * Sessions, bound to this host. Cookies ignore ports, so any cookie for 127.0.0.1 also reaches every other
   * local server the browser visits. Ours is scoped to a secret path instead: the page lives under /s/<id>/ and
   * the cookie (Path=/s/<id>/, HttpOnly, SameSite=Strict) is only sent to URLs under that path — which no other
   * server is ever asked for. A session needs both: the path and the cookie.
   * The way in is a single-use sign-in code (`/?code=`), so no long-lived secret is ever in a command line.
   */
  const cookieName = `kraken_${port}`;
  const codes = new Map<string, number>();
  const sessions = new Map<string, string>();
  const mintCode = (ttlMs: number) => {
    const now = Date.now();
    for (const [c, exp] of codes) if (exp <= now) codes.delete(c);
    const code = randomBytes(24).toString('base64url');
    codes.set(code, now + ttlMs);
    return code;
  };
  const takeCode = (code: string | null): boolean => {
    if (!code) return false;
    for (const [c, exp] of codes) {
      if (!safeEqual(code, c)) continue;
      codes.delete(c);
      return exp > Date.now();
    }
    return false;
  };
  const newSession = (): { id: string; secret: string } => {
    const id = randomBytes(18).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    sessions.set(id, secret);
    while (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
    return { id, secret };
  };
  /** The session this request belongs to: its path names a live session and a cookie carries that session's secret. */
  const sessionOf = (req: http.IncomingMessage, url: URL): { id: string; rest: string } | null => {
    const sp = sessionPath(url.pathname);
    const secret = sp ? sessions.get(sp.id) : undefined;
    if (!sp || !secret || !cookieValues(req, cookieName).some((v) => safeEqual(v, secret))) return null;
    return sp;
  };
  // The data folder as resolveInside answers in real paths (a data folder under a symlink, e.g. macOS /tmp);
  // the core has opened its database there, so the folder exists.
  const realDataDir = fs.realpathSync(core.dataDir);
  const uploads = path.join(core.dataDir, 'uploads');
  const dispatch = createDispatcher(
    {
      ...core.handlers,
      // An upload exists only to be imported: when the import refuses it (a duplicate, not media), its copy goes,
      // unless a media source lives at that very path (the same upload sent twice).
      'media.import': async (req, caller) => {
        const r = await core.handlers['media.import'](req, caller);
        const kept = new Set(r.imported.map((m) => path.resolve(m.path)));
        for (const f of r.failed) {
          const file = path.resolve(f.path);
          const rel = path.relative(uploads, file);
          const parts = rel.split(path.sep);
          if (path.isAbsolute(rel) || parts.length !== 2 || parts[0] === '..' || kept.has(file)) continue;
          const dupOf = f.error.details?.mediaId;
          if (typeof dupOf === 'number' && path.resolve(core.media.get(dupOf).path) === file) continue;
          await fs.promises.rm(path.join(uploads, parts[0]!), { recursive: true, force: true });
        }
        return r;
      },
    },
    { trustedOrigins: origins },
  );
  const headers = {
    'content-security-policy': csp(origins),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-store',
  };

  // Node answers malformed HTTP with a 400 by itself; a socket error must never reach the process as unhandled.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('request', (req, res) => {
    req.on('error', () => res.destroy());
    res.on('error', () => res.destroy());
    void handleHttp(req, res).catch((err) => {
      const e = AppError.from(err);
      if (res.headersSent) return void res.destroy();
      res.writeHead(e.code === 'NOT_FOUND' ? 404 : e.code === 'FORBIDDEN' ? 403 : e.code === 'IO_ERROR' ? 507 : 500, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ error: e.toShape() }));
    });
  });

  async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // DNS rebinding: a page of evil.example resolved to 127.0.0.1 reaches this port with its own Host header.
    if (!hostAllowed(req.headers.host, port)) {
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end('Misdirected request: this host answers only to 127.0.0.1 and localhost.');
      return;
    }
    const url = parseTarget(req.url, origin);
    if (!url) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end('Bad request target');
      return;
    }
    const session = sessionOf(req, url);
    if (!session) {
      // Signing in: a valid code becomes a session, once; the address bar then shows the session's page.
      if (url.pathname === '/' && url.searchParams.has('code')) {
        if (takeCode(url.searchParams.get('code'))) {
          const { id, secret } = newSession();
          const base = `/s/${id}/`;
          res.writeHead(303, { location: base, 'set-cookie': `${cookieName}=${secret}; Path=${base}; HttpOnly; SameSite=Strict`, ...headers }).end();
          return;
        }
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', ...headers });
        res.end('Kraken Studio: this sign-in link was already used or has expired. Open the newest address printed in the terminal (press Enter there for a new one) or restart the studio.');
        return;
      }
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end('Kraken Studio: open the address printed in the terminal (a sign-in link for this run).');
      return;
    }
    // A session's page without its trailing slash: relative asset URLs need the folder form.
    if (session.rest === '') {
      res.writeHead(308, { location: `/s/${session.id}/`, ...headers }).end();
      return;
    }
    const rest = session.rest;

    if (req.method === 'POST' && rest === '/upload') {
      if (!origins.includes(req.headers.origin ?? '')) throw new AppError('FORBIDDEN', 'Uploads are accepted only from the studio page');
      const name = sanitizeFileName(url.searchParams.get('name') ?? 'upload.bin');
      const target = path.join(core.dataDir, 'uploads', randomUUID(), name);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      const tmp = target + '.partial';
      try {
        await pipeline(req, fs.createWriteStream(tmp));
        await fs.promises.rename(tmp, target);
      } catch (err) {
        await fs.promises.rm(path.dirname(target), { recursive: true, force: true });
        throw err;
      }
      res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ path: target }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    if (rest.startsWith('/files/')) {
      const file = resolveInside(core.dataDir, rest.slice('/files/'.length));
      // Only the allow-listed sub-folders are served, as in Electron's kraken://files/ (private-paths.ts).
      if (!file || isPrivateDataFile(realDataDir, file)) {
        res.writeHead(403, headers).end('Forbidden');
        return;
      }
      if (url.searchParams.has('thumb')) return sendThumbnail(req, res, file, url.searchParams.get('thumb'));
      // A data file never runs as the app: unknown types (an uploaded .html) are sandboxed downloads.
      await sendFile(req, res, file, { ...headers, ...dataFileHeaders(file) });
      return;
    }
    let file = resolveInside(rendererDir, rest === '/' ? 'index.html' : rest.slice(1));
    if (!file) {
      res.writeHead(403, headers).end('Forbidden');
      return;
    }
    // Single-page app: unknown non-asset paths get index.html.
    if (!fs.existsSync(file) && !path.extname(file)) file = path.join(rendererDir, 'index.html');
    if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
      res.writeHead(503, { 'content-type': 'text/plain', ...headers }).end('The renderer is not built. Run `npm run build`.');
      return;
    }
    await sendFile(req, res, file, headers);
  }

  // `?thumb=<w>`: the same cached thumbnail Electron serves, answered by the core (main/node/files/thumbnails.ts).
  async function sendThumbnail(req: http.IncomingMessage, res: http.ServerResponse, file: string, thumb: string | null): Promise<void> {
    const answer = await answerThumbnail(core.dataDir, file, thumb);
    if (!answer.ok) {
      res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(answer.message);
      return;
    }
    const cache = { ...headers, 'cache-control': 'no-cache', etag: answer.etag };
    if (req.headers['if-none-match'] === answer.etag) {
      res.writeHead(304, cache).end();
      return;
    }
    await sendFile(req, res, answer.file, cache);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  wss.on('error', () => undefined);
  const sockets = new Set<WebSocket>();
  const refuse = (socket: Duplex, status: string) => {
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  };
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      if (!hostAllowed(req.headers.host, port)) return refuse(socket, '421 Misdirected Request');
      const url = parseTarget(req.url, origin);
      if (!url) return refuse(socket, '400 Bad Request');
      const session = sessionOf(req, url);
      const ok = session !== null && session.rest === '/ipc' && origins.includes(req.headers.origin ?? '');
      if (!ok) return refuse(socket, '403 Forbidden');
      wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, req.headers.origin ?? ''));
    } catch {
      // Whatever a client sent, it ends its own connection, never the host.
      socket.destroy();
    }
  });

  /** One page's socket: every frame is answered or the socket is closed; nothing it sends can throw out of here. */
  function serveSocket(ws: WebSocket, callerOrigin: string): void {
    sockets.add(ws);
    let inFlight = 0;
    let strikes = 0;
    const reply = (msg: unknown) => {
      if (ws.readyState !== ws.OPEN) return;
      // A page that stops reading while calls pile up answers is cut off rather than buffered without end.
      if (ws.bufferedAmount > MAX_BUFFERED) return void ws.terminate();
      try {
        ws.send(JSON.stringify(msg));
      } catch {
        ws.terminate();
      }
    };
    const protocolError = (message: string, id?: number) => {
      // A page that keeps sending garbage is not our page: after a few bad frames, stop listening to it.
      if (++strikes > MAX_STRIKES) return void ws.close(1008, 'Too many bad frames');
      if (id === undefined) reply({ t: 'error', error: { code: 'INVALID_INPUT', message } });
      else reply({ t: 'result', id, envelope: { ok: false, error: { code: 'INVALID_INPUT', message } } });
    };
    // Oversized frames, invalid UTF-8 and broken framing arrive here (ws closes the socket itself): never thrown.
    ws.on('error', () => ws.terminate());
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void ws.close(1003, 'Text frames only');
      let msg: unknown;
      try {
        msg = JSON.parse(rawText(data));
      } catch {
        return protocolError('The frame is not JSON');
      }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return protocolError('A frame must be a JSON object');
      const { t, id, channel, payload } = msg as Record<string, unknown>;
      const callId = typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined;
      if (t !== 'call' || callId === undefined || typeof channel !== 'string') return protocolError('Expected { t: "call", id: <integer>, channel: <string>, payload }', callId);
      // A flood of calls waits for nothing: past the limit a call is answered at once and not run.
      if (inFlight >= MAX_IN_FLIGHT) {
        return reply({ t: 'result', id: callId, envelope: { ok: false, error: { code: 'RATE_LIMITED', message: `More than ${MAX_IN_FLIGHT} calls at once; wait for some answers.` } } });
      }
      inFlight++;
      void dispatch(channel, payload, { origin: callerOrigin, isMainFrame: true })
        .catch((err: unknown) => ({ ok: false as const, error: AppError.from(err).toShape() }))
        .then((envelope) => {
          inFlight--;
          reply({ t: 'result', id: callId, envelope });
        });
    });
  }

  const offEvents = core.bus.onAny((name, payload) => {
    let text: string;
    try {
      text = JSON.stringify({ t: 'event', name, payload });
    } catch {
      return;
    }
    for (const ws of sockets) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.terminate();
        continue;
      }
      try {
        ws.send(text);
      } catch {
        ws.terminate();
      }
    }
  });

  return {
    url: `${origin}/?code=${mintCode(LOGIN_TTL_MS)}`,
    origin,
    loginUrl: (ttlMs = LOGIN_TTL_MS) => `${origin}/?code=${mintCode(ttlMs)}`,
    async close() {
      offEvents();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
