/**
 * The real preload bundle (scripts/bundle-preload.mjs), loaded with a stand-in `electron` module: it must need
 * nothing but electron (a sandboxed preload can require nothing else), carry the marker the main process checks,
 * and expose exactly the contract's actions on `window.kraken`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelNames } from '../main/common/contract';
import { PRELOAD_BUNDLE_MARKER } from '../main/electron-main/preload-marker';

const root = path.resolve(__dirname, '..');
let dir: string;
let code: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-preload-'));
  const out = path.join(dir, 'index.js');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'bundle-preload.mjs'), '--out', out], { cwd: root, stdio: 'pipe' });
  code = fs.readFileSync(out, 'utf8');
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function load() {
  const exposed: Record<string, unknown> = {};
  const invoked: unknown[][] = [];
  const listeners = new Map<string, ((event: unknown, message: unknown) => void)[]>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => void (exposed[key] = value) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        invoked.push(args);
        return { ok: true, value: null };
      },
      on: (channel: string, l: (event: unknown, message: unknown) => void) => void listeners.set(channel, [...(listeners.get(channel) ?? []), l]),
      removeListener: () => undefined,
    },
    webUtils: { getPathForFile: () => '/tmp/dropped.mov' },
  };
  const required: string[] = [];
  const fakeRequire = (id: string) => {
    required.push(id);
    if (id === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require ${id}`);
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', code)(fakeRequire, module, module.exports);
  return { exposed, invoked, listeners, required };
}

describe('preload bundle', () => {
  it('is marked, small, and requires only electron', () => {
    expect(code.startsWith(`/* ${PRELOAD_BUNDLE_MARKER}`)).toBe(true);
    expect(code.length).toBeLessThan(64 * 1024); // the contract's names, not zod
    expect(load().required).toEqual(['electron']);
  });

  it('exposes window.kraken with every channel, events and files, and routes calls to ipcRenderer.invoke', async () => {
    const { exposed, invoked, listeners } = load();
    expect(Object.keys(exposed)).toEqual(['kraken']);
    const kraken = exposed.kraken as Record<string, Record<string, (...a: unknown[]) => unknown>>;
    for (const c of channelNames) {
      const [d, v] = c.split('.') as [string, string];
      expect(kraken[d]?.[v], c).toBeTypeOf('function');
    }
    await kraken.projects!.create!({ name: 'x' });
    expect(invoked).toEqual([['projects.create', { name: 'x' }]]);
    expect(kraken.files!.pathFor!({})).toBe('/tmp/dropped.mov');

    const seen: unknown[] = [];
    kraken.events!.on!('job.updated', (p: unknown) => seen.push(p));
    const [listener] = listeners.get('kraken:event') ?? [];
    listener!({ sender: 'ipcRenderer' }, { name: 'job.updated', payload: { id: 'a' } });
    expect(seen).toEqual([{ id: 'a' }]);
  });
});
