import { describe, expect, it, vi } from 'vitest';

vi.mock('../../api', () => ({ api: {} }));
const { viewerSession } = await import('./viewer-session');

function fakeContributor(opts: { fail?: boolean } = {}) {
  let n = 0;
  const open = new Set<string>();
  return {
    open,
    viewerSessionStart: vi.fn(async () => {
      if (opts.fail) throw new Error('no contributor');
      const id = `v${++n}`;
      open.add(id);
      return { sessionId: id };
    }),
    viewerSessionStop: vi.fn(async ({ sessionId }: { sessionId: string }) => open.delete(sessionId)),
  };
}

describe('viewer session for the contributor', () => {
  it('opens one session and closes that one, once', async () => {
    const c = fakeContributor();
    const end = viewerSession(c);
    await vi.waitFor(() => expect(c.open.size).toBe(1));
    end();
    end();
    await vi.waitFor(() => expect(c.open.size).toBe(0));
    expect(c.viewerSessionStop).toHaveBeenCalledTimes(1);
  });

  it('a close before the start reply still closes the session it gets', async () => {
    const c = fakeContributor();
    viewerSession(c)();
    await vi.waitFor(() => expect(c.viewerSessionStop).toHaveBeenCalledWith({ sessionId: 'v1' }));
    expect(c.open.size).toBe(0);
  });

  it('a start that fails closes nothing and throws nothing', async () => {
    const c = fakeContributor({ fail: true });
    const end = viewerSession(c);
    end();
    await new Promise((r) => setTimeout(r, 0));
    expect(c.viewerSessionStop).not.toHaveBeenCalled();
  });
});
