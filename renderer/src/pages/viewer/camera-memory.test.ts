import { describe, expect, it } from 'vitest';
import { CAMERA_MEMORY_LIMIT, createCameraMemory } from './camera-memory';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), raw: m };
}

describe('camera memory', () => {
  it('remembers the last view per model and forgets the oldest beyond the limit', () => {
    const s = memoryStorage();
    const mem = createCameraMemory(s);
    expect(mem.load('path:a.ply')).toBeNull();
    mem.save('path:a.ply', { position: [1, 2, 3], target: [0, 0, 0], upAxis: 'z' });
    mem.save('path:a.ply', { position: [4, 5, 6], target: [1, 1, 1], upAxis: 'y' });
    expect(mem.load('path:a.ply')).toEqual({ position: [4, 5, 6], target: [1, 1, 1], upAxis: 'y' });
    for (let i = 0; i < CAMERA_MEMORY_LIMIT; i++) mem.save(`fp:${i}`, { position: [i, 0, 1], target: [0, 0, 0], upAxis: 'y' });
    expect(mem.load('path:a.ply')).toBeNull();
    expect(mem.load('fp:199')?.position).toEqual([199, 0, 1]);
    expect(JSON.parse(s.raw.get('kraken.viewer.cameras.v1')!)).toHaveLength(CAMERA_MEMORY_LIMIT);
  });

  it('forgets one model’s view (a fitted view is fitted again, not replayed)', () => {
    const mem = createCameraMemory(memoryStorage());
    mem.save('a', { position: [1, 2, 3], target: [0, 0, 0], upAxis: 'y' });
    mem.save('b', { position: [4, 5, 6], target: [0, 0, 0], upAxis: 'y' });
    mem.forget('a');
    mem.forget('unknown');
    expect(mem.load('a')).toBeNull();
    expect(mem.load('b')?.position).toEqual([4, 5, 6]);
  });

  it('survives corrupt or hostile storage', () => {
    const s = memoryStorage();
    s.setItem('kraken.viewer.cameras.v1', '{not json');
    const mem = createCameraMemory(s);
    expect(mem.load('x')).toBeNull();
    s.setItem('kraken.viewer.cameras.v1', JSON.stringify([['x', { position: [NaN, 0, 0], target: [0, 0, 0], upAxis: 'y' }]]));
    expect(mem.load('x')).toBeNull();
    mem.save('y', { position: [0, 0, 1], target: [0, 0, 0], upAxis: 'y' });
    expect(mem.load('y')).not.toBeNull();
    expect(createCameraMemory(null).load('y')).toBeNull();
    const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceeded'); } }; // prettier-ignore
    expect(() => createCameraMemory(full).save('z', { position: [0, 0, 1], target: [0, 0, 0], upAxis: 'y' })).not.toThrow();
  });
});
