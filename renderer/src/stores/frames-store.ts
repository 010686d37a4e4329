import { create } from 'zustand';
import type { ExtractParams, FrameSet } from '../../../main/common/contract';
import { api } from '../api';
import { pickSet } from './frame-set-selection';
import { onJobUpdated, useJobs } from './job-store';
import { useProjects } from './project-store';
import { showError } from './toast-store';

/** Frame sets of the open project and the actions on them (extract, cancel, resume, delete). */
interface FramesState {
  projectId: number | null;
  sets: FrameSet[];
  loading: boolean;
  /** The media the panel follows: its sets are listed and one of them is selected, never another file's. */
  mediaId: number | null;
  selectedSetId: number | null;
  load(projectId: number): Promise<void>;
  select(id: number | null): void;
  /** The selected media changed: show its sets and select its newest complete one (or the wanted one of it). */
  follow(mediaId: number | null, wanted?: number | null): void;
  extract(projectId: number, mediaId: number, params: ExtractParams): Promise<boolean>;
  cancel(set: FrameSet): Promise<void>;
  resume(set: FrameSet): Promise<void>;
  remove(set: FrameSet): Promise<void>;
}

export const useFrames = create<FramesState>((set, get) => ({
  projectId: null,
  sets: [],
  loading: false,
  mediaId: null,
  selectedSetId: null,

  async load(projectId) {
    const switching = get().projectId !== projectId;
    set(switching ? { projectId, sets: [], mediaId: null, selectedSetId: null, loading: true } : { loading: true });
    try {
      // Jobs too: after a reload the error and progress of unfinished sets come from the saved job.
      const [sets, jobs] = await Promise.all([api.frames.listSets({ projectId }), api.jobs.list({ projectId, limit: 200 })]);
      if (get().projectId !== projectId) return;
      jobs.forEach((j) => useJobs.getState().setJob(j));
      const { selectedSetId, mediaId } = get();
      set({ sets, selectedSetId: pickSet(sets, mediaId, selectedSetId) });
    } catch (err) {
      showError(err);
    } finally {
      set({ loading: false });
    }
  },

  select(id) {
    set({ selectedSetId: id });
  },

  follow(mediaId, wanted) {
    const { sets, selectedSetId } = get();
    set({ mediaId, selectedSetId: pickSet(sets, mediaId, wanted === undefined ? selectedSetId : wanted) });
  },

  async extract(projectId, mediaId, params) {
    try {
      const { jobId, frameSetId } = await api.frames.extract({ projectId, mediaId, params });
      // Show the new set at once; the job events fill in the rest.
      const job = await api.jobs.get({ id: jobId }).catch(() => null);
      if (job) useJobs.getState().setJob(job);
      if (get().projectId === projectId) {
        set({ selectedSetId: frameSetId });
        await get().load(projectId);
      }
      return true;
    } catch (err) {
      showError(err);
      return false;
    }
  },

  async cancel(fs) {
    if (!fs.jobId) return;
    try {
      useJobs.getState().setJob(await api.jobs.cancel({ id: fs.jobId }));
    } catch (err) {
      showError(err);
    }
    const pid = get().projectId;
    if (pid !== null) await get().load(pid);
  },

  async resume(fs) {
    if (!fs.jobId) return;
    try {
      useJobs.getState().setJob(await api.jobs.resume({ id: fs.jobId }));
    } catch (err) {
      showError(err);
    }
    const pid = get().projectId;
    if (pid !== null) await get().load(pid);
  },

  async remove(fs) {
    try {
      await api.frames.deleteSet({ id: fs.id });
      set((s) => {
        const sets = s.sets.filter((x) => x.id !== fs.id);
        return { sets, selectedSetId: pickSet(sets, s.mediaId, s.selectedSetId === fs.id ? null : s.selectedSetId) };
      });
      void useProjects.getState().refreshOne(fs.projectId);
    } catch (err) {
      showError(err);
    }
  },
}));

// A job of the open project changed state: its frame set did too (complete, failed, cancelled…).
onJobUpdated((job) => {
  const { projectId, load } = useFrames.getState();
  if (projectId !== null && job.projectId === projectId) {
    void load(projectId);
    if (job.status === 'completed') void useProjects.getState().refreshOne(projectId);
  }
});
