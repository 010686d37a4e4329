import { useEffect } from 'react';
import { useNav } from '../stores/nav-store';
import { useUi } from '../stores/ui-store';
import { targetOwnsKey } from './key-target';
import type { PageModule } from './page-module';

/** Shortcut list shown in the sheet; `mod` is Ctrl, or ⌘ on macOS. */
export const shortcutList = [
  { keys: ['mod', 'N'], labelKey: 'shortcuts.newProject' },
  { keys: ['mod', 'O'], labelKey: 'shortcuts.import' },
  { keys: ['mod', '1…8'], labelKey: 'shortcuts.navigate' },
  { keys: ['←', '→'], labelKey: 'shortcuts.step' },
  { keys: ['Esc'], labelKey: 'shortcuts.close' },
  { keys: ['?'], labelKey: 'shortcuts.sheet' },
] as const;

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** Window-level shortcuts for the main actions. */
export function useGlobalShortcuts(pages: PageModule[]) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = isMac ? e.metaKey : e.ctrlKey;
      if (mod && !e.altKey && !e.shiftKey) {
        const key = e.key.toLowerCase();
        if (key === 'n') {
          e.preventDefault();
          useNav.getState().navigate('projects');
          useUi.getState().requestNewProject();
          return;
        }
        if (key === 'o') {
          e.preventDefault();
          useNav.getState().navigate('media');
          useUi.getState().requestImport();
          return;
        }
        if (/^[1-9]$/.test(e.key)) {
          const page = pages[Number(e.key) - 1];
          if (page) {
            e.preventDefault();
            useNav.getState().navigate(page.id);
          }
          return;
        }
      }
      if (e.key === '?' && !mod && !e.altKey && !targetOwnsKey(e) && !document.querySelector('dialog[open]')) {
        e.preventDefault();
        useUi.getState().setShortcutsOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [pages]);
}
