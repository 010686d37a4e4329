import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../common/app-error';
import { closedPort, readBody, startLoopback, type LoopbackServer } from '../../../test-support/loopback-server';
import { HttpClient, loggingLayer, type AuthProvider, type HttpClientOptions, type RequestLogLine } from './http-client';

const servers: LoopbackServer[] = [];
async function serve(handler: http.RequestListener): Promise<LoopbackServer> {
  const s = await startLoopback(handler);
  servers.push(s);
  return s;
}
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A client whose back-off waits are recorded instead of slept. */
function client(baseUrl: string, extra: Partial<HttpClientOptions> = {}) {
  const waits: number[] = [];
  const c = new HttpClient({
    service: 'atlas',
    baseUrl,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { c, waits };
}

async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a rejection');
}

const Ok = z.object({ ok: z.boolean() });

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

describe('HttpClient URLs', () => {
  it('appends the path to the base as written, with or without slashes', async () => {
    const seen: string[] = [];
    const s = await serve((req, res) => {
      seen.push(req.url!);
      json(res, 200, { ok: true });
    });
    for (const base of [s.url, `${s.url}/`])
      for (const path of ['/atlas/auth/sign-In', 'atlas/auth/sign-In']) await client(base).c.request({ path, schema: Ok });
    expect(seen).toEqual(Array(4).fill('/atlas/auth/sign-In'));
    await client(`${s.url}/prefix/`).c.request({ path: '/atlas/item/my/2', query: { orderBy: 'createdAt', desc: true, cursor: undefined, limit: 10 }, schema: Ok });
    expect(seen.at(-1)).toBe('/prefix/atlas/item/my/2?orderBy=createdAt&desc=true&limit=10');
  });

  it('refuses a full URL as a path and a base that is not http(s)', () => {
    const { c } = client('http://127.0.0.1:1');
    expect(() => c.url('https://evil.example/steal')).toThrow(/relative to the service/);
    expect(() => c.url('//evil.example/x')).toThrow(/relative/);
    expect(() => new HttpClient({ service: 'atlas', baseUrl: 'ftp://x' })).toThrow(/http:\/\/ or https/);
    expect(() => new HttpClient({ service: 'atlas', baseUrl: 'not a url' })).toThrow(/not a URL/);
  });
});

describe('HttpClient replies', () => {
  it('sends JSON, parses the reply with the schema, and accepts an empty 201', async () => {
    let got: unknown;
    const s = await serve(async (req, res) => {
      if (req.url === '/atlas/auth/sign-up') {
        got = { method: req.method, type: req.headers['content-type'], body: JSON.parse((await readBody(req)).toString()) };
        res.writeHead(201);
        res.end();
        return;
      }
      json(res, 201, { accessToken: 'a', refreshToken: 'r' });
    });
    const { c } = client(s.url);
    await expect(c.request({ method: 'POST', path: '/atlas/auth/sign-up', json: { email: 'e@x.io' }, schema: z.undefined() })).resolves.toBeUndefined();
    expect(got).toEqual({ method: 'POST', type: 'application/json', body: { email: 'e@x.io' } });
    await expect(c.request({ method: 'POST', path: '/atlas/auth/sign-In', json: {}, schema: z.object({ accessToken: z.string(), refreshToken: z.string() }) })).resolves.toEqual({
      accessToken: 'a',
      refreshToken: 'r',
    });
  });

  it('a reply that breaks the schema is REMOTE, naming where and never the values', async () => {
    const s = await serve((_req, res) => json(res, 200, { accessToken: 12345 }));
    const e = await caught(client(s.url).c.request({ path: '/atlas/me', schema: z.object({ accessToken: z.string() }) }));
    expect(e.code).toBe('REMOTE');
    expect(e.message).toBe('The Atlas service sent a reply the studio does not understand.');
    expect(e.details).toMatchObject({ service: 'atlas', status: 200, issues: ['accessToken'] });
    expect(JSON.stringify(e.details)).not.toContain('12345');
  });

  it('an HTML page where JSON was expected is REMOTE too', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>captive portal</html>');
    });
    expect((await caught(client(s.url).c.request({ path: '/atlas/me', schema: Ok }))).code).toBe('REMOTE');
  });

  it("maps a 4xx to its code with the service's message, once (no retry)", async () => {
    let n = 0;
    const s = await serve((_req, res) => {
      n++;
      json(res, 409, { message: 'The email is duplicated' });
    });
    const { c, waits } = client(s.url);
    const e = await caught(c.request({ method: 'POST', path: '/atlas/auth/sign-up', json: { password: 'Secret-Passw0rd!' }, schema: Ok }));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toBe('The Atlas service said: The email is duplicated.');
    expect(n).toBe(1);
    expect(waits).toEqual([]);
    expect(JSON.stringify(e.toShape())).not.toContain('Secret-Passw0rd!');
  });

  it('refuses a buffered reply larger than maxReplyBytes (declared or streamed)', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(5000) });
        res.end('"' + 'x'.repeat(4998) + '"');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('"' + 'x'.repeat(3000));
        res.end('x'.repeat(3000) + '"');
      }
    });
    const { c } = client(s.url, { maxReplyBytes: 4096 });
    for (const p of ['/declared', '/chunked']) {
      const e = await caught(c.request({ path: p, schema: z.string() }));
      expect(e.code).toBe('REMOTE');
      expect(e.message).toMatch(/larger than/);
    }
  });

  it('okStatuses widens what counts as success', async () => {
    const s = await serve((_req, res) => json(res, 404, { ok: false }));
    await expect(client(s.url).c.request({ path: '/x', schema: Ok, okStatuses: [200, 404] })).resolves.toEqual({ ok: false });
  });
});

