import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Job, VisionChatReply, VisionMetricPoint } from '../../../main/common/contract';

const sent: { message: string; sessionId?: string; context?: Record<string, unknown> }[] = [];
const events = new Map<string, (p: unknown) => void>();
let createError: unknown = null;
const replies: VisionChatReply[] = [];
const jobResults = new Map<string, Job>();

const job = (id: string, result: unknown, status: Job['status'] = 'completed'): Job => ({
  id,
  kind: 'x',
  projectId: 1,
  status,
  params: {},
  progress: 1,
  stage: null,
  error: status === 'failed' ? { code: 'INTERNAL', message: 'boom' } : null,
  result,
  createdAt: '',
  updatedAt: '',
  finishedAt: '',
});

// The store talks to the studio through ../api: here the vision service and the jobs are a few values in memory.
vi.mock('../api', () => ({
  api: {
    events: { on: (name: string, fn: (p: unknown) => void) => (events.set(name, fn), () => events.delete(name)) },
    jobs: { get: vi.fn(async ({ id }: { id: string }) => jobResults.get(id)!), cancel: vi.fn(async () => undefined) },
    vision: {
      connection: vi.fn(async () => ({ baseUrl: 'http://127.0.0.1:1/api/v1', emulator: true, source: 'emulator' })),
      account: vi.fn(async () => ({ state: 'signedOut', email: null, reason: null, vault: null })),
      checkConnection: vi.fn(async () => ({ baseUrl: null, reachable: true, latencyMs: 1, message: null })),
      chatSend: vi.fn(async (req: { message: string; sessionId?: string; context?: Record<string, unknown> }) => {
        sent.push(req);
        return replies.shift()!;
      }),
      chatSessions: vi.fn(async () => []),
      createWorkflow: vi.fn(async () => {
        if (createError) throw createError;
        return wf('wf_1');
      }),
      workflow: vi.fn(async () => wf('wf_1')),
      metrics: vi.fn(async () => ({ workflowId: 'wf_1', points: [pt(1), pt(2)] })),
      follow: vi.fn(async () => wf('wf_1')),
      logs: vi.fn(async () => ({ workflowId: 'wf_1', logs: [], totalLines: 0 })),
      profile: vi.fn(async () => ({ rateLimit: { waitingUntil: null } })),
      uploadDataset: vi.fn(async () => ({ jobId: 'up' })),
      dataset: vi.fn(async () => ({ datasetId: 'ds_9', status: 'ready', statistics: null, validation: null })),
      validateDataset: vi.fn(async () => ({ datasetId: 'ds_9', valid: true, issues: [], recommendations: [], checkedAt: '' })),
      pull: vi.fn(async () => ({ jobId: 'pull' })),
    },
    datasets: {
      pack: vi.fn(async () => ({ jobId: 'pack' })),
      linkRemote: vi.fn(async (r: { id: number; datasetId: string }) => ({ ...(dataset() as object), remote: { baseUrl: '', datasetId: r.datasetId, status: 'ready', uploadedAt: '' } })),
    },
  },
}));

function wf(workflowId: string) {
  return { workflowId, name: 'cats', state: 'training', updatedAt: '2026-12-02T10:00:00.000Z', localModelId: null } as never;
}
function pt(epoch: number): VisionMetricPoint {
  return { epoch, step: null, timestamp: null, metrics: { loss: 1 / epoch }, etaMinutes: null, gpuUtilization: null, memoryUsageGb: null, source: 'history' };
}
function dataset() {
  return { id: 3, projectId: 1, name: 'cats', task: 'classification', format: 'imagefolder', classes: ['a', 'b'], report: { ok: true }, remote: null } as never;
}

const { useTraining } = await import('./training-store');

const question = (id: string, field: string, required = true) => ({ id, field, question: field + '?', required, suggestions: [] });

beforeEach(() => {
  sent.length = 0;
  replies.length = 0;
  createError = null;
  useTraining.setState({ sessionId: null, chat: [], reply: null, config: null, configErrors: {}, workflows: [], points: {}, dataset: null, remote: null, jobs: [] });
});

