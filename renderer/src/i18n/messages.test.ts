/**
 * The code → text mapping of the core's sentences: every code the core can emit (main/common/messages.ts, the one
 * registry) has a text in every language, no locale holds a code the core does not know, the English template
 * renders exactly the core's English sentence (what the CLI prints), and the Korean one is Korean.
 */
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { MESSAGE_CODES, MESSAGES, say } from '../../../main/common/messages';
import { JOSA_FORMATS, withJosa } from './josa';
import { languages } from './resources';
import { descriptionText, reasonText, sayText } from './say';

/** A particle written as both forms: the formatter chooses instead (josa.ts). */
const PAIR = /이\(가\)|가\(이\)|을\(를\)|를\(을\)|은\(는\)|는\(은\)|와\(과\)|과\(와\)|\(으\)로|\(이\)나|\(이\)라/;

const files = import.meta.glob<Record<string, unknown>>('./locales/*/messages.json', { eager: true, import: 'default' });
const byLang = Object.fromEntries(Object.entries(files).map(([f, d]) => [/locales\/([^/]+)\//.exec(f)![1]!, d])) as Record<string, Record<string, unknown>>;

function leaves(obj: unknown, prefix = ''): Record<string, string> {
  if (typeof obj === 'string') return { [prefix]: obj };
  return Object.assign({}, ...Object.entries(obj as Record<string, unknown>).map(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k)));
}

async function instance(lng: string) {
  const i = i18next.createInstance();
  await i.init({ lng, fallbackLng: 'en', resources: Object.fromEntries(languages.map((l) => [l, { messages: byLang[l]! }])), interpolation: { escapeValue: false } });
  for (const pair of JOSA_FORMATS) i.services.formatter!.add(pair, (v: unknown) => withJosa(v, pair));
  return i;
}

describe('messages registry ↔ locales', () => {
  for (const lang of languages) {
    it(`${lang}: every code the core can emit has a text, and nothing else is there`, () => {
      const keys = Object.keys(leaves(byLang[lang]));
      expect(keys.filter((k) => !MESSAGE_CODES.includes(k as never)), `${lang} keys the registry does not have`).toEqual([]);
      expect(MESSAGE_CODES.filter((c) => !keys.includes(c)), `${lang}/messages.json lacks`).toEqual([]);
    });
  }

  it('en renders exactly the English sentence the core sends (and the CLI prints)', async () => {
    const en = await instance('en');
    for (const code of MESSAGE_CODES) {
      const { example } = MESSAGES[code];
      expect(en.t(`messages:${code}`, { ...example }), code).toBe(say(code, example as never).message);
    }
  });

  it('ko renders Korean with every placeholder filled and no "이(가)"-style pair', async () => {
    const ko = await instance('ko');
    const raw = leaves(byLang.ko);
    for (const code of MESSAGE_CODES) {
      const { example } = MESSAGES[code];
      const text = ko.t(`messages:${code}`, { ...example });
      expect(text, code).toMatch(/[\uAC00-\uD7A3]/);
      expect(text, code).not.toMatch(/\{\{|\}\}/);
      expect(raw[code], code).not.toMatch(PAIR);
      const used = [...raw[code]!.matchAll(/\{\{(\w+)/g)].map((m) => m[1]!);
      expect(used.filter((u) => !(u in example)), `${code}: placeholders the core does not send`).toEqual([]);
    }
  });
});

describe('sayText', () => {
  it('translates a known code, falls back to the English sentence for an unknown or missing one', async () => {
    const ko = await instance('ko');
    const said = say('preflight.too_long_max', { label: 'MusePose', actual: '240.0 s', max: 180 });
    expect(sayText(ko, said)).toBe('동영상 길이가 240.0 s입니다. MusePose는 최대 180초까지 받습니다. 잘라 주세요.');
    expect(sayText(ko, { message: 'Something new', messageCode: 'preflight.from_a_newer_core', messageParams: {} })).toBe('Something new');
    expect(sayText(ko, { message: 'Plain English' })).toBe('Plain English');
    expect(reasonText(ko, { reason: 'No NVIDIA GPU was found.', reasonCode: 'provider.no_nvidia', reasonParams: {} })).toBe('NVIDIA GPU를 찾지 못했습니다.');
  });

  it('translates model descriptions by their code, and stored ones only while they are the registry sentence', async () => {
    const ko = await instance('ko');
    const english = MESSAGES['model.u2netp'].en({});
    expect(descriptionText(ko, { id: 'u2netp', description: english, descriptionCode: 'model.u2netp' })).toMatch(/마스크/);
    expect(descriptionText(ko, { id: 'u2netp', description: english })).toMatch(/마스크/);
    expect(descriptionText(ko, { id: 'u2netp', description: 'My own cut-out model' })).toBe('My own cut-out model');
  });
});
