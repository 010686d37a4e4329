import { describe, expect, it } from 'vitest';
import { controlOwnsKey, isTextEntry } from './key-target';

const input = (type: string) => ({ tagName: 'INPUT', type });

describe('which focused control keeps a key (shortcuts work everywhere else)', () => {
  it('text fields keep every key', () => {
    for (const el of [input('text'), input(''), input('search'), input('number'), input('email'), { tagName: 'TEXTAREA' }, { tagName: 'DIV', isContentEditable: true }]) {
      expect(isTextEntry(el)).toBe(true);
      for (const key of ['w', 'f', '?', 'ArrowLeft', 'Delete', ' ']) expect(controlOwnsKey(el, key)).toBe(true);
    }
  });

  it('a slider touched in the side panel keeps only its arrows: letter shortcuts still work', () => {
    const slider = input('range');
    expect(isTextEntry(slider)).toBe(false);
    for (const key of ['w', 'f', 'g', '?', '+', 'Delete', 'Escape']) expect(controlOwnsKey(slider, key)).toBe(false);
    for (const key of ['ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp']) expect(controlOwnsKey(slider, key)).toBe(true);
  });

  it('a preset picker keeps its navigation and opening keys, not the letters', () => {
    const select = { tagName: 'SELECT' };
    expect(isTextEntry(select)).toBe(false);
    for (const key of ['w', 'l', 't', '?']) expect(controlOwnsKey(select, key)).toBe(false);
    for (const key of ['ArrowDown', ' ', 'Enter']) expect(controlOwnsKey(select, key)).toBe(true);
  });

  it('buttons, checkboxes and colour pickers keep Space and Enter only', () => {
    for (const el of [{ tagName: 'BUTTON' }, input('checkbox'), input('radio'), input('color'), { tagName: 'a' }]) {
      expect(controlOwnsKey(el, ' ')).toBe(true);
      expect(controlOwnsKey(el, 'Enter')).toBe(true);
      expect(controlOwnsKey(el, 'w')).toBe(false);
      expect(controlOwnsKey(el, 'ArrowLeft')).toBe(false);
    }
  });

  it('the page itself (or nothing) keeps no key', () => {
    expect(controlOwnsKey({ tagName: 'BODY' }, 'w')).toBe(false);
    expect(controlOwnsKey({ tagName: 'CANVAS' }, 'f')).toBe(false);
    expect(controlOwnsKey(null, 'f')).toBe(false);
  });
});
