/**
 * Fuzz test (issue 9, finding 2): a few thousand random and mutated frames and HTTP requests thrown at a running
 * browser host; afterwards it still answers a normal call and a job that was running meanwhile is unaffected.
 * Bounded by count (fixed seeds, so a failure replays) and by per-request timeouts, not by the clock.
 */
import fs from 'node:fs';
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type TestHost } from './test-host';

let t: TestHost;
let release: () => void = () => undefined;
let jobId = '';

beforeAll(async () => {
  t = await startHost();
  // A job that runs until the fuzzing is over: it must still be running, then finish normally.
  t.core.jobs.register('fuzz.wait', {
    run: (_params, ctx) =>
      new Promise<string>((resolve) => {
        ctx.progress({ fraction: 0.5, stage: 'waiting' });
        release = () => resolve('done');
      }),
  });
  jobId = t.core.jobs.start('fuzz.wait', {}).id;
});
afterAll(async () => {
  release();
  await t.host.close();
  await t.core.close();
  fs.rmSync(t.dir, { recursive: true, force: true });
});

/** Sends one raw request and resolves with the first bytes of the answer ('' when the host just closed). */
function rawRequest(bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(t.port, '127.0.0.1');
    let got = '';
    const done = () => {
      socket.destroy();
      resolve(got);
    };
    socket.setTimeout(3000, done);
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) done();
    });
    socket.on('close', done);
    socket.on('error', done);
    socket.write(bytes);
  });
}

function openSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(t.ipcUrl, { origin: new URL(t.base).origin, headers: { cookie: t.cookie } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Resolves 'answered' when the call with `id` gets its result, 'closed' when the host closes the socket. */
function sentinel(ws: WebSocket, id: number): Promise<'answered' | 'closed'> {
  return new Promise((resolve) => {
    ws.on('message', (d) => {
      try {
        const m = JSON.parse(String(d));
        if (m.t === 'result' && m.id === id) resolve('answered');
      } catch {
        /* only the sentinel's answer matters here */
      }
    });
    ws.on('close', () => resolve('closed'));
    ws.on('error', () => undefined);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'call', id, channel: 'settings.get', payload: {} }));
    else resolve('closed');
  });
}

const SAFE_CHANNELS = ['settings.get', 'jobs.list', 'jobs.get', 'projects.list', 'projects.create', 'projects.get', 'frames.listImages', 'nope.nothing', '__proto__', 'constructor', ''];

const validCall = fc.record({
  t: fc.constantFrom('call', 'result', 'event', 'CALL', ''),
  id: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.constant(1e308)),
  channel: fc.oneof(fc.constantFrom(...SAFE_CHANNELS), fc.string()),
  payload: fc.jsonValue(),
});

/** A frame: random text, any JSON, a mutated call, or bytes that are not UTF-8 or not text at all. */
const frame: fc.Arbitrary<{ data: string | Buffer; binary: boolean }> = fc.oneof(
  fc.string({ maxLength: 200 }).map((s) => ({ data: s, binary: false })),
  fc.jsonValue().map((v) => ({ data: JSON.stringify(v) ?? 'null', binary: false })),
  validCall.map((c) => ({ data: JSON.stringify(c), binary: false })),
  validCall.chain((c) =>
    fc.nat({ max: 40 }).map((cut) => {
      const s = JSON.stringify(c);
      return { data: s.slice(0, Math.max(0, s.length - cut)), binary: false };
    }),
  ),
  fc.uint8Array({ maxLength: 64 }).map((b) => ({ data: Buffer.from(b), binary: false })),
  fc.uint8Array({ maxLength: 64 }).map((b) => ({ data: Buffer.from(b), binary: true })),
  fc.constant({ data: 'null', binary: false }),
  fc.constant({ data: '{"t":"call","id":1,"channel":"projects.create","payload":{"name":"' + 'x'.repeat(5000) + '"}}', binary: false }),
);

