/**
 * How the compute client reads replies from servers written independently from seed 003 (a scripted loopback
 * server, not the emulator): success needs the HTTP status AND the body's statusCode AND no errMessage; unknown
 * fields are ignored; numbers as numeric strings, endpoints as flat keys and timestamps in seconds are read; a
 * `failed` creation is an answer even when marked with a failing statusCode; a reply that is not the seed's is
 * a plain REMOTE error.
 */
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody, startLoopback, type LoopbackServer } from '../../../../test-support/loopback-server';
import { AppError } from '../../../common/app-error';
import { HttpClient } from '../http-client';
import { ComputeApi, isSuccessCode } from './compute-api';
import { timeToIso } from './schemas';

let server: LoopbackServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface Seen {
  method: string;
  path: string;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

/** A server answering each path with a scripted [HTTP status, body] (a string body is sent as is). */
async function scripted(answers: Record<string, [number, unknown] | [number, unknown][]>): Promise<{ api: ComputeApi; seen: Seen[] }> {
  const seen: Seen[] = [];
  const queues = new Map(Object.entries(answers).map(([k, v]) => [k, Array.isArray(v[0]) ? [...(v as [number, unknown][])] : [v as [number, unknown]]]));
  server = await startLoopback((req, res) => {
    void readBody(req).then((buf) => {
      const p = req.url ?? '';
      seen.push({ method: req.method ?? '', path: p, body: buf.length ? JSON.parse(buf.toString('utf8')) : undefined, headers: req.headers });
      const q = queues.get(p);
      const [status, body] = (q && q.length > 1 ? q.shift() : q?.[0]) ?? [404, { statusCode: 404, errMessage: 'no route' }];
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  return { api: new ComputeApi(new HttpClient({ service: 'compute', baseUrl: server.url, baseDelayMs: 1, maxDelayMs: 2 })), seen };
}

async function refused(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('compute replies', () => {
  it('POSTs JSON to <base>/<name> with the seed spellings and no Authorization header', async () => {
    const { api, seen } = await scripted({
      '/runContainer': [200, { statusCode: 200, containerId: 'c1', endpoint: { jupyter: 'http://j', shell: 'ssh x' } }],
      '/editContainer': [200, { statusCode: 200 }],
      '/extendContainer': [200, { statusCode: 200 }],
      '/registerUser': [200, { statusCode: 200 }],
    });
    await api.registerUser({ userId: 'u', storageGb: 3, localSchoolId: 1 });
    await api.runContainer({ userId: 'u', clusterId: 'gpu', maxDuration: 90, dockerImagePath: 'img', nodeId: 4, storagePath: 's' });
    await api.editContainer({ userId: 'u', containerId: 'c1', imagePath: 'img2', nodeId: '4' });
    await api.extendContainer({ userId: 'u', containerId: 'c1', maxDuration: 30 });
    expect(seen.map((s) => [s.method, s.path])).toEqual([
      ['POST', '/registerUser'],
      ['POST', '/runContainer'],
      ['POST', '/editContainer'],
      ['POST', '/extendContainer'],
    ]);
    expect(seen[0]!.body).toEqual({ userId: 'u', storageGb: 3, localSchoolId: 1 });
    expect(seen[1]!.body).toEqual({ userId: 'u', clusterId: 'gpu', nodeId: 4, dockerImagePath: 'img', max_duration: 90, storagePath: 's' });
    expect(seen[2]!.body).toEqual({ userId: 'u', containerId: 'c1', nodeId: '4', imagePath: 'img2' });
    expect(seen[3]!.body).toEqual({ containerId: 'c1', userId: 'u', maxDuration: 30 });
    for (const s of seen) {
      expect(s.headers['content-type']).toMatch(/application\/json/);
      expect(s.headers.authorization).toBeUndefined();
    }
  });

  it('HTTP 200 with a failing body statusCode is a refusal with the errMessage, mapped by that code', async () => {
    const { api } = await scripted({ '/getUserStatus': [200, { statusCode: 404, errMessage: 'User not found: u' }] });
    const e = await refused(api.getUserStatus('u'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe('The compute service said: User not found: u.');
    expect(e.details).toMatchObject({ service: 'compute', bodyStatusCode: 404, serviceMessage: 'User not found: u' });
    // the code and parameters survive the re-wrap, so the UI shows it translated
    expect(e.toShape()).toMatchObject({ messageCode: 'cloud.said', messageParams: { service: 'compute', server: 'User not found: u.' } });
  });

  it('statusCode 200 with an errMessage is a refusal; an empty errMessage is not', async () => {
    const { api } = await scripted({
      '/deleteUser': [200, { statusCode: 200, errMessage: 'storage is busy' }],
      '/terminateContainer': [200, { statusCode: 200, errMessage: '' }],
    });
    expect((await refused(api.deleteUser('u'))).message).toMatch(/storage is busy/);
    await expect(api.terminateContainer('u', 'c')).resolves.toBeUndefined();
  });

  it('a failing HTTP status with a success body is still a refusal', async () => {
    const { api } = await scripted({ '/terminateContainer': [409, { statusCode: 200, errMessage: 'already terminating' }] });
    const e = await refused(api.terminateContainer('u', 'c'));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/already terminating/);
  });

  it('a body statusCode outside HTTP codes (e.g. -1) is a REMOTE refusal that names it', async () => {
    const { api } = await scripted({ '/registerUser': [200, { statusCode: -1 }] });
    const e = await refused(api.registerUser({ userId: 'u', storageGb: 1, localSchoolId: 1 }));
    expect(e.code).toBe('REMOTE');
    expect(e.message).toMatch(/statusCode -1/);
  });

  it('reads lax replies: extra fields ignored, numeric strings, flat endpoint keys, seconds timestamps, a missing list', async () => {
    const { api } = await scripted({
      '/getUserStatus': [
        [
          200,
          {
            statusCode: '200',
            useContainerCnt: '2',
            extra: { anything: true },
            running_container_list: [
              { clusterId: 'GPU', containerId: 77, status: 'success', createdAt: 1764633600, maxDuration: '60', remainingTime: '42', imagePath: 'i', jupyter: 'http://j', shell: 'ssh', pending: '대기중' },
            ],
            usage: { cpu: 3, gpu: '12' },
          },
        ],
        [200, { statusCode: 200 }],
      ],
    });
    const st = await api.getUserStatus('u');
    expect(st.useContainerCnt).toBe(2);
    expect(st.runningContainerCnt).toBe(1);
    expect(st.usage).toEqual({ cpu: 3, gpu: 12 });
    expect(st.containers[0]).toMatchObject({ clusterId: 'gpu', containerId: '77', maxDuration: 60, remainingTime: 42, endpoint: { jupyter: 'http://j', shell: 'ssh' } });
    expect(timeToIso(st.containers[0]!.createdAt)).toBe('2025-12-02T00:00:00.000Z');
    // The second answer has no counts, no list, no usage: read as empty.
    expect(await api.getUserStatus('u')).toMatchObject({ useContainerCnt: 0, runningContainerCnt: 0, containers: [], usage: { cpu: 0, gpu: 0 } });
  });

  it('timestamps: seconds and milliseconds both read, junk is null', () => {
    expect(timeToIso(1764633600)).toBe('2025-12-02T00:00:00.000Z');
    expect(timeToIso(1764633600000)).toBe('2025-12-02T00:00:00.000Z');
    expect(timeToIso('2025-12-02T00:00:00Z')).toBe('2025-12-02T00:00:00.000Z');
    expect(timeToIso('soon')).toBeNull();
    expect(timeToIso(0)).toBeNull();
  });

  it('a failed creation is an answer with its reason, even under a failing statusCode', async () => {
    const { api } = await scripted({
      '/getContainerStatus': [
        [200, { statusCode: 200, statusContainer: 'createcontainer' }],
        [200, { statusCode: 500, statusContainer: 'failed', errMessage: 'node lost' }],
      ],
    });
    expect((await api.getContainerStatus('u', 'c')).statusContainer).toBe('createContainer');
    expect(await api.getContainerStatus('u', 'c')).toMatchObject({ statusContainer: 'failed', errMessage: 'node lost' });
  });

  it('an unknown creation state, a non-JSON 200 and a missing containerId are REMOTE "does not understand"', async () => {
    const { api } = await scripted({
      '/getContainerStatus': [200, { statusCode: 200, statusContainer: 'booting' }],
      '/getContainerQuota': [200, '<html>hello</html>'],
      '/runContainer': [200, { statusCode: 200, endpoint: {} }],
    });
    for (const p of [api.getContainerStatus('u', 'c'), api.getContainerQuota(), api.runContainer({ userId: 'u', clusterId: 'cpu' })]) {
      const e = await refused(p);
      expect(e.code).toBe('REMOTE');
      expect(e.message).toMatch(/does not understand/);
    }
  });

  it('quota: maxQuota, maxQuotaSchool keyed by campus, the campus sent only when given', async () => {
    const { api, seen } = await scripted({ '/getContainerQuota': [200, { statusCode: 200, maxQuota: { cpu: 4, gpu: 2 }, maxQuotaSchool: { '3': { cpu: 1, gpu: '0' } } }] });
    expect(await api.getContainerQuota()).toMatchObject({ maxQuota: { cpu: 4, gpu: 2 }, maxQuotaSchool: { '3': { cpu: 1, gpu: 0 } } });
    await api.getContainerQuota(3);
    expect(seen.map((s) => s.body)).toEqual([{}, { localSchoolId: 3 }]);
  });

  it('5xx: reads are retried, changes are sent once', async () => {
    const { api, seen } = await scripted({
      '/getContainerQuota': [
        [503, { statusCode: 503, errMessage: 'busy' }],
        [200, { statusCode: 200, maxQuota: { cpu: 1, gpu: 1 } }],
      ],
      '/extendContainer': [500, { statusCode: 500, errMessage: 'db down' }],
    });
    expect((await api.getContainerQuota()).maxQuota).toEqual({ cpu: 1, gpu: 1 });
    const e = await refused(api.extendContainer({ userId: 'u', containerId: 'c', maxDuration: 5 }));
    expect(e.code).toBe('REMOTE');
    expect(e.message).toMatch(/db down/);
    expect(seen.filter((s) => s.path === '/extendContainer')).toHaveLength(1);
    expect(seen.filter((s) => s.path === '/getContainerQuota')).toHaveLength(2);
  });

  it('success codes: 2xx and 0 (and a missing statusCode, judged by HTTP); anything else fails', () => {
    expect([200, 201, 0, undefined].map(isSuccessCode)).toEqual([true, true, true, true]);
    expect([400, 500, 1, -1, 302].map(isSuccessCode)).toEqual([false, false, false, false, false]);
  });
});
