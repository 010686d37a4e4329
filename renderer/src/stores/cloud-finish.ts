/**
 * When a cloud job has just finished, and what the creator is told. Pure, so the notifier (any page) and its
 * test agree on it: a job is announced once per final state it reaches (a retried job that fails again is
 * announced again), never for updates after it finished.
 */
import type { CloudJob } from '../../../main/common/contract';
import type { Toast } from './toast-store';

export type FinalState = 'done' | 'failed';

export const isFinal = (state: CloudJob['state']): state is FinalState => state === 'done' || state === 'failed';

/** Remembers the last state seen per job; returns the final state the job just reached, else null. */
export function createFinishTracker() {
  const last = new Map<string, CloudJob['state']>();
  return {
    /** Seeds what is already known (jobs listed before events arrived) so they are not announced again. */
    know(jobs: readonly CloudJob[]) {
      for (const j of jobs) if (!last.has(j.id)) last.set(j.id, j.state);
    },
    see(job: CloudJob): FinalState | null {
      const prev = last.get(job.id);
      last.set(job.id, job.state);
      return isFinal(job.state) && prev !== job.state ? job.state : null;
    },
  };
}

/** The toast for a finished job: success with its name, or the error code with the cloud's sentence. */
export function finishToast(job: CloudJob, state: FinalState): Omit<Toast, 'id'> {
  const name = job.fields.itemName || job.requestId || job.id;
  if (state === 'done') return { kind: 'success', titleKey: 'cloud:notify.done', titleValues: { name } };
  const toast: Omit<Toast, 'id'> = { kind: 'error', code: job.error?.code ?? 'REMOTE', message: `${name}: ${job.error?.message ?? job.note ?? 'the cloud could not make this item.'}` };
  // A coded error is shown in the creator's language, after the item's name.
  if (job.error?.messageCode) toast.coded = { messageCode: job.error.messageCode, messageParams: job.error.messageParams ?? {}, context: name };
  return toast;
}

/** The app's one tracker: the store seeds it with listed jobs, the notifier feeds it events. */
export const finishTracker = createFinishTracker();
