/** Contributor protocol v1 against the network emulator: signing, every route and error, leases, blobs, credit. */
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { NetworkEmulator } from './emulator';
import { canonicalJson, requestMessage, sha256Hex } from './signing';
import { client, HARDWARE, identity, outputs, register, resultBody, sign, start, submitJob, tempDir, upload } from './test-kit';

const open: NetworkEmulator[] = [];
async function emulator(options: Parameters<typeof start>[0] = {}): Promise<NetworkEmulator> {
  const em = await start(options);
  open.push(em);
  return em;
}
afterEach(async () => {
  for (const em of open.splice(0)) await em.close();
});

async function setup(opts: Parameters<typeof start>[0] = {}) {
  const em = await emulator(opts);
  const creator = identity();
  const nodeA = identity();
  const nodeB = identity();
  const c = client(em, creator);
  const a = client(em, nodeA);
  const b = client(em, nodeB);
  return { em, creator, nodeA, nodeB, c, a, b };
}

describe('request signing', () => {
  it('refuses a missing or other protocol version with 426 and the supported list', async () => {
    const { c } = await setup();
    for (const v of [null, '2']) {
      const r = await c('GET', '/v1/accounts/me', undefined, { headers: { 'x-kraken-protocol': v } });
      expect(r.status).toBe(426);
      expect(r.body.error.code).toBe('PROTOCOL_VERSION');
      expect(r.body.error.details).toEqual({ supported: [1] });
    }
  });

  it('a wrong signature, a changed body, a missing header or a bad id → 401 BAD_SIGNATURE', async () => {
    const { c, em, creator } = await setup();
    const other = identity();
    const wrong = await c('GET', '/v1/accounts/me', undefined, { headers: { 'x-node-signature': sign(other, 'x') } });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'BAD_SIGNATURE']);
    const changed = await c('POST', '/v1/nodes/register', { hardware: HARDWARE }, { signBody: Buffer.from('{}') });
    expect([changed.status, changed.body.error.code]).toEqual([401, 'BAD_SIGNATURE']);
    const missing = await c('GET', '/v1/accounts/me', undefined, { headers: { 'x-node-signature': null } });
    expect([missing.status, missing.body.error.code]).toEqual([401, 'BAD_SIGNATURE']);
    const badId = await c('GET', '/v1/accounts/me', undefined, { headers: { 'x-node-id': '0OIl' } });
    expect([badId.status, badId.body.error.code]).toEqual([401, 'BAD_SIGNATURE']);
    // the path with its query is signed: the same signature on another query fails
    const ts = String(em.now());
    const sig = sign(creator, requestMessage('GET', '/v1/jobs?mine=1', ts, sha256Hex('')));
    const res = await fetch(`${em.url}/v1/jobs?mine=0`, { headers: { 'x-kraken-protocol': '1', 'x-node-id': creator.id, 'x-node-timestamp': ts, 'x-node-signature': sig } });
    expect(res.status).toBe(401);
    const ok = await fetch(`${em.url}/v1/jobs?mine=1`, { headers: { 'x-kraken-protocol': '1', 'x-node-id': creator.id, 'x-node-timestamp': ts, 'x-node-signature': sig } });
    expect(ok.status).toBe(200);
  });

  it('a timestamp more than 300 s from the emulator clock → 401 CLOCK_SKEW; 299 s is fine', async () => {
    const { c, em } = await setup();
    const far = await c('GET', '/v1/accounts/me', undefined, { timestamp: em.now() - 301_000 });
    expect([far.status, far.body.error.code]).toEqual([401, 'CLOCK_SKEW']);
    const ahead = await c('GET', '/v1/accounts/me', undefined, { timestamp: em.now() + 301_000 });
    expect(ahead.body.error.code).toBe('CLOCK_SKEW');
    expect((await c('GET', '/v1/accounts/me', undefined, { timestamp: em.now() - 299_000 })).status).toBe(200);
  });

  it('node calls from an id never registered → 401 UNKNOWN_NODE; creator calls need only a signature', async () => {
    const { a } = await setup();
    for (const [m, p] of [
      ['POST', '/v1/nodes/heartbeat'],
      ['POST', '/v1/leases'],
      ['GET', '/v1/nodes/me'],
      ['GET', '/v1/nodes/me/ledger'],
      ['POST', '/v1/leases/l_x/progress'],
      ['POST', '/v1/leases/l_x/result'],
      ['POST', '/v1/leases/l_x/release'],
    ] as const) {
      const r = await a(m, p, m === 'POST' ? {} : undefined);
      expect([p, r.status, r.body.error.code]).toEqual([p, 401, 'UNKNOWN_NODE']);
    }
    expect((await a('GET', '/v1/accounts/me')).status).toBe(200);
  });
});

