import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelNames } from '../common/contract';
import { createCore, type Core } from '../node/core';
import { callerOfFrame, EVENT_CHANNEL, registerIpc } from './ipc';

type InvokeHandler = (event: unknown, payload: unknown) => Promise<unknown>;

/** ipcMain as far as registration goes: a map of channel → handler. */
function fakeIpcMain() {
  const handlers = new Map<string, InvokeHandler>();
  return {
    handlers,
    handle: (channel: string, h: (event: any, ...args: any[]) => any) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, h as InvokeHandler);
    },
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
}

const mainFrame = { origin: 'kraken://app', parent: null };
const invokeEvent = (senderFrame: unknown) => ({ senderFrame });

function fakeWindow(url: string, opts: { destroyed?: boolean } = {}) {
  const sent: unknown[][] = [];
  return {
    sent,
    isDestroyed: () => opts.destroyed ?? false,
    webContents: { isDestroyed: () => false, getURL: () => url, send: (...args: unknown[]) => void sent.push(args) },
  };
}

let dir: string;
let core: Core;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-ipc-'));
  core = createCore({ dataDir: dir, shell: 'electron', version: '9.9.9' });
});

afterAll(async () => {
  await core.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('callerOfFrame', () => {
  it('reports origin and top-level-ness; a vanished frame is nobody', () => {
    expect(callerOfFrame(mainFrame as never)).toEqual({ origin: 'kraken://app', isMainFrame: true });
    expect(callerOfFrame({ origin: 'kraken://app', parent: mainFrame } as never)).toEqual({ origin: 'kraken://app', isMainFrame: false });
    expect(callerOfFrame(null)).toEqual({ origin: '', isMainFrame: false });
  });
});

describe('registerIpc', () => {
  it('registers exactly the contract channels', () => {
    const ipcMain = fakeIpcMain();
    const reg = registerIpc(core, { ipcMain, windows: () => [] });
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...channelNames].sort());
    reg.dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('runs a call from our main frame through the core and returns its envelope', async () => {
    const ipcMain = fakeIpcMain();
    const reg = registerIpc(core, { ipcMain, windows: () => [] });
    try {
      const created = (await ipcMain.handlers.get('projects.create')!(invokeEvent(mainFrame), { name: 'From Electron' })) as { ok: boolean; value: { id: number; name: string } };
      expect(created).toMatchObject({ ok: true, value: { name: 'From Electron', description: '' } });
      const list = await ipcMain.handlers.get('projects.list')!(invokeEvent(mainFrame), {});
      expect(list).toMatchObject({ ok: true, value: [{ id: created.value.id, name: 'From Electron' }] });
      expect(await ipcMain.handlers.get('app.info')!(invokeEvent(mainFrame), {})).toMatchObject({ ok: true, value: { shell: 'electron', version: '9.9.9', nativeDialogs: true } });
    } finally {
      reg.dispose();
    }
  });

  it('refuses sub-frames, other origins and vanished frames before any service runs', async () => {
    const ipcMain = fakeIpcMain();
    const reg = registerIpc(core, { ipcMain, windows: () => [] });
    const before = core.projects.list().length;
    try {
      const create = ipcMain.handlers.get('projects.create')!;
      for (const frame of [
        { origin: 'kraken://app', parent: mainFrame },
        { origin: 'kraken://files', parent: null },
        { origin: 'https://evil.example', parent: null },
        { origin: 'null', parent: null },
        null,
      ]) {
        expect(await create(invokeEvent(frame), { name: 'Sneaky' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
      expect(core.projects.list().length).toBe(before);
    } finally {
      reg.dispose();
    }
  });

  it('parses payloads against the contract', async () => {
    const ipcMain = fakeIpcMain();
    const reg = registerIpc(core, { ipcMain, windows: () => [] });
    try {
      expect(await ipcMain.handlers.get('projects.create')!(invokeEvent(mainFrame), { name: '' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await ipcMain.handlers.get('projects.get')!(invokeEvent(mainFrame), { id: 999_999 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    } finally {
      reg.dispose();
    }
  });

  it('forwards core events to live windows showing our app only, until disposed', () => {
    const ours = fakeWindow('kraken://app/index.html#/media');
    const foreign = fakeWindow('https://evil.example/');
    const closed = fakeWindow('kraken://app/index.html', { destroyed: true });
    const reg = registerIpc(core, { ipcMain: fakeIpcMain(), windows: () => [ours, foreign, closed] as never });
    const payload = { jobId: 'j1', fraction: 0.5, stage: 'extract', done: 1, total: 2, unit: 'frames' };
    core.bus.emit('job.progress', payload as never);
    expect(ours.sent).toEqual([[EVENT_CHANNEL, { name: 'job.progress', payload }]]);
    expect(foreign.sent).toEqual([]);
    expect(closed.sent).toEqual([]);
    reg.dispose();
    core.bus.emit('job.progress', payload as never);
    expect(ours.sent).toHaveLength(1);
  });
});
