import { beforeEach, describe, expect, it, vi } from 'vitest';
import { errorToToast, TOAST_LIFETIME_MS, toastLifetime, useToasts } from './toast-store';

describe('errorToToast', () => {
  it('keeps the RemoteError code and the service message', () => {
    expect(errorToToast({ code: 'MEDIA_UNREADABLE', message: 'ffmpeg cannot read this file' }, 'x.mp4')).toEqual({
      kind: 'error',
      code: 'MEDIA_UNREADABLE',
      message: 'x.mp4: ffmpeg cannot read this file',
    });
  });
  it('turns anything else into UNKNOWN with its text', () => {
    expect(errorToToast(new TypeError('bad'))).toMatchObject({ code: 'UNKNOWN', message: 'bad' });
    expect(errorToToast('plain')).toMatchObject({ code: 'UNKNOWN', message: 'plain' });
    expect(errorToToast({ code: 'ENOENT-ish lower', message: 'm' })).toMatchObject({ code: 'UNKNOWN' });
  });
});

describe('useToasts', () => {
  beforeEach(() => useToasts.setState({ toasts: [], errorsShown: 0 }));

  it('keeps at most five toasts, newest last, and dismisses by id', () => {
    const ids = Array.from({ length: 7 }, (_, i) => useToasts.getState().push({ kind: 'info', message: String(i) }));
    const { toasts } = useToasts.getState();
    expect(toasts.map((t) => t.message)).toEqual(['2', '3', '4', '5', '6']);
    useToasts.getState().dismiss(ids[6]!);
    expect(useToasts.getState().toasts.map((t) => t.message)).toEqual(['2', '3', '4', '5']);
  });

  it('showError logs and adds an error toast', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    useToasts.getState().showError({ code: 'NETWORK', message: 'down' });
    expect(useToasts.getState().toasts).toEqual([expect.objectContaining({ kind: 'error', code: 'NETWORK', message: 'down' })]);
    expect(useToasts.getState().errorsShown).toBe(1); // counted, though the toast itself leaves after a while
    log.mockRestore();
  });
});

describe('toastLifetime', () => {
  it('every toast leaves by itself after a few seconds, errors too', () => {
    for (const kind of ['error', 'info', 'success'] as const) {
      const ms = toastLifetime({ kind });
      expect(ms).toBe(TOAST_LIFETIME_MS[kind]);
      expect(ms).toBeGreaterThanOrEqual(3000);
      expect(ms).toBeLessThanOrEqual(10_000);
    }
    expect(toastLifetime({ kind: 'error' })).toBeGreaterThanOrEqual(toastLifetime({ kind: 'success' })!);
  });

  it('a toast that asks for an action stays until it is taken or closed', () => {
    expect(toastLifetime({ kind: 'error', action: { labelKey: 'actions.retry', run: () => {} } })).toBeNull();
    expect(toastLifetime({ kind: 'success', action: { labelKey: 'actions.open', run: () => {} } })).toBeNull();
  });
});