const segment = fc.oneof(
  fc.constantFrom('', '.', '..', '%2e%2e', '%2E%2e%2f', '%00', '%', '%zz', 'files', 'ipc', 'upload', 's', 'studio.db', 'studio.db.', 'studio.db::$DATA', 'STUDIO~1.DB', '.secrets.json', 'credentials.json', 'index.html', '\\..\\', '..;', '%5c..%5c'),
  fc.stringMatching(/^[A-Za-z0-9._~%-]{0,20}$/),
);
const pathArb = fc.oneof(
  { arbitrary: fc.constantFrom('BASE', 'BASEfiles/', 'BASEindex.html', 'BASEassets/x.js'), weight: 2 },
  fc.array(segment, { maxLength: 8 }).map((segs) => '/' + segs.join('/')),
  fc.array(segment, { maxLength: 8 }).map((segs) => '//' + segs.join('/')),
  fc.array(segment, { maxLength: 6 }).map((segs) => new URL(t.base).pathname + segs.join('/')),
  fc.array(segment, { maxLength: 6 }).map((segs) => `${new URL(t.base).pathname}files/${segs.join('/')}?thumb=${segs[0] ?? ''}`),
  fc.constantFrom('*', 'http://evil.example/', '', ' ', '/?code=' + 'A'.repeat(40), '/?code=', '/ipc?token=x'),
);
const methodArb = fc.oneof({ arbitrary: fc.constantFrom('GET', 'GET', 'HEAD', 'POST'), weight: 3 }, fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'get', 'BREW'), fc.stringMatching(/^[A-Z]{1,10}$/));
const cookieArb = fc.oneof(
  fc.constant('SESSION'),
  fc.constant('SESSION'),
  fc.constant(''),
  fc.string({ maxLength: 60 }),
  fc.string({ maxLength: 40 }).map((v) => `kraken_session=${v}`),
  fc.constantFrom('kraken_token=wrong', ';;;;', '=', 'a=b; a=c; a=d'),
);
const headerArb = fc.record({
  host: fc.oneof({ arbitrary: fc.constant('ok'), weight: 4 }, fc.constant('localhost'), fc.constantFrom('evil.example', '', '127.0.0.1', '[::1]'), fc.string({ maxLength: 30 })),
  cookie: cookieArb,
  huge: fc.constantFrom(0, 0, 0, 1000, 20_000, 70_000),
  upgrade: fc.boolean(),
  body: fc.uint8Array({ maxLength: 200 }),
});

describe('browser host under fuzzing', () => {
  it('survives 1,500 random HTTP requests (methods, //, %00, .., huge headers, bad cookies and hosts): each gets an HTTP answer or a closed socket', async () => {
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(methodArb, pathArb, headerArb, async (method, target, h) => {
        const host = h.host === 'ok' ? `127.0.0.1:${t.port}` : h.host === 'localhost' ? `localhost:${t.port}` : h.host;
        if (target.startsWith('BASE')) target = new URL(t.base).pathname + target.slice(4);
        const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host}`, `Connection: close`];
        if (h.cookie) lines.push(`Cookie: ${h.cookie === 'SESSION' ? t.cookie : h.cookie}`);
        if (h.huge) lines.push(`X-Huge: ${'a'.repeat(h.huge)}`);
        if (h.upgrade) lines.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', `Origin: ${new URL(t.base).origin}`);
        lines.push(`Content-Length: ${h.body.length}`);
        const answer = await rawRequest(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), Buffer.from(h.body)]));
        if (answer) expect(answer).toMatch(/^HTTP\/1\.1 [1-5]\d\d /);
        const status = answer.slice(9, 12) || 'closed';
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        // Nothing odd ever reaches a data file or a private one.
        if (/files\/.*(studio\.db|secrets|credentials)/i.test(target)) expect(answer).not.toMatch(/^HTTP\/1\.1 2/);
      }),
      { numRuns: 1500, seed: 9_0002, endOnFailure: true },
    );
    // The generators reach the interesting answers, not only the parser's 400.
    for (const s of ['200', '400', '403', '404', '421']) expect(statuses.get(s) ?? 0, `${s} in ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
    const res = await fetch(t.base, { headers: { cookie: t.cookie } });
    expect(res.status).toBe(200);
  });

  it('survives 2,000+ random and mutated frames on logged-in sockets: each socket answers its next call or is closed, never the host', async () => {
    let frames = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 12 }), async (batch) => {
        const ws = await openSocket();
        for (const f of batch) if (ws.readyState === ws.OPEN) ws.send(f.data, { binary: f.binary });
        frames += batch.length;
        const outcome = await sentinel(ws, 424242);
        expect(['answered', 'closed']).toContain(outcome);
        ws.terminate();
      }),
      { numRuns: 300, seed: 9_0002, endOnFailure: true },
    );
    expect(frames).toBeGreaterThan(1500);
    // One oversized frame for good measure, then the normal call and the running job.
    const big = await openSocket();
    big.on('error', () => undefined);
    big.send('x'.repeat(17 * 1024 * 1024));
    await new Promise((r) => big.once('close', r));

    const ws = await openSocket();
    expect(await sentinel(ws, 1)).toBe('answered');
    const job = await new Promise<any>((resolve) => {
      ws.on('message', (d) => {
        const m = JSON.parse(String(d));
        if (m.t === 'result' && m.id === 2) resolve(m.envelope);
      });
      ws.send(JSON.stringify({ t: 'call', id: 2, channel: 'jobs.get', payload: { id: jobId } }));
    });
    expect(job).toMatchObject({ ok: true, value: { id: jobId, status: 'running' } });
    release();
    await t.core.jobs.idle();
    expect(t.core.jobs.get(jobId).status).toBe('completed');
    ws.close();
  });
});
