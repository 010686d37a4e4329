import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../common/app-error';
import { createDispatcher, type Handlers } from './dispatch';

const ORIGIN = 'kraken://app';
const caller = { origin: ORIGIN, isMainFrame: true };

function handlersWith(overrides: Partial<Handlers>): Handlers {
  return new Proxy(overrides as Handlers, {
    get: (target, key: string) => (target as Record<string, unknown>)[key] ?? (() => {
      throw new Error(`unexpected call to ${key}`);
    }),
  });
}

describe('createDispatcher', () => {
  it('rejects a payload that breaks the schema before the service sees it', async () => {
    const create = vi.fn();
    const dispatch = createDispatcher(handlersWith({ 'projects.create': create }), { trustedOrigins: [ORIGIN] });
    const env = await dispatch('projects.create', { name: 42, extra: true }, caller);
    expect(env.ok).toBe(false);
    if (!env.ok) {
      expect(env.error.code).toBe('INVALID_INPUT');
      expect(env.error.message).toMatch(/name/);
    }
    expect(create).not.toHaveBeenCalled();
  });

  it('rejects unknown keys (strict schemas) and unknown channels', async () => {
    const create = vi.fn();
    const dispatch = createDispatcher(handlersWith({ 'projects.create': create }), { trustedOrigins: [ORIGIN] });
    const extra = await dispatch('projects.create', { name: 'ok', sneaky: 1 }, caller);
    expect(extra.ok).toBe(false);
    const unknown = await dispatch('fs.readEverything', {}, caller);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(create).not.toHaveBeenCalled();
  });

  it('refuses calls from another origin or a sub-frame', async () => {
    const list = vi.fn(() => []);
    const dispatch = createDispatcher(handlersWith({ 'projects.list': list }), { trustedOrigins: [ORIGIN] });
    expect(await dispatch('projects.list', {}, { origin: 'https://evil.example', isMainFrame: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await dispatch('projects.list', {}, { origin: ORIGIN, isMainFrame: false })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(list).not.toHaveBeenCalled();
  });

  it('passes parsed data with defaults applied and wraps the value', async () => {
    const create = vi.fn((req: { name: string; description: string }) => ({ seen: req }));
    const dispatch = createDispatcher(handlersWith({ 'projects.create': create as never }), { trustedOrigins: [ORIGIN] });
    const env = await dispatch('projects.create', { name: '  Trip  ' }, caller);
    expect(env).toEqual({ ok: true, value: { seen: { name: 'Trip', description: '' } } });
  });

  it('turns thrown errors into envelopes with their code', async () => {
    const dispatch = createDispatcher(
      handlersWith({
        'projects.get': () => {
          throw new AppError('NOT_FOUND', 'Project 9 does not exist');
        },
        'projects.list': () => {
          throw Object.assign(new Error('EROFS: read-only'), { code: 'EROFS', path: '/ro' });
        },
      }),
      { trustedOrigins: [ORIGIN] },
    );
    expect(await dispatch('projects.get', { id: 9 }, caller)).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'Project 9 does not exist' } });
    expect(await dispatch('projects.list', {}, caller)).toMatchObject({ ok: false, error: { code: 'IO_ERROR' } });
  });
});
