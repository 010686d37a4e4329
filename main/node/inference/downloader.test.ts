import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { downloadVerified, partialPath } from './downloader';

const payload = randomBytes(300_000);
const sha = createHash('sha256').update(payload).digest('hex');
let server: http.Server;
let base: string;
let dir: string;
/** Per-test behaviour of the server. */
let mode: 'normal' | 'drop-first' | 'ignore-range' | 'corrupt' | 'missing' = 'normal';
let requests: { range: string | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push({ range: req.headers.range });
    if (mode === 'missing') {
      res.writeHead(404).end('no');
      return;
    }
    const body = mode === 'corrupt' ? Buffer.from(payload).fill(7, 1000, 1010) : payload;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && mode !== 'ignore-range') {
      const start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416).end();
        return;
      }
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': body.length });
    if (mode === 'drop-first' && requests.length === 1) {
      // Send a third of the file, then drop the connection mid-download.
      res.write(body.subarray(0, 100_000), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-dl-'));
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  requests = [];
  mode = 'normal';
});

describe('downloadVerified', () => {
  it('downloads, reports progress and verifies the SHA-256', async () => {
    const dest = path.join(dir, 'a.onnx');
    const seen: number[] = [];
    const res = await downloadVerified({ url: `${base}/a`, dest, sha256: sha, sizeBytes: payload.length, onProgress: (p) => seen.push(p.received) });
    expect(res.connections).toBe(1);
    expect(fs.readFileSync(dest).equals(payload)).toBe(true);
    expect(seen.at(-1)).toBe(payload.length);
    expect(fs.existsSync(partialPath(dest))).toBe(false);
  });

  it('resumes with an HTTP Range request after the connection drops mid-download', async () => {
    mode = 'drop-first';
    const dest = path.join(dir, 'b.onnx');
    const res = await downloadVerified({ url: `${base}/b`, dest, sha256: sha, sizeBytes: payload.length, retryDelayMs: 10 });
    expect(requests[0]!.range).toBeUndefined();
    expect(requests.length).toBeGreaterThanOrEqual(2);
    const resumedAt = Number(/bytes=(\d+)-/.exec(requests[1]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(100_000);
    expect(res.connections).toBeGreaterThanOrEqual(2);
    expect(fs.readFileSync(dest).equals(payload)).toBe(true);
  });

  it('resumes a partial file left by an earlier run (app restart)', async () => {
    const dest = path.join(dir, 'c.onnx');
    fs.writeFileSync(partialPath(dest), payload.subarray(0, 123_456));
    const res = await downloadVerified({ url: `${base}/c`, dest, sha256: sha, sizeBytes: payload.length });
    expect(requests[0]!.range).toBe('bytes=123456-');
    expect(res.resumedFrom).toBe(123_456);
    expect(fs.readFileSync(dest).equals(payload)).toBe(true);
  });

  it('starts over when the server ignores Range', async () => {
    mode = 'ignore-range';
    const dest = path.join(dir, 'd.onnx');
    fs.writeFileSync(partialPath(dest), Buffer.alloc(5000, 1));
    await downloadVerified({ url: `${base}/d`, dest, sha256: sha, sizeBytes: payload.length });
    expect(fs.readFileSync(dest).equals(payload)).toBe(true);
  });

  it('rejects and deletes a download whose SHA-256 does not match', async () => {
    mode = 'corrupt';
    const dest = path.join(dir, 'e.onnx');
    const err = await downloadVerified({ url: `${base}/e`, dest, sha256: sha, sizeBytes: payload.length }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/does not match its published SHA-256/);
    expect((err as AppError).details).toMatchObject({ expected: sha });
    expect(fs.existsSync(dest)).toBe(false);
    expect(fs.existsSync(partialPath(dest))).toBe(false);
  });

  it('refuses a file whose size differs from the catalogue before downloading it', async () => {
    const dest = path.join(dir, 'f.onnx');
    const err = await downloadVerified({ url: `${base}/f`, dest, sha256: sha, sizeBytes: payload.length + 1 }).catch((e: unknown) => e);
    expect((err as AppError).message).toMatch(/has changed/);
  });

  it('says clearly when the server cannot be reached (offline), and what was kept', async () => {
    const dest = path.join(dir, 'g.onnx');
    // A port nobody listens on: open a server, note its port, close it.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const stages: string[] = [];
    const err = await downloadVerified({ url: `http://127.0.0.1:${port}/model.onnx`, dest, sha256: sha, sizeBytes: 10, maxRetries: 5, retryDelayMs: 1, onStage: (st, host) => stages.push(`${st} ${host}`) }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('NETWORK');
    expect((err as AppError).message).toBe(`Could not reach 127.0.0.1:${port}: the connection was refused. Check the internet connection; nothing was kept.`);
    // Nothing listens: one attempt, not five silent retries.
    expect(stages).toEqual([`connecting 127.0.0.1:${port}`]);
  });

  it('offline (the name does not resolve): fails at the first attempt with a message naming the host', async () => {
    let calls = 0;
    // What undici throws when DNS has no answer: TypeError('fetch failed') with the resolver's code as its cause.
    const offline = (async () => {
      calls++;
      throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('getaddrinfo ENOTFOUND models.example.org'), { code: 'ENOTFOUND' }) });
    }) as unknown as typeof fetch;
    const err = await downloadVerified({ url: 'https://models.example.org/m.onnx', dest: path.join(dir, 'dns.onnx'), sha256: sha, sizeBytes: 10, fetchImpl: offline }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toBe('Could not reach models.example.org: its name does not resolve (is this computer offline?). Check the internet connection; nothing was kept.');
    expect((err as AppError).details).toMatchObject({ host: 'models.example.org', reason: 'ENOTFOUND' });
    expect(calls).toBe(1);
  });

  it('gives up on a server that accepts the connection but never answers, naming the host and the wait', async () => {
    const silent = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    let seen = 0;
    silent.on('request', () => seen++);
    try {
      const err = await downloadVerified({ url: `http://127.0.0.1:${port}/m.onnx`, dest: path.join(dir, 'silent.onnx'), sha256: sha, sizeBytes: 10, connectTimeoutMs: 300, retryDelayMs: 1 }).catch((e: unknown) => e);
      expect((err as AppError).code).toBe('NETWORK');
      expect((err as AppError).message).toBe(`Could not reach 127.0.0.1:${port}: no answer within 300 ms. Check the internet connection; nothing was kept.`);
      expect(seen).toBe(1);
      expect(fs.existsSync(partialPath(path.join(dir, 'silent.onnx')))).toBe(false);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('refuses a destination that a link leads outside its root, before any byte is written', async () => {
    const root = path.join(dir, 'root');
    const away = path.join(dir, 'away');
    fs.mkdirSync(root);
    fs.mkdirSync(away);
    fs.symlinkSync(away, path.join(root, 'm'));
    const err = await downloadVerified({ url: `${base}/i`, dest: path.join(root, 'm', 'model.onnx'), root, sha256: sha, sizeBytes: payload.length }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/outside/) });
    expect(fs.readdirSync(away)).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('reports a 404 as NOT_FOUND', async () => {
    mode = 'missing';
    const err = await downloadVerified({ url: `${base}/h`, dest: path.join(dir, 'h.onnx'), sha256: sha, sizeBytes: 10 }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('NOT_FOUND');
  });
});
