/** Fault injection in the seed's error shape, the endpoints that answer, persistence across a restart, the admin API. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startComputeEmulator, type ComputeEmulator } from './emulator';
import { call, MINUTE, register, running, start, tempDir } from './test-kit';

const open: ComputeEmulator[] = [];
async function emulator(options: Parameters<typeof start>[0] = {}): Promise<ComputeEmulator> {
  const em = await start(options);
  open.push(em);
  return em;
}
afterEach(async () => {
  for (const em of open.splice(0)) await em.close();
});

describe('fault injection', () => {
  it('a 5xx rule answers {statusCode, errMessage} with the same status, then the endpoint works again', async () => {
    const em = await emulator();
    await register(em.url, 'gus');
    em.setFaults({ route: 'POST /runContainer', status: 503, times: 1, retryAfterSec: 2 });
    const r = await call(em.url, 'runContainer', { userId: 'gus', clusterId: 'gpu' });
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ statusCode: 503, errMessage: expect.stringContaining('Injected fault') });
    expect(r.headers.get('retry-after')).toBe('2');
    expect(em.containers()).toEqual([]);
    expect((await call(em.url, 'runContainer', { userId: 'gus', clusterId: 'gpu' })).status).toBe(200);
    expect(em.requests().map((x) => [x.path, x.status, x.faults ?? []])).toEqual([
      ['/registerUser', 200, []],
      ['/runContainer', 503, ['status 503']],
      ['/runContainer', 200, []],
    ]);
  });

  it('faults from the start option, through the admin API, and at a seeded rate', async () => {
    const em = await emulator({ faults: { route: '/getUserStatus', status: 500 } });
    await register(em.url, 'hal');
    expect((await call(em.url, 'getUserStatus', { userId: 'hal' })).body.statusCode).toBe(500);
    expect((await fetch(`${em.url}/__emulator/faults`, { method: 'DELETE' })).status).toBe(200);
    expect((await call(em.url, 'getUserStatus', { userId: 'hal' })).status).toBe(200);
    const put = await fetch(`${em.url}/__emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ route: 'POST /getContainerQuota', status: 502, rate: 0.5 }) });
    expect(put.status).toBe(200);
    const codes: number[] = [];
    for (let i = 0; i < 20; i++) codes.push((await call(em.url, 'getContainerQuota', {})).status);
    expect(codes.filter((c) => c === 502).length).toBeGreaterThan(2);
    expect(codes.filter((c) => c === 200).length).toBeGreaterThan(2);
    // an invalid rule is refused, in the seed shape too
    const bad = await fetch(`${em.url}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 200 }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ statusCode: 400, errMessage: expect.stringContaining('status must be') });
  });

  it('a delay rule holds the reply back and is named in the request log', async () => {
    const em = await emulator();
    em.addFault({ route: 'POST /getContainerQuota', delayMs: 30, times: 1 });
    expect((await call(em.url, 'getContainerQuota', {})).status).toBe(200);
    expect((await call(em.url, 'getContainerQuota', {})).status).toBe(200);
    expect(em.requests().map((x) => x.faults ?? [])).toEqual([['delay 30 ms'], []]);
    expect(em.faults()).toEqual([]);
  });

  it('a failed creation from the start option', async () => {
    const em = await emulator({ failNextCreation: 'out of GPUs' });
    await register(em.url, 'ivy');
    const id = await running(em, { userId: 'ivy', clusterId: 'gpu' });
    expect((await call(em.url, 'getContainerStatus', { userId: 'ivy', containerId: id })).body).toEqual({ statusCode: 200, errMessage: 'out of GPUs', statusContainer: 'failed' });
    expect(em.container(id)).toMatchObject({ state: 'failed', failMessage: 'out of GPUs' });
  });
});

describe('the container endpoints answer', () => {
  it('Jupyter: 503 while created, the page once running (sub-paths too), 404 once terminated; the shell URL answers a line', async () => {
    const em = await emulator();
    await register(em.url, 'jo');
    const r = await call(em.url, 'runContainer', { userId: 'jo', clusterId: 'gpu', dockerImagePath: 'lab<1>' });
    const { jupyter, shell } = r.body.endpoint as { jupyter: string; shell: string };
    const id = r.body.containerId as string;
    const early = await fetch(jupyter);
    expect(early.status).toBe(503);
    expect(await early.text()).toBe(`Container ${id} is still being created.`);
    em.advanceClock(2 * MINUTE);
    const page = await fetch(jupyter);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain(`<title>Jupyter (Kraken compute emulator) — container ${id}</title>`);
    expect(html).toContain('lab&#60;1&#62;');
    expect((await fetch(`${jupyter}lab`)).status).toBe(200);
    expect((await fetch(`${jupyter}tree/work`)).status).toBe(200);
    expect(shell).toBe(`ws://127.0.0.1:${em.port}/__containers/${id}/shell`);
    const sh = await fetch(shell.replace(/^ws/, 'http'));
    expect(sh.status).toBe(200);
    expect(await sh.text()).toContain(`Shell endpoint of container ${id}`);
    await call(em.url, 'terminateContainer', { userId: 'jo', containerId: id });
    expect((await fetch(jupyter)).status).toBe(404);
    expect((await fetch(`${em.url}/__containers/nope/jupyter/`)).status).toBe(404);
  });
});

/** Opens a WebSocket and collects its messages; resolves the close code when it closes. */
function shellSession(url: string) {
  const ws = new WebSocket(url);
  const messages: string[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    messages.push(String(d));
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const next = async () => {
    while (!messages.length) await new Promise<void>((r) => waiters.push(r));
    return messages.shift()!;
  };
  return { ws, next, closed, opened: new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject))) };
}