describe('HttpClient retries', () => {
  it('retries a 5xx three times with exponential back-off and full jitter, then gives a plain sentence', async () => {
    let n = 0;
    const s = await serve((_req, res) => {
      n++;
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    });
    const { c, waits } = client(s.url);
    const e = await caught(c.request({ path: '/atlas/me', schema: Ok }));
    expect(n).toBe(4);
    expect(waits).toEqual([250, 500, 1000]); // random 0.5 × 500·2^k
    expect(e.code).toBe('REMOTE');
    expect(e.message).toBe('The Atlas service had a problem (HTTP 502). Try again later.');
  });

  it('succeeds when a later attempt works, and retry:false makes one attempt only', async () => {
    let n = 0;
    const s = await serve((_req, res) => (++n < 3 ? json(res, 503, { message: 'busy' }) : json(res, 200, { ok: true })));
    const { c, waits } = client(s.url);
    await expect(c.request({ path: '/x', schema: Ok })).resolves.toEqual({ ok: true });
    expect(n).toBe(3);
    expect(waits).toHaveLength(2);
    n = 0;
    const once = await caught(c.request({ path: '/x', schema: Ok, retry: false }));
    expect(once.message).toBe('The Atlas service had a problem (HTTP 503): busy. Try again later.');
    expect(n).toBe(1);
  });

  it('honours Retry-After in seconds and as an HTTP date, and X-RateLimit-Reset', async () => {
    let n = 0;
    const replies: [number, Record<string, string>][] = [
      [429, { 'retry-after': '2' }],
      [503, { 'retry-after': new Date(Date.now() + 5_000).toUTCString() }],
      [429, { 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 30) }],
    ];
    const s = await serve((_req, res) => {
      const r = replies[n++];
      if (r) json(res, r[0], { message: 'slow down' }, r[1]);
      else json(res, 200, { ok: true });
    });
    const { c, waits } = client(s.url);
    await expect(c.request({ path: '/x', schema: Ok })).resolves.toEqual({ ok: true });
    expect(waits[0]).toBe(2000);
    expect(waits[1]).toBeGreaterThan(2000);
    expect(waits[1]).toBeLessThanOrEqual(5000);
    expect(waits[2]).toBeGreaterThan(20_000);
    expect(waits[2]).toBeLessThanOrEqual(31_000);
  });

  it('does not sit out a Retry-After longer than a minute: RATE_LIMITED with retryAfterMs', async () => {
    let n = 0;
    const s = await serve((_req, res) => {
      n++;
      json(res, 429, { message: 'quota' }, { 'retry-after': '3600' });
    });
    const { c, waits } = client(s.url);
    const e = await caught(c.request({ path: '/x', schema: Ok }));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.details).toMatchObject({ retryAfterMs: 3_600_000, status: 429 });
    expect(n).toBe(1);
    expect(waits).toEqual([]);
  });

  it('retries dropped connections and an unreachable server, then says NETWORK', async () => {
    let n = 0;
    const s = await serve((req, res) => {
      if (++n <= 2) req.socket.destroy();
      else json(res, 200, { ok: true });
    });
    await expect(client(s.url).c.request({ path: '/x', schema: Ok })).resolves.toEqual({ ok: true });
    expect(n).toBe(3);

    const port = await closedPort();
    const { c, waits } = client(`http://127.0.0.1:${port}`);
    const e = await caught(c.request({ path: '/atlas/version', schema: Ok }));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toBe(`The Atlas service cannot be reached at http://127.0.0.1:${port}. Check the connection and the service address in Settings.`);
    expect(e.details).toMatchObject({ service: 'atlas', reason: 'unreachable', errno: 'ECONNREFUSED' });
    expect(waits).toHaveLength(3);
  });

  it('a reply cut halfway is a dropped connection and is retried', async () => {
    let n = 0;
    const s = await serve((req, res) => {
      n++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      if (n === 1) {
        res.write('{"ok":');
        setTimeout(() => req.socket.destroy(), 10);
      } else res.end(JSON.stringify({ ok: true }).padEnd(100, ' '));
    });
    await expect(client(s.url).c.request({ path: '/x', schema: Ok })).resolves.toEqual({ ok: true });
    expect(n).toBe(2);
  });
});

