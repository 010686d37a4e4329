/**
 * `kraken gpu …` as a user runs it: child processes against the local compute emulator on 127.0.0.1, a fresh data
 * folder, the address from KRAKEN_COMPUTE_URL or --api. A refused call is one line on stderr and exit 1.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startComputeEmulator, type ComputeEmulator } from '../../../emulators/compute';
import type { ComputeQuota, ComputeSession, ComputeStatus } from '../../common/contract';

const root = path.resolve(__dirname, '..', '..', '..');
const source = path.join(root, 'main', 'cli', 'index.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-gpu-'));
const dataDir = path.join(work, 'data');
let emu: ComputeEmulator;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kraken(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const all: Record<string, string | undefined> = { ...process.env, KRAKEN_DATA_DIR: dataDir, KRAKEN_COMPUTE_URL: emu.url, KRAKEN_EMULATOR_COMPUTE_URL: undefined, ...env };
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

function oneErrorLine(r: Run, pattern: RegExp): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

beforeAll(async () => {
  emu = await startComputeEmulator({ quiet: true, creationDelayMs: { pending: 300, createContainer: 300 }, quotas: { 5: { cpu: 2, gpu: 1 } } });
}, 60_000);

afterAll(async () => {
  await emu?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('kraken gpu', () => {
  it('answers --help for the group and each command', async () => {
    const group = await kraken(['gpu', '--help']);
    expect(group.code).toBe(0);
    for (const c of ['register', 'quota', 'run', 'status', 'container', 'extend', 'edit', 'stop', 'unregister']) expect(group.stdout).toContain(`gpu ${c}`);
    expect(group.stdout).not.toMatch(/getAllUserStatus|terminateAll/);
    const run = await kraken(['gpu', 'run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/usage: kraken gpu run \[--user <id>\] --cluster cpu\|gpu/);
  }, 60_000);

  it('bad input is refused before anything is sent: usage errors exit 2, a forbidden user id exits 1', async () => {
    emu.clearRequests();
    const usage: string[][] = [
      ['gpu', 'nope'],
      ['gpu', 'run', '--cluster', 'tpu'],
      ['gpu', 'extend', 'abc', '--minutes', '0'],
      ['gpu', 'register', '--user', 'u', '--storage-gb', '-1', '--school', '5'],
    ];
    for (const argv of usage) {
      const r = await kraken(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    oneErrorLine(await kraken(['gpu', 'register', '--user', 'kim.lee', '--storage-gb', '5', '--school', '5']), /user id cannot be used: it contains "\."/);
    expect(emu.requests()).toEqual([]);
  }, 90_000);

  it('no address: one line saying the three ways to give one', async () => {
    oneErrorLine(await kraken(['gpu', 'quota'], { KRAKEN_COMPUTE_URL: undefined }), /No compute service address: pass --api <url>, set KRAKEN_COMPUTE_URL/);
  }, 60_000);

  it('register → quota → run --wait → status → extend → edit → container → stop → unregister, with --json and --api', async () => {
    const reg = await kraken(['gpu', 'register', '--user', 'cli user', '--storage-gb', '4', '--school', '5']);
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stdout).toMatch(/Registered cli user: 4 GB/);
    expect(emu.storageExists('cli user')).toBe(true);

    // --api wins over KRAKEN_COMPUTE_URL
    const q = await kraken(['gpu', 'quota', '--json', '--api', emu.url], { KRAKEN_COMPUTE_URL: 'http://127.0.0.1:9' });
    expect(q.code, q.stderr).toBe(0);
    const quota = JSON.parse(q.stdout) as ComputeQuota;
    expect(quota).toMatchObject({ localSchoolId: 5, limit: { cpu: 2, gpu: 1 }, used: { cpu: 0, gpu: 0 } });

    const run = await kraken(['gpu', 'run', '--user', 'cli user', '--cluster', 'gpu', '--max-duration', '30', '--image', 'kraken/nb:1', '--wait', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout) as ComputeSession;
    expect(s).toMatchObject({ state: 'running', creationStatus: 'success', clusterId: 'gpu', imagePath: 'kraken/nb:1' });
    expect(s.endpoint.jupyter).toMatch(/^http:\/\/127\.0\.0\.1/);
    expect(s.endpoint.shell).toBeTruthy();

    const st = await kraken(['gpu', 'status']);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toContain(s.containerId);
    expect(st.stdout).toMatch(/min left/);
    expect(st.stdout).toContain(`jupyter  ${s.endpoint.jupyter}`);

    // The quota is reached: the next GPU run is the emulator's refusal, one line, exit 1.
    oneErrorLine(await kraken(['gpu', 'run', '--cluster', 'gpu']), /^kraken gpu: The compute service said: .*\[FORBIDDEN\]$/);

    const ext = await kraken(['gpu', 'extend', s.containerId, '--minutes', '60', '--json']);
    expect(ext.code, ext.stderr).toBe(0);
    const extended = JSON.parse(ext.stdout) as ComputeSession;
    expect(extended.remainingTime!).toBeGreaterThan(s.remainingTime!);
    expect(extended.maxDuration).toBe(90);

    const ed = await kraken(['gpu', 'edit', s.containerId, '--image', 'kraken/nb:2']);
    expect(ed.code, ed.stderr).toBe(0);
    expect(ed.stdout).toContain('kraken/nb:2');

    const one = await kraken(['gpu', 'container', s.containerId, '--json']);
    expect(one.code, one.stderr).toBe(0);
    expect((JSON.parse(one.stdout) as ComputeSession).imagePath).toBe('kraken/nb:2');

    const stop = await kraken(['gpu', 'stop', s.containerId]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toBe(`Stopped ${s.containerId}.\n`);
    const after = JSON.parse((await kraken(['gpu', 'status', '--json'])).stdout) as ComputeStatus;
    expect(after.sessions).toEqual([]);

    // Stopping it again: the studio no longer knows it as running → one line, exit 1.
    oneErrorLine(await kraken(['gpu', 'stop', s.containerId]), /not among the containers|compute service said/);

    const un = await kraken(['gpu', 'unregister', '--user', 'cli user']);
    expect(un.code, un.stderr).toBe(0);
    expect(un.stdout).toMatch(/Removed every container.*personal storage of cli user.*keeps the user's record/);
    expect(emu.storageExists('cli user')).toBe(false);
  }, 180_000);

  it('run --wait of a creation that fails: the emulator message on stderr, exit 1', async () => {
    await kraken(['gpu', 'register', '--user', 'fails', '--storage-gb', '1', '--school', '5']);
    emu.failNextCreation('No free GPU node (emulated).');
    const r = await kraken(['gpu', 'run', '--user', 'fails', '--cluster', 'cpu', '--wait']);
    expect(r.stdout).toMatch(/jupyter/);
    oneErrorLine(r, /could not be created: No free GPU node \(emulated\)\.$/);
  }, 60_000);

  it('an unknown user: the service message on one line, exit 1', async () => {
    oneErrorLine(await kraken(['gpu', 'status', '--user', 'nobody-here']), /^kraken gpu: The compute service .*\[NOT_FOUND\]$/);
  }, 60_000);
});
