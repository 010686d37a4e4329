import { describe, expect, it, vi } from 'vitest';
import { channelNames, eventNames } from '../main/common/contract';
import { buildPreloadApi, type PreloadApiDeps } from './preload-api';

function setup(overrides: Partial<PreloadApiDeps> = {}) {
  let raw: ((message: unknown) => void) | null = null;
  const deps: PreloadApiDeps = {
    channels: channelNames,
    eventNames,
    invoke: vi.fn(async (channel: string, payload: unknown) => ({ ok: true, value: { channel, payload } })),
    subscribe: vi.fn((listener: (m: unknown) => void) => {
      raw = listener;
      return () => {
        raw = null;
      };
    }),
    pathForFile: vi.fn(() => '/home/me/clip.mp4'),
    ...overrides,
  };
  const api = buildPreloadApi(deps) as Record<string, Record<string, (...args: unknown[]) => unknown>>;
  return { api, deps, emit: (m: unknown) => raw?.(m) };
}

describe('buildPreloadApi', () => {
  it('has every contract channel as domain.verb, and nothing else', () => {
    const { api } = setup();
    const expected = new Map<string, string[]>();
    for (const c of channelNames) {
      const [d, v] = c.split('.') as [string, string];
      expected.set(d, [...(expected.get(d) ?? []), v]);
    }
    expect(Object.keys(api).sort()).toEqual([...expected.keys(), 'events', 'files'].sort());
    for (const [domain, verbs] of expected) {
      expect(Object.keys(api[domain]!).sort()).toEqual([...verbs].sort());
      for (const v of verbs) expect(api[domain]![v]).toBeTypeOf('function');
    }
    expect(Object.keys(api.events!)).toEqual(['on']);
    expect(Object.keys(api.files!)).toEqual(['pathFor']);
  });

  it('exposes no generic invoke/send, ipcRenderer or process', () => {
    const { api } = setup();
    const names = Object.values(api).flatMap((g) => Object.keys(g));
    for (const bad of ['invoke', 'send', 'sendSync', 'ipcRenderer', 'process', 'require', 'postMessage']) {
      expect(Object.keys(api)).not.toContain(bad);
      expect(names).not.toContain(bad);
    }
  });

  it('invokes the named channel and returns the envelope as main sent it', async () => {
    const { api, deps } = setup();
    await expect(api.projects!.create!({ name: 'A' })).resolves.toEqual({ ok: true, value: { channel: 'projects.create', payload: { name: 'A' } } });
    await api.projects!.list!();
    expect(deps.invoke).toHaveBeenLastCalledWith('projects.list', {});
    const failing = setup({ invoke: async () => ({ ok: false, error: { code: 'FORBIDDEN', message: 'no' } }) });
    await expect(failing.api.jobs!.cancel!({ id: 'x' })).resolves.toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'no' } });
  });

  it('delivers contract events by name, ignores others, and unsubscribes', () => {
    const { api, deps, emit } = setup();
    const progress = vi.fn();
    const updated = vi.fn();
    expect(deps.subscribe).not.toHaveBeenCalled(); // nothing is listened to before the page asks
    const off = api.events!.on!('job.progress', progress) as () => void;
    api.events!.on!('job.updated', updated);
    expect(deps.subscribe).toHaveBeenCalledTimes(1);

    emit({ name: 'job.progress', payload: { fraction: 0.5 } });
    emit({ name: 'job.secret', payload: 1 });
    emit({ name: 42 });
    emit(null);
    emit('job.progress');
    expect(progress.mock.calls).toEqual([[{ fraction: 0.5 }]]);
    expect(updated).not.toHaveBeenCalled();

    off();
    emit({ name: 'job.progress', payload: { fraction: 1 } });
    expect(progress).toHaveBeenCalledTimes(1);
    emit({ name: 'job.updated', payload: { id: 'j' } });
    expect(updated.mock.calls).toEqual([[{ id: 'j' }]]);
  });

  it('refuses to subscribe to names outside the contract or without a function', () => {
    const { api } = setup();
    expect(() => api.events!.on!('kraken:event', () => {})).toThrow(/Unknown event/);
    expect(() => api.events!.on!('job.progress', 'nope')).toThrow(TypeError);
  });

  it('keeps delivering when one listener throws', () => {
    const { api, emit } = setup();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const good = vi.fn();
    api.events!.on!('job.progress', () => {
      throw new Error('page bug');
    });
    api.events!.on!('job.progress', good);
    emit({ name: 'job.progress', payload: 1 });
    expect(good).toHaveBeenCalledWith(1);
    spy.mockRestore();
  });

  it('gives the path of a dropped file, or "" when there is none', () => {
    expect(setup().api.files!.pathFor!({})).toBe('/home/me/clip.mp4');
    const throwing = setup({
      pathForFile: () => {
        throw new TypeError('not a File');
      },
    });
    expect(throwing.api.files!.pathFor!('x')).toBe('');
  });

  it('is frozen, so the page cannot swap an action', () => {
    const { api } = setup();
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.isFrozen(api.projects)).toBe(true);
  });

  it('rejects channel names that would break the shape', () => {
    expect(() => setup({ channels: ['events.on'] })).toThrow(/clashes/);
    expect(() => setup({ channels: ['files.read'] })).toThrow(/clashes/);
    expect(() => setup({ channels: ['noverb'] })).toThrow(/domain\.verb/);
    expect(() => setup({ channels: ['a.b.c'] })).toThrow(/domain\.verb/);
  });
});
