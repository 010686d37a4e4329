import { create } from 'zustand';
import type { Job, JobProgress } from '../../../main/common/contract';
import { api } from '../api';

/**
 * Live state of background jobs, fed by the core's events. Any page can show a job's progress by id;
 * `onJobUpdated` lets a page reload what a finished job changed.
 */
interface JobState {
  jobs: Record<string, Job>;
  progress: Record<string, JobProgress>;
  setJob(job: Job): void;
}

export const useJobs = create<JobState>((set) => ({
  jobs: {},
  progress: {},
  setJob: (job) => set((s) => ({ jobs: { ...s.jobs, [job.id]: job } })),
}));

const updateListeners = new Set<(job: Job) => void>();

/** Called for every `job.updated` event (status changes); returns an unsubscribe. */
export function onJobUpdated(listener: (job: Job) => void): () => void {
  updateListeners.add(listener);
  return () => updateListeners.delete(listener);
}

let wired = false;
/** Subscribes the store to the core's job events once. */
export function wireJobEvents() {
  if (wired) return;
  wired = true;
  api.events.on('job.progress', (p) => useJobs.setState((s) => ({ progress: { ...s.progress, [p.jobId]: p } })));
  api.events.on('job.updated', (job) => {
    useJobs.getState().setJob(job);
    updateListeners.forEach((l) => l(job));
  });
}

export const isActive = (status: Job['status'] | undefined) => status === 'queued' || status === 'running';
