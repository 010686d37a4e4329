import { describe, expect, it } from 'vitest';
import { gridLayout, pagesFor, visibleRange } from './grid-math';
import { containerName } from './media-format';

describe('gridLayout', () => {
  it('fits as many minimum-size columns as the width allows and stretches them', () => {
    const l = gridLayout(1000, 150, 10, 0.5, 20);
    expect(l.columns).toBe(6); // 6*150 + 5*10 = 950 ≤ 1000 < 7*150 + 6*10
    expect(l.cellWidth).toBeCloseTo((1000 - 50) / 6);
    expect(l.rowHeight).toBe(Math.round(l.cellWidth * 0.5 + 20 + 10));
  });
  it('keeps one column when narrower than a cell', () => {
    expect(gridLayout(80, 150, 10, 1, 0).columns).toBe(1);
  });
});

describe('visibleRange', () => {
  const layout = { columns: 5, cellWidth: 100, rowHeight: 100 };
  it('covers the rows in view plus overscan, clamped to the total', () => {
    expect(visibleRange(0, 300, layout, 10_000, 2)).toEqual({ start: 0, end: 25 });
    expect(visibleRange(1000, 300, layout, 10_000, 2)).toEqual({ start: 40, end: 75 });
    expect(visibleRange(1000, 300, layout, 42, 2)).toEqual({ start: 40, end: 42 });
    expect(visibleRange(0, 300, layout, 0)).toEqual({ start: 0, end: 0 });
  });
  it('renders only a small window of a huge set', () => {
    const { start, end } = visibleRange(500_000, 600, layout, 100_000, 2);
    expect(end - start).toBeLessThanOrEqual(11 * 5);
  });
});

describe('pagesFor', () => {
  it('lists every page touched by the range', () => {
    expect(pagesFor(0, 0, 200)).toEqual([]);
    expect(pagesFor(0, 200, 200)).toEqual([0]);
    expect(pagesFor(190, 410, 200)).toEqual([0, 1, 2]);
  });
});

describe('containerName', () => {
  it("prefers the file's extension when the demuxer lists it", () => {
    expect(containerName('mov,mp4,m4a,3gp,3g2,mj2', 'clip.MP4')).toBe('MP4');
    expect(containerName('mov,mp4,m4a,3gp,3g2,mj2', 'clip.mov')).toBe('MOV');
    expect(containerName('matroska,webm', 'clip.bin')).toBe('MKV');
    // issue 15 point 8: demuxer names ("PNG_PIPE", "IMAGE2") never reach the creator
    expect(containerName('image2', 'a.png')).toBe('PNG');
    expect(containerName('png_pipe', 'still.png')).toBe('PNG');
    expect(containerName('jpeg_pipe', 'photo')).toBe('JPEG');
  });
});