describe('HttpClient timeouts and cancel', () => {
  it('a server that never answers is a timeout', async () => {
    const s = await serve(() => undefined);
    const { c } = client(s.url, { timeoutMs: 150, maxRetries: 0 });
    const e = await caught(c.request({ path: '/x', schema: Ok }));
    expect(e.code).toBe('NETWORK');
    expect(e.details).toMatchObject({ reason: 'timeout' });
    expect(e.message).toMatch(/did not answer within 1 s/);
  });

  it("the caller's signal cancels a request in flight and the waits between attempts", async () => {
    const s = await serve(() => undefined);
    const ac = new AbortController();
    const p = client(s.url).c.request({ path: '/x', schema: Ok, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect((await caught(p)).code).toBe('CANCELLED');

    const busy = await serve((_req, res) => json(res, 503, {}));
    const ac2 = new AbortController();
    const c2 = new HttpClient({
      service: 'atlas',
      baseUrl: busy.url,
      sleep: async () => {
        ac2.abort();
        throw new Error('aborted');
      },
    });
    expect((await caught(c2.request({ path: '/x', schema: Ok, signal: ac2.signal }))).code).toBe('CANCELLED');
    const ac3 = new AbortController();
    ac3.abort();
    expect((await caught(c2.request({ path: '/x', schema: Ok, signal: ac3.signal }))).code).toBe('CANCELLED');
  });
});

describe('HttpClient auth', () => {
  function session(tokens: string[], refreshWorks: boolean) {
    let i = 0;
    let refreshes = 0;
    const auth: AuthProvider = {
      header: async () => `Bearer ${tokens[i]}`,
      refresh: async () => {
        refreshes++;
        await new Promise((r) => setTimeout(r, 20));
        if (!refreshWorks) return false;
        i++;
        return true;
      },
    };
    return { auth, refreshes: () => refreshes };
  }

  it('sends the header; a 401 refreshes once and repeats once with the new token', async () => {
    const seen: (string | undefined)[] = [];
    const s = await serve((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization === 'Bearer new-token') json(res, 200, { ok: true });
      else json(res, 401, { message: 'jwt expired' });
    });
    const { auth, refreshes } = session(['old-token', 'new-token'], true);
    await expect(client(s.url, { auth }).c.request({ path: '/atlas/me', schema: Ok })).resolves.toEqual({ ok: true });
    expect(seen).toEqual(['Bearer old-token', 'Bearer new-token']);
    expect(refreshes()).toBe(1);
  });

  it('concurrent 401s share one refresh', async () => {
    const s = await serve((req, res) => (req.headers.authorization === 'Bearer t2' ? json(res, 200, { ok: true }) : json(res, 401, {})));
    const { auth, refreshes } = session(['t1', 't2'], true);
    const { c } = client(s.url, { auth });
    await Promise.all([1, 2, 3].map(() => c.request({ path: '/atlas/me', schema: Ok })));
    expect(refreshes()).toBe(1);
  });

  it('a 401 for a token already replaced meanwhile repeats with the new one and does not refresh again', async () => {
    let token = 'old';
    let refreshes = 0;
    const s = await serve((req, res) => {
      if (req.headers.authorization === 'Bearer new') return json(res, 200, { ok: true });
      token = 'new'; // another request's refresh lands while this one is refused
      json(res, 401, {});
    });
    const auth: AuthProvider = { header: async () => `Bearer ${token}`, refresh: async () => (refreshes++, true) };
    await expect(client(s.url, { auth }).c.request({ path: '/atlas/me', schema: Ok })).resolves.toEqual({ ok: true });
    expect(refreshes).toBe(0);
  });

  it('a refused refresh is UNAUTHORIZED with the service message and no token anywhere', async () => {
    let n = 0;
    const s = await serve((_req, res) => {
      n++;
      json(res, 401, { message: 'Unauthorized' });
    });
    const { auth, refreshes } = session(['secret-access-token-1'], false);
    const e = await caught(client(s.url, { auth }).c.request({ path: '/atlas/me', schema: Ok }));
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.message).toBe('The Atlas service said: Unauthorized.');
    expect(refreshes()).toBe(1);
    expect(n).toBe(1);
    expect(JSON.stringify(e.toShape())).not.toContain('secret-access-token');
  });

  it('a second 401 after a refresh is not refreshed again; auth:false sends no header', async () => {
    const seen: (string | undefined)[] = [];
    const s = await serve((req, res) => {
      seen.push(req.headers.authorization);
      json(res, 401, {});
    });
    const { auth, refreshes } = session(['a', 'b'], true);
    const { c } = client(s.url, { auth });
    expect((await caught(c.request({ path: '/atlas/me', schema: Ok }))).code).toBe('UNAUTHORIZED');
    expect(refreshes()).toBe(1);
    expect(seen).toEqual(['Bearer a', 'Bearer b']);
    seen.length = 0;
    await caught(c.request({ path: '/atlas/auth/sign-In', schema: Ok, auth: false }));
    expect(seen).toEqual([undefined]);
  });
});

