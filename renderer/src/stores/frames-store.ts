import { create } from 'zustand';
import type { ExtractParams, FrameSet } from '../../../main/common/contract';
import { api } from '../api';
import { pickSet } from './frame-set-selection';
import { placeOf, usePlace } from './place-store';
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

/** The set kept for a media of a project (a reload or restart comes back to it). */
const remembered = (projectId: number, mediaId: number | null) => (mediaId === null ? null : (placeOf(projectId).sets?.[String(mediaId)] ?? null));

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
      set({ sets, selectedSetId: pickSet(sets, mediaId, [selectedSetId, remembered(projectId, mediaId)]) });
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
    const { sets, selectedSetId, projectId } = get();
    const kept = projectId === null ? null : remembered(projectId, mediaId);
    // another media: the set kept for it comes before whatever was selected under the last one
    const order = mediaId !== get().mediaId ? [wanted, kept, selectedSetId] : [wanted, selectedSetId, kept];
    set({ mediaId, selectedSetId: pickSet(sets, mediaId, order) });
  },

  async extract(projectId, mediaId, params) {
    try {
      const { jobId, frameSetId } = await api.frames.extract({ projectId, mediaId, params });
      // Show the new set at once; the job events fill in the rest.
      const job = await api.jobs.get({ id: jobId }).catch(() => null);
      if (job) useJobs.getState().setJob(job);
      if (get().projectId === projectId) {
        set({ selectedSetId: frameSetId });
        usePlace.getState().rememberSet(projectId, mediaId, frameSetId);
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

// The chosen set is kept per media of the project (only while the panel follows a media and the set is its own).
useFrames.subscribe((s, prev) => {
  if (s.selectedSetId === prev.selectedSetId || s.selectedSetId === null || s.projectId === null || s.mediaId === null) return;
  const owner = s.sets.find((x) => x.id === s.selectedSetId)?.mediaId;
  if (owner === s.mediaId) usePlace.getState().rememberSet(s.projectId, s.mediaId, s.selectedSetId);
});

// A job of the open project changed state: its frame set did too (complete, failed, cancelled…).
onJobUpdated((job) => {
  const { projectId, load } = useFrames.getState();
  if (projectId !== null && job.projectId === projectId) {
    void load(projectId);
    if (job.status === 'completed') void useProjects.getState().refreshOne(projectId);
  }
});
