/** IPC handlers of the jobs domain. */
import type { ChannelsOf, HandlerGroup } from '../ipc/dispatch';
import type { JobRunner } from './job-runner';

export function jobHandlers(jobs: JobRunner): HandlerGroup<ChannelsOf<'jobs'>> {
  return {
    'jobs.list': (req) => jobs.list(req),
    'jobs.get': (req) => jobs.get(req.id),
    'jobs.cancel': (req) => jobs.cancel(req.id),
    'jobs.resume': (req) => jobs.resume(req.id),
  };
}
