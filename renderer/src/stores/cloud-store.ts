/**
 * The Cloud page's state: where Atlas is and whether it answers, the account, the open project's cloud jobs
 * (kept live by `cloud.jobUpdated`), the outbox and My items per model. Built against
 * main/common/contract/cloud.ts exactly; every call goes through `api.cloud.<verb>`.
 *
 * Not in the contract (noted for the Atlas engineer, built around meanwhile):
 * - a `cloud.downloadItem({requestId, code, projectId})` channel so an item of My items that has no local job
 *   (made on another machine, or by the CLI) can be fetched into a project and opened in 3D; today My items
 *   offers its thumbnail/request/reply/output/log files (`cloud.itemFile`) and delete.
 */
import { create } from 'zustand';
import type {
  CloudAccount,
  CloudConnection,
  CloudItem,
  CloudItemDetail,
  CloudItemFileType,
  CloudJob,
  CloudModel,
  CloudOutboxEntry,
  CloudReachability,
  RequestOf,
} from '../../../main/common/contract';
import { api } from '../api';
import type { CodedText } from '../i18n/say';
import type { JobForm } from '../pages/cloud/cloud-rules';
import { finishTracker } from './cloud-finish';
import { showError, useToasts } from './toast-store';

export interface ItemList {
  items: CloudItem[];
  nextCursor: string | null;
  hasNext: boolean;
  loading: boolean;
  /** The first page came back (an empty list then means "none yet", not "not asked"). */
  loaded: boolean;
  error: CodedText | null;
}

const emptyList = (): ItemList => ({ items: [], nextCursor: null, hasNext: false, loading: false, loaded: false, error: null });

export const ITEMS_PAGE = 10;

/** Why an account action failed, for the form to show in its own sentence. */
export interface AccountError extends CodedError {
  action: 'signIn' | 'signUp' | 'resend' | 'reset' | 'changePassword' | 'deleteAccount' | 'signOut';
}

interface CloudState {
  connection: CloudConnection | null;
  reach: CloudReachability | null;
  checking: boolean;
  account: CloudAccount | null;
  accountBusy: boolean;
  accountError: AccountError | null;
  /** The project whose jobs are listed. */
  projectId: number | null;
  jobs: CloudJob[];
  jobsLoaded: boolean;
  outbox: CloudOutboxEntry[];
  items: Partial<Record<CloudModel, ItemList>>;
  details: Record<string, CloudItemDetail>;
  /** The New 3D job form, kept while the creator visits another page (e.g. to add media). */
  draft: JobForm;
  /** The item name was typed (else it follows the chosen file). */
  draftNamed: boolean;
  setDraft(update: JobForm | ((f: JobForm) => JobForm), named?: boolean): void;

  loadConnection(): Promise<void>;
  checkConnection(): Promise<void>;
  setConnection(baseUrl: string | null): Promise<boolean>;
  loadAccount(refresh?: boolean): Promise<void>;
  signIn(email: string, password: string): Promise<boolean>;
  /** Resolves whether Atlas says it sent the confirmation e-mail; null when it refused. */
  signUp(email: string, nickname: string, password: string): Promise<{ confirmationSent: boolean } | null>;
  resendConfirmation(email: string): Promise<boolean>;
  resetPassword(email: string): Promise<boolean>;
  changePassword(password: string): Promise<boolean>;
  deleteAccount(confirmEmail: string): Promise<boolean>;
  signOut(): Promise<void>;
  clearAccountError(): void;

  loadJobs(projectId: number | null): Promise<void>;
  submit(req: RequestOf<'cloud.submit'>): Promise<CloudJob | null>;
  retryJob(id: string): Promise<void>;
  cancelJob(id: string): Promise<void>;
  upsertJob(job: CloudJob): void;

  loadItems(model: CloudModel, more?: boolean): Promise<void>;
  loadDetail(requestId: string): Promise<CloudItemDetail | null>;
  /** Resolves false when the cloud refused (the reason is in the list's error, e.g. "not yours"). */
  deleteItem(model: CloudModel, requestId: string): Promise<{ ok: true } | ({ ok: false } & CodedError)>;
  itemFile(requestId: string, type: CloudItemFileType): Promise<{ file: string; contentType: string | null } | null>;
}

/** A failure's sentence: the core's English, and its code and parameters when the core sent it coded (the view translates it). */
export interface CodedError {
  code: string;
  message: string;
  messageCode?: string;
  messageParams?: Record<string, string | number>;
}