describe('HttpClient.requestRaw', () => {
  it('hands back the stream on success and an AppError otherwise', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/bin') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from([1, 2, 3]));
      } else json(res, 404, { message: 'No item' });
    });
    const { c } = client(s.url);
    const res = await c.requestRaw({ path: '/bin' });
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([1, 2, 3]));
    const e = await caught(c.requestRaw({ path: '/nothing' }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe('The Atlas service said: No item.');
  });
});

describe('loggingLayer', () => {
  it('logs method, path, status and time per request — never the token, the query or the body', async () => {
    const s = await serve((req, res) => (req.url!.startsWith('/atlas/me') ? json(res, 200, { ok: true }) : req.socket.destroy()));
    const lines: RequestLogLine[] = [];
    const token = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.c2ln';
    const auth: AuthProvider = { header: async () => `Bearer ${token}`, refresh: async () => false };
    const { c } = client(s.url, { auth, maxRetries: 0, middleware: [loggingLayer((l) => lines.push(l))] });
    await c.request({ method: 'POST', path: '/atlas/me', query: { cursor: 'private-cursor' }, json: { password: 'Secret-Passw0rd!' }, schema: Ok });
    await caught(c.request({ path: '/atlas/drop', schema: Ok }));
    expect(lines.map((l) => [l.method, l.path, l.status, l.error])).toEqual([
      ['POST', '/atlas/me', 200, undefined],
      ['GET', '/atlas/drop', null, 'NETWORK'],
    ]);
    const text = JSON.stringify(lines);
    for (const secret of [token, 'private-cursor', 'Secret-Passw0rd!']) expect(text).not.toContain(secret);
  });
});