describe('nodes', () => {
  it('register (idempotent, updates hardware), heartbeat, me', async () => {
    const { a, em, nodeA } = await setup();
    const r = await register(a, ['gpu', 'cpu']);
    expect(r.body).toEqual({ nodeId: nodeA.id, registeredAt: expect.any(String), reliability: 1, heartbeatSeconds: 15, leaseSeconds: 60 });
    const again = await a('POST', '/v1/nodes/register', { hardware: { ...HARDWARE, cpuCores: 8 }, clusters: ['cpu'] });
    expect(again.body.registeredAt).toBe(r.body.registeredAt);
    const hb = await a('POST', '/v1/nodes/heartbeat', { state: 'paused', reason: 'user_active' });
    expect(hb.status).toBe(200);
    expect(hb.body.serverTime).toBe(new Date(em.now()).toISOString().slice(0, 17) + hb.body.serverTime.slice(17));
    expect(hb.body.leaseExpiresAt).toBeUndefined();
    expect(em.node(nodeA.id)).toMatchObject({ state: 'paused', reason: 'user_active', clusters: ['cpu'] });
    const me = await a('GET', '/v1/nodes/me');
    expect(me.body).toMatchObject({ nodeId: nodeA.id, reliability: 1, hardware: { cpuCores: 8 }, credit: { earned: 0, spent: 0, balance: 1000 } });
    expect(me.body.lastHeartbeatAt).toEqual(expect.any(String));
  });

  it('bad bodies → 400 INVALID_REQUEST naming the field', async () => {
    const { a } = await setup();
    expect((await a('POST', '/v1/nodes/register', {})).body.error).toMatchObject({ code: 'INVALID_REQUEST', details: { field: 'hardware' } });
    expect((await a('POST', '/v1/nodes/register', { hardware: HARDWARE, clusters: ['tpu'] })).body.error.details).toEqual({ field: 'clusters' });
    const notJson = await a('POST', '/v1/nodes/register', undefined, { raw: Buffer.from('{nope') });
    expect([notJson.status, notJson.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    await register(a);
    expect((await a('POST', '/v1/nodes/heartbeat', { state: 'asleep' })).body.error.details).toEqual({ field: 'state' });
  });

  it('unknown routes → 404 NOT_FOUND, other methods → 405, in the protocol error shape', async () => {
    const { em } = await setup();
    const r = await fetch(`${em.url}/v1/nope`);
    expect(r.status).toBe(404);
    expect((await r.json()).error.code).toBe('NOT_FOUND');
    const m = await fetch(`${em.url}/v1/jobs`, { method: 'PATCH' });
    expect(m.status).toBe(405);
    expect((await m.json()).error.code).toBe('INVALID_REQUEST');
  });

  it('an injected 429 carries Retry-After and the RATE_LIMITED code', async () => {
    const { em, c } = await setup();
    em.faults.add({ route: 'GET /v1/accounts/me', status: 429, retryAfterSec: 3, times: 1 });
    const r = await c('GET', '/v1/accounts/me');
    expect([r.status, r.body.error.code, r.headers.get('retry-after')]).toEqual([429, 'RATE_LIMITED', '3']);
    expect((await c('GET', '/v1/accounts/me')).status).toBe(200);
  });
});

describe('blobs', () => {
  it('PUT checks the sha256 (201, then 200 when stored), GET serves it with Range', async () => {
    const { c, a } = await setup();
    const bytes = crypto.randomBytes(5000);
    const s = sha256Hex(bytes);
    const first = await c('PUT', `/v1/blobs/${s}`, undefined, { raw: bytes });
    expect(first.status).toBe(201);
    expect((await c('PUT', `/v1/blobs/${s}`, undefined, { raw: bytes })).status).toBe(200);
    const wrong = await c('PUT', `/v1/blobs/${sha256Hex('other')}`, undefined, { raw: bytes });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'INVALID_REQUEST', details: { reason: 'hash_mismatch' } });
    expect((await c('PUT', `/v1/blobs/NOTHEX`, undefined, { raw: bytes })).status).toBe(400);
    await register(a);
    // a full and a ranged download, signed
    const get = async (range?: string) => {
      const em = open[open.length - 1]!;
      const who = identity();
      const t = String(em.now());
      return fetch(`${em.url}/v1/blobs/${s}`, { headers: { 'x-kraken-protocol': '1', 'x-node-id': who.id, 'x-node-timestamp': t, 'x-node-signature': sign(who, requestMessage('GET', `/v1/blobs/${s}`, t, sha256Hex(''))), ...(range ? { range } : {}) } });
    };
    const full = await get();
    expect(full.status).toBe(200);
    expect(Buffer.from(await full.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await get('bytes=1000-');
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 1000-4999/5000');
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000))).toBe(true);
    const none = await a('GET', `/v1/blobs/${sha256Hex('never')}`);
    expect([none.status, none.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('a blob above the limit → 413 TOO_LARGE', async () => {
    const { c } = await setup({ settings: { maxBlobBytes: 100 } });
    const bytes = Buffer.alloc(200, 1);
    const r = await c('PUT', `/v1/blobs/${sha256Hex(bytes)}`, undefined, { raw: bytes });
    expect([r.status, r.body.error.code]).toEqual([413, 'TOO_LARGE']);
  });
});

describe('accounts and jobs', () => {
  it('a new account has the welcome grant; submit reserves cost; 402 with balance and cost; cancel refunds', async () => {
    const { c, em, creator } = await setup({ settings: { welcomeGrant: 10 } });
    expect((await c('GET', '/v1/accounts/me')).body.credit).toEqual({ earned: 0, spent: 0, reserved: 0, balance: 10 });
    const job = await submitJob(c, { inputs: 3, redundancy: 2 });
    expect(job.reply.status).toBe(201);
    expect(job.reply.body).toEqual({ jobId: expect.stringMatching(/^j_/), status: 'queued', cost: 6 });
    expect((await c('GET', '/v1/accounts/me')).body.credit).toMatchObject({ reserved: 6, balance: 4 });
    const poor = await submitJob(c, { inputs: 3, redundancy: 2 });
    expect(poor.reply.status).toBe(402);
    expect(poor.reply.body.error).toMatchObject({ code: 'INSUFFICIENT_CREDIT', details: { balance: 4, cost: 6 } });
    const status = await c('GET', `/v1/jobs/${job.jobId}`);
    expect(status.body).toMatchObject({ jobId: job.jobId, status: 'queued', progress: { done: 0, total: 3 }, replicas: [{ replica: 0, state: 'queued' }, { replica: 1, state: 'queued' }], cost: 6 });
    expect((await c('GET', '/v1/jobs?mine=1')).body.jobs.map((j: any) => j.jobId)).toEqual([job.jobId]);
    const cancel = await c('DELETE', `/v1/jobs/${job.jobId}`);
    expect(cancel.body).toMatchObject({ status: 'failed', failReason: 'cancelled', refunded: 6 });
    expect((await c('GET', '/v1/accounts/me')).body.credit).toMatchObject({ reserved: 0, balance: 10 });
    em.grant(creator.id, 5);
    expect((await c('GET', '/v1/accounts/me')).body.credit.balance).toBe(15);
  });

  it("another account's job reads as 404; a blob not uploaded → 404; bad specs → 400 naming the field", async () => {
    const { c, a } = await setup();
    const job = await submitJob(c);
    expect((await a('GET', `/v1/jobs/${job.jobId}`)).status).toBe(404);
    expect((await a('DELETE', `/v1/jobs/${job.jobId}`)).status).toBe(404);
    expect((await c('GET', `/v1/jobs/j_none`)).body.error.code).toBe('NOT_FOUND');
    const model = await upload(c, Buffer.from('model'));
    const base = { kind: 'inference', model: { ...model, format: 'onnx', task: 'classification', inputSize: [224, 224] }, inputs: [{ sha256: sha256Hex('x'), bytes: 1, mediaType: 'image/png' }], batchSize: 1, redundancy: 1, maxDurationMinutes: 5 };
    const missing = await c('POST', '/v1/jobs', base);
    expect([missing.status, missing.body.error.code, missing.body.error.details.sha256]).toEqual([404, 'NOT_FOUND', sha256Hex('x')]);
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'code' }, 'kind'],
      [{ redundancy: 4 }, 'redundancy'],
      [{ batchSize: 0 }, 'batchSize'],
      [{ cluster: 'tpu' }, 'cluster'],
      [{ model: { ...base.model, format: 'pt' } }, 'model.format'],
      [{ model: { ...base.model, sha256: 'abc' } }, 'model.sha256'],
      [{ inputs: [] }, 'inputs'],
      [{ inputs: [{ sha256: sha256Hex('x'), bytes: 1, mediaType: 'text/html' }] }, 'inputs[0].mediaType'],
    ];
    for (const [patch, field] of cases) {
      const r = await c('POST', '/v1/jobs', { ...base, ...patch });
      expect([field, r.status, r.body.error.details?.field]).toEqual([field, 400, field]);
    }
  });
});

