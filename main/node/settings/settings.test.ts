/**
 * Issue 9, finding 3: no page call makes the studio run a program it chose. The page's contract has no executable
 * path; one stored by older versions is used only if it passes the check; the file picker is the desktop app's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../core';
import { createDispatcher } from '../ipc/dispatch';
import { configureTool } from './tool-settings';

const bundledFfmpeg = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const PAGE = 'http://127.0.0.1:1234';
const open: { core: Core; dir: string }[] = [];
afterEach(async () => {
  for (const { core, dir } of open.splice(0)) {
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-settings-'));
  const core = createCore({ dataDir: path.join(dir, 'data'), shell: 'browser' });
  open.push({ core, dir });
  const dispatch = createDispatcher(core.handlers, { trustedOrigins: [PAGE] });
  const call = (channel: string, payload: unknown = {}): Promise<any> => dispatch(channel, payload, { origin: PAGE, isMainFrame: true });
  const marker = path.join(dir, 'ran');
  const evil = path.join(dir, 'evil.sh');
  fs.writeFileSync(evil, `#!/bin/sh\ntouch "${marker}"\necho "ffmpeg version 6.1 Copyright"\n`);
  fs.chmodSync(evil, 0o755);
  return { core, call, evil, marker };
}

describe('tool paths and the page', () => {
  it('refuses settings.update with an executable path, and app.info runs nothing the page named', async () => {
    const { call, evil, marker } = setup();
    for (const patch of [{ ffmpegPath: evil }, { ffprobePath: evil }, { locale: 'en', ffmpegPath: evil }]) {
      expect(await call('settings.update', patch)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    const info = await call('app.info');
    expect(info.ok).toBe(true);
    expect(fs.existsSync(marker)).toBe(false);
    const settings = await call('settings.get');
    expect(settings).toEqual({ ok: true, value: { locale: 'en' } });
    expect(await call('settings.update', { locale: 'ko' })).toEqual({ ok: true, value: { locale: 'ko' } });
  });

  it('offers the file picker only in the desktop app', async () => {
    const { call } = setup();
    expect(await call('settings.chooseTool', { tool: 'ffmpeg' })).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    expect(await call('settings.chooseTool', { tool: 'ffmpeg', path: '/tmp/x' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('honours a path stored by an older version only when it passes the check, and says why it did not', async () => {
    const { core, call, evil, marker } = setup();
    core.db.prepare(`INSERT INTO settings (key, value_json) VALUES ('ffmpegPath', ?), ('ffprobePath', ?)`).run(JSON.stringify(evil), JSON.stringify(evil));
    core.tools.invalidate();
    const info = await call('app.info');
    expect(fs.existsSync(marker)).toBe(false);
    expect(info.value.ffmpeg.source).not.toBe('setting');
    expect(info.value.toolNotes.join(' ')).toMatch(/evil\.sh is a script/);
    // The settings the page sees carry no path.
    expect((await call('settings.get')).value).toEqual({ locale: 'en' });
    // "Use automatic" forgets it.
    expect(await call('settings.resetTools')).toEqual({ ok: true, value: { cleared: true } });
    expect((await call('app.info')).value.toolNotes).toEqual([]);

    // A real ffmpeg stored the same way is used.
    core.db.prepare(`INSERT INTO settings (key, value_json) VALUES ('ffmpegPath', ?)`).run(JSON.stringify(bundledFfmpeg));
    core.tools.invalidate();
    expect((await call('app.info')).value.ffmpeg).toMatchObject({ path: bundledFfmpeg, source: 'setting' });
  });

  it('keeps a picked file only when it is that tool (what the Electron picker and kraken config call)', async () => {
    const { core, evil, marker } = setup();
    await expect(configureTool(core.settings, core.tools, 'ffmpeg', evil)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/script/) });
    expect(core.settings.toolPaths().ffmpegPath).toBeNull();
    expect(fs.existsSync(marker)).toBe(false);
    await expect(configureTool(core.settings, core.tools, 'ffprobe', bundledFfmpeg)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await configureTool(core.settings, core.tools, 'ffmpeg', bundledFfmpeg)).toMatchObject({ path: bundledFfmpeg, source: 'setting' });
    expect(core.settings.toolPaths().ffmpegPath).toBe(bundledFfmpeg);
    expect((await core.info()).ffmpeg).toMatchObject({ path: bundledFfmpeg, source: 'setting' });
  });
});
