import { describe, expect, it } from 'vitest';
import { defaultOptions, errorUnder, fieldInvalid, toParams, type ExtractOptionsValue } from './extract-options';

const opts = (patch: Partial<ExtractOptionsValue>) => ({ ...defaultOptions(), ...patch });
const problemOf = (patch: Partial<ExtractOptionsValue>) => {
  const r = toParams(opts(patch), 'jpg', 90);
  if (!('error' in r)) throw new Error('expected a problem');
  return r;
};

describe('extraction options: each problem belongs to its own field', () => {
  it('an end before the start is a range problem: shown under the range row, both ends outlined, fps untouched', () => {
    const p = problemOf({ mode: 'fps', fps: '2', start: '5', end: '3' });
    expect(p).toEqual({ error: 'modes.rangeInvalid', field: 'range' });
    expect(errorUnder(p, 'range')).toBe('modes.rangeInvalid');
    expect(errorUnder(p, 'mode')).toBeNull();
    expect(fieldInvalid(p, 'start')).toBe(true);
    expect(fieldInvalid(p, 'end')).toBe(true);
    expect(fieldInvalid(p, 'mode')).toBe(false);
    expect(fieldInvalid(p, 'maxSide')).toBe(false);
  });

  it('an end equal to the start is a range problem too', () => {
    expect(problemOf({ start: '2', end: '2' }).field).toBe('range');
  });

  it('a negative start outlines only the start; an end of 0 only the end', () => {
    const start = problemOf({ start: '-1' });
    expect(start).toEqual({ error: 'modes.startInvalid', field: 'start' });
    expect(fieldInvalid(start, 'start')).toBe(true);
    expect(fieldInvalid(start, 'end')).toBe(false);
    expect(errorUnder(start, 'range')).toBe('modes.startInvalid');
    const end = problemOf({ end: '0' });
    expect(end).toEqual({ error: 'modes.endInvalid', field: 'end' });
    expect(fieldInvalid(end, 'end')).toBe(true);
    expect(fieldInvalid(end, 'start')).toBe(false);
  });

  it('a bad largest side belongs to that field', () => {
    const p = problemOf({ maxSide: '8' });
    expect(p).toEqual({ error: 'modes.maxSideInvalid', field: 'maxSide' });
    expect(errorUnder(p, 'maxSide')).toBe('modes.maxSideInvalid');
    expect(errorUnder(p, 'mode')).toBeNull();
    expect(fieldInvalid(p, 'maxSide')).toBe(true);
  });

  it('mode values stay the mode field’s problems', () => {
    for (const [patch, key] of [
      [{ mode: 'fps', fps: '0' }, 'extract.fpsInvalid'],
      [{ mode: 'fps', fps: '500' }, 'extract.fpsTooHigh'],
      [{ mode: 'every', every: '0' }, 'modes.everyInvalid'],
      [{ mode: 'scene', scene: '1' }, 'modes.sceneInvalid'],
      [{ mode: 'count', count: '1.5' }, 'modes.countInvalid'],
    ] as const) {
      const p = problemOf(patch);
      expect(p).toEqual({ error: key, field: 'mode' });
      expect(errorUnder(p, 'range')).toBeNull();
      expect(fieldInvalid(p, 'start')).toBe(false);
    }
  });

  it('good values give params and no problem anywhere', () => {
    const r = toParams(opts({ start: '1', end: '3', maxSide: '160' }), 'png', 90);
    expect(r).toEqual({ params: { mode: { kind: 'fps', fps: 2 }, format: 'png', quality: 90, start: 1, end: 3, maxSide: 160 } });
    expect(errorUnder(null, 'range')).toBeNull();
    expect(fieldInvalid(null, 'start')).toBe(false);
  });
});
