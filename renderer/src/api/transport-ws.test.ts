import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWsTransport, ipcUrl, type SocketLike } from './transport-ws';

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.drop();
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

const last = () => FakeSocket.all[FakeSocket.all.length - 1]!;

describe('createWsTransport', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  const make = (onStatus = vi.fn()) => ({
    transport: createWsTransport({ url: 'ws://h/ipc?token=t', createSocket: (u) => new FakeSocket(u), retryDelays: [100, 200], onStatus }),
    onStatus,
  });

  it('queues calls until the socket opens, then answers them by id', async () => {
    const { transport } = make();
    const p = transport.call('projects.list', {});
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([{ t: 'call', id: 1, channel: 'projects.list', payload: {} }]);
    last().receive({ t: 'result', id: 1, envelope: { ok: true, value: [] } });
    await expect(p).resolves.toEqual({ ok: true, value: [] });
  });

  it('delivers events to subscribers and ignores junk', () => {
    const { transport } = make();
    const seen: unknown[] = [];
    const off = transport.subscribe((name, payload) => seen.push([name, payload]));
    last().open();
    last().onmessage?.({ data: 'not json' });
    last().receive({ t: 'event', name: 'job.updated', payload: { id: 'j' } });
    off();
    last().receive({ t: 'event', name: 'job.updated', payload: { id: 'k' } });
    expect(seen).toEqual([['job.updated', { id: 'j' }]]);
  });

  it('fails in-flight calls with NETWORK when the socket drops, reconnects, and sends calls made meanwhile', async () => {
    const { transport, onStatus } = make();
    last().open();
    const inFlight = transport.call('projects.list', {});
    last().drop();
    await expect(inFlight).resolves.toMatchObject({ ok: false, error: { code: 'NETWORK' } });
    expect(transport.status()).toBe('reconnecting');

    const queued = transport.call('app.info', {});
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    expect(onStatus).toHaveBeenLastCalledWith('open', true);
    const sent = last().sent as { id: number; channel: string }[];
    expect(sent.map((m) => m.channel)).toEqual(['app.info']);
    last().receive({ t: 'result', id: sent[0]!.id, envelope: { ok: true, value: 'info' } });
    await expect(queued).resolves.toEqual({ ok: true, value: 'info' });
  });

  it('backs off between failed attempts and stops after close()', () => {
    const { transport } = make();
    last().drop();
    vi.advanceTimersByTime(100);
    expect(FakeSocket.all).toHaveLength(2);
    last().drop();
    vi.advanceTimersByTime(150);
    expect(FakeSocket.all).toHaveLength(2); // second delay is 200 ms
    vi.advanceTimersByTime(50);
    expect(FakeSocket.all).toHaveLength(3);
    transport.close();
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(3);
  });
});

describe('ipcUrl', () => {
  it('uses the page origin and carries no token', () => {
    expect(ipcUrl({ protocol: 'http:', host: '127.0.0.1:5000' })).toBe('ws://127.0.0.1:5000/ipc');
    expect(ipcUrl({ protocol: 'https:', host: 'x' })).toBe('wss://x/ipc');
  });
});

describe('offline status', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('reads offline after repeated failures and open again once the host answers', () => {
    const statuses: string[] = [];
    createWsTransport({ url: 'ws://h/ipc', createSocket: (u) => new FakeSocket(u), retryDelays: [10], offlineAfter: 2, onStatus: (s) => statuses.push(s) });
    last().drop();
    vi.advanceTimersByTime(10);
    last().drop();
    vi.advanceTimersByTime(10);
    last().drop();
    vi.advanceTimersByTime(10);
    last().open();
    expect(statuses).toEqual(['reconnecting', 'reconnecting', 'offline', 'open']);
  });
});

describe('sessionBase (browser host sessions under /s/<id>/)', () => {
  it('finds the session folder from the page or a worker, else the root', async () => {
    const { sessionBase } = await import('./transport-ws');
    expect(sessionBase('/s/AbC_d-0123456789xyzQ/')).toBe('/s/AbC_d-0123456789xyzQ/');
    expect(sessionBase('/s/AbC_d-0123456789xyzQ/assets/parse-worker-1a2b.js')).toBe('/s/AbC_d-0123456789xyzQ/');
    expect(sessionBase('/')).toBe('/');
    expect(sessionBase('/files/s/x/')).toBe('/');
    expect(sessionBase(undefined)).toBe('/');
    expect(ipcUrl({ protocol: 'http:', host: '127.0.0.1:5000', pathname: '/s/AbC_d-0123456789xyzQ/' })).toBe('ws://127.0.0.1:5000/s/AbC_d-0123456789xyzQ/ipc');
  });
});
