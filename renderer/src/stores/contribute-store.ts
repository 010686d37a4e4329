/**
 * The Contribute page's state: the contributor agent (`contributor.*`: on/off, state and reason, the current job,
 * the policy, the local ledger) kept live by `contributor.state`, and the creator's own network jobs and credit
 * (`network.*`: earn → spend). Every call goes through `api.<domain>.<verb>`.
 */
import { create } from 'zustand';
import type { ContributorLedger, ContributorPolicy, ContributorStatus, NetworkAccount, NetworkJob } from '../../../main/common/contract';
import { CONTRIBUTOR_CONSENT_VERSION } from '../../../main/common/contract';
import { api } from '../api';
import { showError } from './toast-store';

export interface ContributeError {
  action: 'optIn' | 'optOut' | 'command' | 'policy' | 'submit' | 'cancel' | 'load';
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

interface ContributeState {
  status: ContributorStatus | null;
  policy: ContributorPolicy | null;
  ledger: ContributorLedger | null;
  account: NetworkAccount | null;
  jobs: NetworkJob[];
  loaded: boolean;
  busy: boolean;
  error: ContributeError | null;

  load(): Promise<void>;
  refreshNetwork(): Promise<void>;
  optIn(): Promise<boolean>;
  optOut(): Promise<void>;
  pauseNow(): Promise<void>;
  finishThenStop(): Promise<void>;
  resume(): Promise<void>;
  setPolicy(patch: Partial<ContributorPolicy>): Promise<boolean>;
  submit(req: { frameSetId: number; modelId: string; redundancy: number }): Promise<NetworkJob | null>;
  cancel(id: number): Promise<void>;
  setStatus(s: ContributorStatus): void;
}

function toError(action: ContributeError['action'], e: unknown): ContributeError {
  const x = e as { code?: string; message?: string; details?: Record<string, unknown> };
  return { action, code: x?.code ?? 'INTERNAL', message: x?.message ?? String(e), details: x?.details };
}

export const useContribute = create<ContributeState>((set, get) => {
  const command = async (fn: () => Promise<ContributorStatus>) => {
    set({ busy: true, error: null });
    try {
      set({ status: await fn() });
    } catch (e) {
      set({ error: toError('command', e) });
      showError(e);
    } finally {
      set({ busy: false });
    }
  };
  return {
    status: null,
    policy: null,
    ledger: null,
    account: null,
    jobs: [],
    loaded: false,
    busy: false,
    error: null,

    async load() {
      try {
        const [status, policy, ledger] = await Promise.all([api.contributor.status(), api.contributor.policy(), api.contributor.ledger({ days: 30 })]);
        set({ status, policy, ledger, loaded: true });
      } catch (e) {
        set({ error: toError('load', e), loaded: true });
      }
      await get().refreshNetwork();
    },

    async refreshNetwork() {
      try {
        const [account, { jobs }] = await Promise.all([api.network.account(), api.network.jobs({})]);
        // open jobs are read again from the network (a done one comes home as a model run)
        const open = jobs.filter((j) => ['uploading', 'queued', 'running', 'validating'].includes(j.state));
        const fresh = await Promise.all(open.map((j) => api.network.job({ id: j.id }).catch(() => j)));
        const byId = new Map(fresh.map((j) => [j.id, j]));
        set({ account, jobs: jobs.map((j) => byId.get(j.id) ?? j) });
      } catch (e) {
        set({ error: toError('load', e) });
      }
    },

    async optIn() {
      set({ busy: true, error: null });
      try {
        set({ status: await api.contributor.optIn({ consentVersion: CONTRIBUTOR_CONSENT_VERSION }) });
        return true;
      } catch (e) {
        set({ error: toError('optIn', e) });
        return false;
      } finally {
        set({ busy: false });
      }
    },
    optOut: () => command(() => api.contributor.optOut()),
    pauseNow: () => command(() => api.contributor.pauseNow()),
    finishThenStop: () => command(() => api.contributor.finishThenStop()),
    resume: () => command(() => api.contributor.resume()),

    async setPolicy(patch) {
      set({ busy: true, error: null });
      try {
        set({ policy: await api.contributor.setPolicy(patch) });
        return true;
      } catch (e) {
        set({ error: toError('policy', e) });
        return false;
      } finally {
        set({ busy: false });
      }
    },

    async submit(req) {
      set({ busy: true, error: null });
      try {
        const job = await api.network.submit(req);
        set({ jobs: [job, ...get().jobs.filter((j) => j.id !== job.id)] });
        return job;
      } catch (e) {
        set({ error: toError('submit', e) });
        return null;
      } finally {
        set({ busy: false });
      }
    },

    async cancel(id) {
      try {
        const job = await api.network.cancel({ id });
        set({ jobs: get().jobs.map((j) => (j.id === id ? job : j)) });
        await get().refreshNetwork();
      } catch (e) {
        set({ error: toError('cancel', e) });
        showError(e);
      }
    },

    setStatus: (status) => set({ status }),
  };
});

let wired = false;

/** Subscribes once to the agent's state changes (state, reason, job, command). */
export function wireContributeEvents(): void {
  if (wired) return;
  wired = true;
  api.events.on('contributor.state', (s) => useContribute.getState().setStatus(s));
}