describe('leases', () => {
  it('one lease per node (asking again returns the same), 204 with no work, JobSpec as the document gives it', async () => {
    const { c, a, em } = await setup();
    await register(a);
    expect((await a('POST', '/v1/leases', { clusters: ['cpu'], providers: ['cpu'] })).status).toBe(204);
    const job = await submitJob(c, { inputs: 2 });
    const first = await a('POST', '/v1/leases', { clusters: ['cpu'], providers: ['cpu'] });
    expect(first.status).toBe(200);
    const l = first.body.lease;
    expect(l).toMatchObject({ leaseId: expect.stringMatching(/^l_/), attempt: 1 });
    expect(Date.parse(l.leaseExpiresAt) - em.now()).toBeGreaterThan(59_000);
    expect(Date.parse(l.deadline) - em.now()).toBeGreaterThan(29 * 60_000);
    expect(l.job).toEqual({
      jobId: job.jobId,
      replica: 0,
      kind: 'inference',
      cluster: 'cpu',
      model: { sha256: expect.any(String), bytes: expect.any(Number), format: 'onnx', task: 'classification', inputSize: [224, 224], labels: ['cat', 'dog', 'bird'] },
      inputs: job.inputs.map((s) => ({ sha256: s, bytes: expect.any(Number), mediaType: 'image/png' })),
      batchSize: 2,
      maxDurationMinutes: 30,
      creditPerInput: 1,
    });
    expect((await a('POST', '/v1/leases', {})).body.lease.leaseId).toBe(l.leaseId);
    // a gpu-only node gets no cpu job
    const { b } = { b: client(em, identity()) };
    await register(b, ['gpu']);
    expect((await b('POST', '/v1/leases', { clusters: ['gpu'] })).status).toBe(204);
    expect((await c('GET', `/v1/jobs/${job.jobId}`)).body).toMatchObject({ status: 'running', replicas: [{ replica: 0, state: 'leased', nodeId: expect.any(String) }] });
  });

  it('a lease expires on the emulator clock and the job goes back to the queue; a heartbeat extends it', async () => {
    const { c, a, b, em, nodeB } = await setup();
    await register(a);
    await register(b);
    await submitJob(c);
    const l = (await a('POST', '/v1/leases', {})).body.lease;
    em.advanceClock(50_000);
    const before = em.now();
    const hb = await a('POST', '/v1/nodes/heartbeat', { state: 'working', leaseId: l.leaseId });
    expect(Date.parse(hb.body.leaseExpiresAt)).toBeGreaterThanOrEqual(before + 60_000);
    expect(Date.parse(hb.body.leaseExpiresAt)).toBeLessThanOrEqual(em.now() + 60_000);
    em.advanceClock(50_000); // 100 s after the start, 50 s after the heartbeat: still held
    expect((await b('POST', '/v1/leases', {})).status).toBe(204);
    const before2 = em.now();
    const pr = await a('POST', `/v1/leases/${l.leaseId}/progress`, { done: 1, total: 3 });
    expect(Date.parse(pr.body.leaseExpiresAt)).toBeGreaterThanOrEqual(before2 + 60_000);
    em.advanceClock(61_000);
    const late = await a('POST', `/v1/leases/${l.leaseId}/progress`, { done: 2, total: 3 });
    expect([late.status, late.body.error.code]).toEqual([409, 'LEASE_EXPIRED']);
    expect((await a('POST', '/v1/nodes/heartbeat', { state: 'working', leaseId: l.leaseId })).status).toBe(409);
    const taken = await b('POST', '/v1/leases', {});
    expect(taken.body.lease.attempt).toBe(2);
    expect(em.jobs()[0]!.replicas[0]).toMatchObject({ state: 'leased', nodeId: nodeB.id, failures: 1 });
  });

  it('the deadline is never extended', async () => {
    const { c, a, em } = await setup();
    await register(a);
    await submitJob(c, { extra: { maxDurationMinutes: 2 } });
    const l = (await a('POST', '/v1/leases', {})).body.lease;
    for (let i = 0; i < 3; i++) {
      em.advanceClock(45_000);
      if (i < 2) expect((await a('POST', '/v1/nodes/heartbeat', { state: 'working', leaseId: l.leaseId })).status).toBe(200);
    }
    const r = await a('POST', `/v1/leases/${l.leaseId}/progress`, { done: 1 });
    expect([r.status, r.body.error.code]).toEqual([409, 'LEASE_EXPIRED']);
    expect(em.jobs()[0]!.leases[0]).toMatchObject({ state: 'expired', endReason: 'deadline' });
  });

  it("another node's lease → 403 NOT_LEASE_HOLDER; unknown → 404; released → 409 LEASE_RELEASED", async () => {
    const { c, a, b } = await setup();
    await register(a);
    await register(b);
    await submitJob(c);
    const l = (await a('POST', '/v1/leases', {})).body.lease;
    const other = await b('POST', `/v1/leases/${l.leaseId}/progress`, { done: 1 });
    expect([other.status, other.body.error.code]).toEqual([403, 'NOT_LEASE_HOLDER']);
    expect((await a('POST', '/v1/leases/l_nope/progress', { done: 1 })).status).toBe(404);
    expect((await a('POST', `/v1/leases/${l.leaseId}/release`, { reason: 'later' })).body.error.details).toEqual({ field: 'reason' });
    const rel = await a('POST', `/v1/leases/${l.leaseId}/release`, { reason: 'paused', done: 1 });
    expect(rel.status).toBe(200);
    const again = await a('POST', `/v1/leases/${l.leaseId}/result`, {});
    expect([again.status, again.body.error.code]).toEqual([409, 'LEASE_RELEASED']);
  });

  it('a released replica is offered to the same node again first (it resumes), a refused one is not', async () => {
    const { c, a, b, nodeA, em } = await setup();
    await register(a);
    await register(b);
    const first = await submitJob(c);
    await submitJob(c);
    const l = (await a('POST', '/v1/leases', {})).body.lease;
    expect(l.job.jobId).toBe(first.jobId);
    await a('POST', `/v1/leases/${l.leaseId}/release`, { reason: 'paused', done: 2 });
    // b asks first but gets the other job; a gets its own replica back
    expect((await b('POST', '/v1/leases', {})).body.lease.job.jobId).not.toBe(first.jobId);
    const back = (await a('POST', '/v1/leases', {})).body.lease;
    expect([back.job.jobId, back.job.replica, back.attempt]).toEqual([first.jobId, 0, 2]);
    expect((await c('GET', `/v1/jobs/${first.jobId}`)).body.replicas[0]).toEqual({ replica: 0, state: 'leased', nodeId: nodeA.id });
    expect((await c('GET', `/v1/jobs/${first.jobId}`)).body.progress).toEqual({ done: 2, total: 3 });
    // released again and not taken back within resumeHoldSeconds: another node may have it
    await a('POST', `/v1/leases/${back.leaseId}/release`, { reason: 'shutdown', done: 2 });
    const third = client(em, identity());
    await register(third);
    expect((await third('POST', '/v1/leases', {})).status).toBe(204);
    em.advanceClock(121_000);
    expect((await third('POST', '/v1/leases', {})).body.lease.job.jobId).toBe(first.jobId);
    // a refused replica is not held for the node that refused it
    const fourth = client(em, identity());
    await register(fourth);
    const l3 = (await fourth('POST', '/v1/leases', {})).body.lease;
    await fourth('POST', `/v1/leases/${l3.leaseId}/release`, { reason: 'refused' });
    expect(em.job(l3.job.jobId)!.replicas[0]).toMatchObject({ state: 'queued', releasedBy: null });
  });

  it('never two replicas of one job to the same node', async () => {
    const { c, a, b } = await setup();
    await register(a);
    await register(b);
    const job = await submitJob(c, { redundancy: 2 });
    const la = (await a('POST', '/v1/leases', {})).body.lease;
    expect(la.job.replica).toBe(0);
    // a releases replica 0 with reason refused (so it is not its "own" to resume): it still may not take replica 1
    await a('POST', `/v1/leases/${la.leaseId}/release`, { reason: 'refused' });
    const again = await a('POST', '/v1/leases', {});
    expect(again.body.lease.job).toMatchObject({ jobId: job.jobId, replica: 0 });
    const lb = (await b('POST', '/v1/leases', {})).body.lease;
    expect([lb.job.jobId, lb.job.replica]).toEqual([job.jobId, 1]);
  });
});

