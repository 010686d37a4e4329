import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isPrivateDataPath } from '../node/files/private-paths';
import { createProtocolHandler, handleKrakenProtocol, KRAKEN_SCHEME, mimeTypeOf, parseRange, registerKrakenScheme, resolveProtocolPath } from './protocol';

let tmp: string;
let dataDir: string;
let rendererDir: string;
let outside: string;
const video = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

beforeAll(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-protocol-')));
  dataDir = path.join(tmp, 'data');
  rendererDir = path.join(tmp, 'renderer');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(path.join(dataDir, 'projects', '1', 'frames', '7'), { recursive: true });
  fs.mkdirSync(path.join(dataDir, '.session'), { recursive: true });
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'projects', '1', 'frames', '7', '000001.jpg'), 'jpeg');
  fs.writeFileSync(path.join(dataDir, 'projects', '1', 'my clip #1.mp4'), video);
  fs.writeFileSync(path.join(dataDir, 'projects', '1', 'empty.mp4'), '');
  fs.writeFileSync(path.join(dataDir, 'studio.db'), 'sqlite');
  fs.writeFileSync(path.join(dataDir, '.secrets.json'), '{}');
  fs.writeFileSync(path.join(dataDir, '.session', 'Cookies'), 'cookies');
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside secret');
  fs.writeFileSync(path.join(tmp, 'data-sibling.txt'), 'sibling');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Kraken</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'ort.wasm'), Buffer.from([0, 97, 115, 109]));
  // Symlinks: one escaping the data folder (a file and a folder), one staying inside, one onto a private file.
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dataDir, 'projects', 'escape.txt'));
  fs.symlinkSync(outside, path.join(dataDir, 'projects', 'escape-dir'));
  fs.symlinkSync(path.join(dataDir, 'projects', '1', 'frames', '7', '000001.jpg'), path.join(dataDir, 'projects', 'inside.jpg'));
  fs.symlinkSync(path.join(dataDir, 'studio.db'), path.join(dataDir, 'projects', 'db-link'));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('resolveProtocolPath', () => {
  it('resolves a file inside the root, decoding each segment', () => {
    expect(resolveProtocolPath(dataDir, '/projects/1/frames/7/000001.jpg')).toEqual({ ok: true, file: path.join(dataDir, 'projects/1/frames/7/000001.jpg') });
    expect(resolveProtocolPath(dataDir, '/projects/1/my%20clip%20%231.mp4')).toMatchObject({ ok: true, file: path.join(dataDir, 'projects/1/my clip #1.mp4') });
  });

  it.each([
    ['raw ..', '/../outside/secret.txt'],
    ['.. in the middle', '/projects/../../outside/secret.txt'],
    ['encoded ..', '/%2e%2e/outside/secret.txt'],
    ['upper-case encoded ..', '/%2E%2E/%2E%2E/etc/passwd'],
    ['encoded slash and ..', '/projects%2F..%2F..%2Foutside%2Fsecret.txt'],
    ['backslash ..', '/..%5Coutside%5Csecret.txt'],
    ['raw backslash ..', '/projects\\..\\..\\outside\\secret.txt'],
    ['a Windows drive', '/C:/Windows/win.ini'],
    ['an encoded Windows drive', '/c%3A%5CWindows'],
    ['a NUL byte', '/projects/1/000001.jpg%00.png'],
    ['malformed encoding', '/%E0%A4%A'],
  ])('refuses %s with 403', (_why, p) => {
    expect(resolveProtocolPath(dataDir, p)).toMatchObject({ ok: false, status: 403 });
  });

  it('keeps absolute-looking paths inside the root (no file there: 404)', () => {
    expect(resolveProtocolPath(dataDir, `/${outside}/secret.txt`)).toMatchObject({ ok: false, status: 404 });
    expect(resolveProtocolPath(dataDir, '//etc/passwd')).toMatchObject({ ok: false, status: 404 });
  });

  it('does not decode twice: %252e%252e is a literal name, not ..', () => {
    expect(resolveProtocolPath(dataDir, '/%252e%252e/outside/secret.txt')).toMatchObject({ ok: false, status: 404 });
  });

  it('refuses symlinks that leave the root, as if missing', () => {
    expect(resolveProtocolPath(dataDir, '/projects/escape.txt')).toMatchObject({ ok: false, status: 404 });
    expect(resolveProtocolPath(dataDir, '/projects/escape-dir/secret.txt')).toMatchObject({ ok: false, status: 404 });
  });

  it('follows symlinks that stay inside', () => {
    expect(resolveProtocolPath(dataDir, '/projects/inside.jpg')).toEqual({ ok: true, file: path.join(dataDir, 'projects/1/frames/7/000001.jpg') });
  });

  it('does not let a sibling folder with the same prefix pass as inside', () => {
    expect(resolveProtocolPath(dataDir, '/../data-sibling.txt')).toMatchObject({ ok: false, status: 403 });
  });

  it('applies the private-path rule to the URL and to where a symlink lands', () => {
    expect(resolveProtocolPath(dataDir, '/studio.db', isPrivateDataPath)).toMatchObject({ ok: false, status: 403 });
    expect(resolveProtocolPath(dataDir, '/.session/Cookies', isPrivateDataPath)).toMatchObject({ ok: false, status: 403 });
    expect(resolveProtocolPath(dataDir, '/projects/db-link', isPrivateDataPath)).toMatchObject({ ok: false, status: 404 });
    expect(resolveProtocolPath(dataDir, '/projects/db-link')).toMatchObject({ ok: true });
  });
});

