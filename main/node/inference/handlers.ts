/** IPC handlers of the inference domain: the model library, devices, and model runs. */
import type { ChannelsOf, HandlerGroup } from '../ipc/dispatch';
import type { InferenceService } from './inference-service';

export function inferenceHandlers(inference: InferenceService): HandlerGroup<ChannelsOf<'models'> | ChannelsOf<'inference'>> {
  return {
    'models.list': () => inference.listModels(),
    'models.get': (req) => inference.getModel(req.id),
    'models.import': (req) => inference.importModel(req),
    'models.remove': (req) => ({ removed: inference.removeModel(req.id) }),
    'models.catalogue': () => inference.catalogue(),
    'models.download': (req) => inference.startDownload(req.id),
    'models.providers': (req) => inference.providers(req.refresh),
    'models.preferences': () => inference.prefs(),
    'models.setPreferences': (req) => inference.setPrefs(req),
    'models.installCuda': () => inference.startCudaInstall(),
    'inference.run': (req) => inference.startRun(req),
    'inference.plan': (req) => inference.planRun(req),
    'inference.runs': (req) => inference.listRuns(req.projectId),
    'inference.results': (req) => inference.results(req),
    'inference.summary': (req) => inference.summary(req.runId),
    'inference.export': (req) => inference.exportRun(req.runId, req.format),
    'inference.deleteRun': async (req) => ({ deleted: await inference.deleteRun(req.runId) }),
  };
}