describe('results, redundancy and credit', () => {
  async function lease(call: ReturnType<typeof client>) {
    const r = await call('POST', '/v1/leases', {});
    expect(r.status).toBe(200);
    return r.body.lease;
  }

  it('redundancy 1: valid on arrival, credit = the claim capped at creditPerInput × inputs; outputs on the job; ledgers', async () => {
    const { c, a, nodeA, em } = await setup();
    await register(a);
    const job = await submitJob(c, { inputs: 3 });
    const l = await lease(a);
    expect((await a('POST', `/v1/leases/${l.leaseId}/progress`, { done: 3, total: 3 })).status).toBe(200);
    const r = await a('POST', `/v1/leases/${l.leaseId}/result`, resultBody(nodeA, l, outputs(job.inputs), 99));
    expect(r.body).toEqual({ accepted: true, status: 'valid', grantedCredit: 3 });
    const st = (await c('GET', `/v1/jobs/${job.jobId}`)).body;
    expect(st).toMatchObject({ status: 'done', progress: { done: 3, total: 3 }, replicas: [{ replica: 0, state: 'valid' }], spent: 3 });
    expect(st.outputs).toEqual(outputs(job.inputs));
    expect((await c('GET', '/v1/accounts/me')).body.credit).toEqual({ earned: 0, spent: 3, reserved: 0, balance: 997 });
    expect((await a('GET', '/v1/nodes/me')).body.credit).toEqual({ earned: 3, spent: 0, balance: 1003, payable: 3, paidOut: 0 });
    const ledger = (await a('GET', '/v1/nodes/me/ledger')).body;
    expect(ledger.entries).toEqual([{ jobId: job.jobId, replica: 0, cluster: 'cpu', deviceMs: 60_000, claimedCredit: 3, grantedCredit: 3, status: 'valid', at: expect.any(String) }]);
    expect(ledger.totals).toEqual({ validJobs: 1, credit: 3, minutesByCluster: { cpu: 1, gpu: 0 } });
    expect(em.account(nodeA.id)!.earned).toBe(3);
  });

  it('redundancy 2 with agreement within 1e-3 → both valid, credit = the smaller claim', async () => {
    const { c, a, b, nodeA, nodeB } = await setup();
    await register(a);
    await register(b);
    const job = await submitJob(c, { inputs: 4, redundancy: 2 });
    const la = await lease(a);
    const lb = await lease(b);
    expect([la.job.replica, lb.job.replica]).toEqual([0, 1]);
    const ra = await a('POST', `/v1/leases/${la.leaseId}/result`, resultBody(nodeA, la, outputs(job.inputs), 4));
    expect(ra.body).toEqual({ accepted: true, status: 'pending_validation' });
    expect((await c('GET', `/v1/jobs/${job.jobId}`)).body.status).toBe('running');
    const rb = await b('POST', `/v1/leases/${lb.leaseId}/result`, resultBody(nodeB, lb, outputs(job.inputs, { delta: 0.0009 }), 3));
    expect(rb.body).toEqual({ accepted: true, status: 'valid', grantedCredit: 3 });
    expect((await a('GET', '/v1/nodes/me/ledger')).body.entries[0]).toMatchObject({ status: 'valid', claimedCredit: 4, grantedCredit: 3 });
    const st = (await c('GET', `/v1/jobs/${job.jobId}`)).body;
    expect(st).toMatchObject({ status: 'done', spent: 6 });
    expect((await c('GET', '/v1/accounts/me')).body.credit).toMatchObject({ spent: 6, reserved: 0, balance: 994 });
  });

  it('redundancy 2 with a disagreement → a tie-breaker replica to a third node; the odd one out is invalid and earns nothing', async () => {
    const { c, a, b, nodeA, nodeB, em } = await setup();
    const third = identity();
    const t = client(em, third);
    for (const n of [a, b, t]) await register(n);
    const job = await submitJob(c, { inputs: 2, redundancy: 2 });
    const la = await lease(a);
    const lb = await lease(b);
    await a('POST', `/v1/leases/${la.leaseId}/result`, resultBody(nodeA, la, outputs(job.inputs), 2));
    // scores 2e-3 apart: outside the tolerance
    const rb = await b('POST', `/v1/leases/${lb.leaseId}/result`, resultBody(nodeB, lb, outputs(job.inputs, { delta: 0.002 }), 2));
    expect(rb.body.status).toBe('pending_validation');
    const st = (await c('GET', `/v1/jobs/${job.jobId}`)).body;
    expect(st.status).toBe('running');
    expect(st.replicas.map((r: any) => r.state)).toEqual(['submitted', 'submitted', 'queued']);
    expect((await a('POST', '/v1/leases', {})).status).toBe(204); // a holds replica 0 of this job already
    const lt = await lease(t);
    expect(lt.job.replica).toBe(2);
    const rt = await t('POST', `/v1/leases/${lt.leaseId}/result`, resultBody(third, lt, outputs(job.inputs, { delta: 0.0005 }), 2));
    expect(rt.body).toEqual({ accepted: true, status: 'valid', grantedCredit: 2 });
    expect((await c('GET', `/v1/jobs/${job.jobId}`)).body.replicas.map((r: any) => r.state)).toEqual(['valid', 'invalid', 'valid']);
    expect((await b('GET', '/v1/nodes/me/ledger')).body.entries[0]).toMatchObject({ status: 'invalid', grantedCredit: 0 });
    expect((await b('GET', '/v1/nodes/me')).body.credit.earned).toBe(0);
    expect((await c('GET', '/v1/accounts/me')).body.credit).toMatchObject({ spent: 4, reserved: 0 });
  });

  it('a different top-1 label disagrees even with equal scores', async () => {
    const { c, a, b, nodeA, nodeB } = await setup();
    await register(a);
    await register(b);
    const job = await submitJob(c, { inputs: 1, redundancy: 2 });
    const la = await lease(a);
    const lb = await lease(b);
    await a('POST', `/v1/leases/${la.leaseId}/result`, resultBody(nodeA, la, outputs(job.inputs), 1));
    await b('POST', `/v1/leases/${lb.leaseId}/result`, resultBody(nodeB, lb, outputs(job.inputs, { label: 'bird' }), 1));
    expect((await c('GET', `/v1/jobs/${job.jobId}`)).body.replicas).toHaveLength(3);
  });

  it('a tampered result (hash mismatch) → 422, reliability halved, the replica back in the queue', async () => {
    const { c, a, b, nodeA, nodeB, em } = await setup();
    await register(a);
    await register(b);
    const job = await submitJob(c, { inputs: 2 });
    const la = await lease(a);
    const body = resultBody(nodeA, la, outputs(job.inputs), 2);
    body.outputs = outputs(job.inputs, { label: 'dog' }); // changed after hashing
    const r = await a('POST', `/v1/leases/${la.leaseId}/result`, body);
    expect([r.status, r.body.error.code, r.body.error.details]).toEqual([422, 'RESULT_REJECTED', { reason: 'hash_mismatch' }]);
    expect(em.node(nodeA.id)!.reliability).toBe(0.5);
    expect((await a('GET', '/v1/nodes/me')).body.reliability).toBe(0.5);
    expect((await a('GET', '/v1/nodes/me/ledger')).body.entries[0]).toMatchObject({ status: 'rejected', grantedCredit: null });
    const lb = await lease(b);
    expect([lb.job.jobId, lb.attempt]).toEqual([job.jobId, 2]);
    expect((await b('POST', `/v1/leases/${lb.leaseId}/result`, resultBody(nodeB, lb, outputs(job.inputs), 2))).body.status).toBe('valid');
    expect(em.node(nodeB.id)!.reliability).toBe(1);
  });

  it('a wrong signature (another key) → 422 bad_signature and reliability lowered; incomplete and malformed too', async () => {
    const { c, a, nodeA, em } = await setup();
    await register(a);
    const job = await submitJob(c, { inputs: 2 });
    let l = await lease(a);
    const forged = resultBody(identity(), l, outputs(job.inputs), 2);
    const r = await a('POST', `/v1/leases/${l.leaseId}/result`, forged);
    expect([r.status, r.body.error.details.reason]).toEqual([422, 'bad_signature']);
    expect(em.node(nodeA.id)!.reliability).toBe(0.5);
    // a signature over another replica number does not verify either
    l = await lease(a);
    const outs = outputs(job.inputs);
    const sha = sha256Hex(canonicalJson(outs));
    const other = await a('POST', `/v1/leases/${l.leaseId}/result`, { outputs: outs, resultSha256: sha, signature: sign(nodeA, `kraken-result-v1\n${job.jobId}\n1\n${sha}`), claimedCredit: 2, deviceMs: 1 });
    expect(other.body.error.details.reason).toBe('bad_signature');
    l = await lease(a);
    const short = await a('POST', `/v1/leases/${l.leaseId}/result`, resultBody(nodeA, l, outputs(job.inputs.slice(0, 1)), 2));
    expect(short.body.error.details.reason).toBe('incomplete');
    l = await lease(a);
    const bad = await a('POST', `/v1/leases/${l.leaseId}/result`, { outputs: 'x', resultSha256: sha, signature: 'x', claimedCredit: 1, deviceMs: 1 });
    expect(bad.body.error.details.reason).toBe('malformed');
    expect(em.node(nodeA.id)!.reliability).toBe(0.0625);
    // the fifth failed attempt fails the job and refunds the creator
    l = await lease(a);
    await a('POST', `/v1/leases/${l.leaseId}/result`, forged);
    expect((await c('GET', `/v1/jobs/${job.jobId}`)).body).toMatchObject({ status: 'failed' });
    expect((await c('GET', '/v1/accounts/me')).body.credit).toMatchObject({ reserved: 0, spent: 0, balance: 1000 });
  });
});