describe('isPrivateDataPath', () => {
  it('hides the database, hidden entries and partial files, not project files', () => {
    expect(isPrivateDataPath(['studio.db'])).toBe(true);
    expect(isPrivateDataPath(['studio.db-wal'])).toBe(true);
    expect(isPrivateDataPath(['STUDIO.DB-shm'])).toBe(true);
    expect(isPrivateDataPath(['.secrets.json'])).toBe(true);
    expect(isPrivateDataPath(['.session', 'Local Storage', 'leveldb'])).toBe(true);
    expect(isPrivateDataPath(['projects', '1', 'frames', '.000001.jpg.ab12cd34.partial'])).toBe(true);
    expect(isPrivateDataPath(['projects', '1', 'studio.db'])).toBe(false);
    expect(isPrivateDataPath(['projects', '1', 'frames', '7', '000001.jpg'])).toBe(false);
    expect(isPrivateDataPath(['models', 'ocr', 'model.onnx'])).toBe(false);
  });
});

describe('parseRange', () => {
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=990-5000', { start: 990, end: 999 }],
    ['BYTES = 5 - 9', { start: 5, end: 9 }],
  ])('%s', (header, expected) => expect(parseRange(header, 1000)).toEqual(expected));

  it('answers unsatisfiable ranges and ignores what it does not speak', () => {
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=50-10', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-9', 1000)).toBeNull();
    expect(parseRange('items=0-1', 1000)).toBeNull();
    expect(parseRange('bytes=-', 1000)).toBeNull();
    expect(parseRange(null, 1000)).toBeNull();
  });
});

