import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../main/common/contract';
import { MESSAGES } from '../../../main/common/messages';
import { buildResources, initialLanguage, languages } from './resources';

// The same discovery the app uses, read raw from disk by the test runner.
const files = import.meta.glob<Record<string, unknown>>('./locales/*/*.json', { eager: true, import: 'default' });
const byLang = new Map<string, Map<string, Record<string, unknown>>>();
for (const [file, data] of Object.entries(files)) {
  const [, lang, ns] = /locales\/([^/]+)\/([^/]+)\.json$/.exec(file)!;
  if (!byLang.has(lang!)) byLang.set(lang!, new Map());
  byLang.get(lang!)!.set(ns!, data);
}

/** Dotted paths of every leaf string (arrays count as one leaf with their length). */
function leafKeys(obj: unknown, prefix = ''): string[] {
  if (Array.isArray(obj)) return [`${prefix}[${obj.length}]`];
  if (obj && typeof obj === 'object') return Object.entries(obj).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

function load(lang: string, ns: string): Record<string, unknown> {
  const data = byLang.get(lang)?.get(ns);
  if (!data) throw new Error(`missing ${lang}/${ns}.json`);
  return data;
}

const namespaces = (lang: string) => [...(byLang.get(lang)?.keys() ?? [])].sort();

describe('locale files', () => {
  it('every language has the same namespaces', () => {
    const en = namespaces('en');
    expect(en).toContain('common');
    for (const lang of languages) expect(namespaces(lang), lang).toEqual(en);
  });

  for (const ns of namespaces('en')) {
    it(`${ns}: Korean and English have identical keys and no empty strings`, () => {
      const en = leafKeys(load('en', ns)).sort();
      const ko = leafKeys(load('ko', ns)).sort();
      expect(ko).toEqual(en);
      for (const lang of languages) {
        const text = JSON.stringify(load(lang, ns));
        expect(text, `${lang}/${ns}.json has an empty string`).not.toMatch(/:\s*""/);
      }
    });

    // The core's sentences (messages): a translation may leave out a parameter only English needs (a plural verb, an
    // English list) or use one only it needs (the formats a download should have had), as long as the core sends it
    // — the registry's parameters (messages.test.ts renders each language with them).
    it(`${ns}: placeholders match between languages${ns === 'messages' ? ' (messages: within what the core sends)' : ''}`, () => {
      const placeholders = (lang: string) => {
        const out: Record<string, string[]> = {};
        const walk = (o: unknown, p: string) => {
          // `{{name}}` and `{{name, 이/가}}` (a format after the comma: Korean particles, josa.ts) name the same value
          if (typeof o === 'string') out[p] = [...o.matchAll(/\{\{(\w+)(?:,[^}]*)?\}\}/g)].map((m) => m[1]!).sort();
          else if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, `${p}.${k}`);
        };
        walk(load(lang, ns), ns);
        return out;
      };
      if (ns !== 'messages') return void expect(placeholders('ko')).toEqual(placeholders('en'));
      const sent = (key: string): string[] => {
        const code = key.slice('messages.'.length);
        const example = (MESSAGES as Record<string, { example: Record<string, unknown> } | undefined>)[code]?.example ?? {};
        return [...Object.keys(example), ...('service' in example ? ['label'] : [])];
      };
      const en = placeholders('en');
      const outside = Object.entries(placeholders('ko')).flatMap(([k, used]) => used.filter((u) => !en[k]?.includes(u) && !sent(k).includes(u)).map((u) => `${k}: ${u}`));
      expect(outside).toEqual([]);
    });
  }

  it('Korean chooses particles after names instead of writing both forms ("이(가)", "을(를)", "(으)로")', () => {
    const pair = /이\(가\)|가\(이\)|을\(를\)|를\(을\)|은\(는\)|는\(은\)|와\(과\)|과\(와\)|\(으\)로|\(이\)나|\(이\)라/;
    const found: string[] = [];
    const walk = (o: unknown, p: string) => {
      if (typeof o === 'string' && pair.test(o)) found.push(`${p}: ${o}`);
      else if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, `${p}.${k}`);
    };
    for (const ns of namespaces('ko')) walk(load('ko', ns), ns);
    expect(found).toEqual([]);
  });

  it('every error code of the contract has a message in every language', () => {
    for (const lang of languages) {
      const errors = (load(lang, 'common') as { errors: Record<string, string> }).errors;
      for (const code of [...ErrorCode.options, 'UNKNOWN']) expect(errors[code], `${lang} common:errors.${code}`).toBeTruthy();
    }
  });
});

describe('buildResources', () => {
  it('groups glob modules by language and namespace', () => {
    const res = buildResources({
      './locales/en/common.json': { default: { a: 'A' } },
      './locales/ko/common.json': { default: { a: '가' } },
      './locales/en/media.json': { title: 'Media' },
      './not-a-locale.json': { x: 1 },
    });
    expect(res).toEqual({ en: { common: { a: 'A' }, media: { title: 'Media' } }, ko: { common: { a: '가' } } });
  });
});

describe('initialLanguage', () => {
  it('prefers the stored choice, then the system language, then English', () => {
    expect(initialLanguage('ko', 'en-US')).toBe('ko');
    expect(initialLanguage(null, 'ko-KR')).toBe('ko');
    expect(initialLanguage('fr', 'de-DE')).toBe('en');
    expect(initialLanguage(null, undefined)).toBe('en');
  });
});
