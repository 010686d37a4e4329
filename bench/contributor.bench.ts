/**
 * `npm run bench -- contributor`: the contributor node's promises, measured on the real agent, job process and
 * network emulator (its own process, so its CPU is not counted):
 * 1. time from a simulated user input (the idle source drops to 0) and from a foreign GPU process appearing
 *    (through the injectable GPU source) to the job's process being stopped (SIGSTOP seen as state T in /proc where
 *    there is one) — median and max over N trials each, target < 1 s;
 * 2. the agent's CPU while idle and waiting (opted in, the creator at the keyboard; and waiting for work) — target
 *    < 1 % of one core;
 * 3. throughput of a network inference job (lease, fetch, confined process, upload) against the same model over the
 *    same images through `kraken infer` — ratio, same run.
 * Writes bench/results/contributor.json. Options: --trials N (default 50), --idle-seconds N (default 10),
 * --startup-seconds N (default 30: measured apart, before the waiting figures).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ContributorAgent } from '../main/node/contributor/agent';
import { newIdentity } from '../main/node/contributor/identity';
import { NodeClient } from '../main/node/contributor/node-client';
import type { GpuProcesses } from '../main/node/contributor/policy';
import type { ContributorSources } from '../main/node/contributor/sources/types';
import { ContributorStore } from '../main/node/contributor/store';
import { pngInputs, slowModel, type Blob } from '../main/node/contributor/testing/fixtures';
import { openDatabase } from '../main/node/store/database';

const root = path.resolve(__dirname, '..');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const TRIALS = arg('trials', 50);
const IDLE_SECONDS = arg('idle-seconds', 10);
const STARTUP_SECONDS = arg('startup-seconds', 30);
const log = (m: string) => console.log(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T, ms = 120_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

async function startEmulator(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'emulators/network/main.ts'), '--port', '0', '--quiet', '--welcome-grant', '1000000'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`the emulator exited (${code})`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

async function submit(url: string, model: Blob, inputs: Blob[], inputSize: [number, number], batchSize: number): Promise<{ jobId: string; creator: NodeClient }> {
  const creator = new NodeClient(url, newIdentity().identity, { maxRetries: 0 });
  for (const b of [model, ...inputs]) await creator.http.request({ method: 'PUT', path: `/v1/blobs/${b.sha256}`, body: b.bytes, headers: { 'content-type': 'application/octet-stream' }, schema: z.unknown(), okStatuses: [200, 201] });
  const r = await creator.http.request({
    method: 'POST',
    path: '/v1/jobs',
    json: { kind: 'inference', model: { sha256: model.sha256, bytes: model.bytes.length, format: 'onnx', task: 'classification', inputSize, labels: ['a', 'b'] }, inputs: inputs.map((i) => ({ sha256: i.sha256, bytes: i.bytes.length, mediaType: 'image/png' })), batchSize, redundancy: 1, maxDurationMinutes: 120, cluster: 'cpu' },
    schema: z.looseObject({ jobId: z.string() }),
    okStatuses: [201],
  });
  return { jobId: r.jobId, creator };
}

function makeAgent(url: string, dataDir: string) {
  const db = openDatabase(path.join(dataDir, 'studio.db'));
  const store = new ContributorStore(db);
  store.optIn(1, url);
  store.setPolicy({ ...store.get().policy, quietMinutes: 0 });
  const state = { idle: 3600, gpu: { available: true, processes: [] } as GpuProcesses };
  const sources: ContributorSources = {
    idle: { idleSeconds: () => state.idle, info: () => ({ available: true, why: null }) },
    power: { power: () => 'ac', info: () => ({ available: true, why: null }) },
    gpu: { list: async () => state.gpu },
    programs: { list: async () => [] },
    ownWork: { current: () => ({ extraction: 0, inference: 0, viewer: 0 }) },
  };
  const events: Array<{ what: 'stop' | 'cont'; at: number; pid: number }> = [];
  const m = new Map<string, string>();
  // Production timings: the point is what a creator gets.
  const agent = new ContributorAgent({
    store,
    sources,
    vault: { get: async (k) => m.get(k) ?? null, set: async (k, v) => void m.set(k, v) },
    dataDir,
    hardware: async () => ({ gpu: null, providers: ['cpu'], cpuCores: os.cpus().length, memoryMb: Math.round(os.totalmem() / 1048576), os: process.platform, arch: process.arch }),
    forceCpu: true,
    onProcessSignal: (what, pid) => events.push({ what, at: performance.now(), pid }),
  });
  return { agent, state, events, db, store };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, medianMs: Math.round(s[Math.floor(s.length / 2)]! * 10) / 10, maxMs: Math.round(s[s.length - 1]! * 10) / 10, minMs: Math.round(s[0]! * 10) / 10 };
};

function processStopped(pid: number): boolean | null {
  if (process.platform !== 'linux') return null;
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('T');
  } catch {
    return null;
  }
}

async function pauseTrials(url: string, work: string) {
  const model = slowModel(192, 4);
  // enough work to outlast 2 × N trials on a fast, quiet machine (the loop stops early, and says so, if it ends)
  const inputs = await pngInputs(4000);
  const { jobId } = await submit(url, model, inputs, [192, 192], 1);
  const a = makeAgent(url, path.join(work, 'pause'));
  a.agent.start();
  await until('the job to run', () => (a.agent.status().job?.done ?? 0) > 0 && a.agent.jobPid);
  const results: Record<'input' | 'gpu', number[]> = { input: [], gpu: [] };
  let verified = 0;
  for (const kind of ['input', 'gpu'] as const) {
    for (let i = 0; i < TRIALS; i++) {
      if (!a.agent.jobPid) break;
      const before = a.events.length;
      const t0 = performance.now();
      if (kind === 'input') a.state.idle = 0;
      else a.state.gpu = { available: true, processes: [{ pid: 999_999, name: 'blender' }] };
      const stop = await until('the pause', () => a.events.slice(before).find((e) => e.what === 'stop') ?? (a.agent.jobPid ? null : 'ended'), 10_000);
      if (stop === 'ended') {
        log(`  the job ended during ${kind} trial ${i + 1}; the figures count the trials before it`);
        break;
      }
      // Measured to the moment the kernel shows the process stopped (state T), where /proc tells; else to the SIGSTOP.
      let at = stop.at;
      if (processStopped(stop.pid) !== null) {
        while (!processStopped(stop.pid) && performance.now() - stop.at < 1000) await new Promise((r) => setImmediate(r));
        if (processStopped(stop.pid)) verified++;
        at = performance.now();
      }
      results[kind].push(at - t0);
      a.state.idle = 3600;
      a.state.gpu = { available: true, processes: [] };
      await until('the resume', () => a.events.slice(before).find((e) => e.what === 'cont'), 10_000);
      await sleep(100 + Math.random() * 100); // let it work, and do not phase-lock with the tick
    }
  }
  await a.agent.stop();
  a.db.close();
  return { jobId, input: stats(results.input), gpu: stats(results.gpu), verifiedStoppedInProc: verified };
}

async function cpuWhileWaiting(url: string, work: string) {
  const a = makeAgent(url, path.join(work, 'idle'));
  a.state.idle = 0; // the creator is at the keyboard: waiting, no job
  const measure = async (seconds: number) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const c = process.cpuUsage(c0);
    return Math.round(((c.user + c.system) / 1000 / (performance.now() - t0)) * 100 * 1000) / 1000;
  };
  a.agent.start();
  // Start-up is not what "while waiting" means: module initialisation, the JIT, and V8's memory reducer, which
  // runs a few full collections of the start-up garbage over the first ~25 s (per-second samples show 2–6 % bursts at
  // about 7, 17 and 23 s, then a flat 0.05–0.1 %). It is measured on its own, then the steady state.
  const startUp = await measure(STARTUP_SECONDS);
  const userActive = await measure(IDLE_SECONDS);
  const reasonActive = a.agent.status().reason.code;
  a.state.idle = 3600; // idle, nothing to lease: polls every 15 s, heartbeats
  await sleep(1500);
  const noWork = await measure(IDLE_SECONDS);
  const reasonNoWork = a.agent.status().reason.code;
  await a.agent.stop();
  a.db.close();
  return { startUp: { percentOfCore: startUp, seconds: STARTUP_SECONDS }, userActive: { percentOfCore: userActive, reason: reasonActive }, noWork: { percentOfCore: noWork, reason: reasonNoWork }, seconds: IDLE_SECONDS };
}

async function throughput(url: string, work: string) {
  const model = slowModel(96, 2);
  const inputs = await pngInputs(300);
  const folder = path.join(work, 'images');
  fs.mkdirSync(folder, { recursive: true });
  inputs.forEach((b, i) => fs.writeFileSync(path.join(folder, `img-${String(i).padStart(4, '0')}.png`), b.bytes));
  const modelFile = path.join(work, 'model.onnx');
  fs.writeFileSync(modelFile, model.bytes);
  // kraken infer, the same model and images, CPU, batch 8.
  const t0 = performance.now();
  const local = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'main/cli/index.ts'), 'infer', '--model', modelFile, '--task', 'classification', '--labels', 'a,b', folder, '--force-cpu', '--batch', '8', '--json', '--data-dir', path.join(work, 'infer-data')], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const localMs = performance.now() - t0;
  if (local.status !== 0) throw new Error(`kraken infer failed: ${local.stderr}`);
  // The same work as a network job: submit → lease → fetch → confined process → upload → done.
  const { jobId } = await submit(url, model, inputs, [96, 96], 8);
  const a = makeAgent(url, path.join(work, 'tp'));
  const t1 = performance.now();
  a.agent.start();
  await until('the network job to be done', () => a.store.ledger(1).recent.find((e) => e.jobId === jobId), 300_000);
  const networkMs = performance.now() - t1;
  await a.agent.stop();
  a.db.close();
  return {
    inputs: inputs.length,
    localInferMs: Math.round(localMs),
    networkJobMs: Math.round(networkMs),
    localPerSecond: Math.round((inputs.length / localMs) * 1000 * 10) / 10,
    networkPerSecond: Math.round((inputs.length / networkMs) * 1000 * 10) / 10,
    ratioNetworkToLocal: Math.round((localMs / networkMs) * 1000) / 1000,
    note: 'both from a cold start (kraken infer: process start, model load; network: lease, fetch by hash, confined process start, upload)',
  };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-bench-contributor-'));
  const em = await startEmulator();
  try {
    log(`network emulator ${em.url} (own process); trials ${TRIALS}`);
    // First, while nothing else has run in this process (no garbage of the other parts counted).
    const cpu = await cpuWhileWaiting(em.url, work);
    log(`agent CPU while waiting (user active): ${cpu.userActive.percentOfCore} % of a core; waiting for work: ${cpu.noWork.percentOfCore} % (target < 1 %); the first ${cpu.startUp.seconds} s after start: ${cpu.startUp.percentOfCore} %`);
    const pause = await pauseTrials(em.url, work);
    log(`pause after simulated input: median ${pause.input.medianMs} ms, max ${pause.input.maxMs} ms (n=${pause.input.n}; target < 1000 ms)`);
    log(`pause after a foreign GPU process: median ${pause.gpu.medianMs} ms, max ${pause.gpu.maxMs} ms (n=${pause.gpu.n}; target < 1000 ms)`);
    log(`  stopped state seen in /proc: ${pause.verifiedStoppedInProc} of ${pause.input.n + pause.gpu.n}`);
    const tp = await throughput(em.url, work);
    log(`throughput: network job ${tp.networkPerSecond}/s vs kraken infer ${tp.localPerSecond}/s → ratio ${tp.ratioNetworkToLocal} (${tp.inputs} images)`);
    const result = {
      benchmark: 'contributor',
      date: new Date().toISOString(),
      command: `npm run bench -- contributor (node --import tsx bench/contributor.bench.ts --trials ${TRIALS} --idle-seconds ${IDLE_SECONDS} --startup-seconds ${STARTUP_SECONDS})`,
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memMB: Math.round(os.totalmem() / 1048576), platform: `${process.platform}-${process.arch}`, node: process.version, loadAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100) },
      pauseLatency: { targetMs: 1000, afterInput: pause.input, afterForeignGpuProcess: pause.gpu, stoppedStateVerified: pause.verifiedStoppedInProc, ratioMedianToTarget: Math.round((Math.max(pause.input.medianMs, pause.gpu.medianMs) / 1000) * 1000) / 1000 },
      cpuWhileWaiting: { targetPercentOfCore: 1, ...cpu },
      throughput: tp,
    };
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bench/results/contributor.json'), JSON.stringify(result, null, 2) + '\n');
    log('\nwrote bench/results/contributor.json');
  } finally {
    em.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
