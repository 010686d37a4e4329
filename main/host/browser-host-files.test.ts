/** Issue 9, finding 4: files in the data folder never run as the app in the browser host (/files/). */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type TestHost } from './test-host';

const open: TestHost[] = [];
afterEach(async () => {
  for (const { core, host, dir } of open.splice(0)) {
    await host.close();
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('browser host /files/', () => {
  it('sends an uploaded .html with a script as a sandboxed download; its opaque origin cannot open the IPC socket', async () => {
    const t = await startHost();
    open.push(t);
    const origin = new URL(t.base).origin;
    const up = await fetch(`${t.base}upload?name=evil.html`, { method: 'POST', body: `<script>new WebSocket("ws://${new URL(origin).host}/ipc")</script>`, headers: { cookie: t.cookie, origin } });
    const { path: uploaded } = (await up.json()) as { path: string };
    const rel = path.relative(t.core.dataDir, uploaded).split(path.sep).map(encodeURIComponent).join('/');
    const res = await fetch(`${t.base}files/${rel}`, { headers: { cookie: t.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment');
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    // A sandboxed document's requests carry Origin: null, which the socket refuses even with the session cookie.
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(t.ipcUrl, { origin: 'null', headers: { cookie: t.cookie } });
        ws.once('open', () => resolve(ws.close()));
        ws.once('error', reject);
      }),
    ).rejects.toThrow(/403/);
  });

  it('keeps images inline (nosniff) and refuses what is not in a served folder', async () => {
    const t = await startHost();
    open.push(t);
    const frames = path.join(t.core.dataDir, 'projects', '1', 'frames', '1');
    fs.mkdirSync(frames, { recursive: true });
    fs.writeFileSync(path.join(frames, '000001.jpg'), Buffer.alloc(100, 1));
    fs.writeFileSync(path.join(t.core.dataDir, 'credentials.json'), '{"token":"x"}');
    fs.mkdirSync(path.join(t.core.dataDir, 'backups'));
    fs.writeFileSync(path.join(t.core.dataDir, 'backups', 'studio-1.db'), 'SQLite format 3');
    const get = (rel: string) => fetch(`${t.base}files/${rel}`, { headers: { cookie: t.cookie } });
    const img = await get('projects/1/frames/1/000001.jpg');
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(img.headers.get('content-disposition')).toBeNull();
    expect(img.headers.get('x-content-type-options')).toBe('nosniff');
    for (const rel of ['studio.db', 'studio.db.', 'studio.db%3A%3A%24DATA', 'STUDIO~1.DB', 'credentials.json', 'backups/studio-1.db', 'projects']) {
      const r = await get(rel);
      expect(r.status, rel).toBe(403);
      expect(Buffer.from(await r.arrayBuffer()).includes('SQLite format')).toBe(false);
    }
  });
});
