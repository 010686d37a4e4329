/**
 * GPU sessions through the studio's core (real SQLite on disk, the compute emulator over 127.0.0.1): register
 * once (saved), run answers at once and creation is followed to running or failed, remaining time and its
 * countdown end, extend, the 10-minute warning, quota reached, stop, unregister; and sessions survive the studio —
 * a core closed and opened again on the same data folder finds a running session, follows one still being
 * created, and marks one that ended meanwhile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startComputeEmulator, type ComputeEmulator } from '../../../../emulators/compute';
import { AppError } from '../../../common/app-error';
import { contract, type ComputeSession, type EventName, type EventPayload, type ParsedRequestOf, type RequestOf, type ResponseOf } from '../../../common/contract';
import { createCore, type Core } from '../../core';
import { ComputeOperatorApi } from './compute-api';
import { HttpClient } from '../http-client';

type ComputeChannel = Extract<keyof typeof contract, `compute.${string}`>;

let emu: ComputeEmulator;
let work: string;
const cores: Core[] = [];

beforeAll(async () => {
  emu = await startComputeEmulator({ quiet: true, creationDelayMs: { pending: 150, createContainer: 150 }, quotas: { 3: { cpu: 2, gpu: 1 } } });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-compute-svc-'));
});
afterAll(async () => {
  await emu.close();
  fs.rmSync(work, { recursive: true, force: true });
});
afterEach(async () => {
  while (cores.length) await cores.pop()!.close();
  await emu.reset();
});

function open(dataDir: string): Core {
  const core = createCore({
    dataDir,
    shell: 'cli',
    cloud: { keychain: false, client: { baseDelayMs: 2, maxDelayMs: 10 }, compute: { pollMs: { first: 20, max: 60 }, watchMs: 50, refreshMs: 100 } },
  });
  cores.push(core);
  return core;
}

async function studio(): Promise<{ core: Core; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(work, 'data-'));
  const core = open(dataDir);
  await call(core, 'compute.setConnection', { baseUrl: emu.url });
  return { core, dataDir };
}

/** Calls a channel as the dispatcher does: the request parsed by the contract, the reply checked against it. */
async function call<C extends ComputeChannel>(core: Core, channel: C, req: RequestOf<C>): Promise<ResponseOf<C>> {
  const spec = contract[channel];
  const parsed = spec.request.parse(req) as ParsedRequestOf<C>;
  const handler = core.handlers[channel] as (r: ParsedRequestOf<C>, caller: { origin: string; isMainFrame: boolean }) => Promise<ResponseOf<C>> | ResponseOf<C>;
  const res = await handler(parsed, { origin: 'test', isMainFrame: true });
  return spec.response.parse(res) as ResponseOf<C>;
}

async function refused(p: Promise<unknown> | (() => unknown)): Promise<AppError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** The first event that matches (bounded, so a missing event fails the test instead of hanging it). */
function next<E extends EventName>(core: Core, name: E, match: (p: EventPayload<E>) => boolean, ms = 10_000): Promise<EventPayload<E>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`no ${name} event matched within ${ms} ms`));
    }, ms);
    const off = core.bus.on(name, (p) => {
      if (!match(p)) return;
      clearTimeout(t);
      off();
      resolve(p);
    });
  });
}

const running = (id: string) => (s: ComputeSession) => s.containerId === id && s.state === 'running' && s.remainingTime !== null;

