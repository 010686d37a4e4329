import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CloudItem, CloudJob } from '../../../main/common/contract';

const item = (n: number): CloudItem => ({ requestId: `r${n}`, status: 'OK', modelName: 'InstantMesh', model: 'instant-mesh', itemName: `item ${n}`, createdAt: `2026-01-01T00:00:${String(60 - n).padStart(2, '0')}Z` });
const stored = Array.from({ length: 23 }, (_, i) => item(i + 1));

const calls = { myItems: [] as { cursor?: string | null; limit?: number }[], deleted: [] as string[] };
let deleteError: { code: string; message: string } | null = null;
let signInError: { code: string; message: string; messageCode?: string; messageParams?: Record<string, string | number> } | null = null;

// The store talks to the studio through ../api; here Atlas is a list in memory, answering a little later.
vi.mock('../api', () => ({
  api: {
    cloud: {
      myItems: vi.fn(async (req: { cursor?: string | null; limit?: number }) => {
        calls.myItems.push(req);
        await new Promise((r) => setTimeout(r, 5));
        const start = req.cursor ? Number(req.cursor) : 0;
        const limit = req.limit ?? 10;
        const items = stored.slice(start, start + limit);
        const next = start + limit < stored.length ? String(start + limit) : null;
        // a page boundary that repeats the last row must not show it twice
        return { items: start > 0 ? [stored[start - 1]!, ...items] : items, hasNextItem: next !== null, nextCursor: next };
      }),
      deleteItem: vi.fn(async (req: { requestId: string }) => {
        if (deleteError) throw deleteError;
        calls.deleted.push(req.requestId);
        return { requestId: req.requestId };
      }),
      signIn: vi.fn(async (req: { email: string }) => {
        if (signInError) throw signInError;
        return { state: 'signedIn', email: req.email, nickname: 'Mina', reason: null, vault: 'the OS keychain' };
      }),
      outbox: vi.fn(async () => []),
    },
  },
}));

const { useCloud } = await import('./cloud-store');
const { useToasts } = await import('./toast-store');

const job = (id: string, patch: Partial<CloudJob> = {}): CloudJob =>
  ({
    id,
    projectId: 1,
    service: 'atlas',
    model: 'gs3d',
    mediaId: 1,
    imageMediaId: null,
    fields: { itemName: id, epoch: 10, resize: null, deviceType: null },
    state: 'uploading',
    note: null,
    upload: null,
    download: null,
    requestId: null,
    cloudStatus: null,
    results: [],
    error: null,
    outboxId: null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
    ...patch,
  }) as CloudJob;

beforeEach(() => {
  calls.myItems = [];
  calls.deleted = [];
  deleteError = null;
  signInError = null;
  useCloud.setState({ items: {}, jobs: [], projectId: 1, accountError: null, account: null });
  useToasts.setState({ toasts: [] });
});

describe('My items', () => {
  it('loads a cursor page at a time, once per press, without repeating rows', async () => {
    await useCloud.getState().loadItems('instant-mesh');
    expect(useCloud.getState().items['instant-mesh']!.items).toHaveLength(10);
    // "load more" pressed twice before the page arrives: one request
    await Promise.all([useCloud.getState().loadItems('instant-mesh', true), useCloud.getState().loadItems('instant-mesh', true)]);
    expect(calls.myItems.map((c) => c.cursor ?? null)).toEqual([null, '10']);
    await useCloud.getState().loadItems('instant-mesh', true);
    const list = useCloud.getState().items['instant-mesh']!;
    expect(list.items.map((i) => i.requestId)).toEqual(stored.map((i) => i.requestId));
    expect(list.hasNext).toBe(false);
    // nothing more to ask for
    await useCloud.getState().loadItems('instant-mesh', true);
    expect(calls.myItems).toHaveLength(3);
  });

  it('removes a deleted item, and keeps it with the reason when Atlas refuses (403 not yours)', async () => {
    await useCloud.getState().loadItems('instant-mesh');
    expect(await useCloud.getState().deleteItem('instant-mesh', 'r1')).toEqual({ ok: true });
    expect(useCloud.getState().items['instant-mesh']!.items.map((i) => i.requestId)).not.toContain('r1');
    deleteError = { code: 'FORBIDDEN', message: 'This item is not yours, so it cannot be deleted.' };
    expect(await useCloud.getState().deleteItem('instant-mesh', 'r2')).toEqual({ ok: false, code: 'FORBIDDEN', message: deleteError.message });
    expect(useCloud.getState().items['instant-mesh']!.items.map((i) => i.requestId)).toContain('r2');
    expect(calls.deleted).toEqual(['r1']);
  });
});

