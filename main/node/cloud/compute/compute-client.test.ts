/**
 * The compute client (seed 003) against the local compute emulator over 127.0.0.1: every user call and its error
 * replies, the seed's spellings on the wire, a user id refused before anything is sent, asynchronous creation to
 * success and to failed, extend, stop, deleteUser; and the operator calls the UI does not offer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startComputeEmulator, type ComputeEmulator } from '../../../../emulators/compute';
import { AppError } from '../../../common/app-error';
import { HttpClient } from '../http-client';
import { ComputeApi, ComputeOperatorApi } from './compute-api';

let emu: ComputeEmulator;
let api: ComputeApi;
let ops: ComputeOperatorApi;

beforeAll(async () => {
  emu = await startComputeEmulator({ quiet: true, creationDelayMs: { pending: 1000, createContainer: 1000 }, quotas: { 7: { cpu: 2, gpu: 1 } } });
  const http = new HttpClient({ service: 'compute', baseUrl: emu.url, baseDelayMs: 1, maxDelayMs: 5 });
  api = new ComputeApi(http);
  ops = new ComputeOperatorApi(http);
});
afterAll(async () => {
  await emu.close();
});
afterEach(async () => {
  await emu.reset();
});

async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Follows getContainerStatus on the emulator clock until it settles. */
async function settle(userId: string, containerId: string): Promise<{ statusContainer: string; errMessage?: string | null; seen: string[] }> {
  const seen: string[] = [];
  for (let i = 0; i < 20; i++) {
    const st = await api.getContainerStatus(userId, containerId);
    if (seen.at(-1) !== st.statusContainer) seen.push(st.statusContainer);
    if (st.statusContainer === 'success' || st.statusContainer === 'failed') return { ...st, seen };
    emu.advanceClock(600);
  }
  throw new Error('creation did not settle');
}

