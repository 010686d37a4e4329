/**
 * The application menu as data: standard roles (their accelerators come with them, and macOS needs the Edit
 * roles for copy/paste in text fields), page shortcuts Ctrl/Cmd+1…8 and help links. Pure: Menu.buildFromTemplate
 * is called by index.ts; the template is tested under Node.
 */
import type { MenuItemConstructorOptions } from 'electron';

/** Page ids in navigation order (renderer/src/pages/<id>, order 10…80). */
export const MENU_PAGES = ['projects', 'media', 'models', 'viewer', 'cloud', 'contribute', 'wallet', 'settings'] as const;

export const HELP_LINKS = {
  docs: 'https://docs.kraken.network/',
  website: 'https://kraken.network/',
  source: 'https://github.com/',
} as const;

export interface MenuActions {
  navigate(page: string): void;
  importMedia(): void;
  openLink(url: string): void;
}

export interface MenuOptions {
  appName: string;
  platform: NodeJS.Platform;
  /** Reload and developer tools only while developing, never in a packaged build. */
  isDev: boolean;
}

function title(page: string): string {
  return page.charAt(0).toUpperCase() + page.slice(1);
}

/** The template for Menu.buildFromTemplate. */
export function buildMenuTemplate(options: MenuOptions, actions: MenuActions): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) {
    template.push({
      label: options.appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: () => actions.navigate('settings') },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push({
    label: 'File',
    submenu: [
      { label: 'Import Media…', accelerator: 'CmdOrCtrl+O', click: () => actions.importMedia() },
      { type: 'separator' },
      ...(isMac ? [{ role: 'close' } as const] : [{ label: 'Settings', accelerator: 'CmdOrCtrl+,', click: () => actions.navigate('settings') }, { type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  });
  template.push({
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  });
  template.push({
    label: 'View',
    submenu: [
      ...(options.isDev ? [{ role: 'reload' } as const, { role: 'toggleDevTools' } as const, { type: 'separator' } as const] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  });
  template.push({
    label: 'Go',
    submenu: MENU_PAGES.map((page, i) => ({ label: title(page), accelerator: `CmdOrCtrl+${i + 1}`, click: () => actions.navigate(page) })),
  });
  template.push({ role: 'windowMenu' });
  template.push({
    role: 'help',
    submenu: [
      { label: 'Documentation', click: () => actions.openLink(HELP_LINKS.docs) },
      { label: 'Kraken Website', click: () => actions.openLink(HELP_LINKS.website) },
      { label: 'Source on GitHub', click: () => actions.openLink(HELP_LINKS.source) },
    ],
  });
  return template;
}
