/**
 * Live progress against a scripted seed-001 server: WebSocket messages (training_progress, checkpoint_saved,
 * training_complete, training_error), a connection dropped mid-training (reconnected, the gap filled from the
 * metrics history, no epoch missing or doubled), a restart of the service while training (followed again from the
 * library, gap filled), a handshake refused with 401 (token refreshed), the seed's other WebSocket path.
 */
import fs from 'node:fs';
import type { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startScripted, until, wire, type Scripted, type Wired } from './scripted-platform.test-kit';

let srv: Scripted;
let w: Wired;
let train: { status: string; history: { epoch: number; step: number; loss: number; accuracy: number; timestamp: string }[]; total: number };

const stamp = (e: number) => new Date(Date.UTC(2025, 9, 17, 10, e)).toISOString();
const row = (e: number) => ({ timestamp: stamp(e), epoch: e, step: e * 10, loss: 2 / e, accuracy: 1 - 1 / (e + 1) });
const progress = (e: number) => ({
  type: 'training_progress',
  workflow_id: 'wf_1',
  timestamp: stamp(e),
  data: { epoch: e, step: e * 10, metrics: { loss: 2 / e, accuracy: 1 - 1 / (e + 1), val_loss: 2.5 / e, val_accuracy: 0.9 - 1 / (e + 2) }, eta_minutes: 6 - e, gpu_utilization: 85, memory_usage_gb: 12.5 },
});

/** The server "trains" epoch e: into its history, and over every open socket unless `silent`. */
function epoch(e: number, silent = false) {
  train.history.push(row(e));
  train.status = 'training';
  if (!silent) for (const ws of srv.sockets) ws.send(JSON.stringify(progress(e)));
}
function complete() {
  train.status = 'completed';
  for (const ws of srv.sockets) ws.send(JSON.stringify({ type: 'training_complete', workflow_id: 'wf_1', timestamp: stamp(99), data: { metrics: { accuracy: 0.97, val_accuracy: 0.95 } } }));
}

beforeEach(async () => {
  srv = await startScripted();
  train = { status: 'pending', history: [], total: 6 };
  srv.routes.set('POST /auth/token', () => ({ json: { access_token: 'acc-1', refresh_token: 'ref-1', expires_in: 3600 } }));
  srv.routes.set('POST /auth/refresh', () => ({ json: { access_token: 'acc-2', expires_in: 3600 } }));
  srv.routes.set('GET /user/profile', () => ({ json: { plan: 'pro' } }));
  srv.routes.set('GET /workflows', () => ({ json: { workflows: [], total: 0 } }));
  srv.routes.set('POST /workflows', () => ({ status: 201, json: { workflow_id: 'wf_1', status: 'pending', queue_position: 0 } }));
  srv.routes.set('GET /workflows/:id', () => ({
    json: { workflow_id: 'wf_1', name: 'cats', status: train.status, progress: { current_epoch: train.history.length, total_epochs: train.total, percentage: (train.history.length / train.total) * 100 }, metrics: train.history.at(-1) ?? {} },
  }));
  // The seed's history shape: flat rows {timestamp, epoch, step, loss, accuracy}.
  srv.routes.set('GET /workflows/:id/metrics', () => ({ json: { workflow_id: 'wf_1', metrics: train.history } }));
  w = wire(srv.url);
  await w.service.signIn('kim@example.com', 'pw');
});
afterEach(async () => {
  w.close();
  await srv.close();
  fs.rmSync(w.dir, { recursive: true, force: true });
});

const epochsEmitted = (x: Wired) => x.of('vision.metrics').flatMap((m) => m.points.map((p) => p.epoch));
const create = () => w.service.createWorkflow({ name: 'cats', taskType: 'classification', model: 'resnet50', datasetId: 'ds_1', classNames: ['a', 'b', 'c'], hyperparameters: { epochs: 6 } });

