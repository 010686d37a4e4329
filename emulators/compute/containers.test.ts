/** runContainer and the asynchronous creation, quotas, remaining time, extend, expiry, usage, edit, terminate. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ComputeEmulator } from './emulator';
import { call, MINUTE, register, running, start } from './test-kit';

let em: ComputeEmulator;
beforeEach(async () => {
  em = await start({ quotas: { 7: { cpu: 1, gpu: 0 } } });
  await register(em.url, 'dana');
});
afterEach(async () => {
  await em.close();
});

const status = async (containerId: string, userId = 'dana') => (await call(em.url, 'getContainerStatus', { userId, containerId })).body;
const list = async (userId = 'dana') => (await call(em.url, 'getUserStatus', { userId })).body.running_container_list as any[];

describe('runContainer', () => {
  it('answers before the container exists; getContainerStatus goes pending → createContainer → success on the clock', async () => {
    const r = await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'gpu', nodeId: 3, dockerImagePath: 'registry/lab:1', max_duration: 120, storagePath: 'datasets/cats' });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['containerId', 'endpoint', 'statusCode']);
    const id = r.body.containerId as string;
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(r.body.endpoint).toEqual({ jupyter: `${em.url}/__containers/${id}/jupyter/`, shell: `${em.url.replace('http://', 'ws://')}/__containers/${id}/shell` });
    expect(await status(id)).toEqual({ statusCode: 200, statusContainer: 'pending' });
    const created = em.now();
    const [pending] = await list();
    expect(pending).toEqual({
      clusterId: 'gpu',
      containerId: id,
      status: 'pending',
      createdAt: expect.any(Number),
      maxDuration: 120,
      storagePath: 'datasets/cats',
      imagePath: 'registry/lab:1',
      nodeId: 3,
      remainingTime: 120,
      endpoint: r.body.endpoint,
    });
    expect(Math.abs(pending.createdAt - created)).toBeLessThan(5000);
    em.advanceClock(MINUTE);
    expect((await status(id)).statusContainer).toBe('createContainer');
    em.advanceClock(MINUTE);
    expect((await status(id)).statusContainer).toBe('success');
    const [live] = await list();
    expect(live.status).toBe('success');
    expect(live.startedAt).toBe(live.createdAt + 2 * MINUTE);
    expect(live.timerStartedAt).toBe(live.startedAt);
    const s = await call(em.url, 'getUserStatus', { userId: 'dana' });
    expect(s.body).toMatchObject({ useContainerCnt: 1, runningContainerCnt: 1 });
  });

  it('without the optional fields: the cluster default image, no limit (remainingTime -1), no optional keys', async () => {
    const id = await running(em, { userId: 'dana', clusterId: 'cpu' });
    const [c] = await list();
    expect(c).toEqual({ clusterId: 'cpu', containerId: id, status: 'success', createdAt: expect.any(Number), startedAt: expect.any(Number), timerStartedAt: expect.any(Number), imagePath: 'kraken/jupyter-cpu:latest', remainingTime: -1, endpoint: expect.any(Object) });
    em.advanceClock(1000 * MINUTE);
    expect((await list())[0].remainingTime).toBe(-1);
    // max_duration -1 is "no limit" as well
    await call(em.url, 'terminateContainer', { userId: 'dana', containerId: id });
    await running(em, { userId: 'dana', clusterId: 'cpu', max_duration: -1 });
    expect((await list())[0].remainingTime).toBe(-1);
  });

  it('refuses bad input with 400 and names the seed spelling', async () => {
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ userId: 'dana' }, 400, /clusterId must be "cpu" or "gpu"/],
      [{ userId: 'dana', clusterId: 'tpu' }, 400, /clusterId must be "cpu" or "gpu" \(got "tpu"\)/],
      [{ userId: 'dana', clusterId: 'GPU' }, 400, /clusterId/],
      [{ userId: 'dana', clusterId: 'gpu', maxDuration: 60 }, 400, /runContainer takes "max_duration".*not "maxDuration"/],
      [{ userId: 'dana', clusterId: 'gpu', imagePath: 'x' }, 400, /runContainer takes "dockerImagePath"/],
      [{ userId: 'dana', clusterId: 'gpu', max_duration: 0 }, 400, /max_duration must be/],
      [{ userId: 'dana', clusterId: 'gpu', max_duration: -5 }, 400, /max_duration must be/],
      [{ userId: 'dana', clusterId: 'gpu', nodeId: 'five' }, 400, /nodeId must be a number/],
      [{ userId: 'dana', clusterId: 'gpu', storagePath: 5 }, 400, /storagePath must be a string/],
      [{ userId: 'da.na', clusterId: 'gpu' }, 400, /may not contain "\."/],
      [{ userId: 'nobody', clusterId: 'gpu' }, 404, /No user nobody/],
    ];
    for (const [body, code, message] of cases) {
      const r = await call(em.url, 'runContainer', body);
      expect(r.status, JSON.stringify(body)).toBe(code);
      expect(r.body).toEqual({ statusCode: code, errMessage: expect.stringMatching(message) });
    }
    expect(em.containers()).toEqual([]);
  });
});

describe('quotas', () => {
  it('getContainerQuota gives one campus, or the default and every known campus', async () => {
    expect((await call(em.url, 'getContainerQuota', { localSchoolId: 7 })).body).toEqual({ statusCode: 200, maxQuota: { cpu: 1, gpu: 0 } });
    expect((await call(em.url, 'getContainerQuota', { localSchoolId: 99 })).body).toEqual({ statusCode: 200, maxQuota: { cpu: 2, gpu: 1 } });
    const all = await call(em.url, 'getContainerQuota', {});
    expect(all.body).toEqual({ statusCode: 200, maxQuota: { cpu: 2, gpu: 1 }, maxQuotaSchool: { 1: { cpu: 2, gpu: 1 }, 7: { cpu: 1, gpu: 0 } } });
    expect((await call(em.url, 'getContainerQuota', { localSchoolId: 'x' })).status).toBe(400);
  });

  it('refuses a run beyond the quota with 403; a pending one counts, a failed or ended one does not', async () => {
    const first = await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'gpu' });
    expect(first.status).toBe(200);
    const second = await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'gpu' });
    expect(second.status).toBe(403);
    expect(second.body).toEqual({ statusCode: 403, errMessage: 'Quota reached: campus 1 allows 1 gpu container per user and dana holds 1.' });
    // the other cluster has its own quota
    expect((await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'cpu' })).status).toBe(200);
    // the quota is per user: another user of the same campus may run one
    await register(em.url, 'erin');
    expect((await call(em.url, 'runContainer', { userId: 'erin', clusterId: 'gpu' })).status).toBe(200);
    await call(em.url, 'terminateContainer', { userId: 'dana', containerId: first.body.containerId });
    em.failNextCreation('no GPU left');
    const failing = await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'gpu' });
    expect(failing.status).toBe(200);
    em.advanceClock(2 * MINUTE);
    expect((await status(failing.body.containerId)).statusContainer).toBe('failed');
    expect((await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'gpu' })).status).toBe(200);
  });

  it('a campus with quota 0 refuses every run; the quota can be changed while running', async () => {
    await register(em.url, 'finn', 7);
    const r = await call(em.url, 'runContainer', { userId: 'finn', clusterId: 'gpu' });
    expect(r.body).toEqual({ statusCode: 403, errMessage: 'Quota reached: campus 7 allows 0 gpu containers per user and finn holds 0.' });
    em.setQuota({ cpu: 1, gpu: 2 }, 7);
    expect((await call(em.url, 'runContainer', { userId: 'finn', clusterId: 'gpu' })).status).toBe(200);
    expect((await call(em.url, 'getContainerQuota', { localSchoolId: 7 })).body.maxQuota).toEqual({ cpu: 1, gpu: 2 });
  });
});

describe('failed creation', () => {
  it('ends failed with the message as errMessage, and is not in the running list', async () => {
    em.failNextCreation('Image registry/broken:1 not found');
    const r = await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'gpu', dockerImagePath: 'registry/broken:1' });
    expect(r.status).toBe(200);
    const id = r.body.containerId;
    expect((await status(id)).statusContainer).toBe('pending');
    em.advanceClock(MINUTE);
    expect((await status(id)).statusContainer).toBe('createContainer');
    em.advanceClock(MINUTE);
    expect(await status(id)).toEqual({ statusCode: 200, errMessage: 'Image registry/broken:1 not found', statusContainer: 'failed' });
    expect(await list()).toEqual([]);
    expect((await call(em.url, 'getUserStatus', { userId: 'dana' })).body.useContainerCnt).toBe(1);
    // only the next creation failed
    const next = await running(em, { userId: 'dana', clusterId: 'gpu' });
    expect((await status(next)).statusContainer).toBe('success');
    // a failed container cannot be extended or edited; terminate clears it
    expect((await call(em.url, 'extendContainer', { userId: 'dana', containerId: id, maxDuration: 10 })).status).toBe(409);
    expect((await call(em.url, 'editContainer', { userId: 'dana', containerId: id, imagePath: 'x' })).status).toBe(409);
    expect((await call(em.url, 'terminateContainer', { userId: 'dana', containerId: id })).status).toBe(200);
    expect((await call(em.url, 'getContainerStatus', { userId: 'dana', containerId: id })).status).toBe(404);
  });

  it('fails a container still being created from the admin API, with a message', async () => {
    const r = await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'cpu' });
    const id = r.body.containerId;
    const admin = await fetch(`${em.url}/__emulator/containers/${id}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'node 4 went away' }) });
    expect(admin.status).toBe(200);
    expect(await status(id)).toEqual({ statusCode: 200, errMessage: 'node 4 went away', statusContainer: 'failed' });
    // a running one cannot be failed that way
    const ok = await running(em, { userId: 'dana', clusterId: 'cpu' });
    const late = await fetch(`${em.url}/__emulator/containers/${ok}/fail`, { method: 'POST' });
    expect(late.status).toBe(409);
    expect((await fetch(`${em.url}/__emulator/containers/nope/fail`, { method: 'POST' })).status).toBe(404);
  });

  it('fail-next-creation through the admin API (count and default message)', async () => {
    const a = await fetch(`${em.url}/__emulator/fail-next-creation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 2 }) });
    expect(a.status).toBe(200);
    expect((await a.json()).pendingFailures).toBe(2);
    const ids = [];
    for (let i = 0; i < 2; i++) ids.push((await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'cpu' })).body.containerId);
    em.advanceClock(2 * MINUTE);
    for (const id of ids) expect(await status(id)).toEqual({ statusCode: 200, errMessage: 'Container creation failed (injected by the compute emulator).', statusContainer: 'failed' });
    expect((await fetch(`${em.url}/__emulator/fail-next-creation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"count":0}' })).status).toBe(400);
  });
});

describe('remaining time, extend, expiry, usage', () => {
  it('remainingTime drops with the clock, grows after extendContainer, and the container ends by itself', async () => {
    const id = await running(em, { userId: 'dana', clusterId: 'gpu', max_duration: 120 });
    expect((await list())[0].remainingTime).toBe(120);
    em.advanceClock(30 * MINUTE);
    expect((await list())[0].remainingTime).toBe(90);
    // part of a minute left counts as a minute
    em.advanceClock(MINUTE / 2);
    expect((await list())[0].remainingTime).toBe(90);
    em.advanceClock(MINUTE / 2);
    expect((await list())[0].remainingTime).toBe(89);
    const x = await call(em.url, 'extendContainer', { userId: 'dana', containerId: id, maxDuration: 30 });
    expect(x.body).toEqual({ statusCode: 200 });
    const [c] = await list();
    expect(c.remainingTime).toBe(119);
    expect(c.maxDuration).toBe(150);
    expect((await call(em.url, 'getUserStatus', { userId: 'dana' })).body.usage).toEqual({ cpu: 0, gpu: 31 });
    em.advanceClock(119 * MINUTE);
    expect(await list()).toEqual([]);
    const gone = await call(em.url, 'getContainerStatus', { userId: 'dana', containerId: id });
    expect(gone.status).toBe(404);
    expect(gone.body.errMessage).toBe(`Container ${id} is gone (expired).`);
    // usage stops at the deadline however far the clock goes
    em.advanceClock(500 * MINUTE);
    expect((await call(em.url, 'getUserStatus', { userId: 'dana' })).body).toMatchObject({ runningContainerCnt: 0, useContainerCnt: 1, usage: { cpu: 0, gpu: 150 } });
    expect((await call(em.url, 'extendContainer', { userId: 'dana', containerId: id, maxDuration: 30 })).status).toBe(404);
  });

  it('the countdown starts when the container runs; a pending one shows its full time and can be extended', async () => {
    const r = await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'cpu', max_duration: 10 });
    em.advanceClock(MINUTE);
    expect((await list())[0]).toMatchObject({ status: 'createContainer', remainingTime: 10 });
    expect((await call(em.url, 'extendContainer', { userId: 'dana', containerId: r.body.containerId, maxDuration: '5' })).status).toBe(200);
    em.advanceClock(MINUTE + 3 * MINUTE);
    expect((await list())[0]).toMatchObject({ status: 'success', remainingTime: 12, maxDuration: 15 });
  });

  it('a clock moved far past a creation runs it, expires it at its deadline and counts only the running minutes', async () => {
    await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'cpu', max_duration: 20 });
    em.advanceClock(24 * 60 * MINUTE);
    expect((await call(em.url, 'getUserStatus', { userId: 'dana' })).body).toMatchObject({ running_container_list: [], usage: { cpu: 20, gpu: 0 } });
  });

  it('usage minutes add up per cluster over running and ended containers', async () => {
    const cpu = await running(em, { userId: 'dana', clusterId: 'cpu' });
    await running(em, { userId: 'dana', clusterId: 'gpu' });
    // the cpu one has run 2 minutes while the gpu one was being created
    em.advanceClock(10 * MINUTE);
    expect((await call(em.url, 'getUserStatus', { userId: 'dana' })).body.usage).toEqual({ cpu: 12, gpu: 10 });
    await call(em.url, 'terminateContainer', { userId: 'dana', containerId: cpu });
    em.advanceClock(10 * MINUTE);
    expect((await call(em.url, 'getUserStatus', { userId: 'dana' })).body.usage).toEqual({ cpu: 12, gpu: 20 });
  });

  it('refuses a bad extension', async () => {
    const id = await running(em, { userId: 'dana', clusterId: 'gpu', max_duration: 60 });
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ userId: 'dana', containerId: id }, 400, /maxDuration is required/],
      [{ userId: 'dana', containerId: id, max_duration: 30 }, 400, /extendContainer takes "maxDuration".*not "max_duration"/],
      [{ userId: 'dana', containerId: id, maxDuration: 0 }, 400, /greater than 0/],
      [{ userId: 'dana', containerId: id, maxDuration: -30 }, 400, /greater than 0/],
      [{ userId: 'dana', maxDuration: 30 }, 400, /containerId is required/],
      [{ userId: 'dana', containerId: 'ffffffffffff', maxDuration: 30 }, 404, /No container ffffffffffff for user dana/],
      [{ userId: 'ghost', containerId: id, maxDuration: 30 }, 404, /No user ghost/],
    ];
    for (const [body, code, message] of cases) {
      const r = await call(em.url, 'extendContainer', body);
      expect(r.status, JSON.stringify(body)).toBe(code);
      expect(r.body).toEqual({ statusCode: code, errMessage: expect.stringMatching(message) });
    }
    const free = await running(em, { userId: 'dana', clusterId: 'cpu' });
    const none = await call(em.url, 'extendContainer', { userId: 'dana', containerId: free, maxDuration: 30 });
    expect(none.status).toBe(409);
    expect(none.body.errMessage).toMatch(/no maximum duration/);
    expect((await list()).find((c) => c.containerId === id).maxDuration).toBe(60);
  });
});

describe('editContainer', () => {
  it('changes the image (and storage path, node): the container is created again, its countdown keeps running', async () => {
    const id = await running(em, { userId: 'dana', clusterId: 'gpu', max_duration: 60, dockerImagePath: 'lab:1', nodeId: 1 });
    em.advanceClock(10 * MINUTE);
    const r = await call(em.url, 'editContainer', { userId: 'dana', containerId: id, imagePath: 'lab:2', storagePath: 'shared/b', nodeId: '2' });
    expect(r.body).toEqual({ statusCode: 200 });
    expect((await status(id)).statusContainer).toBe('pending');
    let [c] = await list();
    expect(c).toMatchObject({ containerId: id, status: 'pending', imagePath: 'lab:2', storagePath: 'shared/b', nodeId: 2, remainingTime: 50 });
    expect(c.startedAt).toBeUndefined();
    em.advanceClock(2 * MINUTE);
    [c] = await list();
    expect(c).toMatchObject({ status: 'success', remainingTime: 48 });
    // the 2 minutes of re-creation are not usage
    expect((await call(em.url, 'getUserStatus', { userId: 'dana' })).body.usage.gpu).toBe(10);
  });

  it('refuses an edit with nothing to change, the other spelling, an unknown or ended container', async () => {
    const id = await running(em, { userId: 'dana', clusterId: 'cpu' });
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ userId: 'dana', containerId: id }, 400, /needs imagePath, storagePath or nodeId/],
      [{ userId: 'dana', containerId: id, dockerImagePath: 'x' }, 400, /editContainer takes "imagePath"/],
      [{ userId: 'dana', containerId: id, imagePath: 3 }, 400, /imagePath must be a string/],
      [{ userId: 'dana', containerId: 'nope', imagePath: 'x' }, 404, /No container nope/],
    ];
    for (const [body, code, message] of cases) {
      const r = await call(em.url, 'editContainer', body);
      expect(r.status, JSON.stringify(body)).toBe(code);
      expect(r.body.errMessage).toMatch(message);
    }
    await call(em.url, 'terminateContainer', { userId: 'dana', containerId: id });
    const ended = await call(em.url, 'editContainer', { userId: 'dana', containerId: id, imagePath: 'x' });
    expect(ended.body).toEqual({ statusCode: 404, errMessage: `Container ${id} is gone (terminated).` });
  });
});

describe('terminateContainer and terminateAllContainer', () => {
  it('terminates one container of its owner only', async () => {
    const id = await running(em, { userId: 'dana', clusterId: 'cpu' });
    await register(em.url, 'eve');
    const other = await call(em.url, 'terminateContainer', { userId: 'eve', containerId: id });
    expect(other.body).toEqual({ statusCode: 404, errMessage: `No container ${id} for user eve.` });
    expect((await call(em.url, 'getContainerStatus', { userId: 'eve', containerId: id })).status).toBe(404);
    expect((await call(em.url, 'terminateContainer', { userId: 'dana' })).body).toEqual({ statusCode: 400, errMessage: 'containerId is required.' });
    expect((await call(em.url, 'terminateContainer', { userId: 'dana', containerId: id })).body).toEqual({ statusCode: 200 });
    expect(await list()).toEqual([]);
    expect((await call(em.url, 'terminateContainer', { userId: 'dana', containerId: id })).status).toBe(404);
    expect((await call(em.url, 'getContainerStatus', { userId: 'dana', containerId: id })).body).toEqual({ statusCode: 404, errMessage: `Container ${id} is gone (terminated).` });
    expect((await call(em.url, 'getContainerStatus', { userId: 'dana', containerId: 'never' })).body).toEqual({ statusCode: 404, errMessage: 'No container never for user dana.' });
  });

  it('a pending container can be terminated before it runs (no usage)', async () => {
    const r = await call(em.url, 'runContainer', { userId: 'dana', clusterId: 'gpu' });
    expect((await call(em.url, 'terminateContainer', { userId: 'dana', containerId: r.body.containerId })).status).toBe(200);
    em.advanceClock(10 * MINUTE);
    expect((await call(em.url, 'getUserStatus', { userId: 'dana' })).body).toMatchObject({ running_container_list: [], usage: { cpu: 0, gpu: 0 } });
  });

  it('terminateAllContainer ({}) ends every container of every user', async () => {
    await register(em.url, 'eve', 2);
    await running(em, { userId: 'dana', clusterId: 'cpu' });
    await call(em.url, 'runContainer', { userId: 'eve', clusterId: 'gpu' });
    expect((await call(em.url, 'terminateAllContainer', {})).body).toEqual({ statusCode: 200 });
    const all = await call(em.url, 'getAllUserStatus', {});
    expect(all.body).toMatchObject({ useContainerCnt: 2, runningContainerCnt: 0 });
    expect(all.body.result.dana.running_container_list).toEqual([]);
    expect(all.body.result.eve.running_container_list).toEqual([]);
    expect(em.containers().map((c) => c.state)).toEqual(['ended', 'ended']);
  });
});
