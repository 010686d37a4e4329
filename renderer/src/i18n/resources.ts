import type { Resource } from 'i18next';

export const languages = ['en', 'ko'] as const;
export type Language = (typeof languages)[number];

/** Turns `./locales/<lang>/<namespace>.json` modules into i18next resources. */
export function buildResources(files: Record<string, unknown>): Resource {
  const resources: Resource = {};
  for (const [file, mod] of Object.entries(files)) {
    const m = /locales\/([^/]+)\/([^/]+)\.json$/.exec(file);
    if (!m) continue;
    const [, lang, ns] = m as unknown as [string, string, string];
    const data = (mod as { default?: unknown }).default ?? mod;
    (resources[lang] ??= {})[ns] = data as Record<string, unknown>;
  }
  return resources;
}

/** Every locale file, discovered: a page adds its own namespace by adding `<lang>/<page id>.json`. */
export const resources: Resource = buildResources(import.meta.glob('./locales/*/*.json', { eager: true }));

export function isLanguage(x: unknown): x is Language {
  return typeof x === 'string' && (languages as readonly string[]).includes(x);
}

/** The UI language to start with before the settings arrive: last choice, then the system's. */
export function initialLanguage(stored: string | null, navigatorLanguage: string | undefined): Language {
  if (isLanguage(stored)) return stored;
  return navigatorLanguage?.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}
