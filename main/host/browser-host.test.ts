import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fixtures } from '../../test-support/media-fixtures';
import { sanitizeFileName } from '../node/files/file-names';
import { resolveInside } from './static-files';
import { startHost, type TestHost, type TestSession } from './test-host';

const open: TestHost[] = [];
async function start(): Promise<TestHost> {
  const t = await startHost();
  open.push(t);
  return t;
}
afterEach(async () => {
  for (const { core, host, dir } of open.splice(0)) {
    await host.close();
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function connect(t: TestSession, origin = new URL(t.base).origin, cookie = t.cookie): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(t.ipcUrl, { origin, headers: { cookie } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, channel: string, payload: unknown): Promise<{ ok: boolean; value?: any; error?: any }> {
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

describe('browser host', () => {
  it('listens on 127.0.0.1 only and serves only a signed-in session (its path and its cookie)', async () => {
    const t = await start();
    expect(new URL(t.host.url).hostname).toBe('127.0.0.1');
    expect((await fetch(t.host.origin + '/')).status).toBe(403);
    const page = await fetch(t.base, { headers: { cookie: t.cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    // Both halves are needed: the cookie elsewhere, the path without the cookie, a wrong value.
    expect((await fetch(t.host.origin + '/', { headers: { cookie: t.cookie } })).status).toBe(403);
    expect((await fetch(t.base)).status).toBe(403);
    expect((await fetch(t.base, { headers: { cookie: `${t.cookie.split('=')[0]}=wrong` } })).status).toBe(403);
    expect((await fetch(t.base.replace(/\/s\/[^/]+\//, '/s/AAAAAAAAAAAAAAAAAAAAAAAA/'), { headers: { cookie: t.cookie } })).status).toBe(403);
  });

  it('refuses sockets from another origin or without the session', async () => {
    const t = await start();
    await expect(connect(t, 'http://evil.example')).rejects.toThrow(/403/);
    await expect(connect(t, undefined, 'kraken_token=nope')).rejects.toThrow(/403/);
  });

  it('carries the contract: a bad payload is rejected by the dispatcher, a good one reaches the service', async () => {
    const t = await start();
    const { core } = t;
    const ws = await connect(t);
    const bad = await call(ws, 1, 'projects.create', { name: '' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(core.projects.list()).toHaveLength(0);
    const good = await call(ws, 2, 'projects.create', { name: 'Beach' });
    expect(good).toMatchObject({ ok: true, value: { name: 'Beach', status: 'PENDING' } });
    ws.close();
  });

  it('uploads a file, imports it, streams job events and serves frames from the data folder', async () => {
    const t = await start();
    const { core, cookie } = t;
    const ws = await connect(t);
    const events: string[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.t === 'event') events.push(m.name);
    });
    const project = (await call(ws, 1, 'projects.create', { name: 'Upload' })).value;
    const body = fs.readFileSync(fixtures.h264(4));
    const denied = await fetch(`${t.base}upload?name=clip.mp4`, { method: 'POST', body, headers: { cookie, origin: 'http://evil.example' } });
    expect(denied.status).toBe(403);
    const up = await fetch(`${t.base}upload?name=${encodeURIComponent('../내 clip.mp4')}`, { method: 'POST', body, headers: { cookie, origin: new URL(t.base).origin } });
    const { path: uploaded } = (await up.json()) as { path: string };
    expect(path.basename(uploaded)).toBe('내 clip.mp4');
    expect(uploaded.startsWith(core.dataDir)).toBe(true);
    const imported = await call(ws, 2, 'media.import', { projectId: project.id, paths: [uploaded] });
    expect(imported.value.imported).toHaveLength(1);
    const started = await call(ws, 3, 'frames.extract', { projectId: project.id, mediaId: imported.value.imported[0].id, params: { mode: { kind: 'fps', fps: 1 } } });
    expect(started.ok).toBe(true);
    await core.jobs.idle();
    const images = await call(ws, 4, 'frames.listImages', { projectId: project.id, frameSetId: started.value.frameSetId });
    expect(images.value.total).toBe(4);
    const frame = await fetch(`${t.base}files/${images.value.items[0].file}`, { headers: { cookie } });
    expect(frame.headers.get('content-type')).toBe('image/jpeg');
    expect((await frame.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    expect(events).toContain('job.progress');
    expect(events).toContain('job.updated');
    const escape = await fetch(`${t.base}files/..%2F..%2F..%2Fetc%2Fpasswd`, { headers: { cookie } });
    // Clamped into the data folder, where etc/ is no served folder.
    expect(escape.status).toBe(403);
    expect(await escape.text()).not.toMatch(/root:/);
    // The database, its WAL and hidden entries are never served, as in Electron's kraken://files/.
    fs.writeFileSync(path.join(core.dataDir, '.secrets.json'), '{}');
    for (const rel of ['studio.db', 'studio.db-wal', '.secrets.json', 'STUDIO.DB']) {
      const r = await fetch(`${t.base}files/${rel}`, { headers: { cookie } });
      expect(r.status, rel).toBe(403);
      expect(Buffer.from(await r.arrayBuffer()).includes('SQLite format')).toBe(false);
    }
    ws.close();
  });
});

describe('browser host thumbnails', () => {
  it('serves /files/<rel>?thumb=<w> from the shared cache: a smaller JPEG, 304 on its ETag, 415 for non-images, 403 outside', async () => {
    const t = await start();
    const { core, dir, cookie } = t;
    const frames = path.join(core.dataDir, 'projects', '1', 'frames', '3');
    fs.mkdirSync(frames, { recursive: true });
    const src = path.join(frames, '000001.jpg');
    await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#3366aa' } }).jpeg({ quality: 95 }).toFile(src);
    fs.writeFileSync(path.join(frames, 'notes.txt'), 'not an image');
    fs.writeFileSync(path.join(frames, 'broken.jpg'), 'not a jpeg either');
    fs.mkdirSync(path.join(dir, 'outside'));
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#000000' } }).jpeg().toFile(path.join(dir, 'outside', 'secret.jpg'));
    fs.symlinkSync(path.join(dir, 'outside', 'secret.jpg'), path.join(frames, 'escape.jpg'));
    const get = (rel: string, headers: Record<string, string> = {}) => fetch(`${t.base}files/${rel}`, { headers: { cookie, ...headers } });

    const res = await get('projects/1/frames/3/000001.jpg?thumb=320');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBeLessThan(fs.statSync(src).size);
    const meta = await sharp(body).metadata();
    expect([meta.width, meta.height]).toEqual([320, 180]);
    const again = await get('projects/1/frames/3/000001.jpg?thumb=320', { 'if-none-match': res.headers.get('etag')! });
    expect(again.status).toBe(304);
    // The full file is unchanged without ?thumb.
    expect(Number((await get('projects/1/frames/3/000001.jpg')).headers.get('content-length'))).toBe(fs.statSync(src).size);

    const text = await get('projects/1/frames/3/notes.txt?thumb=320');
    expect(text.status).toBe(415);
    expect(await text.text()).toMatch(/notes\.txt is not an image/);
    const broken = await get('projects/1/frames/3/broken.jpg?thumb=320');
    expect(broken.status).toBe(415);
    expect(await broken.text()).toMatch(/^Cannot make a thumbnail of broken\.jpg/);
    expect((await get('projects/1/frames/3/escape.jpg?thumb=320')).status).toBe(403);
    expect((await get('projects/1/frames/3/missing.jpg?thumb=320')).status).toBe(404);
    expect((await get('projects/1/frames/3/000001.jpg?thumb=wide')).status).toBe(400);
  });
});

describe('browser host uploads', () => {
  it('removes the copy of an upload the import refuses (a duplicate, not media) and keeps the ones in use', async () => {
    const t = await start();
    const { core, cookie } = t;
    const ws = await connect(t);
    const upload = async (name: string, body: Buffer<ArrayBuffer>) => {
      const r = await fetch(`${t.base}upload?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers: { cookie, origin: new URL(t.base).origin } });
      return ((await r.json()) as { path: string }).path;
    };
    const project = (await call(ws, 1, 'projects.create', { name: 'Uploads' })).value;
    const clip = fs.readFileSync(fixtures.h264(4));
    const first = await upload('clip.mp4', clip);
    const again = await upload('clip copy.mp4', clip);
    const text = await upload('x.mp4', Buffer.from('not a video\n'.repeat(50)));
    const r = await call(ws, 2, 'media.import', { projectId: project.id, paths: [first, again, text] });
    expect(r.value.imported.map((m: { path: string }) => m.path)).toEqual([first]);
    expect(r.value.failed.map((f: { error: { code: string } }) => f.error.code)).toEqual(['CONFLICT', 'MEDIA_UNREADABLE']);
    const uploads = path.join(core.dataDir, 'uploads');
    expect(fs.readdirSync(uploads)).toEqual([path.basename(path.dirname(first))]);
    expect(fs.existsSync(first)).toBe(true);

    // The imported upload's own path sent again is a duplicate of itself: its file stays.
    const same = await call(ws, 3, 'media.import', { projectId: project.id, paths: [first] });
    expect(same.value.failed[0].error.code).toBe('CONFLICT');
    expect(fs.existsSync(first)).toBe(true);
    // A refused file outside the uploads folder is never touched.
    const outside = path.join(core.dataDir, 'elsewhere.mp4');
    fs.writeFileSync(outside, 'not a video either');
    await call(ws, 4, 'media.import', { projectId: project.id, paths: [outside] });
    expect(fs.existsSync(outside)).toBe(true);
    ws.close();
  });
});

describe('resolveInside', () => {
  it('keeps paths inside the root', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-root-'));
    expect(resolveInside(root, 'a/b.jpg')).toBe(path.join(root, 'a/b.jpg'));
    expect(resolveInside(root, '../x')).toBe(path.join(root, 'x'));
    expect(resolveInside(root, '%2e%2e/%2e%2e/etc/passwd')).toBe(path.join(root, 'etc/passwd'));
    expect(resolveInside(root, 'a%00b')).toBeNull();
    expect(resolveInside(root, '%E0%A4%A')).toBeNull();
    fs.symlinkSync('/etc', path.join(root, 'link'));
    expect(resolveInside(root, 'link/passwd')).toBeNull();
    fs.rmSync(root, { recursive: true, force: true });
  });
  it('sanitises upload names', () => {
    expect(sanitizeFileName('../../evil.sh')).toBe('evil.sh');
    expect(sanitizeFileName('C:\\x\\a<b>.mp4')).toBe('a_b_.mp4');
    expect(sanitizeFileName('...')).toBe('upload.bin');
  });
});