describe('compute client against the emulator', () => {
  it('registerUser, then getUserStatus: no containers, no usage; a second registration of the same id is refused with the service message', async () => {
    await api.registerUser({ userId: 'kim@school', storageGb: 5, localSchoolId: 7 });
    expect(emu.storageExists('kim@school')).toBe(true);
    const st = await api.getUserStatus('kim@school');
    expect(st).toMatchObject({ useContainerCnt: 0, runningContainerCnt: 0, containers: [], usage: { cpu: 0, gpu: 0 } });
    const again = await caught(api.registerUser({ userId: 'kim@school', storageGb: 5, localSchoolId: 7 }));
    expect(again.details?.service).toBe('compute');
    expect(again.message).toMatch(/compute service/);
    expect(again.details?.serviceMessage).toBeTruthy();
  });

  it.each(['a.b', 'a#b', 'a$b', 'a[b', 'a]b', ''])('refuses the user id %j before anything is sent (the emulator sees no request)', async (bad) => {
    emu.clearRequests();
    const calls: Promise<unknown>[] = [
      api.registerUser({ userId: bad, storageGb: 1, localSchoolId: 7 }),
      api.getUserStatus(bad),
      api.deleteUser(bad),
      api.runContainer({ userId: bad, clusterId: 'gpu' }),
      api.getContainerStatus(bad, 'c'),
      api.editContainer({ userId: bad, containerId: 'c', imagePath: 'x' }),
      api.terminateContainer(bad, 'c'),
      api.extendContainer({ userId: bad, containerId: 'c', maxDuration: 10 }),
    ];
    for (const p of calls) {
      const e = await caught(p);
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toMatch(/user id/);
    }
    expect(emu.requests()).toEqual([]);
  });

  it('accepts any other characters in a user id (spaces, slashes, Korean, @)', async () => {
    await api.registerUser({ userId: '김 민수/팀@1', storageGb: 1, localSchoolId: 7 });
    expect((await api.getUserStatus('김 민수/팀@1')).containers).toEqual([]);
  });

  it('getUserStatus of an unknown user is refused with the service message', async () => {
    const e = await caught(api.getUserStatus('nobody'));
    expect(e.details?.service).toBe('compute');
    expect(e.details?.serviceMessage).toBeTruthy();
  });

  it('runContainer answers before the container exists; getContainerStatus goes pending → createContainer → success; the list then shows it with endpoints and remaining time', async () => {
    await api.registerUser({ userId: 'lee', storageGb: 2, localSchoolId: 7 });
    emu.clearRequests();
    const run = await api.runContainer({ userId: 'lee', clusterId: 'gpu', dockerImagePath: 'kraken/train:1', maxDuration: 120, storagePath: 'datasets/a', nodeId: 3 });
    expect(run.containerId).toBeTruthy();
    expect(run.endpoint.jupyter).toMatch(/^http/);
    expect(run.endpoint.shell).toBeTruthy();
    // The seed's spelling on the wire: max_duration (not maxDuration), dockerImagePath; a POST with JSON, no token.
    const sent = emu.requests().find((r) => r.path === '/runContainer')!;
    expect(sent).toMatchObject({ method: 'POST', bearer: false });
    expect(sent.jsonKeys?.sort()).toEqual(['clusterId', 'dockerImagePath', 'max_duration', 'nodeId', 'storagePath', 'userId']);
    expect(emu.requests().filter((r) => r.path === '/runContainer')).toHaveLength(1);

    const done = await settle('lee', run.containerId);
    expect(done.seen).toEqual(['pending', 'createContainer', 'success']);
    const st = await api.getUserStatus('lee');
    const c = st.containers.find((x) => x.containerId === run.containerId)!;
    expect(c).toMatchObject({ clusterId: 'gpu', imagePath: 'kraken/train:1', maxDuration: 120, storagePath: 'datasets/a' });
    expect(c.remainingTime).toBeGreaterThan(100);
    expect(c.remainingTime).toBeLessThanOrEqual(120);
    expect(c.endpoint.jupyter).toBe(run.endpoint.jupyter);
    expect(st.runningContainerCnt).toBe(1);
    // The Jupyter endpoint answers.
    const page = await fetch(c.endpoint.jupyter!);
    expect(page.status).toBe(200);
  });

  it('a creation that fails reads failed with the emulator message', async () => {
    await api.registerUser({ userId: 'park', storageGb: 2, localSchoolId: 7 });
    emu.failNextCreation('No GPU node is free on campus 7.');
    const run = await api.runContainer({ userId: 'park', clusterId: 'gpu' });
    const done = await settle('park', run.containerId);
    expect(done.statusContainer).toBe('failed');
    expect(done.errMessage).toBe('No GPU node is free on campus 7.');
  });

  it('without max_duration the list says remainingTime -1 (no limit)', async () => {
    await api.registerUser({ userId: 'choi', storageGb: 2, localSchoolId: 7 });
    const run = await api.runContainer({ userId: 'choi', clusterId: 'cpu' });
    await settle('choi', run.containerId);
    const c = (await api.getUserStatus('choi')).containers.find((x) => x.containerId === run.containerId)!;
    expect(c.remainingTime).toBe(-1);
  });

  it('extendContainer (maxDuration on the wire) grows the remaining time; editContainer changes the image; terminateContainer removes it from the list', async () => {
    await api.registerUser({ userId: 'jung', storageGb: 2, localSchoolId: 7 });
    const run = await api.runContainer({ userId: 'jung', clusterId: 'cpu', maxDuration: 30 });
    await settle('jung', run.containerId);
    const before = (await api.getUserStatus('jung')).containers[0]!;
    emu.clearRequests();
    await api.extendContainer({ userId: 'jung', containerId: run.containerId, maxDuration: 60 });
    expect(emu.requests()[0]!.jsonKeys?.sort()).toEqual(['containerId', 'maxDuration', 'userId']);
    const after = (await api.getUserStatus('jung')).containers[0]!;
    expect(after.remainingTime!).toBeGreaterThan(before.remainingTime!);

    emu.clearRequests();
    await api.editContainer({ userId: 'jung', containerId: run.containerId, imagePath: 'kraken/other:2' });
    // editContainer's own spelling: imagePath (not dockerImagePath).
    expect(emu.requests()[0]!.jsonKeys?.sort()).toEqual(['containerId', 'imagePath', 'userId']);
    expect((await api.getUserStatus('jung')).containers[0]!.imagePath).toBe('kraken/other:2');

    await api.terminateContainer('jung', run.containerId);
    expect((await api.getUserStatus('jung')).containers).toEqual([]);
  });

  it('error replies: an unknown container for status, edit, extend and stop; a cluster over its quota', async () => {
    await api.registerUser({ userId: 'han', storageGb: 2, localSchoolId: 7 });
    for (const p of [
      api.getContainerStatus('han', 'no-such'),
      api.editContainer({ userId: 'han', containerId: 'no-such', imagePath: 'x' }),
      api.extendContainer({ userId: 'han', containerId: 'no-such', maxDuration: 5 }),
      api.terminateContainer('han', 'no-such'),
    ]) {
      const e = await caught(p);
      expect(e.details?.service).toBe('compute');
      expect(e.details?.serviceMessage, e.message).toBeTruthy();
    }
    // campus 7 allows 1 GPU container at a time
    await api.runContainer({ userId: 'han', clusterId: 'gpu' });
    const over = await caught(api.runContainer({ userId: 'han', clusterId: 'gpu' }));
    expect(over.details?.serviceMessage).toBeTruthy();
    expect(over.message).toContain(String(over.details?.serviceMessage).replace(/[.!]$/, ''));
  });

  it('getContainerQuota: the default and per campus', async () => {
    const all = await api.getContainerQuota();
    expect(all.maxQuota ?? all.maxQuotaSchool).toBeTruthy();
    const one = await api.getContainerQuota(7);
    const pair = one.maxQuotaSchool?.['7'] ?? one.maxQuota;
    expect(pair).toEqual({ cpu: 2, gpu: 1 });
  });

  it('deleteUser removes containers and storage; the record stays (usage still readable or re-registration possible)', async () => {
    await api.registerUser({ userId: 'yoon', storageGb: 2, localSchoolId: 7 });
    const run = await api.runContainer({ userId: 'yoon', clusterId: 'cpu', maxDuration: 60 });
    await settle('yoon', run.containerId);
    await api.deleteUser('yoon');
    expect(emu.storageExists('yoon')).toBe(false);
    expect(emu.container(run.containerId)?.state).toBe('ended');
  });

  it('a 5xx is retried for reads, never for runContainer (a repeat would start a second, billed container)', async () => {
    await api.registerUser({ userId: 'seo', storageGb: 2, localSchoolId: 7 });
    emu.setFaults({ route: 'POST /getUserStatus', status: 503, times: 1 });
    expect((await api.getUserStatus('seo')).containers).toEqual([]);
    emu.clearRequests();
    emu.setFaults({ route: 'POST /runContainer', status: 500, times: 1 });
    const e = await caught(api.runContainer({ userId: 'seo', clusterId: 'cpu' }));
    expect(e.code).toBe('REMOTE');
    expect(emu.requests().filter((r) => r.path === '/runContainer')).toHaveLength(1);
    expect(emu.containers()).toEqual([]);
  });

  it('operator calls (not in the UI): getAllUserStatus lists users; terminateAllContainer ends every container', async () => {
    await api.registerUser({ userId: 'op1', storageGb: 1, localSchoolId: 7 });
    await api.runContainer({ userId: 'op1', clusterId: 'cpu' });
    const all = await ops.getAllUserStatus();
    expect(Object.keys(all.result ?? {})).toContain('op1');
    await ops.terminateAllContainer();
    expect(emu.containers().every((c) => c.state === 'ended' || c.state === 'failed')).toBe(true);
  });
});
