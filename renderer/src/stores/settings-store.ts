import { create } from 'zustand';
import type { AppInfo, Settings, ToolName } from '../../../main/common/contract';
import { api } from '../api';
import { applyLanguage, type Language } from '../i18n';
import { isLanguage } from '../i18n/resources';
import { showError } from './toast-store';

interface SettingsState {
  settings: Settings | null;
  info: AppInfo | null;
  loading: boolean;
  /** Reads settings and app info; applies the saved language. */
  load(): Promise<void>;
  refreshInfo(): Promise<void>;
  setLocale(locale: Language): Promise<void>;
  /** Desktop app only: the native file picker, then the check that it is that tool. True when one was kept. */
  chooseTool(tool: ToolName): Promise<boolean>;
  /** Forgets chosen tools (back to automatic discovery). */
  resetTools(): Promise<void>;
}

export const useSettings = create<SettingsState>((set, get) => ({
  settings: null,
  info: null,
  loading: false,
  async load() {
    set({ loading: true });
    try {
      const [settings, info] = await Promise.all([api.settings.get({}), api.app.info({})]);
      set({ settings, info });
      if (isLanguage(settings.locale)) await applyLanguage(settings.locale);
    } catch (err) {
      showError(err);
    } finally {
      set({ loading: false });
    }
  },
  async refreshInfo() {
    try {
      set({ info: await api.app.info({}) });
    } catch (err) {
      showError(err);
    }
  },
  async setLocale(locale) {
    // Switch first so the UI answers at once; the setting follows.
    await applyLanguage(locale);
    try {
      set({ settings: await api.settings.update({ locale }) });
    } catch (err) {
      showError(err);
    }
  },
  async chooseTool(tool) {
    try {
      const r = await api.settings.chooseTool({ tool });
      if (r.chosen) await get().refreshInfo();
      return r.chosen;
    } catch (err) {
      showError(err);
      return false;
    }
  },
  async resetTools() {
    try {
      await api.settings.resetTools({});
      await get().refreshInfo();
    } catch (err) {
      showError(err);
    }
  },
}));
