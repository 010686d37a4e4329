import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PRELOAD_BUNDLE_MARKER } from '../main/electron-main/preload-marker';

// The script runs main() only when executed, so importing it here only loads its helpers.
const start = (await import('./start.mjs')) as {
  OUTPUTS: string[];
  buildReason(dir: string): string | null;
  preloadIsBundled(dir: string): boolean;
  electronBinary(): string | null;
  electronUnavailableReason(o: { binary: string | null; platform?: string; env?: Record<string, string | undefined> }): string | null;
  startEmulator(service: 'atlas' | 'compute', dataDir: string, port?: number): Promise<{ child: import('node:child_process').ChildProcess; url: string } | null>;
  EMULATORS: Record<string, { port: number }>;
  emulatorArgs(service: string, env: Record<string, string | undefined>): string[];
};

let dir: string | null = null;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
});

function touch(root: string, rel: string, mtimeSec: number, text = 'x') {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  fs.utimesSync(file, mtimeSec, mtimeSec);
}

describe('npm start helpers', () => {
  it('builds when an output is missing or a source is newer, not for a changed test', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-start-'));
    touch(dir, 'main/node/core.ts', 1000);
    touch(dir, 'renderer/src/app.tsx', 1000);
    expect(start.buildReason(dir)).toMatch(/missing/);
    for (const o of start.OUTPUTS) touch(dir, o, 2000);
    expect(start.buildReason(dir)).toBeNull();
    touch(dir, 'main/node/core.test.ts', 3000);
    touch(dir, 'renderer/node_modules/x/index.js', 3000);
    expect(start.buildReason(dir)).toBeNull();
    touch(dir, 'renderer/src/app.tsx', 3000);
    expect(start.buildReason(dir)).toMatch(/changed/);
  });

  it('recognises the bundled preload by the marker the main process checks', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-start-'));
    expect(start.preloadIsBundled(dir)).toBe(false);
    touch(dir, 'dist/preload/index.js', 1, '"use strict"; require("../main/common/contract");');
    expect(start.preloadIsBundled(dir)).toBe(false);
    touch(dir, 'dist/preload/index.js', 1, `/* ${PRELOAD_BUNDLE_MARKER} */\nrequire("electron");`);
    expect(start.preloadIsBundled(dir)).toBe(true);
  });

  it('says why Electron cannot run: no binary, or no display on Linux', () => {
    expect(start.electronUnavailableReason({ binary: null })).toMatch(/not installed/);
    expect(start.electronUnavailableReason({ binary: '/x/electron', platform: 'linux', env: {} })).toMatch(/no display/);
    expect(start.electronUnavailableReason({ binary: '/x/electron', platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' } })).toBeNull();
    expect(start.electronUnavailableReason({ binary: '/x/electron', platform: 'linux', env: { DISPLAY: ':0' } })).toBeNull();
    expect(start.electronUnavailableReason({ binary: '/x/electron', platform: 'darwin', env: {} })).toBeNull();
  });

  it('finds no Electron binary here only when the package has none', () => {
    const binary = start.electronBinary();
    if (binary) expect(fs.existsSync(binary)).toBe(true);
    else expect(fs.existsSync(path.join(path.dirname(require.resolve('electron')), 'path.txt'))).toBe(false);
  });

  it('starts the built Atlas emulator with the demo account, on another port when the fixed one is taken', async () => {
    // `npm test` builds first; dist/emulators is what `npm start` runs
    expect(fs.existsSync(path.join(__dirname, '..', 'dist', 'emulators', 'atlas', 'main.js'))).toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-start-emu-'));
    const first = await start.startEmulator('atlas', path.join(dir, 'a'), 0);
    expect(first).not.toBeNull();
    const port = Number(new URL(first!.url).port);
    try {
      // the same port again is busy: the launcher falls back to any free port instead of giving up
      const second = await start.startEmulator('atlas', path.join(dir, 'b'), port);
      expect(second).not.toBeNull();
      expect(second!.url).not.toBe(first!.url);
      second!.child.kill('SIGTERM');
      const signIn = await fetch(`${first!.url}/atlas/auth/sign-In`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'demo@kraken.local', password: 'Kraken-Demo-2026!' }),
      });
      expect(signIn.status).toBe(201);
      expect(await signIn.json()).toHaveProperty('accessToken');
    } finally {
      first!.child.kill('SIGTERM');
    }
  }, 60_000);

  it('starts Solana before the network, whose payouts then go to the local Solana VM (only the emulator\'s, never a real cluster)', () => {
    const order = Object.keys(start.EMULATORS);
    expect(order.indexOf('solana')).toBeLessThan(order.indexOf('network'));
    expect(start.emulatorArgs('network', { KRAKEN_EMULATOR_SOLANA_RPC: 'http://127.0.0.1:4784/rpc' })).toEqual(['--solana-rpc', 'http://127.0.0.1:4784/rpc']);
    expect(start.emulatorArgs('network', { KRAKEN_SOLANA_RPC: 'https://api.devnet.solana.com' })).toEqual([]);
    expect(start.emulatorArgs('atlas', { KRAKEN_EMULATOR_SOLANA_RPC: 'http://127.0.0.1:4784/rpc' })).toEqual([]);
  });

  it('starts the built compute emulator, which answers the seed\'s bare POST endpoints', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-start-emu-'));
    const emu = await start.startEmulator('compute', path.join(dir, 'c'), 0);
    expect(emu).not.toBeNull();
    try {
      const r = await fetch(`${emu!.url}/getContainerQuota`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ statusCode: 200 });
    } finally {
      emu!.child.kill('SIGTERM');
    }
  }, 60_000);
});
