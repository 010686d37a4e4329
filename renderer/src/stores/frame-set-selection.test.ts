import { describe, expect, it } from 'vitest';
import type { FrameSet } from '../../../main/common/contract';
import { pickSet, setsOfMedia } from './frame-set-selection';

const set = (id: number, mediaId: number, status: FrameSet['status']) => ({ id, mediaId, status }) as FrameSet;
// newest first, as the core lists them
const sets = [set(5, 2, 'failed'), set(4, 1, 'running'), set(3, 1, 'complete'), set(2, 2, 'complete'), set(1, 1, 'failed')];

describe('frame-set selection follows the selected media', () => {
  it('lists only the selected media’s sets, all of them when none is selected', () => {
    expect(setsOfMedia(sets, 1).map((s) => s.id)).toEqual([4, 3, 1]);
    expect(setsOfMedia(sets, 2).map((s) => s.id)).toEqual([5, 2]);
    expect(setsOfMedia(sets, 9)).toEqual([]);
    expect(setsOfMedia(sets, null)).toHaveLength(5);
  });

  it('another file’s set never stays selected: switching media picks that media’s newest complete set', () => {
    expect(pickSet(sets, 1, 5)).toBe(3); // 5 is media 2's failed set
    expect(pickSet(sets, 2, 3)).toBe(2);
    expect(pickSet(sets, 9, 3)).toBeNull(); // a file without sets: nothing highlighted
  });

  it('keeps the wanted set while it belongs to the media (a running one too)', () => {
    expect(pickSet(sets, 1, 4)).toBe(4);
    expect(pickSet(sets, 1, 1)).toBe(1);
    expect(pickSet(sets, 2, 5)).toBe(5);
  });

  it('takes the first wish that is still that media’s set: the selection now, then the remembered one', () => {
    expect(pickSet(sets, 1, [5, 1])).toBe(1); // 5 is another file's; 1 was remembered for media 1
    expect(pickSet(sets, 1, [4, 1])).toBe(4);
    expect(pickSet(sets, 1, [null, undefined, 99])).toBe(3); // a remembered set deleted since: quietly the newest complete
  });

  it('a deleted or unknown set falls back quietly', () => {
    expect(pickSet(sets, 1, 99)).toBe(3);
    expect(pickSet(sets, 1, null)).toBe(3);
    expect(pickSet([set(7, 1, 'failed')], 1, null)).toBe(7); // no complete one: the newest
    expect(pickSet([], 1, 3)).toBeNull();
    expect(pickSet(sets, null, 99)).toBe(3);
  });
});
