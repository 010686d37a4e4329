/**
 * The main window remembers its size, position and maximised state between runs. The saved state is
 * clamped to the displays present now (a monitor may have been unplugged), so the window never opens
 * off-screen or larger than the screen. Only types come from `electron`; the clamping is pure.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserWindow, Rectangle } from 'electron';

export interface WindowState {
  /** Absent: let the OS centre the window. */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1360, height: 860 } as const;
export const MIN_SIZE = { width: 960, height: 600 } as const;
/** How much of the window must lie on a display for its saved position to be kept (title bar reachable). */
const MIN_VISIBLE = { width: 120, height: 60 } as const;

function finite(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

function overlap(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/**
 * A usable state from whatever was saved (possibly nothing, or garbage) and the displays' work areas now
 * (the first is the primary display).
 */
export function clampWindowState(saved: unknown, workAreas: readonly Rectangle[]): WindowState {
  const s = (typeof saved === 'object' && saved !== null ? saved : {}) as Record<string, unknown>;
  let width = finite(s.width) && s.width > 0 ? Math.round(s.width) : DEFAULT_SIZE.width;
  let height = finite(s.height) && s.height > 0 ? Math.round(s.height) : DEFAULT_SIZE.height;
  const maximized = s.maximized === true;
  width = Math.max(width, MIN_SIZE.width);
  height = Math.max(height, MIN_SIZE.height);
  if (workAreas.length === 0) return { width, height, maximized };

  // The display that shows most of the saved window, if it is visible enough to grab.
  let area: Rectangle | undefined;
  let hasPosition = finite(s.x) && finite(s.y);
  if (hasPosition) {
    const rect = { x: Math.round(s.x as number), y: Math.round(s.y as number), width, height };
    let best = 0;
    for (const a of workAreas) {
      const o = overlap(rect, a);
      if (o.width >= MIN_VISIBLE.width && o.height >= MIN_VISIBLE.height && o.width * o.height > best) {
        best = o.width * o.height;
        area = a;
      }
    }
    if (!area) hasPosition = false; // its monitor is gone: centre it on the primary display instead
  }
  area ??= workAreas[0]!;

  // Never larger than the display (a small screen may be smaller than our minimum: the screen wins).
  width = Math.min(width, area.width);
  height = Math.min(height, area.height);
  if (!hasPosition) return { width, height, maximized };
  // A window spanning two displays, wholly on screen, stays where the user put it (displays never overlap,
  // so the overlaps add up to its area exactly when nothing of it is off screen).
  const placed = { x: Math.round(s.x as number), y: Math.round(s.y as number), width, height };
  const visibleArea = workAreas.reduce((sum, a) => {
    const o = overlap(placed, a);
    return sum + o.width * o.height;
  }, 0);
  if (visibleArea === width * height) return { ...placed, maximized };
  // Otherwise pull it fully onto the display that shows most of it.
  const x = Math.min(Math.max(Math.round(s.x as number), area.x), area.x + area.width - width);
  const y = Math.min(Math.max(Math.round(s.y as number), area.y), area.y + area.height - height);
  return { x, y, width, height, maximized };
}

/** The saved state, or null when there is none or it cannot be read. */
export function loadWindowState(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/** Writes the state through a temp file and rename, so a crash mid-write leaves the old state, not half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}

/** The state of a live window: its normal (restored) bounds, so a maximised window remembers its real size. */
export function stateOf(win: Pick<BrowserWindow, 'getNormalBounds' | 'isMaximized'>): WindowState {
  const b = win.getNormalBounds();
  return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
}

/** Saves the window's state after it moves or resizes (debounced) and when it closes. */
export function trackWindowState(win: BrowserWindow, file: string, debounceMs = 500): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    if (win.isDestroyed() || win.isFullScreen() || win.isMinimized()) return;
    try {
      saveWindowState(file, stateOf(win));
    } catch {
      // Losing the window size is not worth an error dialog.
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, debounceMs);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', save);
  win.on('unmaximize', save);
  win.on('close', save);
}
