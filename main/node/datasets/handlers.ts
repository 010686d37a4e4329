/** IPC handlers of the datasets domain: build, check, pack (jobs), list, items, upload link, delete. */
import type { ChannelsOf, HandlerGroup } from '../ipc/dispatch';
import type { DatasetService } from './dataset-service';

export function datasetHandlers(datasets: DatasetService): HandlerGroup<ChannelsOf<'datasets'>> {
  return {
    'datasets.list': (req) => datasets.list(req.projectId),
    'datasets.get': (req) => datasets.get(req.id),
    'datasets.items': (req) => datasets.items(req),
    'datasets.build': (req) => datasets.startBuild(req),
    'datasets.check': (req) => datasets.startCheck(req.id, req.options),
    'datasets.pack': (req) => datasets.startPack(req.id, req.force),
    'datasets.linkRemote': (req) => datasets.linkRemote(req.id, { baseUrl: req.baseUrl, datasetId: req.datasetId, status: req.status }),
    'datasets.delete': async (req) => ({ deleted: await datasets.delete(req.id) }),
  };
}
