/**
 * The Training page's state: the vision platform's connection, sign-in and plan; the chat (session, messages, the
 * last reply's questions or config); the dataset builder (class bins, the local dataset being built, checked,
 * packed and uploaded, and the platform's view of it); workflows (list with filter and paging, the open one with its
 * per-epoch points, logs) and bringing a model home. Every call goes through `api.vision.*` / `api.datasets.*`;
 * long work is a job followed through the job store.
 */
import { create } from 'zustand';
import type {
  Dataset,
  DatasetPackage,
  HealthReport,
  RequestOf,
  VisionAccount,
  VisionChatReply,
  VisionChatSummary,
  VisionConnection,
  VisionDataset,
  VisionLogLine,
  VisionMetricPoint,
  VisionProfile,
  VisionReachability,
  VisionTrainingConfig,
  VisionValidation,
  VisionWorkflow,
  VisionWorkflowState,
  Job,
} from '../../../main/common/contract';
import { api } from '../api';
import { answersContext, binsToSources, composeAnswers, fieldErrorsOf, mergePoints, type ClassBin } from '../pages/training/training-rules';
import { onJobUpdated } from './job-store';
import { showError, useToasts } from './toast-store';

export interface ChatLine {
  role: 'user' | 'assistant';
  content: string;
}

export type WorkflowFilter = VisionWorkflowState | 'all';

/** A long piece of work the page shows with a bar and a cancel button. */
export interface TrainingJob {
  kind: 'build' | 'check' | 'pack' | 'upload' | 'pull' | 'run';
  jobId: string;
}

interface TrainingState {
  connection: VisionConnection | null;
  reach: VisionReachability | null;
  checking: boolean;
  account: VisionAccount | null;
  profile: VisionProfile | null;
  signInError: string | null;
  /** The studio holds requests back until then (429 or the window nearly used). */
  waitingUntil: string | null;

  sessionId: string | null;
  chat: ChatLine[];
  reply: VisionChatReply | null;
  sessions: VisionChatSummary[];
  sending: boolean;
  /** The config as edited from the final reply. */
  config: VisionTrainingConfig | null;
  configErrors: Record<string, string>;

  bins: ClassBin[];
  dataset: Dataset | null;
  remote: VisionDataset | null;
  validation: VisionValidation | null;
  jobs: TrainingJob[];

  workflows: VisionWorkflow[];
  filter: WorkflowFilter;
  page: number;
  hasNext: boolean;
  selected: string | null;
  points: Record<string, VisionMetricPoint[]>;
  logs: VisionLogLine[];
  /** Workflow → the local model pulled home. */
  pulled: Record<string, string>;
  /** Workflow → the platform offers no download (404): cloud inference instead. */
  noExport: Record<string, boolean>;
  /** Workflow → the local run made with its model. */
  runs: Record<string, number>;

  load(): Promise<void>;
  checkConnection(): Promise<void>;
  setConnection(baseUrl: string | null): Promise<boolean>;
  signIn(email: string, password: string): Promise<boolean>;
  signOut(): Promise<void>;
  loadProfile(): Promise<void>;

  send(message: string): Promise<void>;
  answer(answers: Record<string, string>): Promise<void>;
  newChat(): void;
  reopen(sessionId: string): Promise<void>;
  deleteSession(sessionId: string): Promise<void>;
  editConfig(patch: Partial<VisionTrainingConfig>): void;
  startTraining(opts: { name: string; projectId?: number }): Promise<VisionWorkflow | null>;

  setBins(bins: ClassBin[]): void;
  build(req: { projectId: number; name: string; ratios?: RequestOf<'datasets.build'>['ratios']; seed?: number; minInputSize?: { width: number; height: number } | null }): Promise<void>;
  check(minInputSize: { width: number; height: number } | null): Promise<void>;
  packAndUpload(opts: { force?: boolean; description?: string }): Promise<void>;
  validate(): Promise<void>;
  cancelJob(jobId: string): Promise<void>;

