/** Fault injection, Range downloads, the admin API, persistence and secrets at rest. */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readTarGz } from '../base/tar';
import { startAtlasEmulator, type AtlasEmulator } from './index';
import { api, makeVideo, mediaDir, PASSWORD, signedInUser, type Api } from './test-kit';

let em: AtlasEmulator;
let a: Api;
let token: string;
let dir: string;
let video: string;
let requestId: string;
let size: number;

beforeAll(async () => {
  dir = mediaDir();
  video = makeVideo(dir, 'clip.mp4', 3, '320x180');
  em = await startAtlasEmulator({ processingMs: 0, quiet: true });
  a = api(em.url);
  token = (await signedInUser(a, 'f@example.com')).accessToken;
  const r = await a.form('/atlas/item/gs3d', { itemName: 'Splat', Epoch: '5', Payload: { file: video, type: 'video/mp4' } }, token);
  requestId = r.body.requestId;
  await em.waitGenerated(requestId);
  size = fs.statSync(em.resultFile(requestId)!).size;
}, 60_000);
afterAll(async () => {
  await em.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => em.clearFaults());

const downloadPath = () => `/atlas/item/download/${requestId}`;

/** A raw GET that reports every byte received and how the connection ended (fetch hides a cut in an exception). */
function rawGet(p: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${em.url}${p}`, { headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const done = () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete });
      res.on('end', done);
      res.on('aborted', done);
      res.on('error', done);
    });
    req.on('error', reject);
  });
}

describe('Range downloads', () => {
  it('206 with Content-Range for a, a-b and -n ranges; the parts make the whole file', async () => {
    const whole = fs.readFileSync(em.resultFile(requestId)!);
    const head = await rawGet(downloadPath(), { range: 'bytes=0-99' });
    expect(head.status).toBe(206);
    expect(head.headers['content-range']).toBe(`bytes 0-99/${size}`);
    expect(head.headers['accept-ranges']).toBe('bytes');
    expect(head.body.length).toBe(100);
    const rest = await rawGet(downloadPath(), { range: 'bytes=100-' });
    expect(rest.status).toBe(206);
    expect(rest.headers['content-range']).toBe(`bytes 100-${size - 1}/${size}`);
    expect(Buffer.concat([head.body, rest.body]).equals(whole)).toBe(true);
    const tail = await rawGet(downloadPath(), { range: 'bytes=-10' });
    expect(tail.body.equals(whole.subarray(size - 10))).toBe(true);
  });

  it('416 with bytes */size past the end; If-Range with another ETag gives the whole file (200); HEAD has no body', async () => {
    const past = await rawGet(downloadPath(), { range: `bytes=${size}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${size}`);
    const full = await rawGet(downloadPath(), { range: 'bytes=0-9', 'if-range': '"stale"' });
    expect(full.status).toBe(200);
    expect(full.body.length).toBe(size);
    const same = await rawGet(downloadPath(), { range: 'bytes=0-9', 'if-range': full.headers.etag! });
    expect(same.status).toBe(206);
    const head = await fetch(`${em.url}${downloadPath()}`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(size));
  });

  it('a download cut after N bytes delivers exactly N bytes, then a Range request resumes to an identical file', async () => {
    em.setFaults({ route: 'GET /atlas/item/download/*', cutDownloadAfterBytes: 1000, times: 1 });
    const cut = await rawGet(downloadPath());
    expect(cut.status).toBe(200);
    expect(cut.headers['content-length']).toBe(String(size));
    expect(cut.complete).toBe(false);
    expect(cut.body.length).toBe(1000);
    const rest = await rawGet(downloadPath(), { range: `bytes=${cut.body.length}-`, 'if-range': cut.headers.etag! });
    expect(rest.status).toBe(206);
    expect(Buffer.concat([cut.body, rest.body]).equals(fs.readFileSync(em.resultFile(requestId)!))).toBe(true);
    // the rule was for one request only
    expect((await rawGet(downloadPath())).body.length).toBe(size);
  });

  it('the cut also applies to a ranged request and to metadata files', async () => {
    em.setFaults({ route: 'GET /atlas/item/*', cutDownloadAfterBytes: 10 });
    const ranged = await rawGet(downloadPath(), { range: 'bytes=100-' });
    expect(ranged.status).toBe(206);
    expect(ranged.body.length).toBe(10);
    expect((await rawGet(`/atlas/item/log/${requestId}`)).body.length).toBe(10);
    // detail is JSON, not a download: not cut
    expect((await rawGet(`/atlas/item/detail/${requestId}`)).complete).toBe(true);
  });
});

/** A hand-built multipart body streamed with http.request; resolves with the status, or the error if the connection dropped. */
function uploadRaw(p: string, fields: Record<string, string>, fileField: string, filename: string, content: Buffer): Promise<{ status?: number; body?: string; error?: string }> {
  const boundary = `----atlas${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${filename}"\r\nContent-Type: video/mp4\r\n\r\n`), content, Buffer.from(`\r\n--${boundary}--\r\n`));
  const body = Buffer.concat(parts);
  return new Promise((resolve) => {
    const req = http.request(`${em.url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    // in slices, as a real upload goes
    let o = 0;
    const pump = () => {
      while (o < body.length) {
        const slice = body.subarray(o, o + 16 * 1024);
        o += slice.length;
        if (!req.write(slice)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

describe('upload faults', () => {
  it('a hand-built multipart upload is accepted, and the request log keeps its part names (never the token)', async () => {
    em.clearRequests();
    const r = await uploadRaw('/atlas/item/gs3d', { itemName: 'Hand made', Epoch: '3' }, 'Payload', 'clip.mp4', fs.readFileSync(video));
    expect(r.status).toBe(201);
    const log = em.requests().find((x) => x.path === '/atlas/item/gs3d')!;
    expect(log.bearer).toBe(true);
    expect(log.status).toBe(201);
    expect(log.parts!.map((p) => [p.name, p.kind])).toEqual([['itemName', 'field'], ['Epoch', 'field'], ['Payload', 'file']]);
    const viaAdmin = await a.json('GET', '/__emulator/requests');
    expect(viaAdmin.text).not.toContain(token);
    await em.waitGenerated(JSON.parse(r.body!).requestId);
  });

  it('the connection cut after N bytes of the upload: the client sees the drop, no item is made, nothing is left in uploads, the server goes on', async () => {
    const before = em.items().length;
    em.setFaults({ route: 'POST /atlas/item/*', cutUploadAfterBytes: 20_000, times: 1 });
    const content = Buffer.concat([fs.readFileSync(video), randomBytes(400_000)]);
    const r = await uploadRaw('/atlas/item/gs3d', { itemName: 'Cut', Epoch: '3' }, 'Payload', 'clip.mp4', content);
    expect(r.status).toBeUndefined();
    expect(r.error).toMatch(/ECONNRESET|EPIPE|socket hang up/);
    expect(em.items().length).toBe(before);
    const uploads = path.join(em.dataDir, 'uploads');
    expect(fs.existsSync(uploads) ? fs.readdirSync(uploads) : []).toEqual([]);
    expect(em.requests().at(-1)!.faults).toEqual(['cut upload after 20000 B']);
    const again = await uploadRaw('/atlas/item/gs3d', { itemName: 'Whole', Epoch: '3' }, 'Payload', 'clip.mp4', fs.readFileSync(video));
    expect(again.status).toBe(201);
    await em.waitGenerated(JSON.parse(again.body!).requestId);
  });

  it('a file name that climbs out of its folder (../../../escape.mp4) stays inside the item; request.tar.gz keeps only its base name', async () => {
    const r = await uploadRaw('/atlas/item/gs3d', { itemName: 'Sneaky', Epoch: '1' }, 'Payload', '../../../escape.mp4', fs.readFileSync(video));
    expect(r.status).toBe(201);
    const id = JSON.parse(r.body!).requestId;
    await em.waitGenerated(id);
    expect(fs.existsSync(path.join(em.dataDir, '..', 'escape.mp4'))).toBe(false);
    expect(fs.readdirSync(path.join(em.dataDir, 'items', id, 'input'))).toEqual(['Payload.mp4']);
    const req = await fetch(`${em.url}/atlas/item/request/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(readTarGz(new Uint8Array(await req.arrayBuffer())).map((e) => e.name)).toEqual(['request.json', 'Payload/escape.mp4']);
  });

  it('a multipart body that ends without its closing boundary is a 400 {message}, and nothing is kept', async () => {
    const before = em.items().length;
    const boundary = 'cut-short';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="itemName"\r\n\r\nx\r\n--${boundary}\r\nContent-Disposition: form-data; name="Payload"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n0123456789`;
    const r = await fetch(`${em.url}/atlas/item/gs3d`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ message: expect.stringMatching(/multipart/) });
    expect(em.items().length).toBe(before);
    const uploads = path.join(em.dataDir, 'uploads');
    expect(fs.existsSync(uploads) ? fs.readdirSync(uploads) : []).toEqual([]);
  });

  it('a client that drops mid-upload on its own leaves nothing behind either', async () => {
    const before = em.items().length;
    await new Promise<void>((resolve) => {
      const boundary = 'xyz';
      const req = http.request(`${em.url}/atlas/item/gs3d`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': 10_000_000 } });
      req.on('error', () => resolve());
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="Payload"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`);
      req.write(randomBytes(100_000), () => setTimeout(() => req.destroy(), 50));
      req.on('close', () => resolve());
    });
    // the server notices the drop in its own time: wait for the request log to say so
    for (let i = 0; i < 100 && em.requests().at(-1)?.status !== -1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(em.requests().at(-1)!.status).toBe(-1);
    expect(em.items().length).toBe(before);
    const uploads = path.join(em.dataDir, 'uploads');
    expect(fs.existsSync(uploads) ? fs.readdirSync(uploads) : []).toEqual([]);
    expect((await a.json('GET', '/atlas/version')).status).toBe(200);
  });
});

