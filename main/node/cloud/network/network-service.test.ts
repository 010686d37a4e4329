/**
 * The creator's side against the network emulator (real SQLite, real HTTP, real ed25519): a frame set and an
 * imported ONNX classifier go up by sha256, the job is paid with credit, two nodes (the contributor's own
 * NodeClient with other identities) run its replicas, and the outputs come home as a model run of the project.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startNetworkEmulator, type NetworkEmulator } from '../../../../emulators/network';
import { readBody, startLoopback } from '../../../../test-support/loopback-server';
import { AppError } from '../../../common/app-error';
import { newIdentity, type NodeIdentity } from '../../contributor/identity';
import { NodeClient } from '../../contributor/node-client';
import { signResult } from '../../contributor/signing';
import { EventBus } from '../../event-bus';
import { InferenceService } from '../../inference/inference-service';
import { writeRgbPng } from '../../inference/testing/fixtures';
import { linearClassifier } from '../../inference/testing/onnx-builder';
import { JobRunner } from '../../jobs/job-runner';
import { nowIso, openDatabase, type Db } from '../../store/database';
import { ConnectionSettings } from '../connection';
import { NetworkService, toInferenceOutput } from './network-service';

let dir: string;
let db: Db;
let jobs: JobRunner;
let inference: InferenceService;
let em: NetworkEmulator;
let service: NetworkService;
let vault: Map<string, string>;
const fast = { maxRetries: 0, sleep: async () => undefined };

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-netsvc-'));
  db = openDatabase(path.join(dir, 'studio.db'));
  jobs = new JobRunner(db, new EventBus());
  inference = new InferenceService(db, dir, jobs, { probeGpus: async () => ({ gpus: [], problem: 'test machine' }) });
  const now = nowIso();
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
  em = await startNetworkEmulator({ quiet: true });
  vault = new Map();
  service = makeService({ KRAKEN_NETWORK_URL: em.url });
});
afterEach(async () => {
  await service.close();
  await em.close();
  await jobs.shutdown();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function makeService(env: NodeJS.ProcessEnv): NetworkService {
  return new NetworkService({
    db,
    dataDir: dir,
    connection: new ConnectionSettings({ db, env }),
    vault: { get: (k) => vault.get(k) ?? null, set: (k, v) => void vault.set(k, v) },
    library: inference.library,
    runs: inference.runs,
    client: fast,
    pollMs: 1,
    background: false,
  });
}

/** A frame set of n 2×2 PNGs (the red of the top-left pixel is i·40, so the classifier's answers differ). */
async function addFrames(n: number, opts: { same?: boolean } = {}): Promise<number> {
  const now = nowIso();
  db.prepare(`INSERT INTO media_sources (id, project_id, kind, name, path, size_bytes, sha256, probe_json, created_at) VALUES (1, 1, 'video', 'v', '/v', 1, 'x', '{}', ?)`).run(now);
  db.prepare(`INSERT INTO frame_sets (id, project_id, media_id, params_json, status, dir, created_at, updated_at) VALUES (1, 1, 1, '{}', 'complete', 'frames/1', ?, ?)`).run(now, now);
  for (let i = 1; i <= n; i++) {
    const rel = `frames/1/${String(i).padStart(6, '0')}.png`;
    const red = opts.same ? 200 : i * 40;
    await writeRgbPng(path.join(dir, rel), 2, 2, [red, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    db.prepare(`INSERT INTO images (project_id, frame_set_id, media_id, kind, file, width, height, frame_index, created_at, updated_at) VALUES (1, 1, 1, 'frame', ?, 2, 2, ?, ?, ?)`).run(rel, i, now, now);
  }
  return 1;
}

async function importClassifier(): Promise<string> {
  const file = path.join(dir, 'upload', 'corner.onnx');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, linearClassifier(2, 2, [[2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], new Array(12).fill(0)], [0, 0.5]));
  const m = await inference.importModel({ path: file, task: 'classification', name: 'Corner classifier', labels: ['red', 'plain'], normalization: { mean: [0, 0, 0], std: [1, 1, 1], scale: 1 / 255 }, licence: 'MIT' });
  return m.id;
}

interface Node {
  identity: NodeIdentity;
  client: NodeClient;
}

async function node(): Promise<Node> {
  const { identity } = newIdentity();
  const client = new NodeClient(em.url, identity, fast);
  await client.register({ hardware: { gpu: null, providers: ['cpu'], cpuCores: 2, memoryMb: 2048, os: 'linux', arch: 'x64' }, clusters: ['cpu'], clientVersion: 'test' });
  return { identity, client };
}

/** A node leases a replica and answers each input (score from the input's position, moved by `delta`). */
async function runReplica(n: Node, delta = 0): Promise<{ status: string }> {
  const lease = await n.client.lease({ clusters: ['cpu'], providers: ['cpu'] });
  if (!lease) throw new Error('no lease');
  const spec = lease.job as { jobId: string; replica: number; creditPerInput: number; inputs: { sha256: string }[] };
  const outputs = spec.inputs.map((inp, i) => ({ input: inp.sha256, output: { top: [{ label: i % 2 ? 'plain' : 'red', index: i % 2, score: 0.8 + delta }, { label: i % 2 ? 'red' : 'plain', index: 1 - (i % 2), score: 0.2 - delta }] } }));
  const signed = signResult(n.identity, spec.jobId, spec.replica, outputs);
  return n.client.result(lease.leaseId, { ...signed, claimedCredit: spec.inputs.length * spec.creditPerInput, deviceMs: 1234 });
}

function puts(): number {
  return em.requests().filter((r) => r.method === 'PUT').length;
}

describe('network jobs', () => {
  it('uploads, submits with redundancy 2, follows, and brings the outputs home as a model run; credit is spent', async () => {
    await addFrames(3);
    const modelId = await importClassifier();
    const job = await service.submit({ frameSetId: 1, modelId, redundancy: 2 });
    expect(job).toMatchObject({ state: 'uploading', projectId: 1, frameSetId: 1, modelId, redundancy: 2, cluster: 'cpu', runId: null, total: 3 });
    const submitted = await service.submitOnly(job.id);
    expect(submitted).toMatchObject({ state: 'queued', uploaded: 4, toUpload: 4, cost: 6, remoteJobId: expect.stringMatching(/^j_/) });
    expect(puts()).toBe(4); // the model and three frames
    const acct = await service.account();
    expect(acct.credit).toEqual({ earned: 0, spent: 0, reserved: 6, balance: 994 });
    expect(acct.accountId).toBe(em.jobs()[0]!.accountId);

    const [a, b] = [await node(), await node()];
    expect((await runReplica(a)).status).toBe('pending_validation');
    expect((await service.job({ id: job.id })).state).toBe('running');
    expect((await runReplica(b, 0.0004)).status).toBe('valid');

    const done = await service.drive(job.id);
    expect(done).toMatchObject({ state: 'done', spent: 6, done: 3, total: 3, error: null });
    expect(done.runId).not.toBeNull();
    const run = inference.runs.get(done.runId!);
    expect(run).toMatchObject({ projectId: 1, frameSetId: 1, modelId, status: 'completed', provider: 'network', total: 3, done: 3, failed: 0 });
    expect(run.notices[0]).toMatch(/Kraken network: job j_/);
    const results = inference.runs.results({ runId: run.id, offset: 0, limit: 10 }).items;
    expect(results.map((r) => r.output)).toEqual([
      { task: 'classification', top: [{ classIndex: 0, label: 'red', score: 0.8 }, { classIndex: 1, label: 'plain', score: 0.2 }] },
      { task: 'classification', top: [{ classIndex: 1, label: 'plain', score: 0.8 }, { classIndex: 0, label: 'red', score: 0.2 }] },
      { task: 'classification', top: [{ classIndex: 0, label: 'red', score: 0.8 }, { classIndex: 1, label: 'plain', score: 0.2 }] },
    ]);
    expect(results.every((r) => r.width === 2 && r.height === 2)).toBe(true);
    // the images are marked as having a result, like after a local run
    expect(db.prepare('SELECT COUNT(*) AS n FROM images WHERE has_result = 1').get()).toEqual({ n: 3 });
    const after = await service.account();
    expect(after.credit).toEqual({ earned: 0, spent: 6, reserved: 0, balance: 994 });
    expect(after.spentByDay).toEqual([{ day: done.finishedAt!.slice(0, 10), credit: 6 }]);
    // reading it again does not make a second run
    expect((await service.job({ id: job.id })).runId).toBe(done.runId);
    expect(inference.runs.list(1)).toHaveLength(1);

    // the same frames again: nothing is uploaded twice
    const again = await service.submit({ frameSetId: 1, modelId, redundancy: 1 });
    await service.submitOnly(again.id);
    expect(puts()).toBe(4);
    expect(service.jobs({ projectId: 1 }).jobs.map((j) => j.id)).toEqual([again.id, job.id]);
  });

  it('frames with the same bytes go up once and share their output', async () => {
    await addFrames(3, { same: true });
    const modelId = await importClassifier();
    const job = await service.submit({ frameSetId: 1, modelId, redundancy: 1 });
    expect((await service.submitOnly(job.id)).toUpload).toBe(2);
    await runReplica(await node());
    const done = await service.drive(job.id);
    expect(done.cost).toBe(1);
    expect(inference.runs.results({ runId: done.runId!, offset: 0, limit: 10 }).items).toHaveLength(3);
  });

  it('not enough credit: the job fails with INSUFFICIENT_CREDIT, the balance and the cost; nothing is reserved', async () => {
    em.setSettings({ welcomeGrant: 2 });
    await addFrames(3);
    const modelId = await importClassifier();
    const job = await service.submit({ frameSetId: 1, modelId, redundancy: 2 });
    await expect(service.submitOnly(job.id)).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { serviceCode: 'INSUFFICIENT_CREDIT', balance: 2, cost: 6 } });
    const failed = await service.job({ id: job.id });
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'INVALID_INPUT', details: { serviceCode: 'INSUFFICIENT_CREDIT', balance: 2, cost: 6 } });
    expect(failed.error!.message).toMatch(/costs 6 credits and the balance is 2/);
    expect((await service.account()).credit).toMatchObject({ reserved: 0, balance: 2 });
  });

  it('cancel refunds the reservation; a cancelled job stays cancelled', async () => {
    await addFrames(2);
    const modelId = await importClassifier();
    const job = await service.submit({ frameSetId: 1, modelId, redundancy: 3 });
    await service.submitOnly(job.id);
    expect((await service.account()).credit!.reserved).toBe(6);
    const c = await service.cancel({ id: job.id });
    expect(c).toMatchObject({ state: 'cancelled' });
    expect((await service.account()).credit).toMatchObject({ reserved: 0, balance: 1000 });
    expect(em.jobs()[0]).toMatchObject({ status: 'failed', failReason: 'cancelled' });
    expect((await service.cancel({ id: job.id })).state).toBe('cancelled');
  });

  it('refuses before anything is sent: no address, an unknown frame set, a model the network does not run, a bad redundancy', async () => {
    await addFrames(1);
    const modelId = await importClassifier();
    const bare = makeService({});
    await expect(bare.submit({ frameSetId: 1, modelId })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/No Kraken network address/) });
    await expect(service.submit({ frameSetId: 99, modelId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.submit({ frameSetId: 1, modelId: 'human-movenet-lightning' })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/ONNX classification and detection/) });
    await expect(service.submit({ frameSetId: 1, modelId, redundancy: 4 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(service.jobs().jobs).toEqual([]);
    expect(em.requests()).toEqual([]);
    const acct = await bare.account();
    expect(acct).toMatchObject({ networkUrl: null, credit: null, error: null });
  });

  it('an outage while following leaves the job open with the error; the next read carries on', async () => {
    await addFrames(1);
    const modelId = await importClassifier();
    const job = await service.submit({ frameSetId: 1, modelId, redundancy: 1 });
    await service.submitOnly(job.id);
    em.faults.add({ route: 'GET /v1/jobs/*', status: 503, times: 1 });
    const ac = new AbortController();
    const following = service.drive(job.id, ac.signal);
    const stuck = await following;
    expect(stuck.state).toBe('queued');
    expect(stuck.error).toMatchObject({ code: 'REMOTE' });
    await runReplica(await node());
    expect((await service.drive(job.id)).state).toBe('done');
  });

  it('the network failing the job (results that disagree) → failed with the reason, credit refunded', async () => {
    await addFrames(1);
    const modelId = await importClassifier();
    const job = await service.submit({ frameSetId: 1, modelId, redundancy: 2 });
    await service.submitOnly(job.id);
    await runReplica(await node());
    await runReplica(await node(), 0.1);
    await runReplica(await node(), 0.05); // the tie-breaker agrees with neither
    const f = await service.drive(job.id);
    expect(f.state).toBe('failed');
    expect(f.error).toMatchObject({ code: 'REMOTE', details: { serviceCode: 'JOB_FAILED' } });
    expect((await service.account()).credit).toMatchObject({ reserved: 0, balance: 1000 });
  });
});

