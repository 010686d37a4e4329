import { create } from 'zustand';

/**
 * App-wide requests that a shortcut or a button elsewhere makes of a page (open the new-project dialog,
 * start an import). A request stays pending until the page consumes it, so it works even when the shortcut
 * first has to navigate to a page that is not mounted yet.
 */
interface UiState {
  shortcutsOpen: boolean;
  pendingNewProject: boolean;
  pendingImport: boolean;
  setShortcutsOpen(open: boolean): void;
  requestNewProject(): void;
  requestImport(): void;
  /** Returns whether a request was pending, and clears it. */
  consumeNewProject(): boolean;
  consumeImport(): boolean;
}

export const useUi = create<UiState>((set, get) => ({
  shortcutsOpen: false,
  pendingNewProject: false,
  pendingImport: false,
  setShortcutsOpen: (shortcutsOpen) => set({ shortcutsOpen }),
  requestNewProject: () => set({ pendingNewProject: true }),
  requestImport: () => set({ pendingImport: true }),
  consumeNewProject() {
    const was = get().pendingNewProject;
    if (was) set({ pendingNewProject: false });
    return was;
  },
  consumeImport() {
    const was = get().pendingImport;
    if (was) set({ pendingImport: false });
    return was;
  },
}));
