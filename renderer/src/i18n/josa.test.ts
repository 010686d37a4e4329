import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { finalOf, josa, JOSA_FORMATS, withJosa } from './josa';

describe('finalOf', () => {
  it('reads the final consonant of a Hangul syllable from its code point', () => {
    expect(finalOf('사과')).toBe('none');
    expect(finalOf('수박')).toBe('consonant');
    expect(finalOf('서울')).toBe('rieul');
    expect(finalOf('프로젝트 “봄 산책”')).toBe('consonant'); // closing quote skipped: 책
  });

  it('reads digits as they are said in Korean', () => {
    expect(['0', '1', '3', '6', '7', '8'].map(finalOf)).toEqual(['consonant', 'rieul', 'consonant', 'consonant', 'rieul', 'rieul']);
    expect(['2', '4', '5', '9'].map(finalOf)).toEqual(['none', 'none', 'none', 'none']);
    expect(finalOf('10')).toBe('consonant'); // 십
    expect(finalOf('sample.mp4')).toBe('none'); // 사
  });

  it('reads Latin words by their last letter and acronyms by the letter names', () => {
    expect(finalOf('Kraken')).toBe('consonant'); // 크라켄
    expect(finalOf('Decal')).toBe('rieul'); // 데칼
    expect(finalOf('MusePose')).toBe('none'); // 뮤즈포즈
    expect(finalOf('Atlas')).toBe('none'); // 아틀라스
    expect(finalOf('CPU')).toBe('none'); // 씨피유
    expect(finalOf('HTML')).toBe('rieul'); // 엘
    expect(finalOf('ONNX')).toBe('none'); // 엑스
    expect(finalOf('')).toBe('none');
    expect(finalOf('!!')).toBe('none');
  });
});

describe('josa', () => {
  it('picks each pair by the final consonant', () => {
    expect(josa('사과', '이/가')).toBe('가');
    expect(josa('수박', '이/가')).toBe('이');
    expect(josa('사과', '을/를')).toBe('를');
    expect(josa('수박', '을/를')).toBe('을');
    expect(josa('Kraken', '은/는')).toBe('은');
    expect(josa('MusePose', '은/는')).toBe('는');
    expect(josa('사과', '와/과')).toBe('와');
    expect(josa('수박', '와/과')).toBe('과');
  });

  it('treats ㄹ as no final consonant for 으로/로 only', () => {
    expect(josa('서울', '으로/로')).toBe('로');
    expect(josa('부산', '으로/로')).toBe('으로');
    expect(josa('파리', '으로/로')).toBe('로');
    expect(josa('서울', '이/가')).toBe('이');
    expect(josa('a@b.example.com', '으로/로')).toBe('으로'); // m
  });

  it('refuses an unknown pair (a typo in a locale file is found, not guessed)', () => {
    expect(() => josa('사과', '이/를')).toThrow(/unknown particle pair/);
  });
});

describe('the i18next formatter', () => {
  it('writes {{name, 이/가}} with the right particle', async () => {
    const i = i18next.createInstance();
    await i.init({ lng: 'ko', resources: { ko: { translation: { a: '{{name, 이/가}} 준비되었습니다', b: '{{email, 으로/로}} 보냈습니다' } } }, interpolation: { escapeValue: false } });
    for (const pair of JOSA_FORMATS) i.services.formatter!.add(pair, (v: unknown) => withJosa(v, pair));
    expect(i.t('a', { name: '“봄 산책”' })).toBe('“봄 산책”이 준비되었습니다');
    expect(i.t('a', { name: 'sample.mp4' })).toBe('sample.mp4가 준비되었습니다');
    expect(i.t('b', { email: 'kim@studio.kr' })).toBe('kim@studio.kr로 보냈습니다'); // r: 알 reading is not used for words
  });
});
