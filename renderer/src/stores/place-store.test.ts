import { beforeEach, describe, expect, it } from 'vitest';
import { extractStart, PLACE_PROJECT_LIMIT, placeOf, sanitizePlaces, stillThere, usePlace, type ExtractValues } from './place-store';

const values = (mode: ExtractValues['options']['mode'], format: ExtractValues['format'] = 'jpg'): ExtractValues => ({
  options: { mode, fps: '2', every: '10', scene: '0.3', count: '100', start: '', end: '', maxSide: '', dropBlurry: false },
  format,
  quality: 90,
});

describe('the creator’s place per project', () => {
  beforeEach(() => usePlace.setState({ places: {}, lastExtract: null }));

  it('keeps each project’s selection apart', () => {
    const p = usePlace.getState();
    p.remember(1, { mediaId: 4, modelId: 'paddleocr-v4-det', runId: 9 });
    p.remember(2, { mediaId: 7 });
    p.rememberSet(1, 4, 12);
    p.rememberSet(1, 5, 13);
    p.rememberScrub(1, 12, 3);
    expect(placeOf(1)).toMatchObject({ mediaId: 4, modelId: 'paddleocr-v4-det', runId: 9, sets: { '4': 12, '5': 13 }, scrub: { '12': 3 } });
    expect(placeOf(2)).toMatchObject({ mediaId: 7 });
    expect(placeOf(2).sets).toBeUndefined();
    expect(placeOf(3)).toEqual({ usedAt: 0 });
    p.forget(1);
    expect(placeOf(1)).toEqual({ usedAt: 0 });
    expect(placeOf(2).mediaId).toBe(7);
  });

  it('the extraction form starts with the project’s own values, else the last used anywhere', () => {
    expect(extractStart(1)).toBeNull();
    usePlace.getState().rememberExtract(1, values('count', 'png'));
    expect(extractStart(1)).toEqual(values('count', 'png'));
    expect(extractStart(2)).toEqual(values('count', 'png')); // a new project starts from the last values
    usePlace.getState().rememberExtract(2, values('scene', 'webp'));
    expect(extractStart(1)).toEqual(values('count', 'png')); // its own stay
    expect(extractStart(3)).toEqual(values('scene', 'webp'));
  });

  it('keeps the most recently used projects only', () => {
    for (let i = 1; i <= PLACE_PROJECT_LIMIT + 5; i++) usePlace.getState().remember(i, { mediaId: i });
    expect(Object.keys(usePlace.getState().places)).toHaveLength(PLACE_PROJECT_LIMIT);
    expect(placeOf(PLACE_PROJECT_LIMIT + 5).mediaId).toBe(PLACE_PROJECT_LIMIT + 5);
  });

  it('a remembered id is only a wish: gone media, sets or runs fall back quietly', () => {
    const items = [{ id: 3 }, { id: 5 }];
    expect(stillThere(items, 5)).toBe(5);
    expect(stillThere(items, 4)).toBeNull();
    expect(stillThere(items, null)).toBeNull();
    expect(stillThere(items, undefined)).toBeNull();
    expect(stillThere([], 3)).toBeNull();
  });

  it('what storage gives back is checked entry by entry: corrupt or foreign places are dropped, good ones kept', () => {
    expect(sanitizePlaces(null)).toEqual({ places: {}, lastExtract: null });
    expect(sanitizePlaces('nonsense')).toEqual({ places: {}, lastExtract: null });
    const got = sanitizePlaces({
      places: {
        '1': { usedAt: 5, mediaId: 4, sets: { '4': 12 }, scrub: { '12': 2 }, viewerPath: 'results/run-1/depth.ply' },
        '2': { mediaId: 'four' },
        '3': { sets: { x: 1 } },
        '4': { scrub: { '9': -1 } },
        none: { viewerPath: 'results/a.ply' },
      },
      lastExtract: { options: { mode: 'warp' }, format: 'gif', quality: 500 },
    });
    expect(Object.keys(got.places).sort()).toEqual(['1', 'none']);
    expect(got.places['1']).toMatchObject({ mediaId: 4, sets: { '4': 12 }, scrub: { '12': 2 } });
    expect(got.lastExtract).toBeNull();
    expect(sanitizePlaces({ places: { '1': {} }, lastExtract: values('fps') }).lastExtract).toEqual(values('fps'));
  });
});
