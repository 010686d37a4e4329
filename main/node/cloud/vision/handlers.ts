/** IPC handlers of the vision domain (seed 001): each channel of main/common/contract/vision.ts to the VisionService. */
import type { ChannelsOf, HandlerGroup } from '../../ipc/dispatch';
import type { VisionService } from './vision-service';

type C = ChannelsOf<'vision'>;

export function visionHandlers(s: VisionService): HandlerGroup<C> {
  return {
    'vision.connection': () => s.connection(),
    'vision.setConnection': (req) => s.setConnection(req.baseUrl),
    'vision.checkConnection': () => s.checkConnection(),
    'vision.account': () => s.account(),
    'vision.signIn': (req) => s.signIn(req.email, req.password),
    'vision.signOut': () => s.signOut(),
    'vision.profile': () => s.profile(),
    'vision.projects': () => s.projects(),
    'vision.chatSend': (req) => s.chatSend(req),
    'vision.chatSessions': () => s.chatSessions(),
    'vision.chatSession': (req) => s.chatSession(req.sessionId),
    'vision.chatDelete': (req) => s.chatDelete(req.sessionId),
    'vision.uploadDataset': (req) => s.startUpload(req),
    'vision.datasets': (req) => s.listDatasets(req),
    'vision.dataset': (req) => s.getDataset(req.datasetId),
    'vision.validateDataset': (req) => s.validateDataset(req.datasetId, { expectedFormat: req.expectedFormat, expectedClasses: req.expectedClasses }),
    'vision.models': (req) => s.models(req),
    'vision.model': (req) => s.model(req.modelId),
    'vision.createWorkflow': (req) => s.createWorkflow(req),
    'vision.workflows': (req) => s.listWorkflows(req),
    'vision.workflow': (req) => s.getWorkflow(req.workflowId),
    'vision.metrics': (req) => s.metrics(req.workflowId),
    'vision.logs': (req) => s.logs(req.workflowId, req.tail),
    'vision.cancelWorkflow': (req) => s.cancelWorkflow(req.workflowId),
    'vision.follow': (req) => s.followChecked(req.workflowId),
    'vision.pull': (req) => s.startPull(req.workflowId),
    'vision.predict': (req) => (req.imageId !== undefined ? s.predictImage(req.workflowId, req.imageId) : s.predict(req.workflowId, req.path!)),
    'vision.batchPredict': (req) => s.startBatch(req),
  };
}
