/**
 * i18n for the whole renderer: i18next with every locale file discovered by glob; the namespace of a
 * page's strings is its page id, shared strings live in `common`. Keys are `ns:key`.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { JOSA_FORMATS, quoted, withJosa } from './josa';
import { initialLanguage, languages, resources, type Language } from './resources';

export { languages, type Language } from './resources';
export { descriptionText, reasonText, sayText } from './say';

const STORAGE_KEY = 'kraken.locale';

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources,
  lng: initialLanguage(storedLanguage(), typeof navigator === 'undefined' ? undefined : navigator.language),
  fallbackLng: 'en',
  supportedLngs: [...languages],
  ns: Object.keys(resources.en ?? {}),
  defaultNS: 'common',
  fallbackNS: 'common',
  interpolation: { escapeValue: false }, // React escapes already
  initAsync: false, // resources are bundled: initialise synchronously so the first render is translated
  returnNull: false,
});

registerJosa(i18n);

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    /* not fatal: the settings keep the choice too */
  }
});
document.documentElement.lang = i18n.language;

/** Korean particles after a name: `{{name, 이/가}}` (see josa.ts); any i18next instance, for the tests too. */
export function registerJosa(instance: typeof i18n): void {
  for (const pair of JOSA_FORMATS) instance.services.formatter?.add(pair, (value: unknown) => withJosa(value, pair));
  instance.services.formatter?.add('quote', quoted);
}

/** Switches the UI language at once (persisting it is the settings store's job). */
export function applyLanguage(lng: Language): Promise<unknown> {
  return i18n.changeLanguage(lng);
}
