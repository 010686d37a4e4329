/**
 * The GPU sessions tab's state: where the compute service is and whether it answers, the user id the studio uses,
 * the quota per cluster, usage minutes and the sessions (the service's list merged with the ones this studio
 * started, kept live by `compute.sessionUpdated`). Built against main/common/contract/compute.ts exactly; every
 * call goes through `api.compute.<verb>`.
 */
import { create } from 'zustand';
import type {
  ComputeClusterId,
  ComputeConnection,
  ComputeQuota,
  ComputeReachability,
  ComputeSession,
  ComputeUsage,
  ComputeUser,
  RequestOf,
} from '../../../main/common/contract';
import { api } from '../api';
import { sortSessions } from '../pages/cloud/gpu/gpu-rules';
import { showError, useToasts } from './toast-store';

/** Why a call failed, for the form that made it to say in its own sentence. */
export interface ComputeError {
  action: 'register' | 'run' | 'unregister' | 'useExisting';
  code: string;
  message: string;
  /** The core's code and parameters for `message`, when it sent them (the view shows it in the creator's language). */
  messageCode?: string;
  messageParams?: Record<string, string | number>;
}

interface ComputeState {
  connection: ComputeConnection | null;
  reach: ComputeReachability | null;
  checking: boolean;
  user: ComputeUser | null;
  /** `compute.user` answered (null then means "not registered here", not "not asked"). */
  userLoaded: boolean;
  quota: ComputeQuota | null;
  usage: ComputeUsage | null;
  counts: { useContainerCnt: number; runningContainerCnt: number } | null;
  sessions: ComputeSession[];
  /** The last refresh of status and quota could not reach the service. */
  statusError: Omit<ComputeError, 'action'> | null;
  refreshing: boolean;
  busy: boolean;
  error: ComputeError | null;
  /** Containers with a call in flight (extend, edit, stop): their buttons wait. */
  pending: Record<string, boolean>;

  loadConnection(): Promise<void>;
  checkConnection(): Promise<void>;
  setConnection(baseUrl: string | null): Promise<boolean>;
  loadUser(): Promise<void>;
  register(userId: string, storageGb: number, localSchoolId: number): Promise<boolean>;
  useExisting(userId: string, localSchoolId?: number): Promise<boolean>;
  /** getUserStatus + getContainerQuota (+ the sessions this studio remembers). */
  refresh(): Promise<void>;
  run(req: { clusterId: ComputeClusterId; dockerImagePath?: string; maxDuration?: number; storagePath?: string; projectId?: number }): Promise<ComputeSession | null>;
  extend(containerId: string, minutes: number): Promise<boolean>;
  edit(containerId: string, change: Omit<RequestOf<'compute.edit'>, 'containerId' | 'userId'>): Promise<boolean>;
  stop(containerId: string): Promise<boolean>;
  unregister(confirmUserId: string): Promise<boolean>;
  upsertSession(session: ComputeSession): void;
  clearError(): void;
}

function errorParts(err: unknown): Omit<ComputeError, 'action'> {
  const e = err as { code?: unknown; message?: unknown; messageCode?: unknown; messageParams?: Record<string, string | number> } | null;
  const out: Omit<ComputeError, 'action'> = { code: typeof e?.code === 'string' ? e.code : 'UNKNOWN', message: typeof e?.message === 'string' ? e.message : String(err) };
  if (typeof e?.messageCode === 'string') {
    out.messageCode = e.messageCode;
    out.messageParams = e.messageParams ?? {};
  }
  return out;
}

/** Keeps the newer of two views of one session (an event may overtake the reply of the call that caused it). */
function merge(list: readonly ComputeSession[], incoming: readonly ComputeSession[]): ComputeSession[] {
  const byId = new Map(list.map((s) => [s.containerId, s]));
  for (const s of incoming) {
    const prev = byId.get(s.containerId);
    if (!prev || prev.updatedAt <= s.updatedAt) byId.set(s.containerId, s);
  }
  return sortSessions([...byId.values()]);
}

