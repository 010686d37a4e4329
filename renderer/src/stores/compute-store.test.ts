import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ComputeSession } from '../../../main/common/contract';

const session = (containerId: string, patch: Partial<ComputeSession> = {}): ComputeSession => ({
  containerId,
  userId: 'mina',
  clusterId: 'gpu',
  projectId: null,
  startedHere: true,
  state: 'running',
  creationStatus: 'success',
  serviceStatus: 'success',
  imagePath: null,
  storagePath: null,
  nodeId: null,
  maxDuration: 60,
  remainingTime: 60,
  endsAt: null,
  observedAt: null,
  endpoint: { jupyter: null, shell: null },
  createdAt: '2026-12-02T10:00:00.000Z',
  startedAt: '2026-12-02T10:00:05.000Z',
  error: null,
  updatedAt: '2026-12-02T10:00:05.000Z',
  endedAt: null,
  ...patch,
});

let statusError: { code: string; message: string } | null = null;
let runError: { code: string; message: string } | null = null;
const remembered: ComputeSession[] = [];
const extended: { containerId: string; minutes: number }[] = [];

// The store talks to the studio through ../api; here the compute service is a few values in memory.
vi.mock('../api', () => ({
  api: {
    compute: {
      user: vi.fn(async () => ({ userId: 'mina', localSchoolId: 1, storageGb: 20, registeredAt: null })),
      status: vi.fn(async () => {
        if (statusError) throw statusError;
        return { userId: 'mina', useContainerCnt: 1, runningContainerCnt: 1, sessions: [session('live', { remainingTime: 42, updatedAt: '2026-12-02T10:05:00.000Z' })], usage: { cpu: 3, gpu: 17 }, observedAt: '2026-12-02T10:05:00.000Z' };
      }),
      quota: vi.fn(async () => ({ localSchoolId: 1, maxQuota: { cpu: 2, gpu: 1 }, maxQuotaSchool: null, limit: { cpu: 2, gpu: 1 }, used: { cpu: 0, gpu: 1 }, blocked: { cpu: null, gpu: 'GPU quota reached' } })),
      sessions: vi.fn(async () => remembered),
      run: vi.fn(async (req: { clusterId: 'cpu' | 'gpu' }) => {
        if (runError) throw runError;
        return session('new', { clusterId: req.clusterId, state: 'creating', creationStatus: 'pending', updatedAt: '2026-12-02T10:06:00.000Z' });
      }),
      extend: vi.fn(async (req: { containerId: string; minutes: number }) => {
        extended.push(req);
        return session(req.containerId, { remainingTime: 42 + req.minutes, updatedAt: '2026-12-02T10:07:00.000Z' });
      }),
    },
  },
}));

const { useCompute, endingToast } = await import('./compute-store');
const { useToasts } = await import('./toast-store');

beforeEach(() => {
  statusError = null;
  runError = null;
  remembered.length = 0;
  extended.length = 0;
  useCompute.setState({ user: null, sessions: [], quota: null, usage: null, statusError: null, error: null, pending: {} });
  useToasts.setState({ toasts: [] });
});

