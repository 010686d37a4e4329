/**
 * Always on (wired once by the app shell): keeps the Cloud store live from the core's cloud events and tells
 * the creator when a cloud job finishes, on whatever page they are. The Electron shell adds an OS
 * notification for the same event in the main process.
 */
import { api } from '../api';
import { finishToast, finishTracker as tracker } from './cloud-finish';
import { wireComputeEvents } from './compute-store';
import { useCloud } from './cloud-store';
import { useToasts } from './toast-store';

let wired = false;

/** Subscribes to `cloud.jobUpdated` and `cloud.accountChanged` once. */
export function wireCloudEvents(): void {
  if (wired) return;
  wired = true;
  api.events.on('cloud.jobUpdated', (job) => {
    useCloud.getState().upsertJob(job);
    const finished = tracker.see(job);
    if (finished) useToasts.getState().push(finishToast(job, finished));
  });
  api.events.on('cloud.accountChanged', (account) => {
    useCloud.setState({ account });
  });
  wireComputeEvents(); // GPU sessions: live rows on any page, and the warning before one ends
}