describe('training store', () => {
  it('chat: the first message opens a session; answers go as field lines with structured context in the same session; the final config is kept', async () => {
    replies.push({ sessionId: 'sess_1', type: 'clarification_needed', message: '몇 가지만 확인할게요', parsedIntent: null, questions: [question('q1', 'class_names'), question('q2', 'dataset')], trainingConfig: null, actions: [] });
    await useTraining.getState().send('ResNet50으로 고양이 3종류 분류하는 모델 만들어줘');
    expect(sent[0]).toEqual({ message: 'ResNet50으로 고양이 3종류 분류하는 모델 만들어줘' });
    expect(useTraining.getState().sessionId).toBe('sess_1');
    expect(useTraining.getState().chat.map((c) => c.role)).toEqual(['user', 'assistant']);

    const config = { taskType: 'classification', modelName: 'resnet50', modelSource: 'timm', numClasses: 3, classNames: ['치즈', '나비', '츄르'], datasetId: 'ds_9', datasetSource: 'uploaded', hyperparameters: { epochs: 100 } };
    replies.push({ sessionId: 'sess_1', type: 'intent_complete', message: '학습을 시작하시겠어요?', parsedIntent: null, questions: [], trainingConfig: config, actions: [{ type: 'start_training', label: '학습 시작' }] });
    await useTraining.getState().answer({ q1: '치즈, 나비, 츄르', q2: 'ds_9' });
    expect(sent[1]).toEqual({ message: 'class_names: 치즈, 나비, 츄르\ndataset: ds_9', sessionId: 'sess_1', context: { class_names: ['치즈', '나비', '츄르'], dataset: 'ds_9', dataset_id: 'ds_9' } });
    expect(useTraining.getState().config).toEqual(config);
    useTraining.getState().editConfig({ hyperparameters: { epochs: 12 } });
    expect(useTraining.getState().config!.hyperparameters).toEqual({ epochs: 12 });
  });

  it('start: 422 field errors land next to their fields, not in a toast', async () => {
    useTraining.setState({ config: { taskType: 'classification', modelName: 'resnet50', modelSource: null, numClasses: 2, classNames: ['a', 'b'], datasetId: 'ds_9', datasetSource: null, hyperparameters: { epochs: 5000 } } });
    createError = { code: 'INVALID_INPUT', message: 'Request validation failed', details: { fieldErrors: [{ field: 'epochs', message: 'Must be between 1 and 1000' }] } };
    expect(await useTraining.getState().startTraining({ name: 'x' })).toBeNull();
    expect(useTraining.getState().configErrors).toEqual({ epochs: 'Must be between 1 and 1000' });
    createError = null;
    expect(await useTraining.getState().startTraining({ name: 'x' })).toMatchObject({ workflowId: 'wf_1' });
    expect(useTraining.getState().configErrors).toEqual({});
    expect(useTraining.getState().selected).toBe('wf_1');
  });

  it('metrics: the history and live events make one point per epoch, in order', async () => {
    useTraining.setState({ workflows: [] });
    await useTraining.getState().load();
    await useTraining.getState().select('wf_1');
    events.get('vision.metrics')!({ workflowId: 'wf_1', points: [pt(3), pt(2)] });
    expect(useTraining.getState().points.wf_1!.map((p) => p.epoch)).toEqual([1, 2, 3]);
  });

  it('pack then upload: the package path goes to the upload, the platform id is linked and the config takes it', async () => {
    jobResults.set('pack', job('pack', { datasetId: 3, format: 'imagefolder', file: 'datasets/3/cats.zip', path: '/data/datasets/3/cats.zip', bytes: 10, entries: 3 }));
    jobResults.set('up', job('up', { datasetId: 'ds_9' }));
    useTraining.setState({ dataset: dataset(), config: { taskType: 'classification', modelName: 'resnet50', modelSource: null, numClasses: 2, classNames: ['a', 'b'], datasetId: null, datasetSource: null, hyperparameters: {} } });
    const { api } = await import('../api');
    await useTraining.getState().packAndUpload({});
    expect(api.vision.uploadDataset).toHaveBeenCalledWith({ path: '/data/datasets/3/cats.zip', name: 'cats', format: 'imagefolder', projectId: 1 });
    expect(useTraining.getState().dataset!.remote!.datasetId).toBe('ds_9');
    expect(useTraining.getState().config!.datasetId).toBe('ds_9');
    expect(useTraining.getState().jobs).toEqual([]);
  });

  it('pull: a 404 export offers cloud inference instead of an error toast', async () => {
    jobResults.set('pull', { ...job('pull', null, 'failed'), error: { code: 'NOT_FOUND', message: 'no export', details: { visionProblem: 'EXPORT_NOT_OFFERED' } } });
    await useTraining.getState().pull('wf_1');
    expect(useTraining.getState().noExport.wf_1).toBe(true);
    jobResults.set('pull', job('pull', { modelId: 'cloud-wf_1' }));
    await useTraining.getState().pull('wf_1');
    expect(useTraining.getState().pulled.wf_1).toBe('cloud-wf_1');
  });
});