describe('payouts', () => {
  /** A service whose client does retry (3 times), to show a payout is still sent only once. */
  function retrying(url: string): NetworkService {
    return new NetworkService({
      db,
      dataDir: dir,
      connection: new ConnectionSettings({ db, env: { KRAKEN_NETWORK_URL: url } }),
      vault: { get: (k) => vault.get(k) ?? null, set: (k, v) => void vault.set(k, v) },
      library: inference.library,
      runs: inference.runs,
      client: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2, sleep: async () => undefined },
      background: false,
    });
  }

  it('the reply of a payout lost after the server took it: one request only (never retried), NETWORK, and the node record then says it was paid', async () => {
    let payouts = 0;
    let paid = 0;
    const srv = await startLoopback(async (req, res) => {
      await readBody(req);
      if (req.url === '/v1/nodes/me/payout') {
        payouts++;
        paid = 3;
        req.socket.destroy(); // the money moved; the reply never arrives
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ nodeId: 'n', credit: { earned: 3, spent: paid, balance: 1003 - paid, payable: 3 - paid, paidOut: paid } }));
    });
    const svc = retrying(srv.url);
    try {
      const e = await svc.payout({ address: newIdentity().identity.nodeId }).catch((x: unknown) => x as AppError);
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('NETWORK');
      expect(payouts).toBe(1);
      expect((await svc.nodeCredit()).credit).toEqual({ earned: 3, spent: 3, balance: 1000, payable: 0 });
    } finally {
      await svc.close();
      await srv.close();
    }
  });

  it('against the emulator: a studio that never contributed has nothing payable (its account is read) and a payout says so in words', async () => {
    const c = await service.nodeCredit();
    expect(c.credit).toEqual({ earned: 0, spent: 0, balance: 1000, payable: 0 });
    const e = await service.payout({ address: newIdentity().identity.nodeId }).catch((x: unknown) => x as AppError);
    expect(e).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('no earned credit to pay out yet') });
  });
});

describe('toInferenceOutput', () => {
  it('maps classification and detection outputs; anything else is not understood', () => {
    expect(toInferenceOutput('detection', { boxes: [{ label: 'cat', score: 0.9, x: 1, y: 2, w: 3, h: 4 }] }, ['dog', 'cat'])).toEqual({
      task: 'detection',
      detections: [{ box: { x: 1, y: 2, width: 3, height: 4 }, score: 0.9, classIndex: 1, label: 'cat' }],
    });
    expect(toInferenceOutput('classification', { top: 'x' })).toBeNull();
    expect(toInferenceOutput('pose', { top: [] })).toBeNull();
  });
});
