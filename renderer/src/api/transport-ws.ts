/**
 * The browser host's transport: the IPC contract over one WebSocket (`/s/<session>/ipc`, signed in by its cookie), with reconnect.
 * Calls made while the socket is down wait for it; calls in flight when it drops fail with NETWORK,
 * because nobody can know whether the host ran them.
 */
import type { Transport } from '../../../main/common/api-client';
import type { Channel, Envelope, EventName } from '../../../main/common/contract';

/** `offline`: several reconnects failed in a row (e.g. the host restarted: its sessions are gone); retries go on. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'offline';

/** The part of the DOM WebSocket this transport uses (a fake one in unit tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface WsTransportOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  /** Back-off before each reconnect attempt, in ms; the last value repeats. */
  retryDelays?: number[];
  /** Failed attempts in a row after which the status reads `offline`. */
  offlineAfter?: number;
  onStatus?: (status: ConnectionStatus, reconnected: boolean) => void;
}

export interface WsTransport extends Transport {
  status(): ConnectionStatus;
  close(): void;
}

interface Pending {
  channel: Channel;
  payload: unknown;
  sent: boolean;
  resolve: (env: Envelope<unknown>) => void;
}

const OPEN = 1;

export function createWsTransport(options: WsTransportOptions): WsTransport {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const delays = options.retryDelays ?? [300, 1000, 2000, 4000];
  const pending = new Map<number, Pending>();
  const listeners = new Set<(name: EventName, payload: unknown) => void>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  let status: ConnectionStatus = 'connecting';
  let attempts = 0;
  let everOpened = false;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const setStatus = (next: ConnectionStatus, reconnected = false) => {
    status = next;
    options.onStatus?.(next, reconnected);
  };

  const send = (id: number, p: Pending) => {
    socket!.send(JSON.stringify({ t: 'call', id, channel: p.channel, payload: p.payload }));
    p.sent = true;
  };

  const connect = () => {
    const s = createSocket(options.url);
    socket = s;
    s.onopen = () => {
      attempts = 0;
      const reconnected = everOpened;
      everOpened = true;
      setStatus('open', reconnected);
      for (const [id, p] of pending) if (!p.sent) send(id, p);
    };
    s.onmessage = (ev) => {
      let msg: { t?: string; id?: number; envelope?: Envelope<unknown>; name?: EventName; payload?: unknown };
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return; // not ours; the host only sends JSON
      }
      if (msg.t === 'result' && typeof msg.id === 'number') {
        const p = pending.get(msg.id);
        if (p && msg.envelope) {
          pending.delete(msg.id);
          p.resolve(msg.envelope);
        }
      } else if (msg.t === 'event' && msg.name) {
        for (const l of listeners) l(msg.name, msg.payload);
      }
    };
    s.onerror = () => {
      /* onclose follows and handles it */
    };
    s.onclose = () => {
      if (socket !== s) return;
      socket = null;
      for (const [id, p] of pending) {
        if (!p.sent) continue;
        pending.delete(id);
        p.resolve({ ok: false, error: { code: 'NETWORK', message: 'The connection to the studio was lost before it answered.' } });
      }
      if (closed) return;
      setStatus(attempts >= (options.offlineAfter ?? 5) ? 'offline' : 'reconnecting');
      const delay = delays[Math.min(attempts, delays.length - 1)] ?? 1000;
      attempts++;
      timer = setTimeout(connect, delay);
    };
  };

  connect();

  return {
    call(channel, payload) {
      return new Promise((resolve) => {
        if (closed) {
          resolve({ ok: false, error: { code: 'NETWORK', message: 'The connection to the studio is closed.' } });
          return;
        }
        const id = nextId++;
        const p: Pending = { channel, payload, sent: false, resolve };
        pending.set(id, p);
        if (socket && socket.readyState === OPEN) send(id, p);
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    status: () => status,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
}

/**
 * The browser host serves each signed-in session under `/s/<id>/` (its cookie is scoped to that path so no other
 * local server ever receives it): the page, its files, uploads and the socket all live below it. `/` elsewhere.
 * Works from a worker too (its location is under the same folder).
 */
export function sessionBase(pathname: string | undefined): string {
  const m = /^\/s\/[A-Za-z0-9_-]+\//.exec(pathname ?? '');
  return m ? m[0] : '/';
}

/** ws:// or wss:// URL of the host's IPC socket on the page's own origin, under the page's session. */
export function ipcUrl(loc: Pick<Location, 'protocol' | 'host'> & Partial<Pick<Location, 'pathname'>>): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}${sessionBase(loc.pathname)}ipc`;
}