  loadWorkflows(): Promise<void>;
  setFilter(filter: WorkflowFilter): void;
  setPage(page: number): void;
  select(workflowId: string | null): Promise<void>;
  cancelWorkflow(workflowId: string): Promise<void>;
  pull(workflowId: string): Promise<void>;
  runLocally(workflowId: string, projectId: number, frameSetId: number): Promise<void>;
  runInCloud(workflowId: string, projectId: number, frameSetId: number): Promise<void>;
}

const PAGE_SIZE = 10;

/** Resolves with the job once it has ended (completed, failed, cancelled). */
function jobEnded(jobId: string): Promise<Job> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (job: Job) => {
      if (done) return;
      done = true;
      off();
      resolve(job);
    };
    const off = onJobUpdated((job) => {
      if (job.id === jobId && !['running', 'queued'].includes(job.status)) finish(job);
    });
    // It may have ended before the listener was added.
    void api.jobs.get({ id: jobId }).then((job) => {
      if (!['running', 'queued'].includes(job.status)) finish(job);
    });
  });
}

export const useTraining = create<TrainingState>((set, get) => {
  const toast = (titleKey: string, titleValues?: Record<string, unknown>, kind: 'success' | 'info' = 'success') => useToasts.getState().push({ kind, titleKey, titleValues });

  /** Runs a job to its end, shown in `jobs`; throws the job's error (a cancel is not an error). */
  async function runJob<T>(kind: TrainingJob['kind'], start: () => Promise<{ jobId: string }>): Promise<T | null> {
    const { jobId } = await start();
    set((s) => ({ jobs: [...s.jobs, { kind, jobId }] }));
    try {
      const job = await jobEnded(jobId);
      if (job.status === 'completed') return job.result as T;
      if (job.status === 'cancelled') return null;
      throw Object.assign(new Error(job.error?.message ?? 'failed'), { code: job.error?.code ?? 'INTERNAL', details: job.error?.details, messageCode: job.error?.messageCode, messageParams: job.error?.messageParams });
    } finally {
      set((s) => ({ jobs: s.jobs.filter((j) => j.jobId !== jobId) }));
    }
  }

  let wired = false;
  function wire() {
    if (wired) return;
    wired = true;
    api.events.on('vision.workflowUpdated', (w) => set((s) => ({ workflows: upsert(s.workflows, w) })));
    api.events.on('vision.metrics', (m) => set((s) => ({ points: { ...s.points, [m.workflowId]: mergePoints(s.points[m.workflowId] ?? [], m.points) } })));
    api.events.on('vision.rateLimited', (r) => set({ waitingUntil: r.until }));
    api.events.on('vision.accountChanged', (a) => set({ account: a }));
    api.events.on('vision.datasetUpdated', (d) => set((s) => (s.remote?.datasetId === d.datasetId ? { remote: d } : {})));
    api.events.on('vision.workflowFinished', ({ workflow, outcome }) => {
      set((s) => ({ workflows: upsert(s.workflows, workflow) }));
      toast(`training:toast.${outcome}`, { name: workflow.name }, outcome === 'completed' ? 'success' : 'info');
      void get().loadProfile();
    });
  }

  return {
    connection: null,
    reach: null,
    checking: false,
    account: null,
    profile: null,
    signInError: null,
    waitingUntil: null,
    sessionId: null,
    chat: [],
    reply: null,
    sessions: [],
    sending: false,
    config: null,
    configErrors: {},
    bins: [],
    dataset: null,
    remote: null,
    validation: null,
    jobs: [],
    workflows: [],
    filter: 'all',
    page: 1,
    hasNext: false,
    selected: null,
    points: {},
    logs: [],
    pulled: {},
    noExport: {},
    runs: {},

    async load() {
      wire();
      try {
        set({ connection: await api.vision.connection({}), account: await api.vision.account({}) });
      } catch (err) {
        showError(err);
      }
      void get().checkConnection();
      if (get().account?.state === 'signedIn') {
        void get().loadProfile();
        void get().loadWorkflows();
        try {
          set({ sessions: await api.vision.chatSessions({}) });
        } catch {
          /* the list is optional */
        }
      }
    },

    async checkConnection() {
      set({ checking: true });
      try {
        set({ reach: await api.vision.checkConnection({}) });
      } catch (err) {
        const e = err as { message?: string; messageCode?: unknown; messageParams?: Record<string, string | number> };
        const coded = typeof e.messageCode === 'string' ? { messageCode: e.messageCode, messageParams: e.messageParams ?? {} } : {};
        set({ reach: { baseUrl: get().connection?.baseUrl ?? null, reachable: false, latencyMs: null, message: (err as Error).message, ...coded } });
      } finally {
        set({ checking: false });
      }
    },

    async setConnection(baseUrl) {
      try {
        set({ connection: await api.vision.setConnection({ baseUrl }), reach: null, account: await api.vision.account({}) });
        void get().checkConnection();
        return true;
      } catch (err) {
        showError(err);
        return false;
      }
    },

    async signIn(email, password) {
      set({ signInError: null });
      try {
        const account = await api.vision.signIn({ email, password });
        set({ account });
        void get().load();
        return true;
      } catch (err) {
        const problem = (err as { details?: { visionProblem?: string } }).details?.visionProblem;
        set({ signInError: problem ?? (err as { code?: string }).code ?? 'UNKNOWN' });
        return false;
      }
    },

    async signOut() {
      try {
        set({ account: await api.vision.signOut({}), profile: null, workflows: [] });
      } catch (err) {
        showError(err);
      }
    },

    async loadProfile() {
      try {
        const profile = await api.vision.profile({});
        set({ profile, waitingUntil: profile.rateLimit.waitingUntil });
      } catch (err) {
        showError(err);
      }
    },

    async send(message) {
      const text = message.trim();
      if (!text) return;
      set((s) => ({ sending: true, chat: [...s.chat, { role: 'user', content: text }] }));
      await sendRaw(text, undefined);
    },

    async answer(answers) {
      const reply = get().reply;
      if (!reply) return;
      const text = composeAnswers(reply.questions, answers);
      if (!text) return;
      set((s) => ({ sending: true, chat: [...s.chat, { role: 'user', content: text }] }));
      await sendRaw(text, answersContext(reply.questions, answers));
    },

    newChat() {
      set({ sessionId: null, chat: [], reply: null, config: null, configErrors: {} });
    },

    async reopen(sessionId) {
      try {
        const s = await api.vision.chatSession({ sessionId });
        const summary = get().sessions.find((x) => x.sessionId === sessionId) ?? null;
        const reply = summary?.lastReply ?? null;
        set({
          sessionId,
          chat: s.messages.map((m) => ({ role: m.role === 'user' ? 'user' : 'assistant', content: m.content })),
          reply,
          config: reply?.trainingConfig ?? null,
          configErrors: {},
        });
      } catch (err) {
        showError(err);
      }
    },

    async deleteSession(sessionId) {
      try {
        await api.vision.chatDelete({ sessionId });
        set((s) => ({ sessions: s.sessions.filter((x) => x.sessionId !== sessionId), ...(s.sessionId === sessionId ? { sessionId: null, chat: [], reply: null, config: null } : {}) }));
      } catch (err) {
        showError(err);
      }
    },

    editConfig(patch) {
      const c = get().config;
      if (!c) return;
      set({ config: { ...c, ...patch, hyperparameters: { ...c.hyperparameters, ...patch.hyperparameters } }, configErrors: {} });
    },

    async startTraining({ name, projectId }) {
      const c = get().config;
      if (!c || !c.datasetId || !c.modelName || !c.taskType) return null;
      set({ configErrors: {} });
      try {
        const w = await api.vision.createWorkflow({
          name,
          taskType: c.taskType as 'classification',
          model: c.modelName,
          datasetId: c.datasetId,
          classNames: c.classNames,
          hyperparameters: c.hyperparameters,
          ...(projectId !== undefined ? { projectId } : {}),
        });
        set((s) => ({ workflows: upsert(s.workflows, w), selected: w.workflowId }));
        void get().select(w.workflowId);
        void get().loadProfile();
        toast('training:toast.started', { name: w.name });
        return w;
      } catch (err) {
        const fields = fieldErrorsOf(err);
        if (Object.keys(fields).length) set({ configErrors: fields });
        else showError(err);
        return null;
      }
    },

    setBins(bins) {
      set({ bins });
    },

    async build({ projectId, name, ratios, seed, minInputSize }) {
      try {
        const sources = binsToSources(get().bins);
        let datasetId = 0;
        const d = await runJob<Dataset>('build', async () => {
          const r = await api.datasets.build({
            projectId,
            name,
            sources,
            ...(ratios ? { ratios } : {}),
            ...(seed !== undefined ? { seed } : {}),
            check: { minInputSize: minInputSize ?? null },
          });
          datasetId = r.datasetId;
          return r;
        });
        set({ dataset: d ?? (datasetId ? await api.datasets.get({ id: datasetId }) : null), remote: null, validation: null });
      } catch (err) {
        showError(err);
      }
    },

    async check(minInputSize) {
      const d = get().dataset;
      if (!d) return;
      try {
        const report = await runJob<HealthReport>('check', () => api.datasets.check({ id: d.id, options: { minInputSize } }));
        if (report) set({ dataset: { ...d, report } });
      } catch (err) {
        showError(err);
      }
    },

    async packAndUpload({ force, description }) {
      const d = get().dataset;
      if (!d) return;
      try {
        const pkg = await runJob<DatasetPackage>('pack', () => api.datasets.pack({ id: d.id, force: force ?? false }));
        if (!pkg) return;
        const up = await runJob<{ datasetId: string }>('upload', () =>
          api.vision.uploadDataset({ path: pkg.path, name: d.name, format: d.format, ...(description ? { description } : {}), ...(d.projectId ? { projectId: d.projectId } : {}) }),
        );
        if (!up) return;
        const remote = await api.vision.dataset({ datasetId: up.datasetId });
        const linked = await api.datasets.linkRemote({ id: d.id, baseUrl: get().connection?.baseUrl ?? '', datasetId: up.datasetId, status: remote.status });
        set({ dataset: linked, remote });
        // The chat's config takes the uploaded dataset when it has none.
        const c = get().config;
        if (c && !c.datasetId) get().editConfig({ datasetId: up.datasetId });
        toast('training:toast.uploaded', { name: d.name });
        void get().validate();
      } catch (err) {
        showError(err);
      }
    },

    async validate() {
      const d = get().dataset;
      const id = d?.remote?.datasetId ?? get().remote?.datasetId;
      if (!id) return;
      try {
        // The platform may still be processing the upload: read the detail again first.
        const remote = await api.vision.dataset({ datasetId: id });
        const validation = await api.vision.validateDataset({ datasetId: id, expectedFormat: d?.format, ...(d ? { expectedClasses: d.classes.length } : {}) });
        set({ remote: { ...remote, validation }, validation });
      } catch (err) {
        showError(err);
      }
    },

    async cancelJob(jobId) {
      try {
        await api.jobs.cancel({ id: jobId });
      } catch (err) {
        showError(err);
      }
    },

    async loadWorkflows() {
      const { filter, page } = get();
      try {
        const r = await api.vision.workflows({ page, limit: PAGE_SIZE, ...(filter !== 'all' && filter !== 'unknown' ? { status: filter } : {}) });
        set({ workflows: r.workflows, hasNext: r.hasNext });
      } catch (err) {
        showError(err);
      }
    },

    setFilter(filter) {
      set({ filter, page: 1 });
      void get().loadWorkflows();
    },

    setPage(page) {
      set({ page: Math.max(1, page) });
      void get().loadWorkflows();
    },

    async select(workflowId) {
      set({ selected: workflowId, logs: [] });
      if (!workflowId) return;
      try {
        const [w, m] = await Promise.all([api.vision.workflow({ workflowId }), api.vision.metrics({ workflowId })]);
        set((s) => ({ workflows: upsert(s.workflows, w), points: { ...s.points, [workflowId]: mergePoints(s.points[workflowId] ?? [], m.points) } }));
        if (w.localModelId) set((s) => ({ pulled: { ...s.pulled, [workflowId]: w.localModelId! } }));
        if (w.state === 'pending' || w.state === 'training') void api.vision.follow({ workflowId }).catch(() => undefined);
        const logs = await api.vision.logs({ workflowId, tail: 50 });
        if (get().selected === workflowId) set({ logs: logs.logs });
      } catch (err) {
        showError(err);
      }
    },

    async cancelWorkflow(workflowId) {
      try {
        const w = await api.vision.cancelWorkflow({ workflowId });
        set((s) => ({ workflows: upsert(s.workflows, w) }));
      } catch (err) {
        showError(err);
      }
    },

    async pull(workflowId) {
      try {
        const r = await runJob<{ modelId: string }>('pull', () => api.vision.pull({ workflowId }));
        if (r) {
          set((s) => ({ pulled: { ...s.pulled, [workflowId]: r.modelId } }));
          toast('training:toast.pulled', { id: r.modelId });
        }
      } catch (err) {
        if ((err as { details?: { visionProblem?: string } }).details?.visionProblem === 'EXPORT_NOT_OFFERED') set((s) => ({ noExport: { ...s.noExport, [workflowId]: true } }));
        else showError(err);
      }
    },

    async runLocally(workflowId, projectId, frameSetId) {
      const modelId = get().pulled[workflowId];
      if (!modelId) return;
      try {
        let runId = 0;
        await runJob('run', async () => {
          const r = await api.inference.run({ projectId, modelId, frameSetId, mode: 'all' });
          runId = r.runId;
          set((s) => ({ runs: { ...s.runs, [workflowId]: r.runId } }));
          return r;
        });
        toast('training:toast.ranLocally', { run: runId });
      } catch (err) {
        showError(err);
      }
    },

    async runInCloud(workflowId, projectId, frameSetId) {
      try {
        await runJob('run', async () => {
          const r = await api.vision.batchPredict({ workflowId, projectId, frameSetId });
          set((s) => ({ runs: { ...s.runs, [workflowId]: r.runId } }));
          return r;
        });
      } catch (err) {
        showError(err);
      }
    },
  };

  async function sendRaw(text: string, context: Record<string, unknown> | undefined) {
    try {
      const reply = await api.vision.chatSend({ message: text, ...(get().sessionId ? { sessionId: get().sessionId! } : {}), ...(context ? { context } : {}) });
      set((s) => ({
        sessionId: reply.sessionId,
        reply,
        chat: reply.message ? [...s.chat, { role: 'assistant', content: reply.message }] : s.chat,
        config: reply.trainingConfig ?? s.config,
        configErrors: {},
      }));
      try {
        set({ sessions: await api.vision.chatSessions({}) });
      } catch {
        /* optional */
      }
    } catch (err) {
      showError(err);
    } finally {
      set({ sending: false });
    }
  }
});

function upsert(list: readonly VisionWorkflow[], w: VisionWorkflow): VisionWorkflow[] {
  const i = list.findIndex((x) => x.workflowId === w.workflowId);
  if (i < 0) return [w, ...list];
  if (list[i]!.updatedAt > w.updatedAt) return [...list];
  const out = list.slice();
  out[i] = w;
  return out;
}
