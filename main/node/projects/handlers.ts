/** IPC handlers of the projects domain. */
import type { ChannelsOf, HandlerGroup } from '../ipc/dispatch';
import type { ProjectService } from './project-service';

export interface ProjectHandlerDeps {
  projects: ProjectService;
  /** Stops every job that works on the project's files before they go (extractions, model runs, cloud jobs). */
  cancelProjectJobs(projectId: number): Promise<void>;
}

export function projectHandlers({ projects, cancelProjectJobs }: ProjectHandlerDeps): HandlerGroup<ChannelsOf<'projects'>> {
  return {
    'projects.list': () => projects.list(),
    'projects.get': (req) => projects.get(req.id),
    'projects.create': (req) => projects.create(req),
    'projects.update': (req) => projects.update(req),
    'projects.delete': async (req) => {
      await cancelProjectJobs(req.id);
      return { deleted: projects.delete(req.id) };
    },
  };
}
