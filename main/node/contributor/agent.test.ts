/**
 * The node agent against the network emulator (emulators/network, written from the same protocol page) with a real
 * ONNX model and the real job process: register, lease, fetch by hash, run, upload a signed result, credit in the
 * ledger; user input pauses the job process and the job finishes after; Ctrl+C gives the job back and a new agent
 * on the same data folder resumes it from its checkpoint. A scripted server covers what the emulator never sends:
 * a job naming a path or an unknown kind, and a blob whose bytes are not the hash the job names.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startNetworkEmulator, type NetworkEmulator } from '../../../emulators/network';
import { readBody, startLoopback, type LoopbackServer } from '../../../test-support/loopback-server';
import type { ContributorStatus } from '../../common/contract/contributor';
import { openDatabase, type Db } from '../store/database';
import { ContributorAgent, jobFolderName } from './agent';
import { newIdentity } from './identity';
import { NodeClient } from './node-client';
import type { GpuProcesses } from './policy';
import type { ContributorSources } from './sources/types';
import { ContributorStore } from './store';
import { pngInputs, slowModel, tinyModel, type Blob } from './testing/fixtures';

let dir: string;
let db: Db;
let em: NetworkEmulator | null = null;
let server: LoopbackServer | null = null;
const agents: ContributorAgent[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-agent-'));
  db = openDatabase(path.join(dir, 'studio.db'));
});
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  await em?.close();
  em = null;
  await server?.close();
  server = null;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function fakeSources() {
  const state = { idle: 3600 as number | null, gpu: { available: true, processes: [] } as GpuProcesses };
  const sources: ContributorSources = {
    idle: { idleSeconds: () => state.idle, info: () => ({ available: true, why: null }) },
    power: { power: () => 'ac', info: () => ({ available: true, why: null }) },
    gpu: { list: async () => state.gpu },
    programs: { list: async () => [] },
    ownWork: { current: () => ({ extraction: 0, inference: 0, viewer: 0 }) },
  };
  return { state, sources };
}

function memoryVault() {
  const m = new Map<string, string>();
  return { get: async (k: string) => m.get(k) ?? null, set: async (k: string, v: string) => void m.set(k, v) };
}

function makeAgent(
  url: string,
  opts: { dataDir?: string; vault?: ReturnType<typeof memoryVault>; sources?: ContributorSources; states?: ContributorStatus[]; signals?: string[]; logs?: string[]; isGpuProvider?: (p: string) => boolean } = {},
) {
  const store = new ContributorStore(db);
  store.optIn(1, url);
  store.setPolicy({ ...store.get().policy, quietMinutes: 0 });
  const agent = new ContributorAgent({
    store,
    sources: opts.sources ?? fakeSources().sources,
    vault: opts.vault ?? memoryVault(),
    dataDir: opts.dataDir ?? dir,
    hardware: async () => ({ gpu: null, providers: ['cpu'], cpuCores: 2, memoryMb: 4096, os: 'linux', arch: 'x64' }),
    forceCpu: true,
    timings: { noWorkMs: 100, errorMs: 300, waitingMs: 100, workingMs: 50, progressMs: 200 },
    client: { maxRetries: 0 },
    onState: (s) => opts.states?.push(s),
    onProcessSignal: (what) => opts.signals?.push(what),
    log: (line) => opts.logs?.push(line),
    ...(opts.isGpuProvider ? { isGpuProvider: opts.isGpuProvider } : {}),
  });
  agents.push(agent);
  return { agent, store };
}

async function until<T>(what: string, fn: () => T | Promise<T>, ms = 60_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The creator's side, written here from the protocol page: upload blobs, submit a job. */
async function submit(url: string, model: Blob, inputs: Blob[], task: { inputSize: [number, number]; labels: string[]; batchSize?: number }) {
  const creator = new NodeClient(url, newIdentity().identity, { maxRetries: 0 });
  for (const b of [model, ...inputs]) {
    await creator.http.request({ method: 'PUT', path: `/v1/blobs/${b.sha256}`, body: b.bytes, headers: { 'content-type': 'application/octet-stream' }, schema: z.unknown(), okStatuses: [200, 201] });
  }
  const job = await creator.http.request({
    method: 'POST',
    path: '/v1/jobs',
    json: {
      kind: 'inference',
      model: { sha256: model.sha256, bytes: model.bytes.length, format: 'onnx', task: 'classification', inputSize: task.inputSize, labels: task.labels },
      inputs: inputs.map((i) => ({ sha256: i.sha256, bytes: i.bytes.length, mediaType: 'image/png' })),
      batchSize: task.batchSize ?? 4,
      redundancy: 1,
      maxDurationMinutes: 30,
      cluster: 'cpu',
    },
    schema: z.looseObject({ jobId: z.string() }),
    okStatuses: [201],
  });
  return { creator, jobId: job.jobId };
}