describe('compute store', () => {
  it('refresh merges the service list over the remembered sessions, newest view winning', async () => {
    await useCompute.getState().loadUser();
    remembered.push(session('live', { remainingTime: 50, updatedAt: '2026-12-02T10:01:00.000Z' }), session('gone', { state: 'ended', updatedAt: '2026-12-02T09:00:00.000Z' }));
    await useCompute.getState().refresh();
    const s = useCompute.getState();
    expect(s.sessions.map((x) => [x.containerId, x.remainingTime])).toEqual([
      ['live', 42],
      ['gone', 60],
    ]);
    expect(s.usage).toEqual({ cpu: 3, gpu: 17 });
    expect(s.quota?.blocked.gpu).toBe('GPU quota reached');
    expect(s.statusError).toBeNull();
  });

  it('an event older than what is shown does not roll a session back', () => {
    useCompute.getState().upsertSession(session('x', { remainingTime: 10, updatedAt: '2026-12-02T10:10:00.000Z' }));
    useCompute.getState().upsertSession(session('x', { remainingTime: 30, updatedAt: '2026-12-02T10:00:00.000Z' }));
    expect(useCompute.getState().sessions[0]!.remainingTime).toBe(10);
  });

  it('a session that changes state re-reads the quota and counts (a failed creation frees its place)', async () => {
    await useCompute.getState().loadUser();
    const { api } = await import('../api');
    useCompute.getState().upsertSession(session('c9', { state: 'creating', creationStatus: 'pending', updatedAt: '2026-12-02T10:00:00.000Z' }));
    const before = vi.mocked(api.compute.quota).mock.calls.length;
    useCompute.getState().upsertSession(session('c9', { state: 'creating', creationStatus: 'createContainer', updatedAt: '2026-12-02T10:00:01.000Z' }));
    useCompute.getState().upsertSession(session('c9', { state: 'failed', creationStatus: 'failed', error: 'no node', updatedAt: '2026-12-02T10:00:02.000Z' }));
    await vi.waitFor(() => expect(vi.mocked(api.compute.quota).mock.calls.length).toBe(before + 1));
    expect(useCompute.getState().sessions.find((s) => s.containerId === 'c9')?.error).toBe('no node');
  });

  it('an unreachable service is said, and the remembered sessions are still shown', async () => {
    await useCompute.getState().loadUser();
    statusError = { code: 'NETWORK', message: 'compute cannot be reached' };
    remembered.push(session('kept', { state: 'unknown' }));
    useCompute.setState({ reach: { baseUrl: null, reachable: false, latencyMs: null, message: null } });
    await useCompute.getState().refresh();
    expect(useCompute.getState().statusError).toEqual({ code: 'NETWORK', message: 'compute cannot be reached' });
    expect(useCompute.getState().sessions.map((s) => s.containerId)).toEqual(['kept']);
  });

  it('a refused run is kept for the form (not a toast) with the service sentence', async () => {
    await useCompute.getState().loadUser();
    runError = { code: 'REMOTE', message: 'quota exceeded for gpu' };
    expect(await useCompute.getState().run({ clusterId: 'gpu' })).toBeNull();
    expect(useCompute.getState().error).toEqual({ action: 'run', code: 'REMOTE', message: 'quota exceeded for gpu' });
    expect(useToasts.getState().toasts).toEqual([]);
    runError = null;
    const started = await useCompute.getState().run({ clusterId: 'cpu' });
    expect(started?.state).toBe('creating');
    expect(useCompute.getState().sessions.find((s) => s.containerId === 'new')?.clusterId).toBe('cpu');
  });

  it("a remembered session of another user id is stopped as that user, the saved one's without an id", async () => {
    await useCompute.getState().loadUser(); // mina
    const { api } = await import('../api');
    useCompute.getState().upsertSession(session('old', { userId: 'previous-id' }));
    useCompute.getState().upsertSession(session('mine'));
    await useCompute.getState().extend('old', 30);
    await useCompute.getState().extend('mine', 30);
    expect(vi.mocked(api.compute.extend).mock.calls.slice(-2).map((c) => c[0])).toEqual([
      { containerId: 'old', minutes: 30, userId: 'previous-id' },
      { containerId: 'mine', minutes: 30 },
    ]);
  });

  it('the ending warning names the session and its button extends it by 30 minutes', async () => {
    const toast = endingToast(session('c7'), 9.2);
    expect(toast.titleKey).toBe('cloud:gpu.notify.ending');
    expect(toast.titleValues).toEqual({ cluster: 'GPU', id: 'c7', count: 10 });
    toast.action.run();
    await vi.waitFor(() => expect(extended).toEqual([{ containerId: 'c7', minutes: 30 }]));
    await vi.waitFor(() => expect(useCompute.getState().sessions.find((s) => s.containerId === 'c7')?.remainingTime).toBe(72));
  });
});
