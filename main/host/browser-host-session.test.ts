/**
 * Issue 9, finding 3 (the token leaks): the session is bound to this host and no long-lived secret travels.
 * Cookies ignore ports, so a cookie for 127.0.0.1 reaches every local server; ours is scoped to the session's
 * secret path, and the address handed to a browser launcher is a single-use code.
 */
import fs from 'node:fs';
import type http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startLoopback } from '../../test-support/loopback-server';
import { login, startHost, type TestHost } from './test-host';

const open: TestHost[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const { core, host, dir } of open.splice(0)) {
    await host.close();
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
async function start() {
  const t = await startHost();
  open.push(t);
  return t;
}

function socketStatus(url: string, origin: string, cookie: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin, headers: cookie ? { cookie } : {} });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res: http.IncomingMessage) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(0));
  });
}

/** RFC 6265 §5.1.4: a cookie with Path=P goes with a request whose path is P or below it — on any port of the host. */
function pathMatches(cookiePath: string, requestPath: string): boolean {
  return requestPath === cookiePath.replace(/\/$/, '') || requestPath.startsWith(cookiePath.endsWith('/') ? cookiePath : cookiePath + '/');
}

describe('browser host sessions', () => {
  it('scopes its cookie to the session path (HttpOnly, SameSite=Strict), so a second local server is never sent it', async () => {
    const t = await start();
    const res = await fetch(t.host.loginUrl(), { redirect: 'manual' });
    expect(res.status).toBe(303);
    const setCookie = res.headers.get('set-cookie')!;
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/s\/[A-Za-z0-9_-]{16,}\/$/);
    const attrs = Object.fromEntries(setCookie.split(';').slice(1).map((a) => a.trim().split('=') as [string, string]));
    expect(attrs).toMatchObject({ Path: location, SameSite: 'Strict' });
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).not.toMatch(/Domain=/i);

    // Another service on 127.0.0.1 (another port) sees what the browser sends it: whatever it serves, the page
    // paths it is asked for are its own, never under our secret session path — so the cookie never goes there.
    const seen: string[] = [];
    const other = await startLoopback((req, r) => {
      seen.push(req.headers.cookie ?? '');
      r.end('hello');
    });
    try {
      for (const p of ['/', '/s/', '/index.html', '/files/projects/1/a.jpg', '/ipc', '/s/other-app/']) {
        expect(pathMatches(attrs.Path!, p), p).toBe(false);
        const sent = pathMatches(attrs.Path!, p) ? setCookie.split(';')[0]! : '';
        await fetch(other.url + p, { headers: sent ? { cookie: sent } : {} });
      }
    } finally {
      await other.close();
    }
    expect(seen.filter((c) => c.includes('kraken'))).toEqual([]);
  });

  it('gives nothing for the cookie alone or for an old-style token: pages, files and the socket need the session path too', async () => {
    const t = await start();
    const origin = new URL(t.base).origin;
    const ws = (p: string, cookie = t.cookie) => socketStatus(`${origin.replace('http', 'ws')}${p}`, origin, cookie);
    // What a server that somehow got the cookie could replay, anywhere but under the session path:
    for (const p of ['/', '/index.html', '/files/projects/1/a.jpg']) expect((await fetch(origin + p, { headers: { cookie: t.cookie } })).status, p).toBe(403);
    expect(await ws('/ipc')).toBe(403);
    expect(await ws('/ipc?token=anything')).toBe(403);
    expect(await ws(new URL(t.ipcUrl).pathname, '')).toBe(403);
    expect(await ws(new URL(t.ipcUrl).pathname)).toBe(101);
  });

  it('accepts a sign-in code once; a used, unknown or expired code gets no session', async () => {
    const t = await start();
    const url = t.host.loginUrl();
    const first = await login(url);
    expect(first.base).toMatch(/\/s\/[^/]+\/$/);
    const again = await fetch(url, { redirect: 'manual' });
    expect(again.status).toBe(403);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toMatch(/already used or has expired/);
    // The address the host printed at start was used by startHost: it is spent too.
    expect((await fetch(t.host.url, { redirect: 'manual' })).status).toBe(403);
    expect((await fetch(`${t.host.origin}/?code=${'A'.repeat(32)}`, { redirect: 'manual' })).status).toBe(403);
    expect((await fetch(`${t.host.origin}/?code=`, { redirect: 'manual' })).status).toBe(403);

    vi.useFakeTimers({ toFake: ['Date'] });
    const launcher = t.host.loginUrl(60_000);
    vi.setSystemTime(Date.now() + 61_000);
    expect((await fetch(launcher, { redirect: 'manual' })).status).toBe(403);
    vi.useRealTimers();

    // Two sign-ins are two sessions, each with its own path and cookie; neither opens the other.
    const second = await login(t.host.loginUrl());
    expect(second.base).not.toBe(first.base);
    expect((await fetch(first.base, { headers: { cookie: first.cookie } })).status).toBe(200);
    expect((await fetch(second.base, { headers: { cookie: first.cookie } })).status).toBe(403);
  });

  it('keeps a session page reachable without its trailing slash and the fragment of the sign-in address (viewer links)', async () => {
    const t = await start();
    const res = await fetch(t.base.slice(0, -1), { headers: { cookie: t.cookie }, redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe(new URL(t.base).pathname);
  });
});

describe('browser host on localhost', () => {
  it('signs in on localhost:<port> too: its own session, socket and uploads accept that origin', async () => {
    const t = await start();
    const port = new URL(t.host.origin).port;
    const local = await login(t.host.loginUrl().replace('127.0.0.1', 'localhost'));
    expect(new URL(local.base).host).toBe(`localhost:${port}`);
    expect((await fetch(local.base, { headers: { cookie: local.cookie } })).status).toBe(200);
    expect(await socketStatus(local.ipcUrl, `http://localhost:${port}`, local.cookie)).toBe(101);
    expect(await socketStatus(local.ipcUrl, 'http://evil.localhost', local.cookie)).toBe(403);
    const up = await fetch(`${local.base}upload?name=a.txt`, { method: 'POST', body: 'x', headers: { cookie: local.cookie, origin: `http://localhost:${port}` } });
    expect(up.status).toBe(200);
  });
});