describe('live progress', () => {
  it('every epoch exactly once across a dropped connection: 1–2 live, 3–4 while away (from the history), 5–6 live, then completed and notified once', async () => {
    const tokens: (string | null)[] = [];
    srv.onSocket = (_ws, p, token) => tokens.push(`${p}?${token}`);
    await create();
    await until(() => srv.sockets.size === 1);
    epoch(1);
    epoch(2);
    await until(() => epochsEmitted(w).length === 2);
    // The network drops: no close frame.
    for (const ws of srv.sockets) ws.terminate();
    epoch(3, true);
    epoch(4, true);
    await until(() => srv.sockets.size === 1 && epochsEmitted(w).length === 4);
    epoch(5);
    epoch(6);
    await until(() => epochsEmitted(w).length === 6);
    complete();
    await until(() => w.of('vision.workflowFinished').length === 1);
    expect(epochsEmitted(w)).toEqual([1, 2, 3, 4, 5, 6]);
    const sources = w.of('vision.metrics').flatMap((m) => m.points.map((p) => `${p.epoch}:${p.source}`));
    expect(sources).toEqual(['1:ws', '2:ws', '3:history', '4:history', '5:ws', '6:ws']);
    expect(tokens).toEqual(['/ws/workflows/wf_1?acc-1', '/ws/workflows/wf_1?acc-1']);
    const m = await w.service.metrics('wf_1');
    expect(m.points.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.points[0]!.metrics).toMatchObject({ loss: 2, val_accuracy: expect.any(Number) });
    expect(m.points[0]).toMatchObject({ gpuUtilization: 85, memoryUsageGb: 12.5, etaMinutes: 5 });
    const finished = w.of('vision.workflowFinished');
    expect(finished[0]).toMatchObject({ outcome: 'completed', workflow: { workflowId: 'wf_1', state: 'completed', metrics: { accuracy: 0.97, val_accuracy: 0.95 } } });
    expect(w.service.isFollowing('wf_1')).toBe(false);
    // No further socket after the end; a later detail read does not notify again.
    await w.service.getWorkflow('wf_1');
    expect(w.of('vision.workflowFinished')).toHaveLength(1);
    expect(srv.sockets.size).toBe(0);
  });

  it('checkpoint_saved is passed on; training_error ends the workflow as failed with the platform’s message', async () => {
    await create();
    await until(() => srv.sockets.size === 1);
    epoch(1);
    for (const ws of srv.sockets) ws.send(JSON.stringify({ type: 'checkpoint_saved', workflow_id: 'wf_1', timestamp: stamp(1), data: { epoch: 1, path: 'ckpt/1.pt' } }));
    await until(() => w.of('vision.checkpointSaved').length === 1);
    expect(w.of('vision.checkpointSaved')[0]).toMatchObject({ workflowId: 'wf_1', epoch: 1 });
    train.status = 'failed';
    for (const ws of srv.sockets) ws.send(JSON.stringify({ type: 'training_error', workflow_id: 'wf_1', timestamp: stamp(2), data: { error: 'CUDA out of memory' } }));
    await until(() => w.of('vision.workflowFinished').length === 1);
    expect(w.of('vision.workflowFinished')[0]).toMatchObject({ outcome: 'failed', workflow: { state: 'failed', error: 'CUDA out of memory' } });
  });

  it('after a restart of the service (same library and vault) an unfinished workflow is followed again and the gap filled', async () => {
    await create();
    await until(() => srv.sockets.size === 1);
    epoch(1);
    epoch(2);
    await until(() => epochsEmitted(w).length === 2);
    w.close(); // the studio quits
    await until(() => srv.sockets.size === 0);
    epoch(3, true);
    epoch(4, true);
    const w2 = wire(srv.url, { dir: w.dir, vault: w.vault });
    try {
      await w2.service.start();
      await until(() => srv.sockets.size === 1 && epochsEmitted(w2).length === 2);
      expect(epochsEmitted(w2)).toEqual([3, 4]);
      epoch(5);
      await until(() => epochsEmitted(w2).length === 3);
      complete();
      await until(() => w2.of('vision.workflowFinished').length === 1);
      expect((await w2.service.metrics('wf_1')).points.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      w2.close();
    }
    w = wire(srv.url); // for afterEach
  });

  it('a handshake refused with 401 refreshes the token once and connects with the new one', async () => {
    const tokens: (string | null)[] = [];
    srv.onSocket = (_ws, _p, token) => tokens.push(token);
    srv.refuseSockets = 401;
    await create();
    await until(() => srv.requests.some((r) => r.path === '/auth/refresh'));
    srv.refuseSockets = null;
    await until(() => srv.sockets.size === 1);
    expect(tokens).toEqual(['acc-2']);
  });

  it('a workflow the platform no longer knows (404 on the reconnect’s detail read) is not followed any more; following a wrong id is NOT_FOUND at once', async () => {
    await create();
    await until(() => srv.sockets.size === 1);
    srv.routes.set('GET /workflows/:id', () => ({ status: 404, json: { error: { code: 'NOT_FOUND', message: 'Workflow not found' } } }));
    for (const ws of srv.sockets) ws.terminate();
    await until(() => !w.service.isFollowing('wf_1'));
    expect(srv.sockets.size).toBe(0);
    expect(w.service.knownWorkflows().find((x) => x.workflowId === 'wf_1')).toMatchObject({ state: 'unknown', error: expect.stringMatching(/no longer knows/) });
    const e = await w.service.followChecked('wf_nope').then(
      () => null,
      (err: unknown) => err as { code?: string },
    );
    expect(e?.code).toBe('NOT_FOUND');
    expect(w.service.isFollowing('wf_nope')).toBe(false);
  });

  it('a workflow that ended while the studio was away is not followed: one detail read, no socket, notified once', async () => {
    await create();
    await until(() => srv.sockets.size === 1);
    w.close();
    await until(() => srv.sockets.size === 0);
    epoch(1, true);
    train.status = 'completed';
    const w2 = wire(srv.url, { dir: w.dir, vault: w.vault });
    try {
      await w2.service.start();
      await until(() => w2.of('vision.workflowFinished').length === 1);
      expect(epochsEmitted(w2)).toEqual([1]);
      expect(srv.sockets.size).toBe(0);
    } finally {
      w2.close();
    }
    w = wire(srv.url);
  });
});

describe('the seed’s other WebSocket path', () => {
  it('when <base>/ws/… answers 404, <origin>/ws/workflows/{id} (the seed’s JavaScript example) is tried', async () => {
    await srv.close();
    // A server that only answers the example's path.
    const { WebSocketServer } = await import('ws');
    const http = await import('node:http');
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      res.setHeader('content-type', 'application/json');
      if (u.pathname === '/api/v1/auth/token') return res.end(JSON.stringify({ access_token: 'a', refresh_token: 'r' }));
      if (u.pathname.endsWith('/metrics')) return res.end(JSON.stringify({ metrics: [] }));
      if (u.pathname === '/api/v1/workflows/wf_9') return res.end(JSON.stringify({ workflow_id: 'wf_9', status: 'training' }));
      res.statusCode = 404;
      res.end('{}');
    });
    const wss = new WebSocketServer({ noServer: true });
    const sockets: WebSocket[] = [];
    server.on('upgrade', (req, socket, head) => {
      seen.push(new URL(req.url ?? '/', 'http://x').pathname);
      if (!req.url?.startsWith('/ws/')) return socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      wss.handleUpgrade(req, socket, head, (ws) => sockets.push(ws));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1`;
    const w2 = wire(url);
    try {
      await w2.service.signIn('a@b.c', 'pw');
      w2.service.follow('wf_9');
      await until(() => sockets.length === 1);
      expect(seen).toEqual(['/api/v1/ws/workflows/wf_9', '/ws/workflows/wf_9']);
    } finally {
      w2.close();
      for (const s of sockets) s.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(w2.dir, { recursive: true, force: true });
    }
    srv = await startScripted();
  });
});