export const useCompute = create<ComputeState>((set, get) => {
  const success = (titleKey: string, titleValues?: Record<string, unknown>) => useToasts.getState().push({ kind: 'success', titleKey, titleValues });
  /** Runs a per-container call; a failure is toasted with the service's sentence. */
  async function containerCall(containerId: string, call: () => Promise<ComputeSession>, toastKey: string): Promise<boolean> {
    set((s) => ({ pending: { ...s.pending, [containerId]: true } }));
    try {
      const session = await call();
      get().upsertSession(session);
      success(toastKey, { id: containerId });
      void get().refresh();
      return true;
    } catch (err) {
      showError(err);
      return false;
    } finally {
      set((s) => {
        const { [containerId]: _, ...rest } = s.pending;
        return { pending: rest };
      });
    }
  }

  /**
   * The user id a session belongs to, sent with its calls: a remembered session of an id used before (the studio
   * switched ids) is still extended or stopped as its own user, not the saved one.
   */
  function ownerOf(containerId: string): { userId?: string } {
    const owner = get().sessions.find((s) => s.containerId === containerId)?.userId;
    return owner && owner !== get().user?.userId ? { userId: owner } : {};
  }

  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      void get().refresh();
    }, 250);
  }

  return {
    connection: null,
    reach: null,
    checking: false,
    user: null,
    userLoaded: false,
    quota: null,
    usage: null,
    counts: null,
    sessions: [],
    statusError: null,
    refreshing: false,
    busy: false,
    error: null,
    pending: {},

    async loadConnection() {
      try {
        set({ connection: await api.compute.connection({}) });
      } catch (err) {
        showError(err);
      }
      await get().checkConnection();
    },

    async checkConnection() {
      set({ checking: true });
      try {
        set({ reach: await api.compute.checkConnection({}) });
      } catch (err) {
        const { message, messageCode, messageParams } = errorParts(err);
        set({ reach: { baseUrl: get().connection?.baseUrl ?? null, reachable: false, latencyMs: null, message, ...(messageCode ? { messageCode, messageParams } : {}) } });
      } finally {
        set({ checking: false });
      }
    },

    async setConnection(baseUrl) {
      try {
        set({ connection: await api.compute.setConnection({ baseUrl }), reach: null, quota: null, usage: null, counts: null });
        void get().checkConnection();
        void get().refresh();
        return true;
      } catch (err) {
        showError(err);
        return false;
      }
    },

    async loadUser() {
      try {
        set({ user: await api.compute.user({}), userLoaded: true });
      } catch (err) {
        set({ userLoaded: true });
        showError(err);
      }
    },

    async register(userId, storageGb, localSchoolId) {
      set({ busy: true, error: null });
      try {
        const user = await api.compute.register({ userId, storageGb, localSchoolId });
        set({ user });
        success('cloud:gpu.toast.registered', { user: user.userId });
        void get().refresh();
        return true;
      } catch (err) {
        set({ error: { action: 'register', ...errorParts(err) } });
        return false;
      } finally {
        set({ busy: false });
      }
    },

    async useExisting(userId, localSchoolId) {
      set({ busy: true, error: null });
      try {
        const user = await api.compute.setUser(localSchoolId === undefined ? { userId } : { userId, localSchoolId });
        set({ user });
        void get().refresh();
        return true;
      } catch (err) {
        set({ error: { action: 'useExisting', ...errorParts(err) } });
        return false;
      } finally {
        set({ busy: false });
      }
    },

    async refresh() {
      if (!get().user) {
        // The quota does not need a user; show it before registering too.
        try {
          set({ quota: await api.compute.quota({}), statusError: null });
        } catch (err) {
          set({ statusError: errorParts(err) });
        }
        return;
      }
      set({ refreshing: true });
      try {
        const [status, quota, remembered] = await Promise.all([api.compute.status({}), api.compute.quota({}), api.compute.sessions({})]);
        set((s) => ({
          usage: status.usage,
          counts: { useContainerCnt: status.useContainerCnt, runningContainerCnt: status.runningContainerCnt },
          quota,
          // what the service lists now wins over what was remembered (it is newer)
          sessions: merge(merge(s.sessions, remembered), status.sessions),
          statusError: null,
        }));
        // a remembered session the service no longer lists was marked ended by the core; nothing else to do here
      } catch (err) {
        set({ statusError: errorParts(err) });
        // the remembered sessions are still worth showing (marked unknown by the core when it cannot ask)
        try {
          const remembered = await api.compute.sessions({});
          set((s) => ({ sessions: merge(s.sessions, remembered) }));
        } catch {
          /* the error above is shown */
        }
        if (get().reach?.reachable !== false && !get().checking) void get().checkConnection();
      } finally {
        set({ refreshing: false });
      }
    },

    async run(req) {
      set({ busy: true, error: null });
      try {
        const session = await api.compute.run(req);
        get().upsertSession(session);
        success('cloud:gpu.toast.started', { id: session.containerId });
        void get().refresh();
        return session;
      } catch (err) {
        set({ error: { action: 'run', ...errorParts(err) } });
        return null;
      } finally {
        set({ busy: false });
      }
    },

    extend(containerId, minutes) {
      return containerCall(containerId, () => api.compute.extend({ containerId, minutes, ...ownerOf(containerId) }), 'cloud:gpu.toast.extended');
    },

    edit(containerId, change) {
      return containerCall(containerId, () => api.compute.edit({ containerId, ...change, ...ownerOf(containerId) }), 'cloud:gpu.toast.edited');
    },

    stop(containerId) {
      return containerCall(containerId, () => api.compute.stop({ containerId, ...ownerOf(containerId) }), 'cloud:gpu.toast.stopped');
    },

    async unregister(confirmUserId) {
      set({ busy: true, error: null });
      try {
        const res = await api.compute.unregister({ confirmUserId });
        set({ user: null, usage: null, counts: null });
        success('cloud:gpu.toast.unregistered', { user: res.userId, count: res.stoppedSessions.length });
        // the stopped sessions come back as events; the list is reloaded for the ones that did not
        try {
          const remembered = await api.compute.sessions({});
          set((s) => ({ sessions: merge(s.sessions, remembered) }));
        } catch {
          /* not fatal */
        }
        void get().refresh();
        return true;
      } catch (err) {
        set({ error: { action: 'unregister', ...errorParts(err) } });
        return false;
      } finally {
        set({ busy: false });
      }
    },

    upsertSession(session) {
      const prev = get().sessions.find((s) => s.containerId === session.containerId);
      set((s) => ({ sessions: merge(s.sessions, [session]) }));
      // A session that became running, failed or ended changes the quota used and the counts: re-read them
      // (once for a burst of changes).
      if (prev && prev.state !== session.state && prev.updatedAt <= session.updatedAt) scheduleRefresh();
    },

    clearError() {
      set({ error: null });
    },
  };
});

let wired = false;

/**
 * Subscribes once (from the app shell's cloud wiring) to the compute events: a session's updates keep the tab live
 * on any page, and the warning before a session ends is a toast that stays until read, offering 30 minutes more.
 */
export function wireComputeEvents(): void {
  if (wired) return;
  wired = true;
  api.events.on('compute.sessionUpdated', (session) => useCompute.getState().upsertSession(session));
  api.events.on('compute.sessionEnding', ({ session, minutesLeft }) => {
    useCompute.getState().upsertSession(session);
    useToasts.getState().push(endingToast(session, minutesLeft));
  });
}

/** The warning toast before a session ends (pure, for its test). */
export function endingToast(session: ComputeSession, minutesLeft: number) {
  return {
    kind: 'info' as const,
    titleKey: 'cloud:gpu.notify.ending',
    titleValues: { cluster: session.clusterId.toUpperCase(), id: session.containerId, count: Math.max(0, Math.ceil(minutesLeft)) },
    action: { labelKey: 'cloud:gpu.notify.extend30', run: () => void useCompute.getState().extend(session.containerId, 30) },
  };
}
