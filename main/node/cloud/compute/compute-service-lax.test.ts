/**
 * ComputeService against servers that read seed 003 differently from the emulator (a scripted loopback server):
 * one that reads extendContainer's maxDuration as the new total, and one that keeps refusing getContainerStatus
 * of a container it answered runContainer for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBody, startLoopback, type LoopbackServer } from '../../../../test-support/loopback-server';
import type { ComputeSession } from '../../../common/contract';
import { openDatabase, type Db } from '../../store/database';
import { ConnectionSettings } from '../connection';
import { ComputeService } from './compute-service';

let dir: string;
let db: Db;
let server: LoopbackServer | null = null;
let service: ComputeService | null = null;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-compute-lax-'));
  db = openDatabase(path.join(dir, 'studio.db'));
});
afterEach(async () => {
  service?.close();
  service = null;
  await server?.close();
  server = null;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Handler = (path: string, body: Record<string, unknown>) => [number, unknown];

async function serve(handler: Handler): Promise<{ svc: ComputeService; events: ComputeSession[]; calls: { path: string; body: Record<string, unknown> }[] }> {
  const calls: { path: string; body: Record<string, unknown> }[] = [];
  server = await startLoopback((req, res) => {
    void readBody(req).then((buf) => {
      const body = (buf.length ? JSON.parse(buf.toString('utf8')) : {}) as Record<string, unknown>;
      calls.push({ path: req.url ?? '', body });
      const [status, reply] = handler(req.url ?? '', body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  });
  const events: ComputeSession[] = [];
  service = new ComputeService({
    db,
    bus: { emit: (name, payload) => name === 'compute.sessionUpdated' && events.push(payload as ComputeSession) },
    connection: new ConnectionSettings({ db, env: {}, overrides: { compute: server.url } }),
    client: { baseDelayMs: 1, maxDelayMs: 2 },
    pollMs: { first: 5, max: 10 },
  });
  return { svc: service, events, calls };
}

describe('ComputeService with other readings of seed 003', () => {
  it('extend: a server that reads maxDuration as the new total is noticed and sent the total meant (old + added)', async () => {
    let maxDuration = 30;
    const { svc, calls } = await serve((p, body) => {
      if (p === '/extendContainer') {
        maxDuration = Number(body.maxDuration); // the other reading: the new total
        return [200, { statusCode: 200 }];
      }
      if (p === '/getUserStatus') {
        return [
          200,
          {
            statusCode: 200,
            useContainerCnt: 1,
            runningContainerCnt: 1,
            running_container_list: [{ clusterId: 'gpu', containerId: 'c1', status: 'success', createdAt: 1, imagePath: 'i', maxDuration, remainingTime: maxDuration - 5, endpoint: { jupyter: 'http://j', shell: 's' } }],
            usage: { cpu: 0, gpu: 5 },
          },
        ];
      }
      return [404, { statusCode: 404, errMessage: 'no route' }];
    });
    const s = await svc.extend({ containerId: 'c1', minutes: 20, userId: 'u' });
    expect(calls.filter((c) => c.path === '/extendContainer').map((c) => c.body.maxDuration)).toEqual([20, 50]);
    expect(s).toMatchObject({ maxDuration: 50, remainingTime: 45, state: 'running', startedHere: false });
  });

  it('extend on a server that adds (the emulator reading) is sent once', async () => {
    let maxDuration = 30;
    const { svc, calls } = await serve((p, body) => {
      if (p === '/extendContainer') {
        maxDuration += Number(body.maxDuration);
        return [200, { statusCode: 200 }];
      }
      return [200, { statusCode: 200, running_container_list: [{ clusterId: 'cpu', containerId: 'c1', status: 'success', imagePath: 'i', maxDuration, remainingTime: maxDuration }] }];
    });
    const s = await svc.extend({ containerId: 'c1', minutes: 30, userId: 'u' });
    expect(calls.filter((c) => c.path === '/extendContainer')).toHaveLength(1);
    expect(s.maxDuration).toBe(60);
  });

  it('creation followed while getContainerStatus keeps refusing: after three refusals the session reads unknown with the reason, then ends when the list no longer has it', async () => {
    const { svc, events } = await serve((p) => {
      if (p === '/runContainer') return [200, { statusCode: 200, containerId: 'c9', endpoint: { jupyter: 'http://j', shell: 's' } }];
      if (p === '/getContainerStatus') return [404, { statusCode: 404, errMessage: 'Container c9 is unknown.' }];
      if (p === '/getUserStatus') return [200, { statusCode: 200, running_container_list: [], usage: { cpu: 0, gpu: 0 } }];
      return [404, { statusCode: 404, errMessage: 'no route' }];
    });
    const started = await svc.run({ clusterId: 'cpu', userId: 'u' });
    expect(started.state).toBe('creating');
    await svc.waitCreated('c9');
    const [row] = svc.sessions({});
    expect(row).toMatchObject({ state: 'unknown', error: expect.stringMatching(/Container c9 is unknown/) });
    await svc.status({ userId: 'u' });
    expect(svc.sessions({})[0]!.state).toBe('ended');
    expect(events.map((e) => e.state)).toEqual(expect.arrayContaining(['creating', 'unknown', 'ended']));
  });

  it('creation followed through a passing outage (5xx) keeps polling and reaches success', async () => {
    let n = 0;
    const { svc } = await serve((p) => {
      if (p === '/runContainer') return [200, { statusCode: 200, containerId: 'c2', endpoint: { jupyter: 'http://j', shell: 's' } }];
      if (p === '/getContainerStatus') {
        n += 1;
        if (n <= 6) return [503, { statusCode: 503, errMessage: 'busy' }];
        return [200, { statusCode: 200, statusContainer: n < 8 ? 'createContainer' : 'success' }];
      }
      if (p === '/getUserStatus') {
        return [200, { statusCode: 200, running_container_list: [{ clusterId: 'gpu', containerId: 'c2', status: 'success', imagePath: 'i', remainingTime: -1 }] }];
      }
      return [404, { statusCode: 404, errMessage: 'no route' }];
    });
    await svc.run({ clusterId: 'gpu', userId: 'u' });
    const done = await svc.waitCreated('c2');
    expect(done).toMatchObject({ state: 'running', creationStatus: 'success', remainingTime: -1, endsAt: null, error: null });
  });
});
