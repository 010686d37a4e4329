import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate, HELP_LINKS, MENU_PAGES } from './app-menu';
import { isAllowedExternalUrl } from './security';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

function actions() {
  return { navigate: vi.fn(), importMedia: vi.fn(), openLink: vi.fn() };
}

describe('app menu', () => {
  it('has page shortcuts 1…8, import and settings, with no accelerator used twice', () => {
    const a = actions();
    const items = flatten(buildMenuTemplate({ appName: 'Kraken Studio', platform: 'linux', isDev: false }, a));
    const accelerators = items.map((i) => i.accelerator).filter(Boolean);
    expect(new Set(accelerators).size).toBe(accelerators.length);
    MENU_PAGES.forEach((page, i) => {
      const item = items.find((m) => m.accelerator === `CmdOrCtrl+${i + 1}`)!;
      (item.click as () => void)();
      expect(a.navigate).toHaveBeenLastCalledWith(page);
    });
    (items.find((m) => m.accelerator === 'CmdOrCtrl+O')!.click as () => void)();
    expect(a.importMedia).toHaveBeenCalled();
    expect(items.some((m) => m.role === 'quit')).toBe(true);
    expect(items.some((m) => m.role === 'copy') && items.some((m) => m.role === 'paste')).toBe(true);
  });

  it('keeps reload and developer tools out of a packaged build', () => {
    const prod = flatten(buildMenuTemplate({ appName: 'K', platform: 'win32', isDev: false }, actions()));
    expect(prod.some((m) => m.role === 'toggleDevTools' || m.role === 'reload')).toBe(false);
    const dev = flatten(buildMenuTemplate({ appName: 'K', platform: 'win32', isDev: true }, actions()));
    expect(dev.some((m) => m.role === 'toggleDevTools')).toBe(true);
  });

  it('puts the app menu first on macOS only', () => {
    expect(buildMenuTemplate({ appName: 'Kraken Studio', platform: 'darwin', isDev: false }, actions())[0]!.label).toBe('Kraken Studio');
    expect(buildMenuTemplate({ appName: 'Kraken Studio', platform: 'linux', isDev: false }, actions())[0]!.label).toBe('File');
  });

  it('links only to allow-listed sites', () => {
    const a = actions();
    const items = flatten(buildMenuTemplate({ appName: 'K', platform: 'linux', isDev: false }, a));
    for (const url of Object.values(HELP_LINKS)) expect(isAllowedExternalUrl(url)).toBe(true);
    const help = items.filter((m) => m.label && /Documentation|Website|GitHub/.test(m.label));
    expect(help).toHaveLength(3);
    for (const h of help) (h.click as () => void)();
    expect(a.openLink.mock.calls.map((c) => c[0])).toEqual(Object.values(HELP_LINKS));
  });
});