describe('mimeTypeOf', () => {
  it('knows the types the app serves', () => {
    expect(mimeTypeOf('a/index.html')).toBe('text/html; charset=utf-8');
    expect(mimeTypeOf('x.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeOf('m.wasm')).toBe('application/wasm');
    expect(mimeTypeOf('clip.MP4')).toBe('video/mp4');
    expect(mimeTypeOf('clip.mkv')).toBe('video/x-matroska');
    expect(mimeTypeOf('r.glb')).toBe('model/gltf-binary');
    expect(mimeTypeOf('f.webp')).toBe('image/webp');
    expect(mimeTypeOf('noext')).toBe('application/octet-stream');
  });
});

describe('protocol handler', () => {
  const handler = () => createProtocolHandler({ rendererDir, dataDir });
  const get = (url: string, init?: RequestInit) => handler()(new Request(url, init));

  it('serves the renderer with its type and the CSP', async () => {
    const res = await get('kraken://app/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>Kraken</title>');
    expect((await get('kraken://app/')).status).toBe(200);
    const wasm = await get('kraken://app/assets/ort.wasm');
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(Buffer.from(await wasm.arrayBuffer())).toEqual(Buffer.from([0, 97, 115, 109]));
  });

  it('falls back to index.html for client routes, not for missing assets', async () => {
    const route = await get('kraken://app/projects/12');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>Kraken</title>');
    expect((await get('kraken://app/assets/missing.js')).status).toBe(404);
  });

  it('serves data files with Range support for video', async () => {
    const full = await get('kraken://files/projects/1/my%20clip%20%231.mp4');
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('video/mp4');
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('content-length')).toBe('1000');
    expect(full.headers.get('access-control-allow-origin')).toBe('kraken://app');
    expect(Buffer.from(await full.arrayBuffer())).toEqual(video);

    const part = await get('kraken://files/projects/1/my%20clip%20%231.mp4', { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(part.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(video.subarray(100, 200));

    const tail = await get('kraken://files/projects/1/my%20clip%20%231.mp4', { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(video.subarray(990));

    const bad = await get('kraken://files/projects/1/my%20clip%20%231.mp4', { headers: { range: 'bytes=5000-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */1000');

    const empty = await get('kraken://files/projects/1/empty.mp4');
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('');
  });

  it('answers HEAD without a body', async () => {
    const res = await get('kraken://files/projects/1/frames/7/000001.jpg', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('4');
    expect(res.body).toBeNull();
  });

  it('refuses traversal, private files, escaping symlinks, other hosts and methods', async () => {
    expect((await get('kraken://files/projects%2F..%2F..%2Foutside%2Fsecret.txt')).status).toBe(403);
    expect((await get('kraken://files/%2e%2e%5Coutside%5Csecret.txt')).status).toBe(403);
    expect((await get('kraken://files/studio.db')).status).toBe(403);
    expect((await get('kraken://files/.secrets.json')).status).toBe(403);
    expect((await get('kraken://files/.session/Cookies')).status).toBe(403);
    const escaped = await get('kraken://files/projects/escape.txt');
    expect(escaped.status).toBe(404);
    expect(await escaped.text()).not.toContain('outside secret');
    expect((await get('kraken://files/projects/1')).status).toBe(404); // a folder
    expect((await get('kraken://evil/index.html')).status).toBe(404);
    expect((await get('kraken://files/projects/1/frames/7/000001.jpg', { method: 'POST', body: 'x' })).status).toBe(405);
    // Errors from the files host are readable by our page (CORS), so it can tell a 404 from a network error.
    expect((await get('kraken://files/nope.jpg')).headers.get('access-control-allow-origin')).toBe('kraken://app');
  });

  it('says the renderer is not built when it is not', async () => {
    const res = await createProtocolHandler({ rendererDir: path.join(tmp, 'no-renderer'), dataDir })(new Request('kraken://app/index.html'));
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build/);
  });
});

describe('registration', () => {
  it('declares a standard, secure, fetchable, streaming scheme that does not bypass CSP', () => {
    const protocol = { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() };
    registerKrakenScheme(protocol);
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([KRAKEN_SCHEME]);
    expect(KRAKEN_SCHEME).toMatchObject({ scheme: 'kraken', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } });
    expect(KRAKEN_SCHEME.privileges?.bypassCSP).toBeFalsy();
    handleKrakenProtocol(protocol, { rendererDir, dataDir });
    expect(protocol.handle).toHaveBeenCalledWith('kraken', expect.any(Function));
  });
});

describe('protocol handler thumbnails (?thumb=)', () => {
  const get = (url: string, init?: RequestInit) => createProtocolHandler({ rendererDir, dataDir })(new Request(url, init));
  let sourceSize: number;

  beforeAll(async () => {
    const sharp = (await import('sharp')).default;
    const src = path.join(dataDir, 'projects', '1', 'frames', '7', 'big frame.jpg');
    await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#3366aa' } })
      .composite([{ input: await sharp({ create: { width: 600, height: 300, channels: 3, background: '#ffcc00' } }).png().toBuffer(), left: 100, top: 100 }])
      .jpeg({ quality: 95 })
      .toFile(src);
    sourceSize = fs.statSync(src).size;
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#000000' } }).jpeg().toFile(path.join(outside, 'secret.jpg'));
    fs.symlinkSync(path.join(outside, 'secret.jpg'), path.join(dataDir, 'projects', 'escape.jpg'));
  });

  it('serves a cached JPEG of the snapped width, smaller than the source, revalidated by ETag', async () => {
    const sharp = (await import('sharp')).default;
    const res = await get('kraken://files/projects/1/frames/7/big%20frame.jpg?thumb=300');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('access-control-allow-origin')).toBe('kraken://app');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBeLessThan(sourceSize);
    const meta = await sharp(body).metadata();
    expect([meta.width, meta.height]).toEqual([320, 180]);
    expect(fs.readdirSync(path.join(dataDir, 'cache', 'thumbs'), { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.jpg'))).toBe(true);

    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await get('kraken://files/projects/1/frames/7/big%20frame.jpg?thumb=320', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    // Without ?thumb the full file still comes back.
    const full = await get('kraken://files/projects/1/frames/7/big%20frame.jpg');
    expect(Number(full.headers.get('content-length'))).toBe(sourceSize);
  });

  it('answers 415 for non-images and unreadable images, 403/404 where the file route does, 400 for a bad width', async () => {
    const video = await get('kraken://files/projects/1/my%20clip%20%231.mp4?thumb=320');
    expect(video.status).toBe(415);
    expect(await video.text()).toMatch(/is not an image/);
    const broken = await get('kraken://files/projects/1/frames/7/000001.jpg?thumb=320'); // holds the text "jpeg"
    expect(broken.status).toBe(415);
    const text = await broken.text();
    expect(text).toMatch(/^Cannot make a thumbnail of 000001\.jpg/);
    expect(text).not.toMatch(/\n\s+at /);
    expect((await get('kraken://files/%2e%2e%5Coutside%5Csecret.jpg?thumb=320')).status).toBe(403);
    expect((await get('kraken://files/studio.db?thumb=320')).status).toBe(403);
    expect((await get('kraken://files/projects/escape.jpg?thumb=320')).status).toBe(404);
    expect((await get('kraken://files/projects/1/frames/7/missing.jpg?thumb=320')).status).toBe(404);
    expect((await get('kraken://files/projects/1/frames/7/big%20frame.jpg?thumb=abc')).status).toBe(400);
  });
});

describe('kraken://files/ serves nothing that runs as the app (issue 9, finding 4)', () => {
  const get = (url: string, init?: RequestInit) => createProtocolHandler({ rendererDir, dataDir })(new Request(url, init));
  beforeAll(() => {
    const up = path.join(dataDir, 'uploads', 'u1');
    fs.mkdirSync(up, { recursive: true });
    fs.writeFileSync(path.join(up, 'evil.html'), '<script>new WebSocket("ws://127.0.0.1/ipc")</script>');
    fs.writeFileSync(path.join(up, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    fs.writeFileSync(path.join(up, 'noext'), '<script>alert(1)</script>');
    fs.writeFileSync(path.join(dataDir, 'credentials.json'), '{"token":"x"}');
    fs.mkdirSync(path.join(dataDir, 'backups'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'backups', 'studio-1.db'), 'sqlite');
  });

  it('sends an uploaded .html, .svg or unknown file as a sandboxed, never-sniffed download', async () => {
    for (const name of ['evil.html', 'logo.svg', 'noext']) {
      const res = await get(`kraken://files/uploads/u1/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-disposition'), name).toBe('attachment');
      expect(res.headers.get('content-security-policy'), name).toBe('sandbox');
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(res.headers.get('content-type'), name).toBe('application/octet-stream');
    }
  });

  it('shows images, video and 3D inline, still never sniffed', async () => {
    for (const rel of ['projects/1/frames/7/000001.jpg', 'projects/1/my%20clip%20%231.mp4']) {
      const res = await get(`kraken://files/${rel}`);
      expect(res.status, rel).toBe(200);
      expect(res.headers.get('content-disposition'), rel).toBeNull();
      expect(res.headers.get('x-content-type-options'), rel).toBe('nosniff');
    }
  });

  it('serves only the allow-listed folders: the database under other spellings, credentials and new top-level files are refused', async () => {
    for (const rel of ['studio.db.', 'studio.db%3A%3A%24DATA', 'STUDIO~1.DB', 'credentials.json', '.credentials/credentials.json', 'backups/studio-1.db', 'projects', 'cache/other/x.jpg', 'projects/1/x.jpg%3A%3A%24DATA', 'projects./1/x.jpg']) {
      expect((await get(`kraken://files/${rel}`)).status, rel).toBe(403);
    }
  });
});