describe('payouts', () => {
  /** Node A earns 3 credit on a redundancy-1 job of 3 inputs. */
  async function earned(opts: Parameters<typeof start>[0] = {}) {
    const s = await setup(opts);
    await register(s.a);
    const job = await submitJob(s.c, { inputs: 3 });
    const l = (await s.a('POST', '/v1/leases', {})).body.lease;
    expect((await s.a('POST', `/v1/leases/${l.leaseId}/result`, resultBody(s.nodeA, l, outputs(job.inputs), 3))).body.status).toBe('valid');
    return s;
  }
  const WALLET = identity().id; // any 32-byte base58 key

  it('pays out earned credit only (not the welcome grant): 402 with balance and payable, then the whole payable, recorded', async () => {
    const { a, em, nodeA } = await earned();
    const too = await a('POST', '/v1/nodes/me/payout', { address: WALLET, credit: 4 });
    expect(too.status).toBe(402);
    expect(too.body.error).toMatchObject({ code: 'INSUFFICIENT_CREDIT', details: { balance: 1003, payable: 3, credit: 4 } });
    const r = await a('POST', '/v1/nodes/me/payout', { address: WALLET });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ address: WALLET, credit: 3, lamports: 3_000_000, signature: null, balance: 1000, payable: 0 });
    expect(r.body.payoutId).toMatch(/^po_/);
    expect((await a('GET', '/v1/nodes/me')).body.credit).toEqual({ earned: 3, spent: 3, balance: 1000, payable: 0, paidOut: 3 });
    expect(em.account(nodeA.id)).toMatchObject({ earned: 3, spent: 3 });
    const again = await a('POST', '/v1/nodes/me/payout', { address: WALLET });
    expect(again.status).toBe(402);
    expect(again.body.error.details).toMatchObject({ payable: 0 });
  });

  it('a bad address or credit → 400 naming the field; an unregistered node → 401 UNKNOWN_NODE', async () => {
    const { a, b } = await earned();
    for (const [body, field] of [
      [{ address: 'not-base58-0OIl' }, 'address'],
      [{}, 'address'],
      [{ address: WALLET, credit: 1.5 }, 'credit'],
      [{ address: WALLET, credit: 0 }, 'credit'],
    ] as const) {
      const r = await a('POST', '/v1/nodes/me/payout', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'INVALID_REQUEST', details: { field } });
    }
    const r = await b('POST', '/v1/nodes/me/payout', { address: WALLET });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNKNOWN_NODE');
  });

  it('with a transfer: the signature is returned and kept; a failed transfer → 502 PAYOUT_FAILED and the credit is kept', async () => {
    const sent: [string, number][] = [];
    let fail = true;
    const { a } = await earned({
      payoutTransfer: async (address, lamports) => {
        if (fail) throw new Error('blockhash not found');
        sent.push([address, lamports]);
        return '5'.repeat(88);
      },
    });
    const failed = await a('POST', '/v1/nodes/me/payout', { address: WALLET, credit: 2 });
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({ code: 'PAYOUT_FAILED' });
    expect(failed.body.error.message).toContain('blockhash not found');
    expect((await a('GET', '/v1/nodes/me')).body.credit).toMatchObject({ spent: 0, payable: 3, paidOut: 0 });
    fail = false;
    const ok = await a('POST', '/v1/nodes/me/payout', { address: WALLET, credit: 2 });
    expect(ok.body).toMatchObject({ credit: 2, lamports: 2_000_000, signature: '5'.repeat(88), payable: 1 });
    expect(sent).toEqual([[WALLET, 2_000_000]]);
  });
});