describe('against the network emulator', () => {
  it('registers, leases, fetches by hash, runs, uploads a signed result; the credit is in the local ledger and the job is done', async () => {
    em = await startNetworkEmulator({ quiet: true });
    const model = tinyModel();
    const inputs = await pngInputs(6);
    const { creator, jobId } = await submit(em.url, model, inputs, { inputSize: [2, 2], labels: ['red', 'plain'] });
    const states: ContributorStatus[] = [];
    const { agent, store } = makeAgent(em.url, { states });
    agent.start();
    await until('the job to be done', () => em!.job(jobId)?.status === 'done');
    const ledger = await until('the ledger entry', () => store.ledger(1).recent.find((e) => e.jobId === jobId && e.status === 'valid'));
    expect(ledger).toMatchObject({ inputs: 6, claimedCredit: 6, grantedCredit: 6, cluster: 'cpu' });
    expect(store.ledger(1).days[0]).toMatchObject({ jobs: 1, grantedCredit: 6 });
    const node = em.nodes()[0]!;
    expect(node.nodeId).toBe(store.get().nodeId);
    // The outputs came back to the creator in the input order, top-5 classification as the protocol says.
    const status = await creator.http.request({ path: `/v1/jobs/${jobId}`, schema: z.looseObject({ outputs: z.array(z.looseObject({ input: z.string(), output: z.unknown() })) }) });
    expect(status.outputs.map((o) => o.input)).toEqual(inputs.map((i) => i.sha256));
    expect(status.outputs[0]!.output).toMatchObject({ top: [expect.objectContaining({ label: expect.any(String), index: expect.any(Number), score: expect.any(Number) }), expect.anything()] });
    // The job folder is gone; the reasons went by as codes.
    expect(fs.existsSync(path.join(dir, 'contributor', 'jobs', `${jobId}-r0`))).toBe(false);
    expect(states.some((s) => s.state === 'run' && s.job?.jobId === jobId)).toBe(true);
    await until('no work after the job', () => agent.status().reason.code === 'no_work');
  }, 90_000);

  it('user input pauses the job process (SIGSTOP) and the job finishes once idle again; Ctrl+C gives a job back and a new agent resumes it from its checkpoint', async () => {
    em = await startNetworkEmulator({ quiet: true });
    const model = slowModel();
    const inputs = await pngInputs(80);
    const { jobId } = await submit(em.url, model, inputs, { inputSize: [96, 96], labels: ['a', 'b'], batchSize: 1 });
    const { state, sources } = fakeSources();
    const signals: string[] = [];
    const vault = memoryVault();
    const first = makeAgent(em.url, { sources, signals, vault });
    first.agent.start();
    await until('progress', () => (first.agent.status().job?.done ?? 0) >= 2);
    state.idle = 0; // the creator touches the mouse
    await until('the pause', () => signals.includes('stop'));
    const paused = first.agent.status();
    expect(paused).toMatchObject({ state: 'pause', reason: { code: 'user_active', params: { idleSeconds: 0, needSeconds: 180 } } });
    state.idle = 3600;
    await until('the resume', () => signals.includes('cont'));
    await until('more progress', () => (first.agent.status().job?.done ?? 0) > (paused.job?.done ?? 0));
    // Ctrl+C: the job goes back to the network (released, checkpoint kept here).
    await first.agent.stop();
    const folder = path.join(dir, 'contributor', 'jobs', jobFolderName({ jobId, replica: 0 }));
    const kept = fs.readdirSync(path.join(folder, 'out')).filter((f) => f.endsWith('.json'));
    expect(kept.length).toBeGreaterThan(0);
    const replica = em.job(jobId)!.replicas[0]!;
    expect(replica.state).not.toBe('leased');
    expect(em.job(jobId)!.leases.at(-1)).toMatchObject({ state: 'released', endReason: 'shutdown' });
    // The same node (same key) starts again: offered its job first, it starts from what was done.
    const logs: string[] = [];
    const second = makeAgent(em.url, { sources, vault, logs });
    second.agent.start();
    await until('the job to be done', () => em!.job(jobId)?.status === 'done', 90_000);
    expect(em.job(jobId)!.leases.at(-1)!.nodeId).toBe(em.job(jobId)!.leases[0]!.nodeId);
    const resumed = logs.find((l) => / running \(pid /.test(l))!;
    expect(Number(/, (\d+)\/80 done/.exec(resumed)![1])).toBe(kept.length);
  }, 120_000);

  it('a foreign GPU process pauses the job with its name; the agent’s own job process never counts', async () => {
    em = await startNetworkEmulator({ quiet: true });
    const model = slowModel(192, 4);
    const inputs = await pngInputs(300);
    await submit(em.url, model, inputs, { inputSize: [192, 192], labels: ['a', 'b'], batchSize: 1 });
    const { state, sources } = fakeSources();
    const signals: string[] = [];
    const { agent } = makeAgent(em.url, { sources, signals });
    agent.start();
    await until('progress', () => (agent.status().job?.done ?? 0) >= 1);
    state.gpu = { available: true, processes: [{ pid: agent.jobPid!, name: 'node' }] };
    await new Promise((r) => setTimeout(r, 700));
    expect(signals).not.toContain('stop');
    state.gpu = { available: true, processes: [{ pid: agent.jobPid!, name: 'node' }, { pid: 99999, name: 'blender.exe' }] };
    await until('the pause', () => signals.includes('stop'));
    expect(agent.status()).toMatchObject({ state: 'pause', reason: { code: 'gpu_busy', params: { program: 'blender.exe', pid: 99999 } } });
  }, 90_000);
});

describe('the GPU share cap', () => {
  it('a job on a GPU provider runs only its share of the time: stopped and continued each period, the reason says so', async () => {
    em = await startNetworkEmulator({ quiet: true });
    // long enough to be still running after a few 2 s periods at 25 %
    const { jobId } = await submit(em.url, slowModel(192, 4), await pngInputs(300), { inputSize: [192, 192], labels: ['a', 'b'], batchSize: 1 });
    const signals: string[] = [];
    const states: ContributorStatus[] = [];
    // The job runs on the CPU here (no GPU in CI); the agent is told to count that provider as a GPU one.
    const { agent, store } = makeAgent(em.url, { signals, states, isGpuProvider: (p) => p === 'cpu' });
    store.setPolicy({ ...store.get().policy, gpuSharePercent: 25 });
    agent.start();
    await until('two rests and two runs of the duty cycle', () => signals.filter((s) => s === 'stop').length >= 2 && signals.filter((s) => s === 'cont').length >= 2, 60_000);
    expect(states.some((s) => s.state === 'run' && s.reason.code === 'gpu_share' && s.reason.params.percent === 25)).toBe(true);
    expect(em.job(jobId)!.status).not.toBe('done');
    // the cap back at 100 %: continued, and not stopped again over a whole period while it runs
    store.setPolicy({ ...store.get().policy, gpuSharePercent: 100 });
    await until('the job continued', () => signals.at(-1) === 'cont' && agent.status().reason.code !== 'gpu_share', 10_000);
    const stops = signals.filter((s) => s === 'stop').length;
    const done = agent.status().job?.done ?? 0;
    await new Promise((r) => setTimeout(r, 2500));
    expect(signals.filter((s) => s === 'stop').length).toBe(stops);
    expect(agent.status().job?.done ?? Infinity).toBeGreaterThan(done);
  }, 120_000);

  it('a job on the CPU provider is not cycled by the GPU share', async () => {
    em = await startNetworkEmulator({ quiet: true });
    const { jobId } = await submit(em.url, slowModel(), await pngInputs(20), { inputSize: [96, 96], labels: ['a', 'b'], batchSize: 1 });
    const signals: string[] = [];
    const { agent, store } = makeAgent(em.url, { signals });
    store.setPolicy({ ...store.get().policy, gpuSharePercent: 10 });
    agent.start();
    await until('the job to be done', () => em!.job(jobId)?.status === 'done', 90_000);
    expect(signals).toEqual([]);
  }, 120_000);
});

describe('against a scripted server (what the emulator never sends)', () => {
  async function scripted(job: unknown, blobs: Map<string, Buffer>) {
    const calls: Array<{ method: string; url: string; body: unknown }> = [];
    let leased = false;
    server = await startLoopback(async (req, res) => {
      const raw = await readBody(req);
      const body = raw.length && req.headers['content-type']?.includes('json') ? JSON.parse(raw.toString()) : null;
      calls.push({ method: req.method!, url: req.url!, body });
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.url === '/v1/nodes/register') return json(200, { nodeId: req.headers['x-node-id'], heartbeatSeconds: 15, leaseSeconds: 60 });
      if (req.url === '/v1/nodes/heartbeat') return json(200, { serverTime: new Date().toISOString() });
      if (req.url === '/v1/leases') {
        if (leased) return res.writeHead(204).end();
        leased = true;
        return json(200, { lease: { leaseId: 'l_1', leaseExpiresAt: new Date(Date.now() + 60_000).toISOString(), deadline: new Date(Date.now() + 600_000).toISOString(), job, attempt: 1 } });
      }
      const blob = /^\/v1\/blobs\/([0-9a-f]{64})$/.exec(req.url!);
      if (blob && blobs.has(blob[1]!)) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(blobs.get(blob[1]!));
      }
      if (/\/release$/.test(req.url!)) return json(200, {});
      json(404, { error: { code: 'NOT_FOUND', message: 'no' } });
    });
    return calls;
  }

  const base = async () => {
    const model = tinyModel();
    const inputs = await pngInputs(2);
    return {
      model,
      inputs,
      job: {
        jobId: 'j_s1',
        replica: 0,
        kind: 'inference',
        cluster: 'cpu',
        model: { sha256: model.sha256, bytes: model.bytes.length, format: 'onnx', task: 'classification', inputSize: [2, 2], labels: ['red', 'plain'] },
        inputs: inputs.map((i) => ({ sha256: i.sha256, bytes: i.bytes.length, mediaType: 'image/png' })),
        batchSize: 2,
        maxDurationMinutes: 5,
        creditPerInput: 1,
      },
    };
  };

  for (const [name, patch] of [
    ['a field naming a path', (j: Record<string, unknown>) => ({ ...j, model: { ...(j.model as object), path: '/etc/passwd' } })],
    ['a URL', (j: Record<string, unknown>) => ({ ...j, fetch: 'https://example.com/run.sh' })],
    ['an unknown kind', (j: Record<string, unknown>) => ({ ...j, kind: 'shell' })],
  ] as const) {
    it(`a job with ${name} is released as refused before anything is fetched or run`, async () => {
      const b = await base();
      const calls = await scripted(patch(b.job), new Map());
      const signals: string[] = [];
      const { agent } = makeAgent(server!.url, { signals });
      agent.start();
      const release = await until('the release', () => calls.find((c) => c.url === '/v1/leases/l_1/release'));
      expect(release.body).toMatchObject({ reason: 'refused', done: 0, message: expect.stringMatching(/^refused: /) });
      expect(calls.some((c) => c.url.startsWith('/v1/blobs/'))).toBe(false);
      expect(agent.jobPid).toBeNull();
      expect(signals).toEqual([]);
      expect(fs.existsSync(path.join(dir, 'contributor', 'jobs', 'j_s1-r0'))).toBe(false);
    });
  }

  it('a model whose bytes do not match its hash is refused (nothing kept, no process) and released', async () => {
    const b = await base();
    const blobs = new Map<string, Buffer>([
      [b.model.sha256, Buffer.concat([Buffer.from(b.model.bytes.subarray(0, b.model.bytes.length - 1)), Buffer.from([0])])],
      ...b.inputs.map((i) => [i.sha256, Buffer.from(i.bytes)] as [string, Buffer]),
    ]);
    const calls = await scripted(b.job, blobs);
    const { agent } = makeAgent(server!.url);
    agent.start();
    const release = await until('the release', () => calls.find((c) => c.url === '/v1/leases/l_1/release'));
    expect(release.body).toMatchObject({ reason: 'refused', message: expect.stringMatching(/has sha256 .* not the one the job names/) });
    expect(agent.jobPid).toBeNull();
    expect(fs.existsSync(path.join(dir, 'contributor', 'jobs', 'j_s1-r0'))).toBe(false);
    expect(agent.status().reason.code).toBe('job_refused');
  });
});
