import { describe, expect, it } from 'vitest';
import { badReplyError, cancelledError, extractServiceMessage, httpError, isTransient, networkError, retryAfterMs } from './errors';

describe('extractServiceMessage', () => {
  it("finds the message in every seed's error shape", () => {
    expect(extractServiceMessage({ message: 'The email is duplicated' })).toBe('The email is duplicated');
    expect(
      extractServiceMessage({ error: { code: 'VALIDATION_ERROR', message: 'Human-readable error message', details: { field: 'x' }, request_id: 'req_1' } }),
    ).toBe('Human-readable error message');
    expect(extractServiceMessage({ success: false, error: 'Validation error: "name" is required' })).toBe('Validation error: "name" is required');
    expect(extractServiceMessage({ statusCode: 404, errMessage: 'container not found' })).toBe('container not found');
    expect(extractServiceMessage('{"message":["password too short","email must be an email"]}')).toBe('password too short; email must be an email');
    expect(extractServiceMessage({ detail: [{ msg: 'field required' }] })).toBe('field required');
    expect(extractServiceMessage('Service temporarily unavailable')).toBe('Service temporarily unavailable');
  });

  it('never returns HTML, a stack trace, an empty body or a token', () => {
    expect(extractServiceMessage('<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>')).toBeNull();
    expect(extractServiceMessage('<!DOCTYPE html><p>oops</p>')).toBeNull();
    expect(extractServiceMessage('TypeError: x is undefined\n    at handler (/srv/app.js:10:5)\n    at next (/srv/router.js:3:1)')).toBeNull();
    expect(extractServiceMessage({ message: 'Error: boom\n    at Object.<anonymous> (/srv/a.js:1:1)' })).toBeNull();
    expect(extractServiceMessage('')).toBeNull();
    expect(extractServiceMessage('{not json')).toBeNull();
    expect(extractServiceMessage({ ok: true })).toBeNull();
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';
    const msg = extractServiceMessage({ message: `token ${jwt} expired; sent Bearer abcdefghijklmnop` });
    expect(msg).not.toContain(jwt);
    expect(msg).not.toContain('abcdefghijklmnop');
    expect(msg).toContain('[token]');
    expect(extractServiceMessage({ message: 'x'.repeat(5000) })!.length).toBeLessThanOrEqual(300);
  });
});

describe('httpError', () => {
  it('turns an HTML 502 page into a plain sentence', () => {
    const e = httpError({ service: 'atlas', status: 502, body: '<html><body><h1>Bad Gateway</h1></body></html>' });
    expect(e.code).toBe('REMOTE');
    expect(e.message).toBe('The Atlas service had a problem (HTTP 502). Try again later.');
    expect(e.details).toEqual({ service: 'atlas', status: 502 });
  });

  it("shows the service's own message for a 4xx, with a code per status", () => {
    const e = httpError({ service: 'atlas', status: 409, body: '{"message":"The email is duplicated"}' });
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toBe('The Atlas service said: The email is duplicated.');
    expect(e.details).toMatchObject({ service: 'atlas', status: 409, serviceMessage: 'The email is duplicated' });
    expect(httpError({ service: 'atlas', status: 401, body: '' }).code).toBe('UNAUTHORIZED');
    expect(httpError({ service: 'atlas', status: 403, body: '' }).code).toBe('FORBIDDEN');
    expect(httpError({ service: 'atlas', status: 404, body: '' }).code).toBe('NOT_FOUND');
    expect(httpError({ service: 'atlas', status: 400, body: '' }).code).toBe('INVALID_INPUT');
    expect(httpError({ service: 'vision', status: 422, body: { error: { code: 'VALIDATION_ERROR', message: 'bad' } } }).details).toMatchObject({ serviceCode: 'VALIDATION_ERROR' });
    expect(httpError({ service: 'compute', status: 418, body: '' }).code).toBe('REMOTE');
  });

  it('a 5xx keeps the JSON message and a 429 carries retryAfterMs', () => {
    const e = httpError({ service: 'solana', status: 500, body: { success: false, error: 'Failed to register model: Transaction simulation failed' } });
    expect(e.message).toBe('The Solana backend had a problem (HTTP 500): Failed to register model: Transaction simulation failed. Try again later.');
    const r = httpError({ service: 'atlas', status: 429, headers: new Headers({ 'retry-after': '30' }), body: '' });
    expect(r.code).toBe('RATE_LIMITED');
    expect(r.details).toMatchObject({ retryAfterMs: 30_000 });
    expect(r.message).toMatch(/try again in 30 s/);
    expect(isTransient(r)).toBe(true);
    expect(isTransient(e)).toBe(true);
    expect(isTransient(httpError({ service: 'atlas', status: 400, body: '' }))).toBe(false);
    expect(isTransient(badReplyError('atlas', 200))).toBe(false);
    expect(isTransient(networkError('atlas', 'unreachable'))).toBe(true);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  it('reads seconds, an HTTP date and X-RateLimit-Reset', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '5' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 02 Dec 2026 10:00:12 GMT' }), now)).toBe(12_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 02 Dec 2026 09:00:00 GMT' }), now)).toBe(0);
    expect(retryAfterMs(new Headers({ 'x-ratelimit-reset': String(now / 1000 + 7) }), now)).toBe(7000);
    expect(retryAfterMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});

describe('every cloud sentence travels as a code with parameters (the UI translates it)', () => {
  it('carries the service key, its English label and the platform\'s own words as parameters', () => {
    expect(httpError({ service: 'atlas', status: 404, body: '' }).toShape()).toMatchObject({
      code: 'NOT_FOUND',
      message: 'The Atlas service could not find it (HTTP 404).',
      messageCode: 'cloud.http_404',
      messageParams: { service: 'atlas', label: 'Atlas service' },
    });
    expect(httpError({ service: 'atlas', status: 409, body: '{"message":"The email is duplicated"}' })).toMatchObject({
      messageCode: 'cloud.said',
      messageParams: { service: 'atlas', server: 'The email is duplicated.' },
    });
    const slow = httpError({ service: 'vision', status: 429, headers: new Headers({ 'retry-after': '300' }), body: '{"message":"quota"}' });
    expect(slow).toMatchObject({ code: 'RATE_LIMITED', messageCode: 'cloud.busy_minutes_said', messageParams: { minutes: 5, server: 'quota.' } });
    expect(slow.message).toBe('The vision training platform is busy and asked the studio to slow down; try again in 5 minutes. (quota.)');
    expect(httpError({ service: 'atlas', status: 429, body: '' }).message).toBe('The Atlas service is busy and asked the studio to slow down; try again in a moment.');
    expect(networkError('atlas', 'unreachable', { origin: 'http://127.0.0.1:3000' })).toMatchObject({
      message: 'The Atlas service cannot be reached at http://127.0.0.1:3000. Check the connection and the service address in Settings.',
      messageCode: 'cloud.unreachable_at',
      messageParams: { origin: 'http://127.0.0.1:3000' },
    });
    expect(networkError('compute', 'timeout', { timeoutMs: 15_000 })).toMatchObject({ messageCode: 'cloud.timeout_seconds', message: 'The compute service did not answer within 15 s. Check the connection and try again.' });
    expect(badReplyError('solana', 200).messageCode).toBe('cloud.bad_reply');
    expect(cancelledError().toShape()).toMatchObject({ code: 'CANCELLED', message: 'Cancelled.', messageCode: 'cloud.cancelled' });
  });
});
