import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../common/app-error';
import { closedPort, readBody, startLoopback, type LoopbackServer } from '../../../test-support/loopback-server';
import { HttpClient, type AuthProvider } from './http-client';
import { planMultipart, uploadMultipart, type UploadProgress } from './upload';

const servers: LoopbackServer[] = [];
const dirs: string[] = [];
async function serve(handler: http.RequestListener): Promise<LoopbackServer> {
  const s = await startLoopback(handler);
  servers.push(s);
  return s;
}
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-upload-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const Created = z.object({ requestId: z.string() });

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer;
}
/** A deliberately simple multipart reader for small test bodies. */
function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(.+)$/.exec(contentType)![1]!;
  const parts: Part[] = [];
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  for (;;) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headEnd = body.indexOf('\r\n\r\n', start);
    const head = body.subarray(start + 2, headEnd).toString('utf8');
    const next = body.indexOf(delim, headEnd);
    const data = body.subarray(headEnd + 4, next - 2);
    const name = /name="([^"]*)"/.exec(head)![1]!;
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    const type = /Content-Type: (.+)/i.exec(head)?.[1]?.trim();
    parts.push({ name, filename, type, data });
    pos = next;
  }
  return parts;
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

describe('uploadMultipart', () => {
  it("sends the seed's fields and files with an exact Content-Length, and reports progress to the last byte", async () => {
    const dir = tmpDir();
    const video = path.join(dir, 'clip.mp4');
    const image = path.join(dir, 'still.png');
    fs.writeFileSync(video, randomBytes(300_000));
    fs.writeFileSync(image, randomBytes(1234));
    let got: { headers: http.IncomingHttpHeaders; body: Buffer; url: string } | undefined;
    const s = await serve(async (req, res) => {
      got = { headers: req.headers, body: await readBody(req), url: req.url! };
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ requestId: 'req-1' }));
    });
    const progress: UploadProgress[] = [];
    const c = new HttpClient({ service: 'atlas', baseUrl: s.url });
    const reply = await uploadMultipart(c, {
      path: '/atlas/item/musepose',
      fields: { itemName: 'Dancer “one”', Epoch: '20' },
      files: [
        { field: 'payLoad', path: video },
        { field: 'Image', path: image, filename: 'a "quoted"\nname.png' },
      ],
      schema: Created,
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 0,
    });
    expect(reply).toEqual({ requestId: 'req-1' });
    expect(got!.url).toBe('/atlas/item/musepose');
    expect(Number(got!.headers['content-length'])).toBe(got!.body.length);
    expect(got!.headers['transfer-encoding']).toBeUndefined();
    const parts = parseMultipart(got!.body, got!.headers['content-type']!);
    expect(parts.map((p) => p.name)).toEqual(['itemName', 'Epoch', 'payLoad', 'Image']);
    expect(parts[0]!.data.toString('utf8')).toBe('Dancer “one”');
    expect(parts[2]).toMatchObject({ filename: 'clip.mp4', type: 'video/mp4' });
    expect(parts[2]!.data.equals(fs.readFileSync(video))).toBe(true);
    expect(parts[3]).toMatchObject({ filename: 'a %22quoted%22%0Aname.png', type: 'image/png' });
    expect(parts[3]!.data.equals(fs.readFileSync(image))).toBe(true);
    const last = progress.at(-1)!;
    expect(last.sentBytes).toBe(got!.body.length);
    expect(last.totalBytes).toBe(got!.body.length);
    expect(last.etaSec).toBe(0);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.sentBytes).toBeGreaterThanOrEqual(progress[i - 1]!.sentBytes);
  });

  it('planMultipart length equals the bytes it yields (an empty file and no fields included)', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'empty.bin'), '');
    fs.writeFileSync(path.join(dir, 'b.bin'), randomBytes(2_000_000));
    const plan = await planMultipart({}, [
      { field: 'a', path: path.join(dir, 'empty.bin') },
      { field: 'b', path: path.join(dir, 'b.bin') },
    ]);
    const viaChunks: Buffer[] = [];
    for await (const c of plan.chunks()) viaChunks.push(Buffer.from(c));
    const viaPump: Buffer[] = [];
    await plan.pump(async (c) => {
      viaPump.push(Buffer.from(c)); // copied: the pump reuses its buffers
      return true;
    });
    expect(Buffer.concat(viaChunks).length).toBe(plan.length);
    expect(Buffer.concat(viaPump).equals(Buffer.concat(viaChunks))).toBe(true);
  });

  it('streams a large file through (hash checked on the server, body never buffered by the client)', async () => {
    const dir = tmpDir();
    const big = path.join(dir, 'big.mp4');
    const fd = fs.openSync(big, 'w');
    for (let i = 0; i < 24; i++) fs.writeSync(fd, randomBytes(1 << 20));
    fs.closeSync(fd);
    let received = 0;
    const hash = createHash('sha256');
    const s = await serve((req, res) => {
      req.on('data', (c: Buffer) => {
        received += c.length;
        hash.update(c);
      });
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ requestId: String(received) }));
      });
    });
    const plan = await planMultipart({}, [{ field: 'Payload', path: big }]);
    const reply = await uploadMultipart(new HttpClient({ service: 'atlas', baseUrl: s.url }), { path: '/atlas/item/gs3d', fields: {}, files: [{ field: 'Payload', path: big }], schema: Created });
    expect(Number(reply.requestId)).toBe(plan.length);
  });

  it('a connection dropped mid-upload is a NETWORK error saying the upload was interrupted', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'v.mp4');
    fs.writeFileSync(file, randomBytes(8 << 20));
    const s = await serve((req) => {
      let n = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
        if (n > 1 << 20) req.socket.destroy();
      });
    });
    const e = await caught(uploadMultipart(new HttpClient({ service: 'atlas', baseUrl: s.url }), { path: '/atlas/item/gs3d', fields: {}, files: [{ field: 'Payload', path: file }], schema: Created }));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toMatch(/upload to the Atlas service was interrupted/);
    expect(e.details).toMatchObject({ service: 'atlas', reason: 'interrupted' });
    if (process.platform === 'linux') {
      // The file is already closed when the error arrives (the answer waits for the pump to stop).
      const open = fs.readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
        } catch {
          return false;
        }
      });
      expect(open).toEqual([]);
    }
  });

  it('cancel by signal aborts the socket', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'v.mp4');
    fs.writeFileSync(file, randomBytes(16 << 20));
    let serverSawAbort = false;
    let serverGot = 0;
    const closed = new Promise<void>((resolve) => {
      void serve((req) => {
        req.on('data', (c: Buffer) => (serverGot += c.length));
        req.on('close', () => {
          serverSawAbort = !req.complete;
          resolve();
        });
      }).then((s) => {
        const ac = new AbortController();
        const p = uploadMultipart(new HttpClient({ service: 'atlas', baseUrl: s.url }), {
          path: '/atlas/item/gs3d',
          fields: {},
          files: [{ field: 'Payload', path: file }],
          schema: Created,
          signal: ac.signal,
          progressIntervalMs: 0,
          onProgress: (pr) => {
            if (pr.sentBytes > 2 << 20) ac.abort();
          },
        });
        void caught(p).then((e) => expect(e.code).toBe('CANCELLED'));
      });
    });
    await closed;
    expect(serverSawAbort).toBe(true);
    expect(serverGot).toBeLessThan(16 << 20);
  });

  it('a 401 answered before the body is read refreshes once and uploads the file again', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'v.mp4');
    fs.writeFileSync(file, randomBytes(3 << 20));
    const sizes: number[] = [];
    const s = await serve(async (req, res) => {
      if (req.headers.authorization !== 'Bearer fresh') {
        // Answered without reading the body (Node then drains it); a server that resets the socket instead
        // loses its own reply in the RST and the upload reads as interrupted.
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'jwt expired' }));
        return;
      }
      sizes.push((await readBody(req)).length);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ requestId: 'r2' }));
    });
    let token = 'stale';
    const auth: AuthProvider = { header: async () => `Bearer ${token}`, refresh: async () => ((token = 'fresh'), true) };
    const reply = await uploadMultipart(new HttpClient({ service: 'atlas', baseUrl: s.url }), { path: '/atlas/item/gs3d', fields: { itemName: 'x' }, files: [{ field: 'Payload', path: file }], schema: Created, auth });
    expect(reply.requestId).toBe('r2');
    expect(sizes).toHaveLength(1);
    expect(sizes[0]).toBeGreaterThan(3 << 20);
  });

  it('retry: true sends the whole file again after a 503 (never by default: a create must not run twice)', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'v.mp4');
    fs.writeFileSync(file, randomBytes(1 << 20));
    const sizes: number[] = [];
    const s = await serve(async (req, res) => {
      sizes.push((await readBody(req)).length);
      if (sizes.length === 1) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(JSON.stringify({ message: 'busy' }));
      } else {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ requestId: 'r' }));
      }
    });
    const c = new HttpClient({ service: 'atlas', baseUrl: s.url, sleep: async () => undefined });
    const opts = { path: '/atlas/item/gs3d', fields: {}, files: [{ field: 'Payload', path: file }], schema: Created };
    await expect(uploadMultipart(c, { ...opts, retry: true })).resolves.toEqual({ requestId: 'r' });
    expect(sizes).toHaveLength(2);
    expect(sizes[0]).toBe(sizes[1]);
    sizes.length = 0;
    const e = await caught(uploadMultipart(c, opts));
    expect(e.code).toBe('REMOTE');
    expect(sizes).toHaveLength(1);
  });

  it('refuses a missing file before anything is sent, and maps server refusals and an unreachable server', async () => {
    let hits = 0;
    const s = await serve(async (req, res) => {
      hits++;
      await readBody(req);
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'File too large' }));
    });
    const c = new HttpClient({ service: 'atlas', baseUrl: s.url });
    const missing = await caught(uploadMultipart(c, { path: '/x', fields: {}, files: [{ field: 'Payload', path: '/nonexistent/v.mp4' }], schema: Created }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(hits).toBe(0);
    const dir = tmpDir();
    const file = path.join(dir, 'v.mp4');
    fs.writeFileSync(file, 'abc');
    const big = await caught(uploadMultipart(c, { path: '/x', fields: {}, files: [{ field: 'Payload', path: file }], schema: Created }));
    expect(big.code).toBe('INVALID_INPUT');
    expect(big.message).toBe('The Atlas service said: File too large.');
    const port = await closedPort();
    const down = await caught(uploadMultipart(new HttpClient({ service: 'atlas', baseUrl: `http://127.0.0.1:${port}` }), { path: '/x', fields: {}, files: [{ field: 'Payload', path: file }], schema: Created }));
    expect(down.code).toBe('NETWORK');
    expect(down.details).toMatchObject({ reason: 'unreachable' });
  });
});
