/** startHost's error bodies: the seeds' `{message}` by default, a service's own shape through `errorBody`. */
import { afterEach, describe, expect, it } from 'vitest';
import { Clock } from './clock';
import { FaultInjector } from './faults';
import { startHost, type Host } from './host';
import { HttpError, Router, sendJson } from './http';
import { Mailbox } from './mailbox';

const hosts: Host[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

async function host(errorBody?: (status: number, message: string) => unknown): Promise<{ url: string; faults: FaultInjector }> {
  const router = new Router()
    .on('POST', '/ok', (ctx) => sendJson(ctx, 200, { ok: true }))
    .on('POST', '/teapot', () => {
      throw new HttpError(418, 'short and stout');
    });
  const faults = new FaultInjector();
  const h = await startHost({ name: 't', clock: new Clock(), faults, mailbox: new Mailbox(), router, errorBody, logError: () => {} });
  hosts.push(h);
  return { url: h.url, faults };
}

describe('startHost error bodies', () => {
  it('default: {message} for no route, another method, an HttpError and an injected fault', async () => {
    const { url, faults } = await host();
    expect(await (await fetch(`${url}/nope`, { method: 'POST' })).json()).toEqual({ message: 'No route for POST /nope.' });
    expect(await (await fetch(`${url}/ok`)).json()).toEqual({ message: 'GET is not allowed on /ok (allowed: POST).' });
    expect(await (await fetch(`${url}/teapot`, { method: 'POST' })).json()).toEqual({ message: 'short and stout' });
    faults.set([{ route: '/ok', status: 502, times: 1 }]);
    const r = await fetch(`${url}/ok`, { method: 'POST' });
    expect(r.status).toBe(502);
    expect(Object.keys(await r.json())).toEqual(['message']);
  });

  it('errorBody replaces the shape everywhere the host answers by itself', async () => {
    const { url, faults } = await host((statusCode, errMessage) => ({ statusCode, errMessage }));
    expect(await (await fetch(`${url}/nope`, { method: 'POST' })).json()).toEqual({ statusCode: 404, errMessage: 'No route for POST /nope.' });
    const teapot = await fetch(`${url}/teapot`, { method: 'POST' });
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ statusCode: 418, errMessage: 'short and stout' });
    faults.set([{ route: '/ok', status: 503, times: 1 }]);
    expect(await (await fetch(`${url}/ok`, { method: 'POST' })).json()).toEqual({ statusCode: 503, errMessage: expect.stringContaining('Injected fault') });
    expect(await (await fetch(`${url}/ok`, { method: 'POST' })).json()).toEqual({ ok: true });
  });
});
