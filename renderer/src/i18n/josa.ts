/**
 * Korean particles (조사) after a name the UI does not know in advance: ko strings write "{{name, 이/가}}"
 * instead of "{{name}}이(가)". The choice depends on whether the word before ends in a final consonant (받침):
 *
 * - Hangul syllable: `(code - 0xAC00) % 28` is the final consonant's index (0 = none, 8 = ㄹ).
 * - Digit, read the Korean way: 0 영, 1 일, 3 삼, 6 육, 7 칠, 8 팔 end in a consonant (1, 7, 8 in ㄹ); 2 이, 4 사,
 *   5 오, 9 구 do not. A 0 after another digit is read as 십/백/천 (consonant): "10" → 이, "20" → 이.
 * - Latin acronym (all capitals, or one letter), read letter by letter: L 엘, R 알 end in ㄹ, M 엠 and N 엔 in a
 *   consonant, every other letter name in a vowel (CPU 씨피유 → 가, ONNX 오엔엔엑스 → 가, HTML → 이).
 * - Latin word, by its last letter as usually pronounced: l → ㄹ; b c d g k m n p t → consonant; anything else
 *   (vowels, s, x, r, h, w, y, f, z…) → vowel ("Kraken" → 이, "Atlas" 아틀라스 → 가, "sample.mp4" → 4 → 가).
 * - Anything else at the end (punctuation, quotes, brackets, spaces) is skipped; with nothing readable, the form for
 *   no final consonant is used.
 *
 * 으로/로 is the one pair where ㄹ counts as no final consonant (서울로, 파일로).
 */

export type Final = 'none' | 'consonant' | 'rieul';

const DIGIT_FINAL: Record<string, Final> = { '0': 'consonant', '1': 'rieul', '2': 'none', '3': 'consonant', '4': 'none', '5': 'none', '6': 'consonant', '7': 'rieul', '8': 'rieul', '9': 'none' };
/** How the last letter of a Latin word read as a word sounds at the end. */
const WORD_FINAL: Record<string, Final> = { l: 'rieul', m: 'consonant', n: 'consonant', b: 'consonant', c: 'consonant', d: 'consonant', g: 'consonant', k: 'consonant', p: 'consonant', t: 'consonant' };
/** Letter names (an acronym read letter by letter): 엘, 엠, 엔, 알 end in a consonant; every other letter name in a vowel. */
const LETTER_NAME_FINAL: Record<string, Final> = { L: 'rieul', M: 'consonant', N: 'consonant', R: 'rieul' };

/** Whether the word ends in a final consonant, and whether it is ㄹ. */
export function finalOf(word: string): Final {
  const chars = [...word.trim()];
  for (let i = chars.length - 1; i >= 0; i--) {
    const ch = chars[i]!;
    const code = ch.codePointAt(0)!;
    if (code >= 0xac00 && code <= 0xd7a3) {
      const f = (code - 0xac00) % 28;
      return f === 0 ? 'none' : f === 8 ? 'rieul' : 'consonant';
    }
    if (ch >= '0' && ch <= '9') {
      // 10, 20, …: the tens are read 십 (consonant); 100 백, 1000 천 (consonant): a trailing zero after another digit
      if (ch === '0' && i > 0 && chars[i - 1]! >= '0' && chars[i - 1]! <= '9') return 'consonant';
      return DIGIT_FINAL[ch]!;
    }
    if (/[A-Za-z]/.test(ch)) {
      let start = i;
      while (start > 0 && /[A-Za-z]/.test(chars[start - 1]!)) start--;
      const latin = chars.slice(start, i + 1).join('');
      if (latin.length > 1 && latin === latin.toUpperCase()) return LETTER_NAME_FINAL[ch] ?? 'none';
      if (latin.length === 1) return LETTER_NAME_FINAL[ch.toUpperCase()] ?? 'none';
      return WORD_FINAL[ch.toLowerCase()] ?? 'none';
    }
  }
  return 'none';
}

/** The particle pairs the formatter knows: [after a final consonant, after none]. */
export const JOSA_PAIRS: Record<string, [string, string]> = {
  '이/가': ['이', '가'],
  '을/를': ['을', '를'],
  '은/는': ['은', '는'],
  '과/와': ['과', '와'],
  '와/과': ['과', '와'],
  '이나/나': ['이나', '나'],
  '이라/라': ['이라', '라'],
  '아/야': ['아', '야'],
};

/** The particle for `word` (`pair` like "이/가"; "으로/로" and "(으)로" are handled apart). */
export function josa(word: string, pair: string): string {
  const f = finalOf(word);
  if (pair === '으로/로' || pair === '로/으로') return f === 'consonant' ? '으로' : '로';
  const forms = JOSA_PAIRS[pair];
  if (!forms) throw new Error(`unknown particle pair ${pair}`);
  return f === 'none' ? forms[1] : forms[0];
}

/** Every particle format registered with i18next: `{{name, 이/가}}` writes the name and its particle. */
export const JOSA_FORMATS = [...Object.keys(JOSA_PAIRS), '으로/로', '로/으로'];

/** `{{name, quote, 을/를}}`: the name in quotation marks, then the particle chosen by the name (the quote is skipped). */
export const quoted = (value: unknown) => `“${String(value ?? '')}”`;

/** The name followed by the right particle. */
export function withJosa(word: unknown, pair: string): string {
  const w = String(word ?? '');
  return w + josa(w, pair);
}
