import { create } from 'zustand';
import type {
  CatalogueEntry,
  ExportFormat,
  FrameSet,
  InferencePrefs,
  InferenceResultItem,
  ModelManifest,
  ModelRun,
  ModelTask,
  ProviderReport,
  RunPlan,
  RunSummary,
} from '../../../../main/common/contract';
import { api } from '../../api';
import { onJobUpdated, useJobs } from '../../stores/job-store';
import { placeOf, stillThere, usePlace } from '../../stores/place-store';
import { showError, useToasts } from '../../stores/toast-store';

/** The models page: library, catalogue, devices, runs of the open project and the results shown. */
interface ModelsState {
  models: ModelManifest[];
  catalogue: CatalogueEntry[];
  report: ProviderReport | null;
  prefs: InferencePrefs | null;
  /** catalogue id → download job id */
  downloads: Record<string, string>;
  cudaJobId: string | null;
  projectId: number | null;
  frameSets: FrameSet[];
  /** media id → file name, so a frame set is named by its source video, not by its number */
  mediaNames: Record<number, string>;
  runs: ModelRun[];
  selectedRunId: number | null;
  summary: RunSummary | null;
  results: InferenceResultItem[];
  resultsTotal: number;
  /** A further page of results is being fetched. */
  loadingMore: boolean;
  loadLibrary(): Promise<void>;
  loadProviders(refresh?: boolean): Promise<void>;
  setPrefs(patch: Partial<InferencePrefs>): Promise<void>;
  importModel(path: string, task: ModelTask, labels: string[]): Promise<boolean>;
  removeModel(id: string): Promise<void>;
  download(id: string): Promise<void>;
  installCuda(): Promise<void>;
  loadProject(projectId: number): Promise<void>;
  /** How many images a run would process (null when it cannot be told: the error is shown). */
  planRun(req: { projectId: number; modelId: string; frameSetId?: number; mode: 'all' | 'remaining' }): Promise<RunPlan | null>;
  startRun(req: { projectId: number; modelId: string; frameSetId?: number; mode: 'all' | 'remaining'; batchSize?: number }): Promise<boolean>;
  cancelRun(run: ModelRun): Promise<void>;
  resumeRun(run: ModelRun): Promise<void>;
  deleteRun(run: ModelRun): Promise<void>;
  selectRun(id: number | null): Promise<void>;
  loadMoreResults(): Promise<void>;
  exportRun(runId: number, format: ExportFormat): Promise<string | null>;
}

const PAGE = 48;