describe('persistence', () => {
  it('a restart on the same data folder keeps nodes, jobs, leases, accounts, blobs, settings and the moved clock', async () => {
    const dataDir = tempDir();
    const em1 = await start({ dataDir, settings: { welcomeGrant: 50 } });
    const creator = identity();
    const node = identity();
    let c = client(em1, creator);
    let a = client(em1, node);
    await register(a);
    const job = await submitJob(c, { inputs: 2 });
    const l = (await a('POST', '/v1/leases', {})).body.lease;
    em1.advanceClock(10_000);
    const movedAt = em1.now();
    await em1.close();
    const em2 = await emulator({ dataDir });
    expect(em2.now()).toBeGreaterThanOrEqual(movedAt);
    expect(em2.settings.welcomeGrant).toBe(50);
    c = client(em2, creator);
    a = client(em2, node);
    expect((await a('POST', '/v1/leases', {})).body.lease.leaseId).toBe(l.leaseId);
    expect((await a('POST', `/v1/leases/${l.leaseId}/result`, resultBody(node, l, outputs(job.inputs), 2))).body.status).toBe('valid');
    expect((await c('GET', '/v1/accounts/me')).body.credit).toMatchObject({ spent: 2, balance: 48 });
    const blob = await c('GET', `/v1/blobs/${l.job.inputs[0].sha256}`);
    expect(blob.status).toBe(200);
  });
});

describe('admin routes', () => {
  it('config, nodes, jobs, accounts and grants under /__emulator/', async () => {
    const { em, c, a, creator } = await setup();
    await register(a);
    const job = await submitJob(c);
    const cfg = await fetch(`${em.url}/__emulator/config`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ welcomeGrant: 7 }) });
    expect((await cfg.json()).welcomeGrant).toBe(7);
    const badCfg = await fetch(`${em.url}/__emulator/config`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nope: 1 }) });
    expect(badCfg.status).toBe(400);
    expect((await (await fetch(`${em.url}/__emulator/nodes`)).json()).nodes).toHaveLength(1);
    const jobs = (await (await fetch(`${em.url}/__emulator/jobs`)).json()).jobs;
    expect(jobs[0]).toMatchObject({ jobId: job.jobId, status: 'queued', replicas: [{ replica: 0, state: 'queued' }] });
    const g = await fetch(`${em.url}/__emulator/accounts/${creator.id}/grant`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ credit: 20 }) });
    expect((await g.json()).balance).toBe(1017);
    expect((await fetch(`${em.url}/__emulator/reset`, { method: 'POST' })).status).toBe(200);
    expect(em.jobs()).toEqual([]);
  });
});