describe('jobs', () => {
  it('lists only the open project, newest first, and never lets an older reply overwrite a newer event', () => {
    const { upsertJob } = useCloud.getState();
    upsertJob(job('a', { createdAt: '2026-01-01T00:00:01Z' }));
    upsertJob(job('b', { createdAt: '2026-01-01T00:00:02Z' }));
    upsertJob(job('other', { projectId: 2 }));
    expect(useCloud.getState().jobs.map((j) => j.id)).toEqual(['b', 'a']);
    upsertJob(job('a', { createdAt: '2026-01-01T00:00:01Z', state: 'processing', updatedAt: '2026-01-01T00:00:05Z' }));
    upsertJob(job('a', { createdAt: '2026-01-01T00:00:01Z', state: 'uploading', updatedAt: '2026-01-01T00:00:03Z' }));
    expect(useCloud.getState().jobs.find((j) => j.id === 'a')!.state).toBe('processing');
  });

  it("marks the model's My items out of date when Atlas made or finished an item, and only then", async () => {
    await useCloud.getState().loadItems('gs3d');
    const { upsertJob } = useCloud.getState();
    upsertJob(job('c', { updatedAt: '2026-01-01T00:00:01Z' }));
    expect(useCloud.getState().items.gs3d).toBeDefined(); // uploading: nothing new in the cloud yet
    upsertJob(job('c', { requestId: 'rc', cloudStatus: 'PROGRESS', state: 'processing', updatedAt: '2026-01-01T00:00:02Z' }));
    expect(useCloud.getState().items.gs3d).toBeUndefined();
    await useCloud.getState().loadItems('gs3d');
    upsertJob(job('c', { requestId: 'rc', cloudStatus: 'PROGRESS', state: 'processing', note: 'x', updatedAt: '2026-01-01T00:00:03Z' }));
    expect(useCloud.getState().items.gs3d).toBeDefined();
    upsertJob(job('c', { requestId: 'rc', cloudStatus: 'OK', state: 'downloading', updatedAt: '2026-01-01T00:00:04Z' }));
    expect(useCloud.getState().items.gs3d).toBeUndefined();
  });
});

describe('account', () => {
  it('keeps a sign-in refusal for the form (its own sentence) instead of a toast', async () => {
    signInError = { code: 'FORBIDDEN', message: 'The e-mail address is not confirmed yet.' };
    expect(await useCloud.getState().signIn('me@example.com', 'x')).toBe(false);
    expect(useCloud.getState().accountError).toEqual({ action: 'signIn', code: 'FORBIDDEN', message: signInError.message });
    expect(useToasts.getState().toasts).toHaveLength(0);
    signInError = null;
    expect(await useCloud.getState().signIn('me@example.com', 'x')).toBe(true);
    expect(useCloud.getState().account?.state).toBe('signedIn');
    expect(useCloud.getState().accountError).toBeNull();
  });

  it('a coded refusal keeps its code and parameters, so the form shows it in the language shown', async () => {
    const message = 'The Atlas service cannot be reached. Check the connection and the service address in Settings.';
    signInError = { code: 'NETWORK', message, messageCode: 'cloud.unreachable', messageParams: { service: 'atlas', label: 'Atlas service' } };
    expect(await useCloud.getState().signIn('me@example.com', 'x')).toBe(false);
    expect(useCloud.getState().accountError).toEqual({ action: 'signIn', code: 'NETWORK', message, messageCode: 'cloud.unreachable', messageParams: { service: 'atlas', label: 'Atlas service' } });
    signInError = null;
  });
});
