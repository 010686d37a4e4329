/**
 * `kraken node …` as a rig operator runs it: child processes against the network emulator, a fresh data folder.
 * `start --once` does one job and exits; a running agent answers status/pause/resume through its control socket
 * (0600); Ctrl+C (SIGINT) gives the job back; a bad policy file or address is one stderr line, exit 1/2.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startNetworkEmulator, type NetworkEmulator } from '../../../emulators/network';
import { newIdentity } from '../../node/contributor/identity';
import { NodeClient } from '../../node/contributor/node-client';
import { pngInputs, slowModel, tinyModel, type Blob } from '../../node/contributor/testing/fixtures';

const root = path.resolve(__dirname, '..', '..', '..');
const source = path.join(root, 'main', 'cli', 'index.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-node-'));
let em: NetworkEmulator;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnKraken(args: string[], dataDir: string): { child: ChildProcess; done: Promise<Run>; stdout: () => string } {
  const env: Record<string, string | undefined> = { ...process.env, KRAKEN_DATA_DIR: dataDir };
  const child = spawn(process.execPath, ['--import', 'tsx', source, ...args], { cwd: root, env: env as NodeJS.ProcessEnv });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin!.end();
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done, stdout: () => stdout };
}
const kraken = (args: string[], dataDir: string) => spawnKraken(args, dataDir).done;

async function until<T>(what: string, fn: () => T | Promise<T>, ms = 60_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function submit(model: Blob, inputs: Blob[], inputSize: [number, number], batchSize = 4) {
  const creator = new NodeClient(em.url, newIdentity().identity, { maxRetries: 0 });
  for (const b of [model, ...inputs]) await creator.http.request({ method: 'PUT', path: `/v1/blobs/${b.sha256}`, body: b.bytes, headers: { 'content-type': 'application/octet-stream' }, schema: z.unknown(), okStatuses: [200, 201] });
  const r = await creator.http.request({
    method: 'POST',
    path: '/v1/jobs',
    json: { kind: 'inference', model: { sha256: model.sha256, bytes: model.bytes.length, format: 'onnx', task: 'classification', inputSize, labels: ['a', 'b'] }, inputs: inputs.map((i) => ({ sha256: i.sha256, bytes: i.bytes.length, mediaType: 'image/png' })), batchSize, redundancy: 1, maxDurationMinutes: 30, cluster: 'cpu' },
    schema: z.looseObject({ jobId: z.string() }),
    okStatuses: [201],
  });
  return r.jobId;
}

beforeAll(async () => {
  em = await startNetworkEmulator({ quiet: true });
}, 60_000);
afterAll(async () => {
  await em?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('kraken node', () => {
  it('answers --help for the group and each command', async () => {
    const d = path.join(work, 'help');
    const g = await kraken(['node', '--help'], d);
    expect(g.code).toBe(0);
    for (const c of ['start', 'status', 'pause', 'resume', 'finish', 'ledger']) expect(g.stdout).toContain(`node ${c}`);
    const s = await kraken(['node', 'start', '--help'], d);
    expect(s.stdout).toMatch(/Ctrl\+C gives the current job back/);
    expect(fs.existsSync(d)).toBe(false);
  });

  it('refuses a bad address, a policy file with an unknown rule or a bad value, one line each', async () => {
    const d = path.join(work, 'bad');
    const noUrl = await kraken(['node', 'start', '--network', 'ftp://x'], d);
    expect([noUrl.code, noUrl.stderr.trim()]).toEqual([2, 'kraken node: --network must be an http(s) URL, not "ftp://x".']);
    const file = path.join(work, 'policy.json');
    fs.writeFileSync(file, JSON.stringify({ idleMinutes: 5, runAsRoot: true }));
    const unknown = await kraken(['node', 'start', '--network', em.url, '--policy', file], d);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toEqual(['kraken node: The policy file policy.json: rules: Unrecognized key: "runAsRoot" (unknown rule runAsRoot). [INVALID_INPUT]']);
    fs.writeFileSync(file, JSON.stringify({ cpuSharePercent: 150 }));
    const bad = await kraken(['node', 'start', '--network', em.url, '--policy', file], d);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^kraken node: The policy file policy\.json: cpuSharePercent: .*100.*\[INVALID_INPUT\]$/);
    const none = await kraken(['node', 'pause'], d);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toMatch(/^kraken node: No node agent is running on .*\[NOT_FOUND\]$/);
  });

  it('start --once --json does one job and exits 0; the ledger shows it afterwards (no agent running)', async () => {
    const d = path.join(work, 'once');
    const jobId = await submit(tinyModel(), await pngInputs(3), [2, 2]);
    const r = await kraken(['node', 'start', '--network', em.url, '--once', '--json', '--force-cpu'], d);
    expect(r.code, r.stderr).toBe(0);
    const states = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { state: string; reason: { code: string }; job: { jobId: string } | null });
    expect(states.some((s) => s.state === 'run' && s.job?.jobId === jobId)).toBe(true);
    expect(em.job(jobId)!.status).toBe('done');
    const l = await kraken(['node', 'ledger', '--json'], d);
    expect(l.code).toBe(0);
    expect(JSON.parse(l.stdout)).toMatchObject({ totals: { jobs: 1, claimedCredit: 3, grantedCredit: 3 } });
    const text = await kraken(['node', 'ledger'], d);
    expect(text.stdout).toMatch(/^Total: 1 jobs, .* credit claimed 3, granted 3/);
  }, 120_000);

  it('a running agent answers status, pause (the job stops) and resume over its 0600 socket; Ctrl+C gives the job back', async () => {
    const d = path.join(work, 'live');
    const jobId = await submit(slowModel(192, 4), await pngInputs(300), [192, 192], 1);
    const agent = spawnKraken(['node', 'start', '--network', em.url, '--force-cpu'], d);
    await until('the job to run', () => /: Running: no one is at this machine\. — job /.test(agent.stdout()));
    const sock = path.join(d, 'contributor', 'control.sock');
    expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
    const p = await kraken(['node', 'pause'], d);
    expect(p.stdout.trim()).toMatch(/^pause: Paused by you \(resume to continue\)\. — job /);
    const paused = JSON.parse((await kraken(['node', 'status', '--json'], d)).stdout) as { job: { done: number } };
    expect(paused).toMatchObject({ running: true, state: 'pause', reason: { code: 'paused_by_user' }, job: { jobId } });
    await new Promise((r) => setTimeout(r, 500));
    expect((JSON.parse((await kraken(['node', 'status', '--json'], d)).stdout) as { job: { done: number } }).job.done).toBe(paused.job.done);
    const res = await kraken(['node', 'resume'], d);
    expect(res.stdout.trim()).toMatch(/^run: /);
    agent.child.kill('SIGINT');
    const end = await agent.done;
    expect(end.code).toBe(0);
    expect(end.stderr).toMatch(/gave the current job back/);
    expect(em.job(jobId)!.leases.at(-1)).toMatchObject({ state: 'released', endReason: 'shutdown' });
    expect(fs.existsSync(sock)).toBe(false);
    const after = await kraken(['node', 'status'], d);
    expect(after.stdout).toMatch(/^No node agent is running on /);
  }, 120_000);
});
