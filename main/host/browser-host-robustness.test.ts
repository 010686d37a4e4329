/**
 * Finding 2 of issue 9: one bad client must not take the browser host down (and its running jobs with it).
 * Each case sends what a hostile or broken client would, then checks the host still answers everyone else.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { fixtures } from '../../test-support/media-fixtures';
import type { TestHost, TestSession } from './test-host';
import { startHost as startTestHost } from './test-host';

const open: TestHost[] = [];
async function start() {
  const started = await startTestHost();
  open.push(started);
  return started;
}
afterEach(async () => {
  vi.restoreAllMocks();
  for (const { core, host, dir } of open.splice(0)) {
    await host.close();
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Sends raw bytes and returns whatever the host answers before it closes (or 2 s of silence). */
function raw(port: number, text: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    const done = () => {
      socket.destroy();
      resolve(got);
    };
    socket.setTimeout(2000, done);
    socket.on('data', (d) => (got += d.toString('latin1')));
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
    socket.write(text);
  });
}

function upgradeRequest(port: number, target: string, extra = ''): string {
  return `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
}

function connect(s: TestHost | TestSession, cookie = s.cookie): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(s.ipcUrl, { origin: new URL(s.base).origin, headers: { cookie } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<any> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve(-1);
    ws.once('close', (code) => resolve(code));
  });
}

function call(ws: WebSocket, id: number, channel: string, payload: unknown = {}): Promise<any> {
  return new Promise((resolve) => {
    const onMsg = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data));
      if (msg.t === 'result' && msg.id === id) {
        ws.off('message', onMsg);
        resolve(msg.envelope);
      }
    };
    ws.on('message', onMsg);
    ws.send(JSON.stringify({ t: 'call', id, channel, payload }));
  });
}

async function stillAnswers(s: TestHost): Promise<void> {
  const ws = await connect(s);
  const r = await call(ws, 999, 'settings.get');
  expect(r.ok).toBe(true);
  ws.close();
}

describe('browser host robustness', () => {
  it('answers odd request targets on the upgrade path instead of throwing (//, *, absolute-form, none)', async () => {
    const s = await start();
    const { port } = s;
    for (const target of ['//', '//evil.example/ipc', '/ipc//', '*', 'http://evil.example/ipc', '/%00', '/..%2f..%2fipc']) {
      const answer = await raw(port, upgradeRequest(port, target));
      expect(answer, target).toMatch(/^HTTP\/1\.1 4\d\d/);
    }
    await stillAnswers(s);
  });

  it('answers frames that are not calls (null, numbers, arrays, strings, missing fields) and keeps the socket usable', async () => {
    const s = await start();
    const ws = await connect(s);
    for (const frame of ['null', '42', '"call"', '[]', '{}', 'true', '{"t":"call"}', '{"t":"call","id":"1","channel":"settings.get"}', 'not json', '{"t":"call","id":1e400,"channel":1}']) {
      const answer = nextMessage(ws);
      ws.send(frame);
      expect(await answer, frame).toMatchObject({ t: 'error', error: { code: 'INVALID_INPUT' } });
    }
    const bad = nextMessage(ws);
    ws.send(JSON.stringify({ t: 'call', id: 7, channel: 'projects.create', payload: null }));
    expect(await bad).toMatchObject({ t: 'result', id: 7, envelope: { ok: false, error: { code: 'INVALID_INPUT' } } });
    expect((await call(ws, 8, 'settings.get')).ok).toBe(true);
    ws.close();
  });

  it('closes only the socket that sends an oversized frame, invalid UTF-8 or binary data', async () => {
    const s = await start();
    const bystander = await connect(s);

    const big = await connect(s);
    big.on('error', () => undefined);
    big.send('x'.repeat(16 * 1024 * 1024 + 10));
    expect(await closed(big)).toBe(1009);

    const utf = await connect(s);
    utf.on('error', () => undefined);
    utf.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await closed(utf)).toBe(1007);

    const bin = await connect(s);
    bin.on('error', () => undefined);
    bin.send(Buffer.from(JSON.stringify({ t: 'call', id: 1, channel: 'settings.get', payload: {} })), { binary: true });
    expect(await closed(bin)).toBe(1003);

    expect((await call(bystander, 1, 'settings.get')).ok).toBe(true);
    bystander.close();
  });

  it('answers every call of a flood (past the limit with RATE_LIMITED) and closes a socket that keeps sending garbage', async () => {
    const s = await start();
    const ws = await connect(s);
    const answers = new Map<number, any>();
    const all = new Promise<void>((resolve) => {
      ws.on('message', (d) => {
        const m = JSON.parse(String(d));
        if (m.t === 'result') answers.set(m.id, m.envelope);
        if (answers.size === 300) resolve();
      });
    });
    for (let id = 1; id <= 300; id++) ws.send(JSON.stringify({ t: 'call', id, channel: 'jobs.list', payload: {} }));
    await all;
    const codes = [...answers.values()].map((e) => (e.ok ? 'ok' : e.error.code));
    expect(codes.filter((c) => c !== 'ok' && c !== 'RATE_LIMITED')).toEqual([]);
    expect(codes).toContain('ok');
    ws.removeAllListeners('message');

    const noisy = await connect(s);
    for (let i = 0; i < 50; i++) noisy.send('null');
    expect(await closed(noisy)).toBe(1008);
    await stillAnswers(s);
    ws.close();
  });

  it('answers 403/404 for a file the OS refuses to read or that vanishes before it is opened, and keeps serving', async () => {
    const s = await start();
    const { core, cookie } = s;
    const dir = path.join(core.dataDir, 'projects', '1', 'frames', '1');
    fs.mkdirSync(dir, { recursive: true });
    const locked = path.join(dir, 'locked.jpg');
    const gone = path.join(dir, 'gone.jpg');
    const fine = path.join(dir, 'fine.jpg');
    for (const f of [locked, gone, fine]) fs.writeFileSync(f, Buffer.alloc(4096, 1));
    const realLocked = fs.realpathSync(locked);
    const realGone = fs.realpathSync(gone);
    // As root (CI containers) chmod 000 still reads, so the refusal is the OS's answer simulated at both ways in.
    const eacces = () => Object.assign(new Error(`EACCES: permission denied, open '${realLocked}'`), { code: 'EACCES', errno: -13, syscall: 'open', path: realLocked });
    const openOrig = fs.promises.open.bind(fs.promises);
    vi.spyOn(fs.promises, 'open').mockImplementation(async (file, ...rest) => {
      if (String(file) === realLocked) throw eacces();
      if (String(file) === realGone) fs.rmSync(realGone);
      return openOrig(file as string, ...(rest as [string]));
    });
    const streamOrig = fs.createReadStream.bind(fs);
    vi.spyOn(fs, 'createReadStream').mockImplementation(((file: fs.PathLike, opts?: any) => {
      if (String(file) === realGone) fs.rmSync(realGone, { force: true });
      if (String(file) !== realLocked) return streamOrig(file, opts);
      const stream = streamOrig(__filename, opts);
      stream.destroy(eacces());
      return stream;
    }) as typeof fs.createReadStream);

    const get = (name: string) => fetch(`${s.base}files/projects/1/frames/1/${name}`, { headers: { cookie } });
    expect((await get('locked.jpg')).status).toBe(403);
    expect((await get('gone.jpg')).status).toBe(404);
    const ok = await get('fine.jpg');
    expect(ok.status).toBe(200);
    expect((await ok.arrayBuffer()).byteLength).toBe(4096);
    await stillAnswers(s);
  });

  it('accepts only Host 127.0.0.1:<port> and localhost:<port>, for pages and sockets (DNS rebinding)', async () => {
    const s = await start();
    const { cookie, port } = s;
    const status = (hostHeader: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: new URL(s.base).pathname, headers: { host: hostHeader, cookie } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status(`127.0.0.1:${port}`)).toBe(200);
    expect(await status(`localhost:${port}`)).toBe(200);
    for (const bad of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${port + 1}`, '127.0.0.1', `127.0.0.1.evil.example:${port}`, `[::1]:${port}`]) {
      expect(await status(bad), bad).toBe(421);
    }
    const rebinding = await raw(port, upgradeRequest(port, new URL(s.ipcUrl).pathname, `Origin: ${new URL(s.base).origin}\r\nCookie: ${cookie}\r\n`).replace(`Host: 127.0.0.1:${port}`, `Host: evil.example:${port}`));
    expect(rebinding).toMatch(/^HTTP\/1\.1 421/);
    await stillAnswers(s);
  });

  it("keeps the jobs of a client that is cut off: its extraction still completes after its socket is closed for a bad frame", async () => {
    const s = await start();
    const ws = await connect(s);
    ws.on('error', () => undefined);
    const project = (await call(ws, 1, 'projects.create', { name: 'cut off' })).value;
    const imported = (await call(ws, 2, 'media.import', { projectId: project.id, paths: [fixtures.h264_1080p20s()] })).value;
    const started = await call(ws, 3, 'frames.extract', { projectId: project.id, mediaId: imported.imported[0].id, params: { mode: { kind: 'fps', fps: 2 } } });
    expect(started.ok).toBe(true);
    // A 20 s 1080p clip keeps the job busy past the bad frame (not asserted: only that it completes matters).
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await closed(ws)).toBe(1003);
    await s.core.jobs.idle();
    expect(s.core.jobs.get(started.value.jobId).status).toBe('completed');
    await stillAnswers(s);
  });
});
