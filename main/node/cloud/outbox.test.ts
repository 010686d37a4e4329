import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { openDatabase, type Db } from '../store/database';
import { httpError, networkError } from './errors';
import { Outbox, type OutboxEntry } from './outbox';

let dir: string;
let db: Db;
let clock: number;
const now = () => clock;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-outbox-'));
  db = openDatabase(path.join(dir, 'studio.db'));
  clock = Date.parse('2026-12-02T10:00:00Z');
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function outbox(extra: Partial<ConstructorParameters<typeof Outbox>[0]> = {}) {
  const events: OutboxEntry[] = [];
  const o = new Outbox({ db, now, random: () => 0.5, onChange: (e) => events.push(e), ...extra });
  return { o, events };
}

describe('Outbox', () => {
  it('queues work and tells the UI, then sends it oldest first when flushed', async () => {
    const { o, events } = outbox();
    const sent: unknown[] = [];
    o.register('atlas.submit', async (p) => {
      sent.push(p);
      return { requestId: `r-${(p as { jobId: string }).jobId}` };
    });
    const a = o.enqueue({ service: 'atlas', kind: 'atlas.submit', payload: { jobId: 'a' }, ref: 'a' });
    o.enqueue({ service: 'atlas', kind: 'atlas.submit', payload: { jobId: 'b' }, ref: 'b' });
    expect(a).toMatchObject({ id: '1', service: 'atlas', state: 'queued', attempts: 0, ref: 'a', lastError: null });
    expect(events.map((e) => e.state)).toEqual(['queued', 'queued']);
    expect(await o.flush()).toEqual({ sent: 2, failed: 0, waiting: 0 });
    expect(sent).toEqual([{ jobId: 'a' }, { jobId: 'b' }]);
    expect(o.list().map((e) => [e.state, e.attempts, e.result])).toEqual([
      ['sent', 1, { requestId: 'r-a' }],
      ['sent', 1, { requestId: 'r-b' }],
    ]);
    expect(events.map((e) => `${e.id}:${e.state}`)).toEqual(['1:queued', '2:queued', '1:sending', '1:sent', '2:sending', '2:sent']);
  });

  it('sends one at a time per service, services side by side', async () => {
    const { o } = outbox();
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    o.register('k', async (_p, e) => {
      running.set(e.service, (running.get(e.service) ?? 0) + 1);
      peak.set(e.service, Math.max(peak.get(e.service) ?? 0, running.get(e.service)!));
      await new Promise((r) => setTimeout(r, 10));
      running.set(e.service, running.get(e.service)! - 1);
    });
    for (let i = 0; i < 3; i++) {
      o.enqueue({ service: 'atlas', kind: 'k', payload: { i } });
      o.enqueue({ service: 'vision', kind: 'k', payload: { i } });
    }
    await Promise.all([o.flush(), o.flush()]);
    expect(peak.get('atlas')).toBe(1);
    expect(peak.get('vision')).toBe(1);
    expect(o.list({ state: 'sent' })).toHaveLength(6);
  });

  it('network trouble and 5xx keep it queued with back-off; nothing newer jumps ahead; sent once the wait is over', async () => {
    const { o } = outbox();
    let down = true;
    const order: string[] = [];
    o.register('k', async (p) => {
      order.push((p as { n: string }).n);
      if (down) throw networkError('atlas', 'unreachable');
    });
    o.enqueue({ service: 'atlas', kind: 'k', payload: { n: 'first' } });
    o.enqueue({ service: 'atlas', kind: 'k', payload: { n: 'second' } });
    expect(await o.flush()).toEqual({ sent: 0, failed: 0, waiting: 2 });
    const first = o.get('1')!;
    expect(first).toMatchObject({ state: 'queued', attempts: 1, lastErrorCode: 'NETWORK' });
    expect(first.lastError).toMatch(/cannot be reached/);
    expect(Date.parse(first.nextAttemptAt!) - clock).toBe(1500); // equal jitter: 2 s step, half + 0.5 × half
    expect(order).toEqual(['first']);
    await o.flush(); // back-off not over: not even tried
    expect(order).toEqual(['first']);
    clock += 2_000;
    o.register('k', async (p) => {
      order.push((p as { n: string }).n);
      throw httpError({ service: 'atlas', status: 503, body: '' });
    });
    await o.flush();
    expect(o.get('1')).toMatchObject({ state: 'queued', attempts: 2, lastErrorCode: 'REMOTE' });
    expect(Date.parse(o.get('1')!.nextAttemptAt!) - clock).toBe(3000);
    down = false;
    o.register('k', async (p) => void order.push((p as { n: string }).n));
    clock += 10_000;
    expect(await o.flush()).toEqual({ sent: 2, failed: 0, waiting: 0 });
    expect(order).toEqual(['first', 'first', 'first', 'second']);
  });

  it('a 4xx marks it failed with the reason and the queue goes on; retry and cancel', async () => {
    const { o } = outbox();
    let refuse = true;
    o.register('k', async (p) => {
      if (refuse && (p as { n: number }).n === 1) throw httpError({ service: 'atlas', status: 400, body: { message: 'itemName is required' } });
    });
    o.enqueue({ service: 'atlas', kind: 'k', payload: { n: 1 } });
    o.enqueue({ service: 'atlas', kind: 'k', payload: { n: 2 } });
    expect(await o.flush()).toEqual({ sent: 1, failed: 1, waiting: 0 });
    expect(o.get('1')).toMatchObject({ state: 'failed', lastErrorCode: 'INVALID_INPUT', lastError: 'The Atlas service said: itemName is required.' });
    refuse = false;
    expect(o.retry('1')).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await o.flush()).toMatchObject({ sent: 1 });
    expect(() => o.retry('1')).toThrow(/already sent/);
    expect(() => o.retry('99')).toThrow(AppError);

    const c = o.enqueue({ service: 'atlas', kind: 'k', payload: { n: 3 } });
    expect(o.cancel(c.id)).toMatchObject({ state: 'cancelled' });
    expect(await o.flush()).toEqual({ sent: 0, failed: 0, waiting: 0 });
    expect(o.cancel('1')).toMatchObject({ state: 'sent' }); // already sent: left as it is
    expect(o.cancel('nope')).toBeNull();
  });

  it('honours a Retry-After and keeps work queued while signed out', async () => {
    const { o } = outbox();
    o.register('rate', async () => {
      throw httpError({ service: 'atlas', status: 429, headers: new Headers({ 'retry-after': '120' }), body: '' });
    });
    o.register('auth', async () => {
      throw httpError({ service: 'atlas', status: 401, body: { message: 'Unauthorized' } });
    });
    o.enqueue({ service: 'atlas', kind: 'rate', payload: {} });
    o.enqueue({ service: 'vision', kind: 'auth', payload: {} });
    await o.flush();
    expect(Date.parse(o.get('1')!.nextAttemptAt!) - clock).toBe(120_000);
    expect(o.get('2')).toMatchObject({ state: 'queued', lastErrorCode: 'UNAUTHORIZED' });
  });

  it('skips a service that does not answer, and waits for a sender to be registered', async () => {
    const reachable = new Set(['vision']);
    const { o } = outbox({ reachable: async (s) => reachable.has(s) });
    const sent: string[] = [];
    o.register('k', async (_p, e) => void sent.push(e.service));
    o.enqueue({ service: 'atlas', kind: 'k', payload: {} });
    o.enqueue({ service: 'vision', kind: 'k', payload: {} });
    o.enqueue({ service: 'vision', kind: 'later', payload: {} });
    expect(await o.flush()).toEqual({ sent: 1, failed: 0, waiting: 2 });
    expect(sent).toEqual(['vision']);
    expect(o.get('1')).toMatchObject({ state: 'queued', attempts: 0 });
    reachable.add('atlas');
    o.register('later', async () => undefined);
    expect(await o.flush()).toEqual({ sent: 2, failed: 0, waiting: 0 });
  });

  it('survives a restart: queued work is still there and an entry cut while sending is queued again', async () => {
    const file = path.join(dir, 'studio.db');
    const { o } = outbox();
    o.enqueue({ service: 'atlas', kind: 'k', payload: { jobId: 'x' }, ref: 'x' });
    o.enqueue({ service: 'atlas', kind: 'k', payload: { jobId: 'y' } });
    db.prepare(`UPDATE cloud_outbox SET status = 'sending' WHERE id = 2`).run();
    db.close();
    db = openDatabase(file);
    const again = new Outbox({ db, now });
    expect(again.list().map((e) => [e.id, e.state, e.ref])).toEqual([
      ['1', 'queued', 'x'],
      ['2', 'queued', null],
    ]);
    again.register('k', async () => undefined);
    expect(await again.flush()).toMatchObject({ sent: 2 });
  });

  it('refuses a payload that holds a secret, and stores nothing', () => {
    const { o } = outbox();
    expect(() => o.enqueue({ service: 'atlas', kind: 'k', payload: { accessToken: 'abc' } })).toThrow(/secrets never go in the outbox/);
    expect(() => o.enqueue({ service: 'atlas', kind: 'k', payload: { job: { refresh_token: 'abc' } } })).toThrow(/refresh_token/);
    expect(() => o.enqueue({ service: 'atlas', kind: 'k', payload: { password: 'Secret-Passw0rd!' } })).toThrow(AppError);
    expect(() => o.enqueue({ service: 'atlas', kind: 'k', payload: { note: 'Bearer abcdefghijkl' } })).toThrow(/looks like a token/);
    expect(() => o.enqueue({ service: 'atlas', kind: 'k', payload: ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig'] })).toThrow(/looks like a token/);
    expect(o.list()).toEqual([]);
    expect((db.prepare(`SELECT COUNT(*) AS n FROM cloud_outbox`).get() as { n: number }).n).toBe(0);
  });

  it('a listener that throws does not stop the queue', async () => {
    const o = new Outbox({
      db,
      now,
      onChange: () => {
        throw new Error('ui bug');
      },
    });
    o.register('k', async () => undefined);
    o.enqueue({ service: 'atlas', kind: 'k', payload: {} });
    expect(await o.flush()).toMatchObject({ sent: 1 });
  });
});
