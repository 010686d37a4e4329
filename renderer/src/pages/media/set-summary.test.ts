import { describe, expect, it } from 'vitest';
import { runsOfSet } from './set-summary';

describe('runsOfSet', () => {
  it('counts the model runs made on that frame set only', () => {
    const runs = [{ frameSetId: 3 }, { frameSetId: 4 }, { frameSetId: 3 }, { frameSetId: null }];
    expect(runsOfSet(runs, 3)).toBe(2);
    expect(runsOfSet(runs, 4)).toBe(1);
    expect(runsOfSet(runs, 5)).toBe(0);
    expect(runsOfSet([], 3)).toBe(0);
  });
});
