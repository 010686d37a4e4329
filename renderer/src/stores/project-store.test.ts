import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Project } from '../../../main/common/contract';

const project = (id: number, name = `P${id}`): Project => ({
  id,
  name,
  description: '',
  status: 'PENDING',
  assignedModel: null,
  mediaCount: 0,
  imageCount: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

// The store talks to the studio through ../api; here that is an in-memory fake.
const db = new Map<number, Project>();
vi.mock('../api', () => ({
  api: {
    projects: {
      list: vi.fn(async () => [...db.values()].reverse()),
      create: vi.fn(async (req: { name: string }) => {
        const p = project(db.size + 1, req.name);
        db.set(p.id, p);
        return p;
      }),
      update: vi.fn(async (req: { id: number; name?: string }) => {
        const p = db.get(req.id);
        if (!p) throw Object.assign(new Error('Project not found'), { code: 'NOT_FOUND' });
        const next = { ...p, ...(req.name ? { name: req.name } : {}) };
        db.set(p.id, next);
        return next;
      }),
      delete: vi.fn(async (req: { id: number }) => ({ deleted: db.delete(req.id) })),
      get: vi.fn(async (req: { id: number }) => db.get(req.id)),
    },
  },
}));

const { useProjects } = await import('./project-store');
const { useToasts } = await import('./toast-store');

describe('useProjects', () => {
  beforeEach(() => {
    db.clear();
    useProjects.setState({ projects: [], loaded: false, currentId: null });
    useToasts.setState({ toasts: [] });
  });

  it('creates newest-first, renames in place, and forgets the open project when it is deleted', async () => {
    const s = useProjects.getState();
    const a = await s.create({ name: 'A', description: '' });
    const b = await s.create({ name: 'B', description: '' });
    expect(useProjects.getState().projects.map((p) => p.name)).toEqual(['B', 'A']);
    useProjects.getState().open(a!.id);
    expect(await useProjects.getState().update({ id: a!.id, name: 'A2' })).toBe(true);
    expect(useProjects.getState().projects.map((p) => p.name)).toEqual(['B', 'A2']);
    expect(await useProjects.getState().remove(a!.id)).toBe(true);
    expect(useProjects.getState().currentId).toBeNull();
    expect(useProjects.getState().projects.map((p) => p.id)).toEqual([b!.id]);
  });

  it('shows the service error and changes nothing when a call fails', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await useProjects.getState().update({ id: 99, name: 'x' })).toBe(false);
    expect(useToasts.getState().toasts[0]).toMatchObject({ kind: 'error', code: 'NOT_FOUND', message: 'Project not found' });
  });

  it('drops an open project that no longer exists when the list loads', async () => {
    db.set(1, project(1));
    useProjects.setState({ currentId: 7 });
    await useProjects.getState().load();
    expect(useProjects.getState()).toMatchObject({ loaded: true, currentId: null });
    useProjects.getState().open(1);
    await useProjects.getState().load();
    expect(useProjects.getState().currentId).toBe(1);
  });
});
