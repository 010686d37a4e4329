import { describe, expect, it } from 'vitest';
import { actionForKey, viewerShortcuts } from './shortcuts';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => actionForKey({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe('viewer shortcuts', () => {
  it('maps letters case-insensitively and leaves modified keys to the app', () => {
    expect(key('f')).toEqual({ action: 'fit' });
    expect(key('F')).toEqual({ action: 'fit' });
    expect(key('o', { ctrlKey: true })).toBeNull();
    expect(key('=')).toEqual({ action: 'pointSize', delta: 1 });
    expect(key('-')).toEqual({ action: 'pointSize', delta: -1 });
    expect(key('Escape')).toEqual({ action: 'escape' });
    expect(key('q')).toBeNull();
  });

  it('every single-key entry of the sheet is handled by the key map', () => {
    for (const s of viewerShortcuts) {
      const k = s.keys[0];
      if (k.length !== 1 || s.action === 'pointSize') continue;
      expect(key(k)?.action, k).toBe(s.action);
    }
  });
});
