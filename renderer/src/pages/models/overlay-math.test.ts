import { describe, expect, it } from 'vitest';
import { caption, classColour, countBy, skeletonLines } from './overlay-math';

describe('overlay helpers', () => {
  it('counts labels, most frequent first', () => {
    expect(countBy(['dog', 'person', 'person', 'cat', 'person', 'dog'])).toBe('person ×3, dog ×2, cat');
    expect(countBy([])).toBe('');
  });

  it('gives each class a stable, different colour', () => {
    expect(classColour(3)).toBe(classColour(3));
    expect(new Set([0, 1, 2, 3, 4, 5].map(classColour)).size).toBe(6);
  });

  it('draws only skeleton edges whose two ends are sure', () => {
    const kp = Array.from({ length: 17 }, (_, i) => ({ x: i, y: i * 2, score: i === 1 ? 0.1 : 0.9 }));
    const lines = skeletonLines(kp, 0.3);
    expect(lines).toHaveLength(16 - 2); // edges 0-1 and 1-3 touch the unsure left eye
    expect(lines[0]).toEqual({ x1: 0, y1: 0, x2: 2, y2: 4 });
  });

  it('captions each task', () => {
    const fmt = (n: number) => n.toFixed(0);
    expect(caption({ task: 'classification', top: [{ classIndex: 2, label: 'cat', score: 0.91 }] }, fmt)).toBe('cat 91%');
    expect(caption({ task: 'segmentation', mask: 'm', cutout: 'c', coverage: 0.25, classes: [] }, fmt)).toBe('25%');
    expect(caption({ task: 'ocr-det', lines: [], text: 'KRAKEN\n2026' }, fmt)).toBe('KRAKEN');
    expect(caption(null, fmt)).toBe('');
  });
});