describe('GPU sessions in the core', () => {
  it('register saves the user id (a setting), then status, quota and run use it without asking again', async () => {
    const { core } = await studio();
    expect(await call(core, 'compute.user', {})).toBeNull();
    const user = await call(core, 'compute.register', { userId: 'mina', storageGb: 10, localSchoolId: 3 });
    expect(user).toMatchObject({ userId: 'mina', storageGb: 10, localSchoolId: 3 });
    expect(await call(core, 'compute.user', {})).toEqual(user);
    const row = core.db.prepare(`SELECT value_json FROM settings WHERE key = 'compute.user'`).get() as { value_json: string };
    expect(JSON.parse(row.value_json).userId).toBe('mina');
    const st = await call(core, 'compute.status', {});
    expect(st).toMatchObject({ userId: 'mina', useContainerCnt: 0, runningContainerCnt: 0, sessions: [], usage: { cpu: 0, gpu: 0 } });
    const q = await call(core, 'compute.quota', {});
    expect(q).toMatchObject({ localSchoolId: 3, limit: { cpu: 2, gpu: 1 }, used: { cpu: 0, gpu: 0 }, blocked: { cpu: null, gpu: null } });
  });

  it('a bad user id is refused by the contract and by the service, and nothing reaches the emulator', async () => {
    const { core } = await studio();
    emu.clearRequests();
    expect(contract['compute.register'].request.safeParse({ userId: 'a.b', storageGb: 1, localSchoolId: 3 }).success).toBe(false);
    expect(contract['compute.run'].request.safeParse({ userId: 'x[1]', clusterId: 'gpu' }).success).toBe(false);
    const e = await refused(core.compute.service.register({ userId: 'team#1', storageGb: 1, localSchoolId: 3 }));
    expect(e.code).toBe('INVALID_INPUT');
    // No saved user and none given: a clear refusal, nothing sent.
    expect((await refused(call(core, 'compute.status', {}))).message).toMatch(/No compute user id/);
    expect(emu.requests()).toEqual([]);
  });

  it('run answers at once (creating), creation is followed to running with endpoints and a countdown, per project', async () => {
    const { core } = await studio();
    await call(core, 'compute.register', { userId: 'jin', storageGb: 5, localSchoolId: 3 });
    const project = core.projects.create({ name: 'training' });
    const states: string[] = [];
    core.bus.on('compute.sessionUpdated', (s) => {
      const tag = `${s.state}:${s.creationStatus}`;
      if (states.at(-1) !== tag) states.push(tag);
    });
    const s = await call(core, 'compute.run', { clusterId: 'gpu', maxDuration: 90, dockerImagePath: 'kraken/nb:1', projectId: project.id });
    expect(s).toMatchObject({ state: 'creating', creationStatus: 'pending', clusterId: 'gpu', projectId: project.id, startedHere: true, maxDuration: 90 });
    expect(s.endpoint.jupyter).toMatch(/^http:\/\/127\.0\.0\.1/);
    const done = await next(core, 'compute.sessionUpdated', running(s.containerId));
    expect(states[0]).toBe('creating:pending');
    expect(states).toContain('running:success');
    expect(done.remainingTime).toBeGreaterThan(80);
    expect(Date.parse(done.endsAt!) - Date.parse(done.observedAt!)).toBe(done.remainingTime! * 60_000);
    expect(done.imagePath).toBe('kraken/nb:1');
    expect(await call(core, 'compute.sessions', { projectId: project.id })).toEqual([expect.objectContaining({ containerId: s.containerId, state: 'running' })]);
    const one = await call(core, 'compute.container', { containerId: s.containerId });
    expect(one).toMatchObject({ state: 'running', creationStatus: 'success' });
    const st = await call(core, 'compute.status', {});
    expect(st.runningContainerCnt).toBe(1);
    expect(st.sessions.map((x) => x.containerId)).toEqual([s.containerId]);
  });

  it('a creation that fails is a failed session with the emulator message', async () => {
    const { core } = await studio();
    await call(core, 'compute.register', { userId: 'ara', storageGb: 5, localSchoolId: 3 });
    emu.failNextCreation('The GPU image could not be pulled.');
    const s = await call(core, 'compute.run', { clusterId: 'gpu' });
    const failed = await next(core, 'compute.sessionUpdated', (x) => x.containerId === s.containerId && x.state === 'failed');
    expect(failed).toMatchObject({ creationStatus: 'failed', error: 'The GPU image could not be pulled.' });
    expect((await call(core, 'compute.sessions', {}))[0]).toMatchObject({ state: 'failed', error: 'The GPU image could not be pulled.' });
  });

  it('extend grows the remaining time; the warning comes once at 10 minutes left, and again only after a new end comes near', async () => {
    const { core } = await studio();
    await call(core, 'compute.register', { userId: 'dae', storageGb: 5, localSchoolId: 3 });
    const s = await call(core, 'compute.run', { clusterId: 'cpu', maxDuration: 15 });
    await next(core, 'compute.sessionUpdated', running(s.containerId));
    const warnings: number[] = [];
    core.bus.on('compute.sessionEnding', (w) => warnings.push(w.minutesLeft));
    emu.advanceClock(6 * 60_000);
    const warned = next(core, 'compute.sessionEnding', (w) => w.session.containerId === s.containerId);
    await call(core, 'compute.status', {});
    expect((await warned).minutesLeft).toBeLessThanOrEqual(10);
    await call(core, 'compute.status', {});
    expect(warnings).toHaveLength(1);

    const before = (await call(core, 'compute.container', { containerId: s.containerId })).remainingTime!;
    const after = await call(core, 'compute.extend', { containerId: s.containerId, minutes: 30 });
    expect(after.remainingTime!).toBeGreaterThanOrEqual(before + 29);
    expect(after.maxDuration).toBe(45);
    await call(core, 'compute.status', {});
    expect(warnings).toHaveLength(1);
    // The new end comes near: a second warning for it.
    emu.advanceClock(30 * 60_000);
    await call(core, 'compute.status', {});
    expect(warnings).toHaveLength(2);
  });

  it('edit changes the image; stop stops it and the list no longer has it; quota reached blocks the cluster with the reason', async () => {
    const { core } = await studio();
    await call(core, 'compute.register', { userId: 'bom', storageGb: 5, localSchoolId: 3 });
    const s = await call(core, 'compute.run', { clusterId: 'gpu', maxDuration: 60 });
    const q = await call(core, 'compute.quota', {});
    expect(q.used).toEqual({ cpu: 0, gpu: 1 });
    expect(q.blocked.gpu).toMatch(/quota of 1 GPU container is reached/);
    expect(q.blocked.cpu).toBeNull();
    await next(core, 'compute.sessionUpdated', running(s.containerId));
    const seen: string[] = [];
    core.bus.on('compute.sessionUpdated', (x) => {
      if (x.containerId === s.containerId && seen.at(-1) !== x.state) seen.push(x.state);
    });
    const edited = await call(core, 'compute.edit', { containerId: s.containerId, imagePath: 'kraken/nb:2' });
    expect(edited.imagePath).toBe('kraken/nb:2');
    // The emulator creates the container again for a new image: followed back to running.
    await next(core, 'compute.sessionUpdated', (x) => running(s.containerId)(x) && seen.includes('creating'));
    expect(seen).toEqual(['running', 'creating', 'running']); // new image noted, created again, running
    const stopped = await call(core, 'compute.stop', { containerId: s.containerId });
    expect(stopped).toMatchObject({ state: 'stopped' });
    expect(stopped.endedAt).not.toBeNull();
    expect((await call(core, 'compute.status', {})).sessions).toEqual([]);
    expect((await call(core, 'compute.quota', {})).blocked.gpu).toBeNull();
    expect((await refused(call(core, 'compute.stop', { containerId: 'never-was' }))).code).toBe('NOT_FOUND');
  });

  it('unregister asks for the user id again, then removes containers and storage; the id stays saved', async () => {
    const { core } = await studio();
    await call(core, 'compute.register', { userId: 'hye', storageGb: 5, localSchoolId: 3 });
    const s = await call(core, 'compute.run', { clusterId: 'cpu' });
    await next(core, 'compute.sessionUpdated', running(s.containerId));
    expect((await refused(call(core, 'compute.unregister', { confirmUserId: 'someone' }))).code).toBe('INVALID_INPUT');
    expect(emu.storageExists('hye')).toBe(true);
    const r = await call(core, 'compute.unregister', { confirmUserId: 'hye' });
    expect(r).toEqual({ userId: 'hye', stoppedSessions: [s.containerId] });
    expect(emu.storageExists('hye')).toBe(false);
    expect(await call(core, 'compute.user', {})).toMatchObject({ userId: 'hye', storageGb: null });
  });

  it('sessions survive the studio: a new core on the same data folder finds the running one, follows the one being created, marks the one that ended meanwhile', async () => {
    const { core, dataDir } = await studio();
    await call(core, 'compute.register', { userId: 'restart', storageGb: 5, localSchoolId: 3 });
    const project = core.projects.create({ name: 'p' });
    const a = await call(core, 'compute.run', { clusterId: 'cpu', maxDuration: 120, projectId: project.id });
    const b = await call(core, 'compute.run', { clusterId: 'gpu', maxDuration: 60 });
    await next(core, 'compute.sessionUpdated', running(a.containerId));
    await next(core, 'compute.sessionUpdated', running(b.containerId));
    emu.setCreationDelay({ pending: 400, createContainer: 400 });
    const c = await call(core, 'compute.run', { clusterId: 'cpu' });
    await cores.pop()!.close();

    // While the studio is closed: b is stopped elsewhere; c goes on being created.
    await new ComputeOperatorApi(new HttpClient({ service: 'compute', baseUrl: emu.url })).http.requestRaw({ method: 'POST', path: '/terminateContainer', json: { userId: 'restart', containerId: b.containerId } });

    const again = open(dataDir);
    const cRunning = next(again, 'compute.sessionUpdated', running(c.containerId));
    const bEnded = next(again, 'compute.sessionUpdated', (s) => s.containerId === b.containerId && s.state === 'ended');
    await bEnded;
    await cRunning;
    const list = await call(again, 'compute.sessions', {});
    const byId = new Map(list.map((s) => [s.containerId, s]));
    expect(byId.get(a.containerId)).toMatchObject({ state: 'running', startedHere: true, projectId: project.id });
    expect(byId.get(b.containerId)).toMatchObject({ state: 'ended' });
    expect(byId.get(c.containerId)).toMatchObject({ state: 'running', creationStatus: 'success' });
  });

  it('a container started elsewhere (not by this studio) is found in the list and kept', async () => {
    const { core } = await studio();
    await call(core, 'compute.register', { userId: 'other', storageGb: 5, localSchoolId: 3 });
    const http = new HttpClient({ service: 'compute', baseUrl: emu.url });
    await http.requestRaw({ method: 'POST', path: '/runContainer', json: { userId: 'other', clusterId: 'cpu', max_duration: 30 } });
    const st = await call(core, 'compute.status', {});
    expect(st.sessions).toEqual([expect.objectContaining({ startedHere: false, projectId: null, clusterId: 'cpu' })]);
  });

  it('no compute address: a plain refusal; connection says where the URL came from', async () => {
    const dataDir = fs.mkdtempSync(path.join(work, 'data-'));
    const core = open(dataDir);
    const before = process.env.KRAKEN_COMPUTE_URL;
    const beforeEmu = process.env.KRAKEN_EMULATOR_COMPUTE_URL;
    delete process.env.KRAKEN_COMPUTE_URL;
    delete process.env.KRAKEN_EMULATOR_COMPUTE_URL;
    try {
      expect(await call(core, 'compute.connection', {})).toEqual({ baseUrl: null, emulator: false, source: 'none' });
      expect((await call(core, 'compute.checkConnection', {})).reachable).toBe(false);
      expect((await refused(call(core, 'compute.quota', {}))).message).toMatch(/No compute service address/);
      const set = await call(core, 'compute.setConnection', { baseUrl: emu.url });
      expect(set).toMatchObject({ baseUrl: emu.url, source: 'setting' });
      expect(await call(core, 'compute.checkConnection', {})).toMatchObject({ reachable: true, message: null });
    } finally {
      if (before !== undefined) process.env.KRAKEN_COMPUTE_URL = before;
      if (beforeEmu !== undefined) process.env.KRAKEN_EMULATOR_COMPUTE_URL = beforeEmu;
    }
  });
});
