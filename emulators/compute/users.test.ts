/** registerUser, getUserStatus, getAllUserStatus, deleteUser and the conventions every endpoint shares. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ComputeEmulator } from './emulator';
import { call, MINUTE, register, running, start } from './test-kit';

let em: ComputeEmulator;
beforeEach(async () => {
  em = await start();
});
afterEach(async () => {
  await em.close();
});

describe('conventions', () => {
  it('serves the seed names as bare POST paths; statusCode is in the body and on the wire', async () => {
    const r = await call(em.url, 'registerUser', { userId: 'alice', storageGb: 10, localSchoolId: 1 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ statusCode: 200 });
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    // a trailing slash is accepted
    const s = await call(em.url, 'getUserStatus/', { userId: 'alice' });
    expect(s.status).toBe(200);
    expect(s.body.statusCode).toBe(200);
  });

  it('answers an unknown path, another method, bad JSON and a non-object body in the seed shape', async () => {
    const unknown = await call(em.url, 'registeruser', { userId: 'a' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ statusCode: 404, errMessage: expect.stringContaining('No route') });
    const get = await call(em.url, 'getUserStatus', undefined, { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.body).toEqual({ statusCode: 405, errMessage: expect.stringContaining('allowed: POST') });
    expect(get.headers.get('allow')).toBe('POST');
    const badJson = await call(em.url, 'getUserStatus', undefined, { raw: '{"userId":' });
    expect(badJson.body).toEqual({ statusCode: 400, errMessage: 'The request body is not valid JSON.' });
    expect(badJson.status).toBe(400);
    const arr = await call(em.url, 'getUserStatus', undefined, { raw: '[1]' });
    expect(arr.status).toBe(400);
    expect(arr.body.statusCode).toBe(400);
  });

  it('bare names only: an /api/ prefix is not a route', async () => {
    expect((await call(em.url, 'api/registerUser', { userId: 'a', storageGb: 1, localSchoolId: 1 })).status).toBe(404);
  });
});

describe('registerUser', () => {
  it.each(['.', '#', '$', '[', ']'])('refuses a userId holding "%s"', async (ch) => {
    const r = await call(em.url, 'registerUser', { userId: `bad${ch}id`, storageGb: 10, localSchoolId: 1 });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ statusCode: 400, errMessage: expect.stringContaining(`"${ch}"`) });
    expect((await call(em.url, 'getUserStatus', { userId: `bad${ch}id` })).status).toBe(400);
  });

  it('accepts any other characters (slashes, spaces, Hangul, emoji) and creates the storage', async () => {
    for (const userId of ['a/b', 'with space', '김민수', 'fox🦊', 'x@y-z_1']) {
      const r = await call(em.url, 'registerUser', { userId, storageGb: 1, localSchoolId: 0 });
      expect(r.status, userId).toBe(200);
      expect(em.storageExists(userId)).toBe(true);
      expect((await call(em.url, 'getUserStatus', { userId })).status).toBe(200);
    }
  });

  it('refuses a missing or empty userId, a bad storageGb or localSchoolId, and a second registration', async () => {
    const cases: [unknown, RegExp][] = [
      [{ storageGb: 1, localSchoolId: 1 }, /userId is required/],
      [{ userId: '', storageGb: 1, localSchoolId: 1 }, /userId is required/],
      [{ userId: 42, storageGb: 1, localSchoolId: 1 }, /userId is required/],
      [{ userId: 'u', localSchoolId: 1 }, /storageGb is required/],
      [{ userId: 'u', storageGb: 0, localSchoolId: 1 }, /storageGb must be greater than 0/],
      [{ userId: 'u', storageGb: 'lots', localSchoolId: 1 }, /storageGb must be a number/],
      [{ userId: 'u', storageGb: 1 }, /localSchoolId is required/],
      [{ userId: 'u', storageGb: 1, localSchoolId: 1.5 }, /localSchoolId must be a whole number/],
      [{ userId: 'u', storageGb: 1, localSchoolId: -1 }, /localSchoolId must be at least 0/],
      [{ userId: 'x'.repeat(769), storageGb: 1, localSchoolId: 1 }, /768 bytes/],
    ];
    for (const [body, message] of cases) {
      const r = await call(em.url, 'registerUser', body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body.statusCode).toBe(400);
      expect(r.body.errMessage).toMatch(message);
    }
    // numbers written as strings (a form, a shell) are read
    expect((await call(em.url, 'registerUser', { userId: 'u', storageGb: '20', localSchoolId: '3' })).status).toBe(200);
    const again = await call(em.url, 'registerUser', { userId: 'u', storageGb: 20, localSchoolId: 3 });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ statusCode: 409, errMessage: 'User u is already registered.' });
  });
});

describe('getUserStatus', () => {
  it('404 for an unknown user, the seed keys for a known one', async () => {
    const r = await call(em.url, 'getUserStatus', { userId: 'nobody' });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ statusCode: 404, errMessage: 'No user nobody: registerUser first.' });
    await register(em.url, 'bob');
    const s = await call(em.url, 'getUserStatus', { userId: 'bob' });
    expect(s.body).toEqual({ statusCode: 200, useContainerCnt: 0, runningContainerCnt: 0, running_container_list: [], usage: { cpu: 0, gpu: 0 } });
  });
});

describe('getAllUserStatus', () => {
  it('gives every user (or one campus) with totals', async () => {
    await register(em.url, 'a1', 1);
    await register(em.url, 'a2', 1);
    await register(em.url, 'b1', 2);
    await running(em, { userId: 'a1', clusterId: 'gpu' });
    await call(em.url, 'runContainer', { userId: 'b1', clusterId: 'cpu' }); // still pending
    const all = await call(em.url, 'getAllUserStatus', {});
    expect(all.status).toBe(200);
    expect(all.body.useContainerCnt).toBe(2);
    expect(all.body.runningContainerCnt).toBe(1);
    expect(Object.keys(all.body.result).sort()).toEqual(['a1', 'a2', 'b1']);
    expect(all.body.result.a1).toMatchObject({ useContainerCnt: 1, runningContainerCnt: 1, usage: { cpu: 0, gpu: 0 } });
    expect(all.body.result.a1.running_container_list[0].status).toBe('success');
    expect(all.body.result.b1.running_container_list[0].status).toBe('pending');
    const campus2 = await call(em.url, 'getAllUserStatus', { localSchoolId: 2 });
    expect(Object.keys(campus2.body.result)).toEqual(['b1']);
    expect(campus2.body).toMatchObject({ statusCode: 200, useContainerCnt: 1, runningContainerCnt: 0 });
    // no body at all reads as {}
    expect((await call(em.url, 'getAllUserStatus')).body.useContainerCnt).toBe(2);
    expect((await call(em.url, 'getAllUserStatus', { localSchoolId: 'two' })).status).toBe(400);
  });
});

describe('deleteUser', () => {
  it('removes the containers and the storage, keeps the record (usage, count), and lets the user register again', async () => {
    await register(em.url, 'carol');
    const id = await running(em, { userId: 'carol', clusterId: 'gpu', max_duration: 600 });
    em.advanceClock(45 * MINUTE);
    expect(em.storageExists('carol')).toBe(true);
    const d = await call(em.url, 'deleteUser', { userId: 'carol' });
    expect(d.body).toEqual({ statusCode: 200 });
    expect(em.storageExists('carol')).toBe(false);
    expect(em.container(id)).toMatchObject({ state: 'ended', endReason: 'user deleted' });
    // the record stays: usage and the count survive, nothing runs
    const s = await call(em.url, 'getUserStatus', { userId: 'carol' });
    expect(s.body).toEqual({ statusCode: 200, useContainerCnt: 1, runningContainerCnt: 0, running_container_list: [], usage: { cpu: 0, gpu: 45 } });
    expect((await call(em.url, 'getContainerStatus', { userId: 'carol', containerId: id })).status).toBe(404);
    expect((await call(em.url, 'getAllUserStatus', {})).body.result.carol.usage.gpu).toBe(45);
    // no storage, no containers until registered again
    const run = await call(em.url, 'runContainer', { userId: 'carol', clusterId: 'cpu' });
    expect(run.status).toBe(409);
    expect(run.body.errMessage).toMatch(/was deleted/);
    expect((await call(em.url, 'registerUser', { userId: 'carol', storageGb: 5, localSchoolId: 1 })).status).toBe(200);
    expect(em.storageExists('carol')).toBe(true);
    expect((await call(em.url, 'getUserStatus', { userId: 'carol' })).body.usage.gpu).toBe(45);
    expect((await call(em.url, 'runContainer', { userId: 'carol', clusterId: 'cpu' })).status).toBe(200);
    // deleting twice is fine (the record is there); an unknown user is 404
    expect((await call(em.url, 'deleteUser', { userId: 'carol' })).status).toBe(200);
    expect((await call(em.url, 'deleteUser', { userId: 'carol' })).status).toBe(200);
    expect((await call(em.url, 'deleteUser', { userId: 'ghost' })).status).toBe(404);
    expect((await call(em.url, 'deleteUser', { userId: 'a#b' })).status).toBe(400);
  });
});
