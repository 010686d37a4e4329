import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clampWindowState, DEFAULT_SIZE, loadWindowState, MIN_SIZE, saveWindowState, trackWindowState } from './window-state';

const primary = { x: 0, y: 0, width: 1920, height: 1040 };
const right = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('clampWindowState', () => {
  it('uses the defaults, centred, when nothing (or garbage) was saved', () => {
    for (const saved of [null, undefined, 'x', 42, [], { width: 'big' }, { width: -5, height: NaN }]) {
      expect(clampWindowState(saved, [primary])).toEqual({ width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height, maximized: false });
    }
  });

  it('keeps a saved window that fits its display', () => {
    expect(clampWindowState({ x: 100, y: 50, width: 1200, height: 800, maximized: true }, [primary])).toEqual({ x: 100, y: 50, width: 1200, height: 800, maximized: true });
    expect(clampWindowState({ x: 2000, y: 100, width: 1600, height: 1000 }, [primary, right])).toEqual({ x: 2000, y: 100, width: 1600, height: 1000, maximized: false });
  });

  it('enforces the minimum size', () => {
    expect(clampWindowState({ x: 10, y: 10, width: 200, height: 100 }, [primary])).toMatchObject({ width: MIN_SIZE.width, height: MIN_SIZE.height });
  });

  it('shrinks a window larger than its display and pulls it fully on screen', () => {
    expect(clampWindowState({ x: -300, y: -20, width: 5000, height: 3000 }, [primary])).toEqual({ x: 0, y: 0, width: 1920, height: 1040, maximized: false });
    expect(clampWindowState({ x: 1500, y: 900, width: 1000, height: 700 }, [primary])).toEqual({ x: 920, y: 340, width: 1000, height: 700, maximized: false });
  });

  it('centres on the primary display when the saved monitor is gone', () => {
    expect(clampWindowState({ x: 2500, y: 200, width: 1400, height: 900 }, [primary])).toEqual({ width: 1400, height: 900, maximized: false });
  });

  it('treats a window with only a sliver on screen as lost', () => {
    expect(clampWindowState({ x: 1900, y: 100, width: 1200, height: 800 }, [primary])).toEqual({ width: 1200, height: 800, maximized: false });
  });

  it('lets a screen smaller than the minimum win', () => {
    expect(clampWindowState({ width: 1360, height: 860 }, [{ x: 0, y: 0, width: 800, height: 560 }])).toEqual({ width: 800, height: 560, maximized: false });
  });

  it('keeps a window spanning two displays, and pulls one partly off screen onto the display showing most of it', () => {
    const s = clampWindowState({ x: 1700, y: 100, width: 1200, height: 800 }, [primary, right]);
    expect(s).toEqual({ x: 1700, y: 100, width: 1200, height: 800, maximized: false });
    // Partly off screen below: pulled onto the display showing most of it.
    expect(clampWindowState({ x: 1700, y: 900, width: 1200, height: 800 }, [primary, right])).toEqual({ x: 1920, y: 600, width: 1200, height: 800, maximized: false });
    expect(clampWindowState({ x: 100, y: 100, width: 1000, height: 700 }, [])).toEqual({ width: 1000, height: 700, maximized: false });
  });
});

describe('persistence', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('round-trips through a file and reads a broken file as nothing', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-ws-'));
    const file = path.join(dir, 'sub', '.window-state.json');
    expect(loadWindowState(file)).toBeNull();
    saveWindowState(file, { x: 1, y: 2, width: 1000, height: 700, maximized: false });
    expect(loadWindowState(file)).toEqual({ x: 1, y: 2, width: 1000, height: 700, maximized: false });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['.window-state.json']); // no temp file left
    fs.writeFileSync(file, '{"x": 1, "wid');
    expect(loadWindowState(file)).toBeNull();
  });

  it('saves the normal bounds on close, and not while minimised or full screen', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-ws-'));
    const file = path.join(dir, 'state.json');
    const win = Object.assign(new EventEmitter(), {
      minimized: false,
      isDestroyed: () => false,
      isFullScreen: () => false,
      isMinimized: () => win.minimized,
      isMaximized: () => true,
      getNormalBounds: () => ({ x: 40, y: 30, width: 1300, height: 820 }),
    });
    vi.useFakeTimers();
    try {
      trackWindowState(win as never, file, 100);
      win.emit('resize');
      expect(fs.existsSync(file)).toBe(false); // debounced
      vi.advanceTimersByTime(150);
      expect(loadWindowState(file)).toEqual({ x: 40, y: 30, width: 1300, height: 820, maximized: true });
      fs.rmSync(file);
      win.minimized = true;
      win.emit('close');
      expect(fs.existsSync(file)).toBe(false);
      win.minimized = false;
      win.emit('close');
      expect(loadWindowState(file)).toMatchObject({ width: 1300 });
    } finally {
      vi.useRealTimers();
    }
  });
});
