import { afterEach, describe, expect, it } from 'vitest';
import { api, start, USER } from './test-kit';
import type { VisionEmulator } from './emulator';

let em: VisionEmulator | null = null;
afterEach(async () => {
  await em?.close();
  em = null;
});

/** Moves the emulator clock just past the next whole minute (or hour), so a test's requests share one window. */
function freshWindow(e: VisionEmulator, size = 60_000): void {
  const now = e.clock.now();
  e.clock.advance(Math.ceil(now / size) * size - now + 100);
}

const isIso = (s: unknown) => typeof s === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(s);

describe('auth (seed 001 §인증)', () => {
  it('POST /auth/token gives the seed fields; the access token opens /user/profile', async () => {
    ({ em } = await start());
    const r = await api(em, 'POST', '/auth/token', { json: { email: USER.email, password: USER.password } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(r.body.token_type).toBe('bearer');
    expect(r.body.expires_in).toBe(3600);
    expect(r.body.access_token).toMatch(/^eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\./);
    const p = await api(em, 'GET', '/user/profile', { token: r.body.access_token });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ email: USER.email, name: '홍길동', plan: 'pro', usage: { gpu_hours_used: 0, gpu_hours_limit: 100, storage_gb_used: 0, storage_gb_limit: 50 } });
    expect(p.body.user_id).toMatch(/^user_/);
    expect(isIso(p.body.created_at)).toBe(true);
  });

  it('wrong password → 401 UNAUTHORIZED in the seed error shape; missing fields → 422 naming them', async () => {
    ({ em } = await start());
    const r = await api(em, 'POST', '/auth/token', { json: { email: USER.email, password: 'nope' } });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHORIZED');
    expect(r.body.error.request_id).toMatch(/^req_/);
    expect(typeof r.body.error.message).toBe('string');
    const v = await api(em, 'POST', '/auth/token', { json: {} });
    expect(v.status).toBe(422);
    expect(v.body.error.code).toBe('VALIDATION_ERROR');
    expect(v.body.error.details.errors.map((e: { field: string }) => e.field)).toEqual(['email', 'password']);
    const bad = await api(em, 'POST', '/auth/token', { raw: '{not json' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_REQUEST');
  });

  it('an expired access token → 401 "Access token has expired" with details.expired_at; refresh gives a working one', async () => {
    ({ em } = await start({ accessTokenSeconds: 60 }));
    const t = (await api(em, 'POST', '/auth/token', { json: USER })).body;
    em.clock.advance(61_000);
    const r = await api(em, 'GET', '/user/profile', { token: t.access_token });
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Access token has expired' });
    expect(isIso(r.body.error.details.expired_at)).toBe(true);
    const f = await api(em, 'POST', '/auth/refresh', { json: { refresh_token: t.refresh_token } });
    expect(f.status).toBe(200);
    expect(Object.keys(f.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(f.body.expires_in).toBe(60);
    expect((await api(em, 'GET', '/user/profile', { token: f.body.access_token })).status).toBe(200);
  });

  it('refresh refuses an access token, a forged token and an expired refresh token; no bearer → 401', async () => {
    ({ em } = await start({ refreshTokenSeconds: 120 }));
    const t = (await api(em, 'POST', '/auth/token', { json: USER })).body;
    expect((await api(em, 'POST', '/auth/refresh', { json: { refresh_token: t.access_token } })).status).toBe(401);
    expect((await api(em, 'POST', '/auth/refresh', { json: { refresh_token: t.refresh_token.slice(0, -2) + 'xx' } })).status).toBe(401);
    expect((await api(em, 'POST', '/auth/refresh', { json: {} })).status).toBe(422);
    expect((await api(em, 'GET', '/projects', { token: t.refresh_token })).status).toBe(401);
    expect((await api(em, 'GET', '/projects')).body.error.code).toBe('UNAUTHORIZED');
    em.clock.advance(121_000);
    const r = await api(em, 'POST', '/auth/refresh', { json: { refresh_token: t.refresh_token } });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toBe('Refresh token has expired');
  });

  it('--demo makes demo@kraken.local on the Pro plan', async () => {
    ({ em } = await start({ demo: true }));
    const r = await api(em, 'POST', '/auth/token', { json: { email: 'demo@kraken.local', password: 'Kraken-Demo-2026!' } });
    expect(r.status).toBe(200);
    expect((await api(em, 'GET', '/user/profile', { token: r.body.access_token })).body.plan).toBe('pro');
  });
});

describe('rate limits (seed 001 §Rate Limiting)', () => {
  it('X-RateLimit-* on every reply, 429 RATE_LIMIT_EXCEEDED past the plan limit, and a fresh window after the reset', async () => {
    ({ em } = await start());
    freshWindow(em);
    em.setPlan(USER.email, 'free');
    const { token } = { token: em.tokensFor(USER.email).access_token };
    let last = await api(em, 'GET', '/projects', { token });
    expect(last.headers.get('x-ratelimit-limit')).toBe('60');
    expect(last.headers.get('x-ratelimit-remaining')).toBe('59');
    const reset = Number(last.headers.get('x-ratelimit-reset'));
    expect(reset * 1000).toBeGreaterThan(em.clock.now());
    expect(reset * 1000 - em.clock.now()).toBeLessThanOrEqual(60_000);
    // 404s, 401s and injected faults carry the headers too
    expect((await api(em, 'GET', '/nowhere', { token })).headers.get('x-ratelimit-remaining')).toBe('58');
    for (let i = 0; i < 58; i++) last = await api(em, 'GET', '/projects', { token });
    expect(last.status).toBe(200);
    expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
    const over = await api(em, 'GET', '/projects', { token });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(over.body.error.details.limit).toBe(60);
    expect(Date.parse(over.body.error.details.reset_at)).toBe(reset * 1000);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    em.clock.advance(reset * 1000 - em.clock.now() + 1);
    const again = await api(em, 'GET', '/projects', { token });
    expect(again.status).toBe(200);
    expect(again.headers.get('x-ratelimit-remaining')).toBe('59');
  });

  it('Pro 300 and Enterprise 1000 per minute; rateLimits option overrides', async () => {
    ({ em } = await start({ rateLimits: { free: 3 } }));
    freshWindow(em);
    const token = em.tokensFor(USER.email).access_token;
    expect((await api(em, 'GET', '/projects', { token })).headers.get('x-ratelimit-limit')).toBe('300');
    em.setPlan(USER.email, 'enterprise');
    expect((await api(em, 'GET', '/projects', { token })).headers.get('x-ratelimit-limit')).toBe('1000');
    em.createUser({ email: 'free@example.com', password: 'pw', plan: 'free' });
    const free = em.tokensFor('free@example.com').access_token;
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await api(em, 'GET', '/projects', { token: free })).status);
    expect(codes).toEqual([200, 200, 200, 429]);
  });
});

describe('the hourly window', () => {
  it('429 once the plan\'s requests per hour are used up, with that limit and the hour\'s reset', async () => {
    ({ em } = await start({ plans: { free: { requestsPerHour: 3 } } }));
    freshWindow(em, 3_600_000);
    em.createUser({ email: 'hourly@example.com', password: 'pw', plan: 'free' });
    const token = em.tokensFor('hourly@example.com').access_token;
    for (let i = 0; i < 3; i++) expect((await api(em, 'GET', '/projects', { token })).status).toBe(200);
    const over = await api(em, 'GET', '/projects', { token });
    expect(over.status).toBe(429);
    expect(over.body.error.details.limit).toBe(3);
    expect(over.headers.get('x-ratelimit-limit')).toBe('3');
    expect((Date.parse(over.body.error.details.reset_at) - em.clock.now()) / 60_000).toBeGreaterThan(0);
  });
});

describe('errors and faults', () => {
  it('unknown route → 404 NOT_FOUND, wrong method → the seed shape; injected 500 and 503 carry INTERNAL_ERROR / SERVICE_UNAVAILABLE', async () => {
    ({ em } = await start());
    const token = em.tokensFor(USER.email).access_token;
    const nf = await api(em, 'GET', '/nothing/here', { token });
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('NOT_FOUND');
    const m = await api(em, 'PATCH', '/projects', { token });
    expect(m.status).toBe(405);
    expect(m.body.error.code).toBe('INVALID_REQUEST');
    em.faults.add({ route: 'GET /api/v1/projects', status: 500, times: 1 });
    em.faults.add({ route: 'GET /api/v1/user/profile', status: 503, retryAfterSec: 2, times: 1 });
    const f = await api(em, 'GET', '/projects', { token });
    expect(f.status).toBe(500);
    expect(f.body.error.code).toBe('INTERNAL_ERROR');
    const u = await api(em, 'GET', '/user/profile', { token });
    expect(u.status).toBe(503);
    expect(u.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(u.headers.get('retry-after')).toBe('2');
    expect((await api(em, 'GET', '/projects', { token })).status).toBe(200);
  });

  it('admin API: health, faults over HTTP, users and plans', async () => {
    ({ em } = await start());
    const admin = { url: em.origin + '/__emulator' };
    expect((await api(admin, 'GET', '/health')).body.emulator).toBe('vision');
    const c = await api(admin, 'POST', '/users', { json: { email: 'free@example.com', password: 'pw', plan: 'free' } });
    expect(c.status).toBe(201);
    expect(c.body.plan).toBe('free');
    expect((await api(admin, 'POST', '/users', { json: { email: 'free@example.com', password: 'pw' } })).status).toBe(409);
    const p = await api(admin, 'PUT', '/users/free@example.com/plan', { json: { plan: 'enterprise' } });
    expect(p.body.plan).toBe('enterprise');
    expect((await api(admin, 'PUT', '/users/free@example.com/plan', { json: { plan: 'gold' } })).status).toBe(400);
    const t = await api(em, 'POST', '/auth/token', { json: { email: 'free@example.com', password: 'pw' } });
    expect((await api(em, 'GET', '/user/profile', { token: t.body.access_token })).body.plan).toBe('enterprise');
    await api(admin, 'POST', '/faults', { json: { route: '/api/v1/projects', status: 503 } });
    expect((await api(em, 'GET', '/projects', { token: t.body.access_token })).status).toBe(503);
    await api(admin, 'DELETE', '/faults');
    expect((await api(em, 'GET', '/projects', { token: t.body.access_token })).status).toBe(200);
  });
});

describe('admin routes of the vision emulator', () => {
  it('config (epochDelayMs, exportEnabled, gpuSlots), export toggle, ws/drop, reset (demo user made again)', async () => {
    ({ em } = await start({ demo: true }));
    const admin = { url: em.origin + '/__emulator' };
    const c = await api(admin, 'PATCH', '/config', { json: { epochDelayMs: 5, exportEnabled: false, gpuSlots: 2 } });
    expect(c.body).toMatchObject({ epochDelayMs: 5, exportEnabled: false, gpuSlots: 2, webSockets: 0 });
    expect(em.settings.epochDelayMs).toBe(5);
    expect((await api(admin, 'PATCH', '/config', { json: { gpuSlots: 0 } })).status).toBe(400);
    expect((await api(admin, 'POST', '/export', { json: { enabled: true } })).body).toEqual({ enabled: true });
    expect((await api(admin, 'POST', '/export', { json: {} })).status).toBe(400);
    expect((await api(admin, 'POST', '/ws/drop', { json: { mode: 'close' } })).body).toEqual({ dropped: 0, mode: 'close' });
    expect((await api(admin, 'GET', '/users')).body.users.map((u: any) => u.email).sort()).toEqual(['demo@kraken.local', USER.email]);
    expect((await api(admin, 'POST', '/reset')).status).toBe(200);
    expect((await api(admin, 'GET', '/users')).body.users.map((u: any) => u.email)).toEqual(['demo@kraken.local']);
    expect((await api(em, 'POST', '/auth/token', { json: USER })).status).toBe(401);
  });
});

describe('user & projects', () => {
  it('GET /projects lists the default project with counts', async () => {
    ({ em } = await start());
    const token = em.tokensFor(USER.email).access_token;
    const r = await api(em, 'GET', '/projects', { token });
    expect(r.status).toBe(200);
    expect(r.body.projects).toHaveLength(1);
    expect(Object.keys(r.body.projects[0]).sort()).toEqual(['created_at', 'dataset_count', 'description', 'name', 'project_id', 'workflow_count']);
    expect(r.body.projects[0]).toMatchObject({ workflow_count: 0, dataset_count: 0 });
  });
});
