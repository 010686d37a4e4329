/**
 * The whole cycle with three studio data folders on one machine and the network emulator: the creator's studio
 * runs a model over a frame set on the network (redundancy 2); two other studios, opted in and idle (fed through
 * the contributor's injectable sources), lease the two replicas, run them with the real job process and
 * onnxruntime, and upload signed results; the results agree, each node earns the credit, the creator pays it, and
 * the outputs appear in the creator's project as a model run. Simulated user activity keeps a node from working.
 *
 * The model is a real ONNX classifier made by the inference test builder: the studio bundles no ONNX
 * classification or detection model (its ONNX models are OCR; CenterNet and MoveNet are TF.js, which protocol v1
 * does not carry).
 *
 * Then earn → receive: the network emulator, given the local Solana emulator (a real Solana VM, litesvm), pays a
 * node's earned credit out to that studio's wallet with a real SystemProgram transfer (skipped, saying why, where
 * litesvm cannot run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetworkEmulator, type NetworkEmulator } from '../../../../emulators/network';
import { solanaUnavailable, startSolanaEmulator, type SolanaEmulator } from '../../../../emulators/solana';
import type { GpuProcesses } from '../../contributor/policy';
import type { ContributorSources } from '../../contributor/sources/types';
import { createCore, type Core } from '../../core';
import { writeRgbPng } from '../../inference/testing/fixtures';
import { linearClassifier } from '../../inference/testing/onnx-builder';
import { nowIso } from '../../store/database';

let work: string;
let em: NetworkEmulator;
let chain: SolanaEmulator | null = null;
let chainWhy: string | null = null;
let creator: Core;
const nodes: { core: Core; state: { idle: number | null } }[] = [];
const ENV_KEYS = ['KRAKEN_NETWORK_URL', 'KRAKEN_SOLANA_RPC'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

async function until<T>(what: string, fn: () => T | Promise<T>, ms = 90_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function idleSources(): { state: { idle: number | null }; sources: Partial<ContributorSources> } {
  const state = { idle: 3600 as number | null };
  const gpu: GpuProcesses = { available: true, processes: [] };
  return {
    state,
    sources: {
      idle: { idleSeconds: () => state.idle, info: () => ({ available: true, why: null }) },
      power: { power: () => 'ac', info: () => ({ available: true, why: null }) },
      gpu: { list: async () => gpu },
      programs: { list: async () => [] },
    },
  };
}

function studio(name: string, contributor?: Partial<ContributorSources>): Core {
  const dataDir = path.join(work, name);
  fs.mkdirSync(dataDir, { recursive: true });
  return createCore({
    dataDir,
    shell: 'cli',
    cloud: { keychain: false, client: { maxRetries: 0 }, network: { pollMs: 100 } },
    contributor: contributor
      ? {
          sources: contributor,
          agent: {
            forceCpu: true,
            hardware: async () => ({ gpu: null, providers: ['cpu'], cpuCores: 2, memoryMb: 4096, os: 'linux', arch: 'x64' }),
            timings: { noWorkMs: 100, errorMs: 300, waitingMs: 100, workingMs: 50, progressMs: 200 },
            client: { maxRetries: 0 },
          },
        }
      : undefined,
  });
}

/** A project with one frame set of `n` 2×2 PNGs (different reds) in the creator's library. */
async function frameSet(core: Core, n: number): Promise<void> {
  const now = nowIso();
  core.db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'Network test', ?, ?)`).run(now, now);
  core.db.prepare(`INSERT INTO media_sources (id, project_id, kind, name, path, size_bytes, sha256, probe_json, created_at) VALUES (1, 1, 'video', 'v', '/v', 1, 'x', '{}', ?)`).run(now);
  core.db.prepare(`INSERT INTO frame_sets (id, project_id, media_id, params_json, status, dir, created_at, updated_at) VALUES (1, 1, 1, '{}', 'complete', 'frames/1', ?, ?)`).run(now, now);
  for (let i = 1; i <= n; i++) {
    const rel = `frames/1/${String(i).padStart(6, '0')}.png`;
    await writeRgbPng(path.join(core.dataDir, rel), 2, 2, [i * 60, 10, 10, i * 60, 10, 10, 10, 10, 10, 10, 10, 10]);
    core.db.prepare(`INSERT INTO images (project_id, frame_set_id, media_id, kind, file, width, height, frame_index, created_at, updated_at) VALUES (1, 1, 1, 'frame', ?, 2, 2, ?, ?, ?)`).run(rel, i, now, now);
  }
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-network-cycle-'));
  chainWhy = process.platform === 'win32' ? 'litesvm has no Windows binary' : await solanaUnavailable();
  if (!chainWhy) {
    chain = await startSolanaEmulator({ quiet: true });
    process.env.KRAKEN_SOLANA_RPC = chain.rpcUrl;
  }
  em = await startNetworkEmulator({ quiet: true, ...(chain ? { solanaRpc: chain.rpcUrl } : {}) });
  process.env.KRAKEN_NETWORK_URL = em.url;
  creator = studio('creator');
  for (const name of ['node-b', 'node-c']) {
    const { state, sources } = idleSources();
    nodes.push({ core: studio(name, sources), state });
  }
}, 60_000);

afterAll(async () => {
  for (const c of [creator, ...nodes.map((n) => n.core)]) await c?.close();
  await em?.close();
  await chain?.close();
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  fs.rmSync(work, { recursive: true, force: true });
});

describe('creator → two contributing studios → creator', () => {
  it('a frame set run with redundancy 2 by two opted-in idle nodes: credit earned and spent, results in the project; activity keeps a node waiting', async () => {
    await frameSet(creator, 3);
    const file = path.join(work, 'corner.onnx');
    // red-ish vs plain, on the top-left pixels (a real ONNX graph that onnxruntime runs in the node's job process)
    fs.writeFileSync(file, linearClassifier(2, 2, [[1, 1, 0, 0, -1, -1, 0, 0, -1, -1, 0, 0], new Array(12).fill(0.1)], [0, 0]));
    const model = await creator.inference.importModel({ path: file, task: 'classification', name: 'Corner', labels: ['red', 'plain'], normalization: { mean: [0, 0, 0], std: [1, 1, 1], scale: 1 / 255 }, licence: 'MIT' });

    // both nodes opt in (quiet period 0: they start at once, being idle)
    for (const n of nodes) {
      n.core.contributor.setPolicy({ quietMinutes: 0 });
      expect((await n.core.contributor.optIn({ consentVersion: 1 })).optedIn).toBe(true);
    }

    const job = await creator.network.submit({ frameSetId: 1, modelId: model.id, redundancy: 2 });
    const done = await until('the network job done in the creator studio', async () => {
      const j = await creator.network.job({ id: job.id });
      if (j.state === 'failed') throw new Error(`job failed: ${JSON.stringify(j.error)}`);
      return j.state === 'done' ? j : null;
    });
    expect(done).toMatchObject({ state: 'done', redundancy: 2, cost: 6, spent: 6, total: 3 });

    // two distinct nodes ran the two replicas; both are valid
    const remote = em.job(done.remoteJobId!)!;
    const nodeIds = nodes.map((n) => n.core.contributor.status().nodeId);
    expect(remote.replicas.map((r) => r.state)).toEqual(['valid', 'valid']);
    expect(new Set(remote.replicas.map((r) => r.nodeId)).size).toBe(2);
    expect(remote.replicas.map((r) => r.nodeId).sort()).toEqual([...nodeIds].sort());
    for (const id of nodeIds) expect(em.account(id!)!.earned).toBe(3);

    // the outputs are in the creator's project as a model run, beside local runs
    const run = creator.inference.runs.get(done.runId!);
    expect(run).toMatchObject({ projectId: 1, frameSetId: 1, modelId: model.id, status: 'completed', provider: 'network', total: 3, done: 3, failed: 0 });
    const items = creator.inference.runs.results({ runId: run.id, offset: 0, limit: 10 }).items;
    expect(items).toHaveLength(3);
    for (const it of items) expect(it.output).toMatchObject({ task: 'classification', top: expect.arrayContaining([expect.objectContaining({ label: expect.stringMatching(/^(red|plain)$/) })]) });

    // earn → spend: the creator's account paid, each contributor's ledger holds its valid job
    const acct = await creator.network.account();
    expect(acct.credit).toMatchObject({ spent: 6, reserved: 0, balance: 994 });
    for (const n of nodes) {
      const ledger = await until('the node ledger synced', async () => {
        const l = await n.core.contributor.ledger({});
        return l.totals.grantedCredit === 3 ? l : null;
      });
      expect(ledger.totals.jobs).toBeGreaterThanOrEqual(1);
    }

    // simulated user activity on both nodes: they wait with the reason, the next job stays queued; idle again → done
    for (const n of nodes) n.state.idle = 0;
    await until('both nodes waiting on user activity', () => nodes.every((n) => n.core.contributor.status().reason.code === 'user_active'));
    const second = await creator.network.submit({ frameSetId: 1, modelId: model.id, redundancy: 1 });
    await until('the second job submitted', async () => (await creator.network.job({ id: second.id })).state === 'queued');
    await new Promise((r) => setTimeout(r, 500));
    expect((await creator.network.job({ id: second.id })).state).toBe('queued');
    for (const n of nodes) expect(n.core.contributor.status().state).not.toBe('run');
    nodes[0]!.state.idle = 3600;
    const again = await until('the second job done', async () => ((await creator.network.job({ id: second.id })).state === 'done' ? creator.network.job({ id: second.id }) : null));
    expect(again.spent).toBe(3);
    expect(em.job(again.remoteJobId!)!.replicas[0]!.nodeId).toBe(nodes[0]!.core.contributor.status().nodeId);
  }, 180_000);

  it('earn → receive: the node pays its earned credit (not the welcome grant) out to its wallet, a real transfer on the Solana VM', async () => {
    if (!chain) {
      console.log(`full-cycle payout test skipped: ${chainWhy}`);
      return;
    }
    const node = nodes[0]!.core;
    // the creator never ran a job for the network: nothing to pay out (its account is read, not a node record)
    expect(await creator.solana.payouts.credit()).toMatchObject({ available: true, earned: 0, payable: 0, payoutOffered: true });
    expect(await node.solana.payouts.credit()).toMatchObject({ available: true, earned: 6, balance: 1006, payable: 6, payoutOffered: true });
    const wallet = await node.solana.wallet.create();
    expect(wallet.cluster).toMatchObject({ cluster: 'emulator', rpcUrl: chain.rpcUrl });
    const paid = await node.solana.payouts.payout({});
    expect(paid).toMatchObject({ address: wallet.address, credit: 6, lamports: 6_000_000, balance: 1000 });
    expect(paid.signature).toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    expect((await node.solana.wallet.balance()).lamports).toBe(6_000_000);
    expect(await node.solana.payouts.credit()).toMatchObject({ earned: 6, spent: 6, payable: 0 });
    // nothing left to pay: the network's 402 is a plain sentence, and no lamport moved
    const e = await node.solana.payouts.payout({}).catch((x: unknown) => x as { code: string; message: string });
    expect(e).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('no earned credit') });
    expect((await node.solana.wallet.balance()).lamports).toBe(6_000_000);
  }, 60_000);
});