describe('the shell endpoint', () => {
  it('is a WebSocket while the container runs: a greeting, a few commands, exit; refused before and after', async () => {
    const em = await emulator();
    await register(em.url, 'sam');
    const r = await call(em.url, 'runContainer', { userId: 'sam', clusterId: 'gpu', dockerImagePath: 'lab:3' });
    const { shell } = r.body.endpoint as { shell: string };
    const id = r.body.containerId as string;
    const early = shellSession(shell);
    await expect(early.opened).rejects.toThrow(/404/);
    em.advanceClock(2 * MINUTE);
    const s = shellSession(shell);
    await s.opened;
    expect(await s.next()).toBe(`Kraken compute emulator shell — container ${id} (lab:3 on the gpu cluster)\n$ `);
    s.ws.send('echo hello there');
    expect(await s.next()).toBe('hello there\n$ ');
    s.ws.send('hostname');
    expect(await s.next()).toBe(`${id}\n$ `);
    s.ws.send('rm -rf /');
    expect(await s.next()).toMatch(/^rm: not available in the Kraken compute emulator's shell/);
    s.ws.send('exit');
    expect(await s.closed).toBe(1000);
    // a session open when the container ends is closed on its next line
    const t = shellSession(shell);
    await t.opened;
    await t.next();
    await call(em.url, 'terminateContainer', { userId: 'sam', containerId: id });
    t.ws.send('pwd');
    expect(await t.closed).toBe(1001);
    await expect(shellSession(shell).opened).rejects.toThrow(/404/);
    await expect(shellSession(`${em.url.replace('http', 'ws')}/elsewhere`).opened).rejects.toThrow(/404/);
  });
});

describe('persistence', () => {
  it('users, containers, usage and the moved clock survive a restart on the same data folder', async () => {
    const dataDir = tempDir();
    try {
      let em = await startComputeEmulator({ dataDir, quiet: true, creationDelayMs: MINUTE });
      await register(em.url, 'kim', 4);
      const id = await running(em, { userId: 'kim', clusterId: 'gpu', max_duration: 90 });
      const pending = (await call(em.url, 'runContainer', { userId: 'kim', clusterId: 'cpu' })).body.containerId as string;
      em.advanceClock(30 * MINUTE);
      const before = (await call(em.url, 'getUserStatus', { userId: 'kim' })).body;
      const clockBefore = em.now();
      await em.close();
      expect(fs.existsSync(dataDir)).toBe(true);

      em = await startComputeEmulator({ dataDir, quiet: true, creationDelayMs: MINUTE });
      try {
        expect(em.now()).toBeGreaterThanOrEqual(clockBefore);
        const after = (await call(em.url, 'getUserStatus', { userId: 'kim' })).body;
        expect(after.useContainerCnt).toBe(2);
        expect(after.usage).toEqual(before.usage);
        const gpu = after.running_container_list.find((c: { containerId: string }) => c.containerId === id);
        expect(gpu).toMatchObject({ status: 'success', remainingTime: 60, maxDuration: 90 });
        // endpoints follow the new port
        expect(gpu.endpoint.jupyter).toBe(`${em.url}/__containers/${id}/jupyter/`);
        expect((await fetch(gpu.endpoint.jupyter)).status).toBe(200);
        expect(after.running_container_list.find((c: { containerId: string }) => c.containerId === pending).status).toBe('success');
        expect(em.storageExists('kim')).toBe(true);
        expect((await call(em.url, 'registerUser', { userId: 'kim', storageGb: 1, localSchoolId: 4 })).status).toBe(409);
        em.advanceClock(60 * MINUTE);
        expect((await call(em.url, 'getContainerStatus', { userId: 'kim', containerId: id })).status).toBe(404);
      } finally {
        await em.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a temporary data folder is removed on close', async () => {
    const em = await startComputeEmulator({ quiet: true });
    expect(fs.existsSync(em.dataDir)).toBe(true);
    await em.close();
    expect(fs.existsSync(em.dataDir)).toBe(false);
  });
});

describe('admin API', () => {
  it('config (delays, quotas), the container list, clock advance and reset', async () => {
    const em = await emulator();
    const cfg = await fetch(`${em.url}/__emulator/config`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ creationDelayMs: { pending: 0, createContainer: 0 }, quotas: { 9: { cpu: 0, gpu: 3 } } }) });
    expect(cfg.status).toBe(200);
    expect(await cfg.json()).toMatchObject({ creationDelayMs: { pending: 0, createContainer: 0 }, quotas: { 9: { cpu: 0, gpu: 3 } }, pendingFailures: 0 });
    const badCfg = await fetch(`${em.url}/__emulator/config`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ defaultQuota: { cpu: -1, gpu: 1 } }) });
    expect(badCfg.status).toBe(400);
    await register(em.url, 'lee', 9);
    const r = await call(em.url, 'runContainer', { userId: 'lee', clusterId: 'gpu', max_duration: 5 });
    // no delay: running at once
    expect((await call(em.url, 'getContainerStatus', { userId: 'lee', containerId: r.body.containerId })).body.statusContainer).toBe('success');
    expect((await call(em.url, 'runContainer', { userId: 'lee', clusterId: 'cpu' })).status).toBe(403);
    const list = await (await fetch(`${em.url}/__emulator/containers`)).json();
    expect(list.containers).toEqual([expect.objectContaining({ containerId: r.body.containerId, userId: 'lee', state: 'success', remainingTime: 5 })]);
    const adv = await fetch(`${em.url}/__emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: 5 * MINUTE }) });
    expect(adv.status).toBe(200);
    expect(em.container(r.body.containerId)).toMatchObject({ state: 'ended', endReason: 'expired' });
    expect((await fetch(`${em.url}/__emulator/reset`, { method: 'POST' })).status).toBe(200);
    expect(em.containers()).toEqual([]);
    expect((await call(em.url, 'getUserStatus', { userId: 'lee' })).status).toBe(404);
    expect(em.storageExists('lee')).toBe(false);
  });
});
