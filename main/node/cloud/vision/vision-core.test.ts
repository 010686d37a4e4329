/**
 * The vision domain through the core, as the renderer reaches it: every call through its contract (request parsed,
 * reply checked against the response schema), against the vision emulator. Upload, pull and batch inference run as
 * jobs; the pulled model runs locally through the studio's inference run (worker, results per image) and the cloud
 * batch is stored as a model run beside it, so the two compare.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVisionEmulator, type VisionEmulator } from '../../../../emulators/vision';
import { contract, type EventName, type EventPayload, type Job, type ParsedRequestOf, type RequestOf, type ResponseOf } from '../../../common/contract';
import { createCore, type Core } from '../../core';
import { nowIso } from '../../store/database';
import { CLASSES, classZip, subject, until } from './scripted-platform.test-kit';

type Channel = keyof typeof contract;

const USER = { email: 'core@example.com', password: 'Core-Pass-2026!' };
let em: VisionEmulator;
let work: string;
let core: Core;
const events: { name: EventName; payload: unknown }[] = [];

async function call<C extends Channel>(channel: C, req: RequestOf<C>): Promise<ResponseOf<C>> {
  const spec = contract[channel];
  const parsed = spec.request.parse(req) as ParsedRequestOf<C>;
  const handler = core.handlers[channel] as (r: ParsedRequestOf<C>, caller: { origin: string; isMainFrame: boolean }) => Promise<ResponseOf<C>> | ResponseOf<C>;
  return spec.response.parse(await handler(parsed, { origin: 'test', isMainFrame: true })) as ResponseOf<C>;
}

function of<E extends EventName>(name: E): EventPayload<E>[] {
  return events.filter((e) => e.name === name).map((e) => e.payload as EventPayload<E>);
}

async function jobDone(jobId: string): Promise<Job> {
  await until(() => !['running', 'queued'].includes(core.jobs.get(jobId).status), 60_000);
  const j = core.jobs.get(jobId);
  expect(j.status, JSON.stringify(j.error)).toBe('completed');
  return j;
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-vision-core-'));
  em = await startVisionEmulator({ quiet: true, epochDelayMs: 0 });
  em.createUser({ ...USER, plan: 'pro' });
  core = createCore({ dataDir: path.join(work, 'data'), shell: 'cli', cloud: { keychain: false, client: { baseDelayMs: 2, maxDelayMs: 10 }, vision: { liveBackoff: { first: 10, max: 50 }, pollMs: { first: 5, max: 20 } } } });
  core.bus.onAny((name, payload) => events.push({ name, payload }));
}, 60_000);
afterAll(async () => {
  await core?.close();
  await em?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('vision through the core', () => {
  it('connection, sign-in, profile, chat; upload, dataset, validate, catalogue; train to completion; pull; local and cloud runs over project images', async () => {
    expect((await call('vision.setConnection', { baseUrl: em.url })).baseUrl).toBe(em.url);
    expect((await call('vision.checkConnection', {})).reachable).toBe(true);
    expect((await call('vision.account', {})).state).toBe('signedOut');
    expect((await call('vision.signIn', USER)).state).toBe('signedIn');
    const profile = await call('vision.profile', {});
    expect(profile).toMatchObject({ plan: 'pro', limits: { concurrentWorkflows: 5 }, blocked: null });

    const reply = await call('vision.chatSend', { message: 'Make a resnet50 classifier for 3 kinds of cats' });
    expect((await call('vision.chatSessions', {})).map((s) => s.sessionId)).toContain(reply.sessionId);
    expect((await call('vision.chatSession', { sessionId: reply.sessionId })).messages.length).toBeGreaterThanOrEqual(2);

    const zip = await classZip(path.join(work, 'subjects.zip'), 10);
    const up = await call('vision.uploadDataset', { path: zip, name: 'subjects', format: 'imagefolder' });
    const datasetId = ((await jobDone(up.jobId)).result as { datasetId: string }).datasetId;
    expect(of('job.progress').some((p) => p.jobId === up.jobId && p.stage === 'uploading')).toBe(true);
    await em.waitForDataset(datasetId, 20_000);
    expect((await call('vision.dataset', { datasetId })).statistics?.classes).toHaveLength(3);
    expect((await call('vision.validateDataset', { datasetId, expectedClasses: 3 })).datasetId).toBe(datasetId);
    expect((await call('vision.datasets', {})).datasets.some((d) => d.datasetId === datasetId && d.validation !== null)).toBe(true);
    expect((await call('vision.model', { modelId: 'resnet50' })).inputSize?.[0]).toBe(224);
    expect((await call('vision.models', { taskType: 'classification' })).models.length).toBeGreaterThan(0);

    const wf = await call('vision.createWorkflow', { name: 'subjects', taskType: 'classification', model: 'resnet50', datasetId, classNames: CLASSES, hyperparameters: { epochs: 5, learningRate: 0.01 } });
    await until(() => of('vision.workflowFinished').some((f) => f.workflow.workflowId === wf.workflowId), 60_000);
    expect(of('vision.workflowUpdated').some((w) => w.workflowId === wf.workflowId && w.live === 'live')).toBe(true);
    expect((await call('vision.metrics', { workflowId: wf.workflowId })).points.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect((await call('vision.workflows', { status: 'completed', limit: 100 })).workflows.map((w) => w.workflowId)).toContain(wf.workflowId);
    expect((await call('vision.logs', { workflowId: wf.workflowId, tail: 5 })).logs.length).toBeGreaterThan(0);

    const pull = await call('vision.pull', { workflowId: wf.workflowId });
    const modelId = ((await jobDone(pull.jobId)).result as { modelId: string }).modelId;
    const model = (await call('models.list', {})).find((m) => m.id === modelId)!;
    expect(model).toMatchObject({ source: 'cloud-trained', labels: CLASSES, lineage: { workflowId: wf.workflowId, datasetId, baseModel: 'resnet50' } });
    expect((await call('vision.workflow', { workflowId: wf.workflowId })).localModelId).toBe(modelId);

    // A project with new images of the three subjects.
    const project = core.projects.create({ name: 'subjects' });
    const dir = path.join(core.dataDir, 'imports');
    fs.mkdirSync(dir, { recursive: true });
    const ids: number[] = [];
    for (let k = 0; k < 3; k++) {
      const rel = `imports/${k}.png`;
      fs.writeFileSync(path.join(core.dataDir, rel), await subject(k, 300 + k, 64));
      const now = nowIso();
      ids.push(Number(core.db.prepare(`INSERT INTO images (project_id, kind, file, width, height, created_at, updated_at) VALUES (?, 'imported', ?, 64, 64, ?, ?)`).run(project.id, rel, now, now).lastInsertRowid));
    }
    const local = await call('inference.run', { projectId: project.id, modelId, imageIds: ids, mode: 'all' });
    await jobDone(local.jobId);
    const localLabels = (await call('inference.results', { runId: local.runId })).items.map((i) => (i.output?.task === 'classification' ? i.output.top[0]!.label : null));
    expect(localLabels).toEqual(CLASSES);

    const cloud = await call('vision.batchPredict', { workflowId: wf.workflowId, projectId: project.id, imageIds: ids });
    await jobDone(cloud.jobId);
    const runs = await call('inference.runs', { projectId: project.id });
    expect(runs.map((r) => r.id).sort()).toEqual([local.runId, cloud.runId].sort());
    expect(runs.find((r) => r.id === cloud.runId)).toMatchObject({ status: 'completed', provider: 'cloud', done: 3, failed: 0 });
    const cloudLabels = (await call('inference.results', { runId: cloud.runId })).items.map((i) => (i.output?.task === 'classification' ? i.output.top[0]!.label : null));
    expect(cloudLabels).toEqual(localLabels);
    const one = await call('vision.predict', { workflowId: wf.workflowId, imageId: ids[2]! });
    expect(one.predictions[0]!.label).toBe(CLASSES[2]);

    expect((await call('vision.chatDelete', { sessionId: reply.sessionId })).deleted).toBe(true);
    expect((await call('vision.signOut', {})).state).toBe('signedOut');
  }, 180_000);
});
