/**
 * Follows one workflow over seed 001's WebSocket (`/api/v1/ws/workflows/{id}?token=…`, the `ws` package): messages
 * are handed to the service in order; a dropped connection is reconnected with exponential back-off (full jitter),
 * and before each reconnect the service fills the gap from the REST metrics history (so the chart misses no epoch)
 * and checks whether the workflow ended meanwhile. Messages that arrive while a gap is being filled wait for it,
 * so epochs reach the UI in order. A handshake refused with 401 refreshes the token once; with 404 the seed's other
 * spelling of the path (`<origin>/ws/workflows/{id}`, its JavaScript example) is tried once and remembered.
 * The token travels only in the URL's query, which is never logged.
 */
import WebSocket from 'ws';
import { WsMessage, type WsMessage as WsMessageT } from './schemas';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'off';

export interface LiveHooks {
  /** The access token for `?token=` (null: not signed in — the follower stops). */
  token(): Promise<string | null>;
  /** After a 401 handshake: true when a new token is worth a try. */
  refresh(): Promise<boolean>;
  /** Before each (re)connect: REST sync (gap, detail). Returns false when the workflow ended (stop following). */
  sync(reason: 'start' | 'reconnect'): Promise<boolean>;
  message(m: WsMessageT): Promise<void> | void;
  state(s: LiveState, info: { attempt: number; retryInMs: number | null }): void;
}

export interface LiveOptions {
  /** The platform base including /api/v1 (http or https). */
  baseUrl: string;
  workflowId: string;
  hooks: LiveHooks;
  /** Back-off between reconnects (ms). */
  backoff?: { first: number; max: number };
  random?: () => number;
  /** Connect timeout for one handshake (ms). */
  connectTimeoutMs?: number;
}

/** The WebSocket URLs to try, in order: `<base>/ws/workflows/{id}` then `<origin>/ws/workflows/{id}` (seed's example). */
export function wsUrls(baseUrl: string, workflowId: string): string[] {
  const u = new URL(baseUrl);
  const proto = u.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = `${proto}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  const id = encodeURIComponent(workflowId);
  const first = `${base}/ws/workflows/${id}`;
  const second = `${proto}//${u.host}/ws/workflows/${id}`;
  return first === second ? [first] : [first, second];
}

/** Remembered per base URL: which spelling of the WebSocket path the platform answers. */
const preferred = new Map<string, number>();

class HandshakeError extends Error {
  constructor(readonly status: number | null) {
    super(status ? `WebSocket handshake refused (HTTP ${status})` : 'WebSocket connection failed');
  }
}

export class LiveFollower {
  private ws: WebSocket | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Messages held back while a gap is being filled. */
  private holding = false;
  private held: WsMessageT[] = [];
  private readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(private readonly o: LiveOptions) {
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** Resolves when following stops (the workflow ended, or stop()). */
  finished(): Promise<void> {
    return this.done;
  }

  start(): void {
    void this.cycle('start');
  }

  /** Stops following (closes the socket, no reconnect). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ws?.removeAllListeners();
    this.ws?.on('error', () => undefined);
    this.ws?.terminate();
    this.ws = null;
    this.o.hooks.state('off', { attempt: this.attempt, retryInMs: null });
    this.resolveDone();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private async cycle(reason: 'start' | 'reconnect'): Promise<void> {
    if (this.stopped) return;
    this.o.hooks.state(reason === 'start' ? 'connecting' : 'reconnecting', { attempt: this.attempt, retryInMs: null });
    // Hold messages of the coming connection until the gap before it is filled.
    this.holding = true;
    let running: boolean;
    try {
      running = await this.o.hooks.sync(reason);
    } catch {
      running = true; // the platform could not be asked: keep trying the socket
    }
    if (this.stopped) return;
    if (!running) return this.stop();
    try {
      await this.connect();
      this.attempt = 0;
      this.release();
    } catch (err) {
      this.holding = false;
      if (this.stopped) return;
      if (err instanceof HandshakeError && err.status === 403) return this.stop();
      this.schedule();
    }
  }

  private release(): void {
    this.holding = false;
    const held = this.held;
    this.held = [];
    for (const m of held) this.enqueue(m);
  }

  private enqueue(m: WsMessageT): void {
    this.queue = this.queue.then(async () => {
      if (this.stopped) return;
      try {
        await this.o.hooks.message(m);
      } catch {
        // one bad message must not stop the following
      }
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    const { first, max } = this.o.backoff ?? { first: 1000, max: 30_000 };
    const cap = Math.min(max, first * 2 ** Math.min(this.attempt, 16));
    const wait = Math.max(Math.min(first, cap), Math.floor((this.o.random ?? Math.random)() * cap));
    this.attempt++;
    this.o.hooks.state('reconnecting', { attempt: this.attempt, retryInMs: wait });
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.cycle('reconnect');
    }, wait);
  }

  private async connect(): Promise<void> {
    const urls = wsUrls(this.o.baseUrl, this.o.workflowId);
    const start = Math.min(preferred.get(this.o.baseUrl) ?? 0, urls.length - 1);
    let refreshed = false;
    for (let i = start; i < urls.length; ) {
      const token = await this.o.hooks.token();
      if (!token) throw new HandshakeError(403);
      try {
        await this.open(`${urls[i]}?token=${encodeURIComponent(token)}`, token);
        preferred.set(this.o.baseUrl, i);
        return;
      } catch (err) {
        if (!(err instanceof HandshakeError)) throw err;
        if (err.status === 401 && !refreshed) {
          refreshed = true;
          if (await this.o.hooks.refresh()) continue;
          throw new HandshakeError(403);
        }
        if (err.status === 404 && i + 1 < urls.length) {
          i++;
          continue;
        }
        throw err;
      }
    }
  }

  private open(url: string, token: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.stopped) return reject(new HandshakeError(null));
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, handshakeTimeout: this.o.connectTimeoutMs ?? 15_000 });
      let opened = false;
      let settled = false;
      const fail = (status: number | null) => {
        if (settled) return;
        settled = true;
        reject(new HandshakeError(status));
      };
      ws.on('unexpected-response', (req, res) => {
        const status = res.statusCode ?? null;
        res.resume();
        req.destroy();
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        fail(status);
      });
      ws.on('open', () => {
        if (this.stopped) {
          // Stopped while the handshake was on its way: this socket is not wanted.
          ws.removeAllListeners();
          ws.on('error', () => undefined);
          ws.terminate();
          return fail(null);
        }
        opened = true;
        settled = true;
        this.ws = ws;
        this.o.hooks.state('live', { attempt: 0, retryInMs: null });
        resolve();
      });
      ws.on('message', (raw) => {
        let data: unknown;
        try {
          data = JSON.parse(raw.toString());
        } catch {
          return;
        }
        const parsed = WsMessage.safeParse(data);
        if (!parsed.success) return;
        if (this.holding) this.held.push(parsed.data);
        else this.enqueue(parsed.data);
      });
      ws.on('error', () => {
        if (!opened) fail(null);
      });
      ws.on('close', () => {
        if (!opened) return fail(null);
        if (this.ws === ws) this.ws = null;
        if (this.stopped) return;
        // Let the messages already received be handled before the gap fill looks at what is missing.
        void this.queue.then(() => {
          if (!this.stopped) this.schedule();
        });
      });
    });
  }
}