export const useModels = create<ModelsState>((set, get) => ({
  models: [],
  catalogue: [],
  report: null,
  prefs: null,
  downloads: {},
  cudaJobId: null,
  projectId: null,
  frameSets: [],
  mediaNames: {},
  runs: [],
  selectedRunId: null,
  summary: null,
  results: [],
  resultsTotal: 0,
  loadingMore: false,

  async loadLibrary() {
    try {
      const [models, catalogue, prefs] = await Promise.all([api.models.list({}), api.models.catalogue({}), api.models.preferences({})]);
      set({ models, catalogue, prefs });
    } catch (err) {
      showError(err);
    }
  },

  async loadProviders(refresh = false) {
    try {
      set({ report: await api.models.providers({ refresh }) });
    } catch (err) {
      showError(err);
    }
  },

  async setPrefs(patch) {
    const before = get().prefs;
    // Optimistic: the switch moves at once; the saved value (or the old one on error) follows.
    if (before) set({ prefs: { ...before, ...patch, minScores: { ...before.minScores, ...patch.minScores } } });
    try {
      set({ prefs: await api.models.setPreferences(patch) });
      // only force CPU changes what the devices report says (a threshold slider must not re-probe them)
      if (patch.forceCpu !== undefined) await get().loadProviders(true);
      // the summary counts detections at the remembered threshold
      const runId = get().selectedRunId;
      if (patch.minScores && runId !== null) {
        const summary = await api.inference.summary({ runId });
        if (get().selectedRunId === runId) set({ summary });
      }
    } catch (err) {
      set({ prefs: before });
      showError(err);
    }
  },

  async importModel(path, task, labels) {
    try {
      const m = await api.models.import({ path, task, labels: labels.length ? labels : undefined });
      useToasts.getState().push({ kind: 'success', titleKey: 'models:library.imported', titleValues: { name: m.name } });
      await get().loadLibrary();
      return true;
    } catch (err) {
      showError(err);
      return false;
    }
  },

  async removeModel(id) {
    try {
      await api.models.remove({ id });
      await get().loadLibrary();
    } catch (err) {
      showError(err);
    }
  },

  async download(id) {
    try {
      const { jobId } = await api.models.download({ id });
      set((s) => ({ downloads: { ...s.downloads, [id]: jobId } }));
    } catch (err) {
      showError(err);
    }
  },

  async installCuda() {
    try {
      const { jobId } = await api.models.installCuda({});
      set({ cudaJobId: jobId });
    } catch (err) {
      showError(err);
    }
  },

  async loadProject(projectId) {
    const switching = get().projectId !== projectId;
    if (switching) set({ projectId, frameSets: [], runs: [], selectedRunId: null, summary: null, results: [], resultsTotal: 0 });
    try {
      const [frameSets, runs, jobs, media] = await Promise.all([
        api.frames.listSets({ projectId }),
        api.inference.runs({ projectId }),
        api.jobs.list({ projectId, limit: 200 }),
        api.media.list({ projectId }),
      ]);
      if (get().projectId !== projectId) return;
      jobs.forEach((j) => useJobs.getState().setJob(j));
      set({ frameSets, runs, mediaNames: Object.fromEntries(media.map((m) => [m.id, m.name])) });
      // the run shown now, else the one kept for this project (a reload, a restart), else the newest
      const selected = stillThere(runs, get().selectedRunId) ?? stillThere(runs, placeOf(projectId).runId);
      if (selected !== null) await get().selectRun(selected);
      else if (runs[0]) await get().selectRun(runs[0].id);
    } catch (err) {
      showError(err);
    }
  },

  async planRun(req) {
    try {
      return await api.inference.plan(req);
    } catch (err) {
      showError(err);
      return null;
    }
  },

  async startRun(req) {
    try {
      const { jobId, runId } = await api.inference.run(req);
      const job = await api.jobs.get({ id: jobId }).catch(() => null);
      if (job) useJobs.getState().setJob(job);
      set({ selectedRunId: runId });
      await get().loadProject(req.projectId);
      return true;
    } catch (err) {
      showError(err);
      return false;
    }
  },

  async cancelRun(run) {
    if (!run.jobId) return;
    try {
      await api.jobs.cancel({ id: run.jobId });
    } catch (err) {
      showError(err);
    }
  },

  async resumeRun(run) {
    if (!run.jobId) return;
    try {
      useJobs.getState().setJob(await api.jobs.resume({ id: run.jobId }));
      if (get().projectId !== null) await get().loadProject(get().projectId!);
    } catch (err) {
      showError(err);
    }
  },

  async deleteRun(run) {
    try {
      await api.inference.deleteRun({ runId: run.id });
      if (get().selectedRunId === run.id) set({ selectedRunId: null, summary: null, results: [], resultsTotal: 0 });
      if (get().projectId !== null) await get().loadProject(get().projectId!);
    } catch (err) {
      showError(err);
    }
  },

  async selectRun(id) {
    set({ selectedRunId: id, ...(id !== get().selectedRunId ? { summary: null, results: [], resultsTotal: 0 } : {}) });
    if (id === null) return;
    const pid = get().projectId;
    if (pid !== null) usePlace.getState().remember(pid, { runId: id });
    try {
      const [summary, page] = await Promise.all([api.inference.summary({ runId: id }), api.inference.results({ runId: id, offset: 0, limit: PAGE })]);
      if (get().selectedRunId !== id) return;
      set({ summary, results: page.items, resultsTotal: page.total });
    } catch (err) {
      showError(err);
    }
  },

  async loadMoreResults() {
    const { selectedRunId, results, loadingMore } = get();
    // A second click while a page loads would ask for the same offset and show those results twice.
    if (selectedRunId === null || loadingMore) return;
    set({ loadingMore: true });
    try {
      const page = await api.inference.results({ runId: selectedRunId, offset: results.length, limit: PAGE });
      if (get().selectedRunId !== selectedRunId) return;
      set((s) => ({ results: [...s.results, ...page.items], resultsTotal: page.total }));
    } catch (err) {
      showError(err);
    } finally {
      set({ loadingMore: false });
    }
  },

  async exportRun(runId, format) {
    try {
      const res = await api.inference.export({ runId, format });
      return res.file;
    } catch (err) {
      showError(err);
      return null;
    }
  },
}));

let wired = false;
/** Reloads what a finished download, CUDA install or model run changed. */
export function wireModelJobs() {
  if (wired) return;
  wired = true;
  onJobUpdated((job) => {
    const s = useModels.getState();
    if (job.status === 'running' || job.status === 'queued') return;
    if (job.kind === 'models.download') {
      void s.loadLibrary();
      if (job.status === 'failed' && job.error) showError(job.error);
    } else if (job.kind === 'models.installCuda') {
      void s.loadProviders(true);
      if (job.status === 'failed' && job.error) showError(job.error);
    } else if (job.kind === 'inference.run' && s.projectId !== null && job.projectId === s.projectId) {
      void s.loadProject(s.projectId);
    }
  });
}
