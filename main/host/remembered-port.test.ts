/** The browser host comes back on the port it last served a data folder on, so the page keeps its origin (and place). */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PORT_FILE, rememberedPort, rememberPort, startOnRememberedPort } from './remembered-port';

const dirs: string[] = [];
const servers: http.Server[] = [];
function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-port-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function listen(port: number): Promise<http.Server> {
  const server = http.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      servers.push(server);
      resolve(server);
    });
  });
}
const portOf = (s: http.Server) => (s.address() as AddressInfo).port;
const close = (s: http.Server) => new Promise((r) => s.close(r));

describe('remembered host port', () => {
  it('a first start takes a free port and remembers it; the next start asks for the same one', async () => {
    const dir = dataDir();
    expect(rememberedPort(dir)).toBeNull();
    const first = await startOnRememberedPort(dir, null, listen, portOf);
    const port = portOf(first);
    expect(rememberedPort(dir)).toBe(port);
    await close(first);
    const again = await startOnRememberedPort(dir, null, listen, portOf);
    expect(portOf(again)).toBe(port);
  });

  it('a remembered port that is taken now falls back to a free one, which is remembered instead', async () => {
    const dir = dataDir();
    const squatter = await listen(0);
    rememberPort(dir, portOf(squatter));
    const host = await startOnRememberedPort(dir, null, listen, portOf);
    expect(portOf(host)).not.toBe(portOf(squatter));
    expect(rememberedPort(dir)).toBe(portOf(host));
  });

  it('an explicit --port (0 included) is obeyed and not remembered', async () => {
    const dir = dataDir();
    rememberPort(dir, 65000);
    const host = await startOnRememberedPort(dir, 0, listen, portOf);
    expect(portOf(host)).not.toBe(65000);
    expect(rememberedPort(dir)).toBe(65000);
  });

  it('a damaged or foreign port file is ignored', () => {
    const dir = dataDir();
    for (const bad of ['not json', '{"port":"8080"}', '{"port":80}', '{"port":70000}', '[]']) {
      fs.writeFileSync(path.join(dir, PORT_FILE), bad);
      expect(rememberedPort(dir), bad).toBeNull();
    }
  });

  it('other start failures are not hidden by the fallback', async () => {
    const dir = dataDir();
    rememberPort(dir, 40000);
    const boom = Object.assign(new Error('boom'), { code: 'EINVAL' });
    await expect(startOnRememberedPort(dir, null, () => Promise.reject(boom), portOf)).rejects.toThrow('boom');
  });
});

describe('the host entry without --port', () => {
  const root = path.resolve(__dirname, '..', '..');
  const entry = path.join(root, 'main', 'host', 'index.ts');

  function startEntry(dir: string): Promise<{ port: number; stop: () => Promise<void> }> {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, '--data-dir', dir, '--no-open'], { cwd: root, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    return new Promise((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /running at http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (m) resolve({ port: Number(m[1]), stop: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) });
      });
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.once('exit', (code) => reject(new Error(`host exited (${code}): ${out}`)));
    });
  }

  it('comes back on the same port for the same data folder after a restart', async () => {
    const dir = dataDir();
    const first = await startEntry(dir);
    await first.stop();
    const second = await startEntry(dir);
    await second.stop();
    expect(second.port).toBe(first.port);
  }, 90_000);
});
