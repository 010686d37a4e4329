/** CTC decoding and line joining of the OCR pipeline on hand-made probability matrices. */
import { describe, expect, it } from 'vitest';
import { ctcDecode, joinLines } from './ocr';

// Index 0 is the CTC blank, the last one the space (as loadDictionary lays out PaddleOCR's dictionary).
const dict = ['', 'H', 'I', 'A', 'B', ' '];

/** One step per entry: [class, probability] pairs; the rest of the step's mass goes to the blank. */
function matrix(steps: [number, number][][]): Float32Array {
  const C = dict.length;
  const out = new Float32Array(steps.length * C);
  steps.forEach((pairs, t) => {
    let used = 0;
    for (const [c, p] of pairs) {
      out[t * C + c] = p;
      used += p;
    }
    out[t * C] = (out[t * C] ?? 0) + 1 - used;
  });
  return out;
}

describe('ctcDecode', () => {
  it('keeps a word gap where the space nearly wins over the blank (0.48 against 0.52)', () => {
    const m = matrix([[[1, 0.99]], [], [[2, 0.98]], [], [[5, 0.48]], [], [[3, 0.97]], [], [[4, 0.99]]]);
    expect(ctcDecode(m, 9, dict.length, dict)).toEqual({ text: 'HI AB', score: expect.closeTo((0.99 + 0.98 + 0.97 + 0.99) / 4, 5) });
  });

  it('keeps a space that wins outright, once, and never at the start or the end', () => {
    const m = matrix([[[5, 0.9]], [[1, 0.99]], [[5, 0.9]], [[5, 0.6]], [[2, 0.99]], [[5, 0.9]]]);
    expect(ctcDecode(m, 6, dict.length, dict).text).toBe('H I');
  });

  it('runs letters together where the space is unlikely (a letter gap, not a word gap)', () => {
    const m = matrix([[[1, 0.99]], [[5, 0.1]], [[2, 0.99]]]);
    expect(ctcDecode(m, 3, dict.length, dict).text).toBe('HI');
  });

  it('merges repeats and splits them at a blank', () => {
    const m = matrix([[[1, 0.9]], [[1, 0.9]], [], [[1, 0.9]]]);
    expect(ctcDecode(m, 4, dict.length, dict).text).toBe('HH');
  });
});

describe('joinLines', () => {
  it('joins words found as separate boxes on one line with a space, and lines with a newline', () => {
    const box = (x: number, y: number) => ({ x, y, width: 80, height: 30 });
    expect(joinLines([
      { box: box(0, 0), text: 'HELLO' },
      { box: box(100, 4), text: 'CREATOR' },
      { box: box(0, 60), text: 'KRAKEN' },
      { box: box(100, 60), text: '' },
    ])).toBe('HELLO CREATOR\nKRAKEN');
  });
});