function errorParts(err: unknown): CodedError {
  const e = err as (CodedText & { code?: unknown }) | null;
  const out: CodedError = { code: typeof e?.code === 'string' ? e.code : 'UNKNOWN', message: typeof e?.message === 'string' ? e.message : String(err) };
  if (typeof e?.messageCode === 'string') {
    out.messageCode = e.messageCode;
    out.messageParams = e.messageParams ?? {};
  }
  return out;
}

const byNewest = (a: CloudJob, b: CloudJob) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

export const useCloud = create<CloudState>((set, get) => {
  /** Runs an account call; a failure is kept for the form (its own sentence), not toasted. */
  async function accountCall<T>(action: AccountError['action'], call: () => Promise<T>): Promise<T | null> {
    set({ accountBusy: true, accountError: null });
    try {
      return await call();
    } catch (err) {
      set({ accountError: { action, ...errorParts(err) } });
      return null;
    } finally {
      set({ accountBusy: false });
    }
  }
  const success = (titleKey: string, titleValues?: Record<string, unknown>) => useToasts.getState().push({ kind: 'success', titleKey, titleValues });

  return {
    connection: null,
    reach: null,
    checking: false,
    account: null,
    accountBusy: false,
    accountError: null,
    projectId: null,
    jobs: [],
    jobsLoaded: false,
    outbox: [],
    items: {},
    details: {},
    draft: { model: 'gs3d', mediaId: null, imageMediaId: null, name: '', epoch: '10', resize: false, deviceType: 'android' },
    draftNamed: false,

    setDraft(update, named) {
      set((s) => ({ draft: typeof update === 'function' ? update(s.draft) : update, draftNamed: named ?? s.draftNamed }));
    },

    async loadConnection() {
      try {
        set({ connection: await api.cloud.connection({}) });
      } catch (err) {
        showError(err);
      }
      await get().checkConnection();
    },

    async checkConnection() {
      set({ checking: true });
      try {
        set({ reach: await api.cloud.checkConnection({}) });
      } catch (err) {
        const { message, messageCode, messageParams } = errorParts(err);
        set({ reach: { service: 'atlas', baseUrl: get().connection?.baseUrl ?? null, reachable: false, latencyMs: null, version: null, message, ...(messageCode ? { messageCode, messageParams } : {}) } });
      } finally {
        set({ checking: false });
      }
    },

    async setConnection(baseUrl) {
      try {
        set({ connection: await api.cloud.setConnection({ baseUrl }), reach: null, items: {} });
        void get().checkConnection();
        void get().loadAccount(true);
        return true;
      } catch (err) {
        showError(err);
        return false;
      }
    },

    async loadAccount(refresh = false) {
      try {
        set({ account: await api.cloud.account({ refresh }) });
      } catch (err) {
        // Atlas unreachable while asking for the profile: show what the studio knows (the connection panel
        // already says Atlas cannot be reached), and only toast when even that fails.
        if (refresh) {
          try {
            set({ account: await api.cloud.account({ refresh: false }) });
            return;
          } catch {
            /* shown below */
          }
        }
        showError(err);
      }
    },

    async signIn(email, password) {
      const account = await accountCall('signIn', () => api.cloud.signIn({ email, password }));
      if (!account) return false;
      set({ account, items: {} });
      success('cloud:account.toast.signedIn', { name: account.nickname ?? account.email ?? email });
      return true;
    },

    async signUp(email, nickname, password) {
      const res = await accountCall('signUp', () => api.cloud.signUp({ email, nickname, password }));
      return res ? { confirmationSent: res.confirmationSent } : null;
    },

    async resendConfirmation(email) {
      const res = await accountCall('resend', () => api.cloud.resendConfirmation({ email }));
      if (res) success('cloud:account.toast.resent', { email });
      return res !== null;
    },

    async resetPassword(email) {
      const res = await accountCall('reset', () => api.cloud.resetPassword({ email }));
      if (res) success('cloud:account.toast.resetSent', { email });
      return res !== null;
    },

    async changePassword(password) {
      const res = await accountCall('changePassword', () => api.cloud.changePassword({ password }));
      if (res) success('cloud:account.toast.passwordChanged');
      return res !== null;
    },

    async deleteAccount(confirmEmail) {
      const account = await accountCall('deleteAccount', () => api.cloud.deleteAccount({ confirmEmail }));
      if (!account) return false;
      set({ account, items: {}, details: {} });
      success('cloud:account.toast.deleted');
      return true;
    },

    async signOut() {
      const account = await accountCall('signOut', () => api.cloud.signOut({}));
      if (account) {
        set({ account, items: {}, details: {} });
        success('cloud:account.toast.signedOut');
      }
    },

    clearAccountError() {
      set({ accountError: null });
    },

    async loadJobs(projectId) {
      if (get().projectId !== projectId) set({ projectId, jobs: [], jobsLoaded: false });
      try {
        const [jobs, outbox] = await Promise.all([api.cloud.jobs(projectId === null ? {} : { projectId }), api.cloud.outbox({})]);
        if (get().projectId !== projectId) return; // moved on meanwhile
        finishTracker.know(jobs);
        set({ jobs: [...jobs].sort(byNewest), outbox, jobsLoaded: true });
      } catch (err) {
        set({ jobsLoaded: true });
        showError(err);
      }
    },

    async submit(req) {
      try {
        const job = await api.cloud.submit(req);
        get().upsertJob(job);
        return job;
      } catch (err) {
        showError(err);
        return null;
      }
    },

    async retryJob(id) {
      try {
        get().upsertJob(await api.cloud.retryJob({ id }));
      } catch (err) {
        showError(err);
      }
    },

    async cancelJob(id) {
      try {
        get().upsertJob(await api.cloud.cancelJob({ id }));
      } catch (err) {
        showError(err);
      }
    },

    upsertJob(job) {
      const { projectId } = get();
      if (projectId !== null && job.projectId !== projectId) return;
      set((s) => {
        const i = s.jobs.findIndex((j) => j.id === job.id);
        const prev = i >= 0 ? s.jobs[i]! : null;
        // An event may overtake the reply of the call that caused it: keep the newer of the two.
        if (prev && prev.updatedAt > job.updatedAt) return s;
        const jobs = prev ? s.jobs.map((j) => (j.id === job.id ? job : j)) : [job, ...s.jobs].sort(byNewest);
        // Atlas made a new item, or it changed status: My items of that model is out of date (it reloads when shown).
        const itemChanged = job.requestId !== null && (prev?.requestId !== job.requestId || prev?.cloudStatus !== job.cloudStatus);
        return itemChanged && s.items[job.model] ? { jobs, items: { ...s.items, [job.model]: undefined } } : { jobs };
      });
      // A job leaving or entering the outbox changes the outbox list.
      if (job.state === 'queued' || job.outboxId !== null) void api.cloud.outbox({}).then((outbox) => set({ outbox }), () => undefined);
      // A job that starts waiting for Atlas means Atlas went away: the connection panel should say so now.
      if (job.state === 'queued' && get().reach?.reachable !== false && !get().checking) void get().checkConnection();
      // …and one that goes on means it is back.
      if (job.state !== 'queued' && job.state !== 'failed' && job.state !== 'cancelled' && get().reach?.reachable === false && !get().checking) void get().checkConnection();
    },

    async loadItems(model, more = false) {
      const before = get().items[model] ?? emptyList();
      if (before.loading) return;
      const cursor = more ? before.nextCursor : null;
      if (more && !before.hasNext) return;
      set((s) => ({ items: { ...s.items, [model]: { ...before, loading: true, error: null } } }));
      try {
        const page = await api.cloud.myItems({ model, cursor, limit: ITEMS_PAGE });
        set((s) => {
          const prev = more ? (s.items[model]?.items ?? []) : [];
          const seen = new Set(prev.map((i) => i.requestId));
          const items = [...prev, ...page.items.filter((i) => !seen.has(i.requestId))];
          return { items: { ...s.items, [model]: { items, nextCursor: page.nextCursor, hasNext: page.hasNextItem, loading: false, loaded: true, error: null } } };
        });
      } catch (err) {
        const error = errorParts(err);
        set((s) => ({ items: { ...s.items, [model]: { ...(s.items[model] ?? before), loading: false, loaded: true, error } } }));
      }
    },

    async loadDetail(requestId) {
      try {
        const detail = await api.cloud.itemDetail({ requestId });
        set((s) => ({ details: { ...s.details, [requestId]: detail } }));
        return detail;
      } catch (err) {
        showError(err);
        return null;
      }
    },

    async deleteItem(model, requestId) {
      try {
        await api.cloud.deleteItem({ requestId });
        set((s) => {
          const list = s.items[model];
          if (!list) return s;
          return { items: { ...s.items, [model]: { ...list, items: list.items.filter((i) => i.requestId !== requestId) } } };
        });
        useToasts.getState().push({ kind: 'success', titleKey: 'cloud:items.deleted' });
        return { ok: true };
      } catch (err) {
        return { ok: false, ...errorParts(err) };
      }
    },

    async itemFile(requestId, type) {
      try {
        const res = await api.cloud.itemFile({ requestId, type });
        return { file: res.file, contentType: res.contentType };
      } catch (err) {
        showError(err);
        return null;
      }
    },
  };
});
