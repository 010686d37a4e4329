import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { startLoopback, type LoopbackServer } from '../../../test-support/loopback-server';
import { downloadToFile, type DownloadProgress } from './download';
import { HttpClient } from './http-client';

const servers: LoopbackServer[] = [];
const dirs: string[] = [];
async function serve(handler: http.RequestListener): Promise<LoopbackServer> {
  const s = await startLoopback(handler);
  servers.push(s);
  return s;
}
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-dl-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function client(url: string) {
  return new HttpClient({ service: 'atlas', baseUrl: url, sleep: async () => undefined });
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

function glb(size: number): Buffer {
  const b = randomBytes(size);
  b.write('glTF', 0, 'latin1');
  b.writeUInt32LE(2, 4);
  b.writeUInt32LE(size, 8);
  return b;
}

interface FileServerOptions {
  /** Cut the connection after this many body bytes on the first `cuts` requests. */
  cutAfter?: number;
  cuts?: number;
  /** Ignore Range and always send the whole file. */
  ignoreRange?: boolean;
  /** Answer a Range with this start instead of the one asked. */
  wrongStart?: number;
  etag?: string;
  contentType?: string;
}

/** Serves `data` with Range support and the faults a flaky link or a sloppy server brings. */
function fileServer(data: Buffer, o: FileServerOptions = {}) {
  const seen: { range?: string; ifRange?: string }[] = [];
  let cutsLeft = o.cuts ?? 0;
  const handler: http.RequestListener = (req, res) => {
    seen.push({ range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined });
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    const headers: Record<string, string> = { 'content-type': o.contentType ?? 'model/gltf-binary' };
    if (o.etag) headers.etag = o.etag;
    if (m && !o.ignoreRange) {
      start = o.wrongStart ?? Number(m[1]);
      headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
      headers['content-length'] = String(data.length - start);
      res.writeHead(206, headers);
    } else {
      headers['content-length'] = String(data.length);
      res.writeHead(200, headers);
    }
    const body = data.subarray(start);
    if (cutsLeft > 0 && o.cutAfter !== undefined) {
      cutsLeft--;
      // A graceful close (FIN), not a reset: every byte written arrives, so the resume offset is exact.
      res.write(body.subarray(0, o.cutAfter), () => req.socket.end());
      return;
    }
    res.end(body);
  };
  return { handler, seen };
}

describe('downloadToFile', () => {
  it('writes to .part and renames when whole, with progress to the last byte', async () => {
    const data = glb(300_000);
    const { handler } = fileServer(data);
    const s = await serve(handler);
    const dest = path.join(tmpDir(), 'out', 'chair.glb');
    const progress: DownloadProgress[] = [];
    const r = await downloadToFile(client(s.url), { path: '/atlas/item/download/r1', query: { code: 1 }, dest, expect: 'glb', onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
    expect(r).toMatchObject({ path: dest, bytes: data.length, contentType: 'model/gltf-binary', kind: 'glb', resumes: 0 });
    expect(fs.readFileSync(dest).equals(data)).toBe(true);
    expect(fs.existsSync(`${dest}.part`)).toBe(false);
    expect(progress.at(-1)).toMatchObject({ receivedBytes: data.length, totalBytes: data.length, etaSec: 0 });
  });

  it('resumes a dropped connection with Range and If-Range, and the file is identical', async () => {
    const data = glb(2_000_000);
    const { handler, seen } = fileServer(data, { cutAfter: 700_000, cuts: 2, etag: '"v1"' });
    const s = await serve(handler);
    const dest = path.join(tmpDir(), 'chair.glb');
    const r = await downloadToFile(client(s.url), { path: '/f', dest, expect: 'glb' });
    expect(r.resumes).toBe(2);
    expect(fs.readFileSync(dest).equals(data)).toBe(true);
    // Resumed from what reached the disk: at most what the server sent before the cut (a few chunks still queued
    // in the client's stream when the socket closed are dropped with it and fetched again).
    const starts = seen.map((x) => (x.range ? Number(/^bytes=(\d+)-$/.exec(x.range)![1]) : 0));
    expect(starts).toHaveLength(3);
    expect(starts[0]).toBe(0);
    expect(starts[1]).toBeGreaterThan(0);
    expect(starts[1]).toBeLessThanOrEqual(700_000);
    expect(starts[2]).toBeGreaterThan(starts[1]!);
    expect(starts[2]).toBeLessThanOrEqual(starts[1]! + 700_000);
    expect(seen[1]!.ifRange).toBe('"v1"');
  });

  it('starts again from 0 when a Range request gets a 200, or a 206 for other bytes', async () => {
    const data = glb(1_000_000);
    const a = fileServer(data, { cutAfter: 400_000, cuts: 1, ignoreRange: true });
    const s1 = await serve(a.handler);
    const d1 = path.join(tmpDir(), 'a.glb');
    await downloadToFile(client(s1.url), { path: '/f', dest: d1, expect: 'glb' });
    expect(fs.readFileSync(d1).equals(data)).toBe(true);
    expect(a.seen[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);

    const b = fileServer(data, { cutAfter: 400_000, cuts: 1, wrongStart: 10 });
    const s2 = await serve(b.handler);
    const d2 = path.join(tmpDir(), 'b.glb');
    await downloadToFile(client(s2.url), { path: '/f', dest: d2, expect: 'glb' });
    expect(fs.readFileSync(d2).equals(data)).toBe(true);
    expect(b.seen.map((x) => x.range?.replace(/\d+/, 'N'))).toEqual([undefined, 'bytes=N-', undefined]);
  });

  it('gives up after the retry budget of drops without progress and leaves nothing', async () => {
    const data = glb(100_000);
    const { handler, seen } = fileServer(data, { cutAfter: 0, cuts: 100 });
    const s = await serve(handler);
    const dir = tmpDir();
    const e = await caught(downloadToFile(client(s.url), { path: '/f', dest: path.join(dir, 'x.glb') }));
    expect(e.code).toBe('NETWORK');
    expect(e.details).toMatchObject({ reason: 'dropped' });
    expect(seen).toHaveLength(4);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses and removes a file that is not the format the service said', async () => {
    const { handler } = fileServer(Buffer.from('<html><body>Internal error</body></html>'), { contentType: 'model/gltf-binary' });
    const s = await serve(handler);
    const dir = tmpDir();
    const e = await caught(downloadToFile(client(s.url), { path: '/f', dest: path.join(dir, 'chair.glb'), expect: 'glb' }));
    expect(e.code).toBe('REMOTE');
    expect(e.message).toBe('The downloaded file is not a GLB model as the Atlas service said; it was removed.');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a file larger than maxBytes, announced or not', async () => {
    const data = glb(500_000);
    const s = await serve(fileServer(data).handler);
    const dir = tmpDir();
    const e = await caught(downloadToFile(client(s.url), { path: '/f', dest: path.join(dir, 'a.glb'), maxBytes: 100_000 }));
    expect(e.code).toBe('REMOTE');
    expect(e.message).toMatch(/larger than/);
    const streamed = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
      res.write(data.subarray(0, 250_000));
      res.end(data.subarray(250_000));
    });
    const e2 = await caught(downloadToFile(client(streamed.url), { path: '/f', dest: path.join(dir, 'b.glb'), maxBytes: 100_000 }));
    expect(e2.message).toMatch(/larger than/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('keeps a destination relative to a root inside it, symbolic links included', async () => {
    const s = await serve(fileServer(glb(1000)).handler);
    const root = tmpDir();
    const outside = tmpDir();
    const r = await downloadToFile(client(s.url), { path: '/f', root, dest: 'projects/1/cloud/chair.glb', expect: 'glb' });
    expect(r.path).toBe(path.join(fs.realpathSync(root), 'projects', '1', 'cloud', 'chair.glb'));
    expect((await caught(downloadToFile(client(s.url), { path: '/f', root, dest: '../escape.glb' }))).code).toBe('INVALID_INPUT');
    fs.symlinkSync(outside, path.join(root, 'link'));
    expect((await caught(downloadToFile(client(s.url), { path: '/f', root, dest: 'link/escape.glb' }))).code).toBe('INVALID_INPUT');
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('cancel stops it and leaves nothing; a 404 is NOT_FOUND with nothing written', async () => {
    const data = glb(8_000_000);
    const s = await serve((req, res) => {
      if (req.url === '/missing') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'No item' }));
        return;
      }
      res.writeHead(200, { 'content-length': String(data.length) });
      res.write(data.subarray(0, 1_000_000)); // then stalls
    });
    const dir = tmpDir();
    const ac = new AbortController();
    const p = downloadToFile(client(s.url), {
      path: '/f',
      dest: path.join(dir, 'a.glb'),
      signal: ac.signal,
      progressIntervalMs: 0,
      onProgress: (pr) => {
        if (pr.receivedBytes > 0) ac.abort();
      },
    });
    expect((await caught(p)).code).toBe('CANCELLED');
    const nf = await caught(downloadToFile(client(s.url), { path: '/missing', dest: path.join(dir, 'b.glb') }));
    expect(nf.code).toBe('NOT_FOUND');
    expect(nf.message).toBe('The Atlas service said: No item.');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a stalled body is cut by the idle timeout and resumed', async () => {
    const data = glb(600_000);
    let n = 0;
    const s = await serve((req, res) => {
      n++;
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (m) {
        const start = Number(m[1]);
        res.writeHead(206, { 'content-length': String(data.length - start), 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` });
        res.end(data.subarray(start));
        return;
      }
      res.writeHead(200, { 'content-length': String(data.length) });
      res.write(data.subarray(0, 200_000)); // and then nothing
    });
    const dest = path.join(tmpDir(), 'a.glb');
    const r = await downloadToFile(client(s.url), { path: '/f', dest, idleTimeoutMs: 200, expect: 'glb' });
    expect(r.resumes).toBe(1);
    expect(n).toBe(2);
    expect(fs.readFileSync(dest).equals(data)).toBe(true);
  });
});
