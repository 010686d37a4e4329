/**
 * `kraken network …` as a user runs it: child processes against the local network emulator, a data folder with a
 * project, a frame set and an imported ONNX classifier, the identity in the data folder's 0600 file
 * (KRAKEN_KEYCHAIN=off). A node (the contributor's NodeClient) runs the replica in between.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetworkEmulator, type NetworkEmulator } from '../../../emulators/network';
import type { NetworkJob } from '../../common/contract';
import { newIdentity } from '../../node/contributor/identity';
import { NodeClient } from '../../node/contributor/node-client';
import { signResult } from '../../node/contributor/signing';
import { EventBus } from '../../node/event-bus';
import { InferenceService } from '../../node/inference/inference-service';
import { writeRgbPng } from '../../node/inference/testing/fixtures';
import { linearClassifier } from '../../node/inference/testing/onnx-builder';
import { JobRunner } from '../../node/jobs/job-runner';
import { nowIso, openDatabase } from '../../node/store/database';

const root = path.resolve(__dirname, '..', '..', '..');
const source = path.join(root, 'main', 'cli', 'index.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-network-'));
const dataDir = path.join(work, 'data');
let emu: NetworkEmulator;
let modelId: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kraken(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const all: Record<string, string | undefined> = { ...process.env, KRAKEN_DATA_DIR: dataDir, KRAKEN_NETWORK_URL: emu.url, KRAKEN_EMULATOR_NETWORK_URL: undefined, KRAKEN_KEYCHAIN: 'off', ...env };
    for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
    const child = spawn(process.execPath, ['--import', 'tsx', source, ...args], { cwd: root, env: all });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/** One line on stderr; exit 1 for a refusal, 2 for a usage error. */
function oneErrorLine(r: Run, pattern: RegExp, code = 1): void {
  expect(r.code, r.stdout + r.stderr).toBe(code);
  const lines = r.stderr.trim().split('\n').filter((l) => !/keychain/i.test(l));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

beforeAll(async () => {
  emu = await startNetworkEmulator({ quiet: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(path.join(dataDir, 'studio.db'));
  const jobs = new JobRunner(db, new EventBus());
  const inference = new InferenceService(db, dataDir, jobs, { probeGpus: async () => ({ gpus: [], problem: 'test machine' }) });
  const now = nowIso();
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
  db.prepare(`INSERT INTO media_sources (id, project_id, kind, name, path, size_bytes, sha256, probe_json, created_at) VALUES (1, 1, 'video', 'v', '/v', 1, 'x', '{}', ?)`).run(now);
  db.prepare(`INSERT INTO frame_sets (id, project_id, media_id, params_json, status, dir, created_at, updated_at) VALUES (1, 1, 1, '{}', 'complete', 'frames/1', ?, ?)`).run(now, now);
  for (let i = 1; i <= 2; i++) {
    const rel = `frames/1/${String(i).padStart(6, '0')}.png`;
    await writeRgbPng(path.join(dataDir, rel), 2, 2, [i * 90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    db.prepare(`INSERT INTO images (project_id, frame_set_id, media_id, kind, file, width, height, frame_index, created_at, updated_at) VALUES (1, 1, 1, 'frame', ?, 2, 2, ?, ?, ?)`).run(rel, i, now, now);
  }
  const file = path.join(work, 'corner.onnx');
  fs.writeFileSync(file, linearClassifier(2, 2, [[2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], new Array(12).fill(0)], [0, 0.5]));
  modelId = (await inference.importModel({ path: file, task: 'classification', name: 'Corner', labels: ['red', 'plain'], licence: 'MIT' })).id;
  await jobs.shutdown();
  db.close();
}, 60_000);

afterAll(async () => {
  await emu?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('kraken network', () => {
  it('answers --help for the group and each command', async () => {
    const group = await kraken(['network', '--help']);
    expect(group.code).toBe(0);
    for (const c of ['submit', 'jobs', 'job', 'cancel', 'account']) expect(group.stdout).toContain(`network ${c}`);
    const sub = await kraken(['network', 'submit', '--help']);
    expect(sub.stdout).toMatch(/^usage: kraken network submit --model <id> --frame-set <id> \[--redundancy N\]/);
  });

  it('refuses bad input with one line: a redundancy out of range, a missing model option (usage, exit 2), an unknown frame set (exit 1)', async () => {
    oneErrorLine(await kraken(['network', 'submit', '--model', modelId, '--frame-set', '1', '--redundancy', '5']), /--redundancy takes a whole number from 1 to 3/, 2);
    oneErrorLine(await kraken(['network', 'submit', '--frame-set', '1']), /usage: kraken network submit/, 2);
    oneErrorLine(await kraken(['network', 'submit', '--model', modelId, '--frame-set', '42', '--json']), /No frame set 42/);
    expect(emu.jobs()).toEqual([]);
  });

  it('submit --json → queued with cost; a node runs it; jobs --json brings the outputs home as a run; account shows the spend', async () => {
    const sub = await kraken(['network', 'submit', '--model', modelId, '--frame-set', '1', '--redundancy', '1', '--json']);
    expect(sub.code, sub.stderr).toBe(0);
    const job = JSON.parse(sub.stdout) as NetworkJob;
    expect(job).toMatchObject({ state: 'queued', modelId, frameSetId: 1, redundancy: 1, cost: 2, uploaded: 3, toUpload: 3 });
    expect(sub.stdout).not.toMatch(/contributor\.node-key|secret/i);

    const { identity } = newIdentity();
    const n = new NodeClient(emu.url, identity, { maxRetries: 0 });
    await n.register({ hardware: { gpu: null, providers: ['cpu'], cpuCores: 1, memoryMb: 1024, os: 'linux', arch: 'x64' }, clusters: ['cpu'], clientVersion: 'test' });
    const lease = (await n.lease({ clusters: ['cpu'], providers: ['cpu'] }))!;
    const spec = lease.job as { jobId: string; replica: number; inputs: { sha256: string }[] };
    const outputs = spec.inputs.map((inp) => ({ input: inp.sha256, output: { top: [{ label: 'red', index: 0, score: 0.7 }] } }));
    expect((await n.result(lease.leaseId, { ...signResult(identity, spec.jobId, spec.replica, outputs), claimedCredit: 2, deviceMs: 10 })).status).toBe('valid');

    const list = await kraken(['network', 'jobs', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const jobs = (JSON.parse(list.stdout) as { jobs: NetworkJob[] }).jobs;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: job.id, state: 'done', spent: 2, runId: expect.any(Number) });
    const text = await kraken(['network', 'jobs']);
    expect(text.stdout).toMatch(new RegExp(`^#${job.id}  done  ${modelId}  frame set 1  ×1  2/2 inputs  2 credits spent  run \\d+  j_`));
    const acct = await kraken(['network', 'account', '--json']);
    expect(JSON.parse(acct.stdout).credit).toEqual({ earned: 0, spent: 2, reserved: 0, balance: 998 });
  });

  it('not enough credit: one stderr line with the cost and the balance, exit 1', async () => {
    emu.setSettings({ welcomeGrant: 0 });
    // another studio (same library, no identity yet): its new account starts with nothing
    const other = path.join(work, 'other');
    fs.cpSync(dataDir, other, { recursive: true });
    fs.rmSync(path.join(other, '.credentials'), { recursive: true, force: true });
    const poor = await kraken(['network', 'submit', '--model', modelId, '--frame-set', '1', '--redundancy', '3'], { KRAKEN_DATA_DIR: other });
    oneErrorLine(poor, /Not enough network credit for this job: it costs 6 credits and the balance is 0/);
  });
});