describe('5xx and slow replies', () => {
  it('a 5xx rate is seeded: the same rules give the same sequence, with both failures and successes', async () => {
    const run = async () => {
      em.setFaults({ route: '/atlas/version', status: 502, rate: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push((await a.json('GET', '/atlas/version')).status);
      return out;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first).toContain(502);
    expect(first).toContain(200);
  });

  it('503 with Retry-After; `times` limits a rule; admin routes are never faulted', async () => {
    em.setFaults({ status: 503, retryAfterSec: 7, times: 2 });
    const r = await a.json('GET', '/atlas/me', undefined, token);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(r.body).toEqual({ message: expect.any(String) });
    expect((await a.json('GET', '/__emulator/health')).status).toBe(200);
    expect((await a.json('GET', '/atlas/me', undefined, token)).status).toBe(503);
    expect((await a.json('GET', '/atlas/me', undefined, token)).status).toBe(200);
  });

  it('a delay rule is applied and recorded (its length is not timed here)', async () => {
    em.setFaults({ route: 'GET /atlas/me', delayMs: 30 });
    expect((await a.json('GET', '/atlas/me', undefined, token)).status).toBe(200);
    expect(em.requests().at(-1)!.faults).toEqual(['delay 30 ms']);
  });
});

describe('admin API under /__emulator', () => {
  it('faults: PUT replaces, POST adds, GET lists, DELETE clears; a bad rule is 400', async () => {
    expect((await a.json('PUT', '/__emulator/faults', { rules: [{ route: 'GET /atlas/me', status: 500 }] })).status).toBe(200);
    expect((await a.json('GET', '/atlas/me', undefined, token)).status).toBe(500);
    await a.json('POST', '/__emulator/faults', { route: '/atlas/version', delayMs: 1 });
    expect((await a.json('GET', '/__emulator/faults')).body.rules).toHaveLength(2);
    expect((await a.json('PUT', '/__emulator/faults', { rules: [{ route: 'x', stauts: 500 }] })).status).toBe(400);
    expect((await a.json('PUT', '/__emulator/faults', { rules: [{ status: 200 }] })).status).toBe(400);
    expect((await a.json('DELETE', '/__emulator/faults')).body.rules).toEqual([]);
    expect((await a.json('GET', '/atlas/me', undefined, token)).status).toBe(200);
  });

  it('clock: advance moves token expiry; config: PATCH changes the processing time', async () => {
    const c = await a.json('POST', '/__emulator/clock/advance', { ms: 0 });
    expect(c.status).toBe(200);
    const t = (await a.json('POST', '/atlas/auth/sign-In', { id: 'f@example.com', password: PASSWORD })).body.accessToken;
    await a.json('POST', '/__emulator/clock/advance', { seconds: 3601 });
    expect((await a.json('GET', '/atlas/me', undefined, t)).status).toBe(401);
    expect((await a.json('POST', '/__emulator/clock/advance', { ms: 'soon' })).status).toBe(400);
    const cfg = await a.json('PATCH', '/__emulator/config', { processingMs: 1234 });
    expect(cfg.body.processingMs).toBe(1234);
    expect((await a.json('PATCH', '/__emulator/config', { processingMs: -1 })).status).toBe(400);
    await a.json('PATCH', '/__emulator/config', { processingMs: 0 });
    token = (await a.json('POST', '/atlas/auth/sign-In', { id: 'f@example.com', password: PASSWORD })).body.accessToken;
  });

  it('items: list, result bytes as the download gives them', async () => {
    const list = await a.json('GET', '/__emulator/items');
    expect(list.body.items.some((i: { requestId: string }) => i.requestId === requestId)).toBe(true);
    const raw = Buffer.from(await (await fetch(`${em.url}/__emulator/items/${requestId}/result?code=1`)).arrayBuffer());
    expect(raw.equals(fs.readFileSync(em.resultFile(requestId)!))).toBe(true);
    expect((await a.json('GET', '/__emulator/items/nothing/result')).status).toBe(404);
  });
});

describe('persistence and secrets at rest', () => {
  it('a data folder survives a restart: accounts, sessions, items and their files', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-persist-'));
    try {
      const one = await startAtlasEmulator({ dataDir: data, processingMs: 0, autoConfirmEmail: true, quiet: true });
      const b = api(one.url);
      await b.json('POST', '/atlas/auth/sign-up', { email: 'keep@example.com', password: PASSWORD, nickname: 'keep' });
      const t = (await b.json('POST', '/atlas/auth/sign-In', { id: 'keep@example.com', password: PASSWORD })).body;
      const id = (await b.form('/atlas/item/gs3d', { itemName: 'Kept', Epoch: '1', Payload: { file: video, type: 'video/mp4' } }, t.accessToken)).body.requestId;
      await one.waitGenerated(id);
      await one.close();
      expect(fs.existsSync(data)).toBe(true);

      const two = await startAtlasEmulator({ dataDir: data, processingMs: 0, quiet: true });
      try {
        const c = api(two.url);
        expect((await c.json('GET', '/atlas/me', undefined, t.accessToken)).status).toBe(200);
        expect((await c.json('GET', `/atlas/item/detail/${id}`, undefined, t.accessToken)).body.Status).toBe('OK');
        const res = await c.get(`/atlas/item/download/${id}`, t.accessToken);
        expect(res.status).toBe(200);
        // no password, token or temporary password in clear in the database files
        await c.json('POST', '/atlas/auth/reset-password', { email: 'keep@example.com' });
        const temp = two.sentMails({ kind: 'reset-password' })[0]!.data.temporaryPassword!;
        const db = new Database(path.join(data, 'atlas.sqlite'));
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
        for (const f of fs.readdirSync(data).filter((n) => n.startsWith('atlas.sqlite'))) {
          const bytes = fs.readFileSync(path.join(data, f)).toString('latin1');
          for (const secret of [PASSWORD, temp, t.accessToken, t.refreshToken, t.accessToken.split('.')[2]!]) expect(bytes.includes(secret), `${f} holds a secret`).toBe(false);
        }
      } finally {
        await two.close();
      }
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });

  it('reset wipes accounts and items', async () => {
    const other = await startAtlasEmulator({ autoConfirmEmail: true, quiet: true });
    try {
      const b = api(other.url);
      await b.json('POST', '/atlas/auth/sign-up', { email: 'gone@example.com', password: PASSWORD, nickname: 'g' });
      expect((await b.json('POST', '/__emulator/reset')).status).toBe(200);
      expect((await b.json('POST', '/atlas/auth/sign-In', { id: 'gone@example.com', password: PASSWORD })).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});
