import { describe, expect, it } from 'vitest';
import { useUi } from './ui-store';

describe('useUi requests', () => {
  it('a request stays pending until one consumer takes it', () => {
    const ui = useUi.getState();
    expect(ui.consumeNewProject()).toBe(false);
    ui.requestNewProject();
    expect(useUi.getState().pendingNewProject).toBe(true);
    expect(useUi.getState().consumeNewProject()).toBe(true);
    expect(useUi.getState().consumeNewProject()).toBe(false);
    ui.requestImport();
    expect(useUi.getState().consumeImport()).toBe(true);
    expect(useUi.getState().pendingImport).toBe(false);
  });
});
