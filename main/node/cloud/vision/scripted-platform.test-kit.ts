/**
 * For tests: a scripted seed-001 server on 127.0.0.1 (HTTP + the WebSocket on the same port), written as other
 * platforms might answer — odd fields, missing optionals, every error status — plus the service wired to it over
 * a real SQLite library and an in-memory vault. Not imported by the app.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { WebSocketServer, type WebSocket } from 'ws';
import yazl from 'yazl';
import type { EventName, EventPayload } from '../../../common/contract';
import { ModelLibrary } from '../../inference/model-library';
import { RunStore } from '../../inference/run-store';
import { openDatabase, type Db } from '../../store/database';
import type { SessionVault } from '../atlas/session';
import { VisionService, type VisionServiceOptions } from './vision-service';

export interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
}
export interface Reply {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}
export type Route = (req: Req) => Reply | Promise<Reply>;

export interface Scripted {
  url: string;
  origin: string;
  /** `METHOD /path` (path after /api/v1) → handler; replace at will. */
  routes: Map<string, Route>;
  requests: Req[];
  sockets: Set<WebSocket>;
  /** Called when a WebSocket connects (path after /api/v1, the token). */
  onSocket: (ws: WebSocket, path: string, token: string | null) => void;
  /** Refuse WebSocket handshakes with this status while set. */
  refuseSockets: number | null;
  close(): Promise<void>;
}

export async function startScripted(): Promise<Scripted> {
  const s = {
    routes: new Map<string, Route>(),
    requests: [] as Req[],
    sockets: new Set<WebSocket>(),
    onSocket: (() => undefined) as Scripted['onSocket'],
    refuseSockets: null as number | null,
  } as Scripted;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const u = new URL(req.url ?? '/', 'http://x');
        const p = u.pathname.replace(/^\/api\/v1/, '');
        const body = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = undefined;
        }
        const r: Req = { method: req.method ?? 'GET', path: p, query: u.searchParams, headers: req.headers, body, json: parsed };
        s.requests.push(r);
        const route = s.routes.get(`${r.method} ${p}`) ?? [...s.routes.entries()].find(([k]) => matches(k, `${r.method} ${p}`))?.[1];
        const reply: Reply = route ? await route(r) : { status: 404, json: { error: { code: 'NOT_FOUND', message: 'No such route', request_id: 'req_404' } } };
        const headers: Record<string, string> = { ...(reply.headers ?? {}) };
        let out = reply.text ?? '';
        if (reply.json !== undefined) {
          out = JSON.stringify(reply.json);
          headers['content-type'] ??= 'application/json';
        }
        res.writeHead(reply.status ?? 200, headers);
        res.end(reply.status === 204 ? undefined : out);
      })();
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (s.refuseSockets !== null) {
      socket.end(`HTTP/1.1 ${s.refuseSockets} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    if (!u.pathname.startsWith('/api/v1/ws/')) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      s.sockets.add(ws);
      ws.on('close', () => s.sockets.delete(ws));
      s.onSocket(ws, u.pathname.replace(/^\/api\/v1/, ''), u.searchParams.get('token'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  s.origin = `http://127.0.0.1:${port}`;
  s.url = `${s.origin}/api/v1`;
  s.close = async () => {
    for (const ws of s.sockets) ws.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return s;
}

/** `GET /workflows/:id` style patterns. */
function matches(pattern: string, actual: string): boolean {
  const a = pattern.split('/');
  const b = actual.split('/');
  return a.length === b.length && a.every((x, i) => x.startsWith(':') || x === b[i]);
}

export function memoryVault(): SessionVault & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    backend: 'memory',
    data,
    get: (n) => data.get(n) ?? null,
    set: (n, v) => void data.set(n, v),
    delete: (n) => data.delete(n),
  };
}

export interface Wired {
  service: VisionService;
  db: Db;
  dir: string;
  vault: ReturnType<typeof memoryVault>;
  events: { name: EventName; payload: unknown }[];
  of<E extends EventName>(name: E): EventPayload<E>[];
  sleeps: number[];
  close(): void;
}

/** The service over a fresh (or given) data folder, pointed at `baseUrl`, with instant recorded sleeps. */
export function wire(baseUrl: string, o: { dir?: string; vault?: ReturnType<typeof memoryVault>; extra?: Partial<VisionServiceOptions> } = {}): Wired {
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-vision-'));
  const db = openDatabase(path.join(dir, 'studio.db'));
  const vault = o.vault ?? memoryVault();
  const events: { name: EventName; payload: unknown }[] = [];
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };
  let url: string | null = baseUrl;
  const service = new VisionService({
    db,
    dataDir: dir,
    bus: { emit: (name, payload) => void events.push({ name, payload }) },
    connection: { get: () => ({ baseUrl: url, emulator: false, source: 'setting' }), set: (_s, u) => ((url = u), { baseUrl: url, emulator: false, source: 'setting' }) },
    vault,
    library: new ModelLibrary(db, dir),
    runs: new RunStore(db),
    client: { sleep, baseDelayMs: 1, maxDelayMs: 4 },
    rate: { sleep },
    liveBackoff: { first: 5, max: 20 },
    pollMs: { first: 1, max: 2 },
    ...o.extra,
  });
  return {
    service,
    db,
    dir,
    vault,
    events,
    sleeps,
    of: <E extends EventName>(name: E) => events.filter((e) => e.name === name).map((e) => e.payload as EventPayload<E>),
    close: () => {
      service.close();
      db.close();
    },
  };
}

/** Resolves when `check` holds (polled every few ms), or rejects after `ms`. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Three visibly different subjects (class folder names). */
export const CLASSES = ['red-noise', 'blue-stripes', 'green-disc'];

/** One image of subject `k` (0 red noise, 1 blue stripes, 2 green disc), varied by `seed`. */
export async function subject(k: number, seed: number, size = 48): Promise<Buffer> {
  const px = Buffer.alloc(size * size * 3);
  let s = seed * 7919 + k * 104729 + 1;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      const n = rnd() * 40;
      if (k === 0) px.set([200 + n / 2, n, n], i);
      else if (k === 1) px.set(Math.floor((y + seed) / 4) % 2 ? [20, 40, 220 - n] : [230 - n, 230 - n, 240], i);
      else {
        const d = Math.hypot(x - size / 2, y - size / 2);
        px.set(d < size / 3 ? [30, 200 - n, 40] : [240 - n, 240 - n, 240 - n], i);
      }
    }
  return sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

export async function classZip(file: string, perClass: number): Promise<string> {
  const zip = new yazl.ZipFile();
  for (let k = 0; k < CLASSES.length; k++) for (let i = 0; i < perClass; i++) zip.addBuffer(await subject(k, i), `${CLASSES[k]}/${i}.png`);
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject));
  return file;
}

