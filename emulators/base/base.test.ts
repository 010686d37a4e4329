/** The emulator base's pure parts: ranges, page sizes, tokens on a moved clock, fault rules, paths, tar. */
import { describe, expect, it } from 'vitest';
import { Clock } from './clock';
import { FaultInjector, validateFaultRule } from './faults';
import { normalisePath, Router } from './http';
import { pageLimit, cursorPage } from './pagination';
import { parseRange } from './send-file';
import { fitTarName, readTarGz, tarHeader } from './tar';
import { bearerOf, TokenSigner } from './tokens';

describe('parseRange', () => {
  it('reads a-b, a-, -n; clamps the end; refuses a start past the end; ignores what it cannot serve', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-5', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=50-5000', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
    expect(parseRange('bytes=9-3', 100)).toBeNull();
    expect(parseRange(undefined, 100)).toBeNull();
  });
});

describe('pagination', () => {
  it('pageLimit: default, clamp to max, null for what is not a whole number ≥ 1', () => {
    expect(pageLimit(null, 10, 50)).toBe(10);
    expect(pageLimit('', 10, 50)).toBe(10);
    expect(pageLimit('7', 10, 50)).toBe(7);
    expect(pageLimit('51', 10, 50)).toBe(50);
    for (const bad of ['0', '-1', '2.5', 'ten']) expect(pageLimit(bad, 10, 50)).toBeNull();
  });

  it('cursorPage asks for one row more and gives the last shown row as the cursor', () => {
    const rows = [1, 2, 3, 4, 5];
    let asked = 0;
    const page = cursorPage((n) => ((asked = n), rows.slice(0, n)), 3, (r) => `c${r}`, (r) => r * 10);
    expect(asked).toBe(4);
    expect(page).toEqual({ items: [10, 20, 30], hasNextItem: true, nextCursor: 'c3' });
    expect(cursorPage(() => [1], 3, String, (r) => r)).toEqual({ items: [1], hasNextItem: false, nextCursor: null });
  });
});

describe('tokens', () => {
  it('verify: good until exp on the (moved) clock; a changed byte or another key fails', () => {
    const clock = new Clock();
    const s = new TokenSigner(Buffer.alloc(32, 1), clock);
    const t = s.sign({ sub: 'u1', sessionId: 's1' }, 60);
    expect(s.verify(t)).toMatchObject({ sub: 'u1', sessionId: 's1' });
    expect(new TokenSigner(Buffer.alloc(32, 2), clock).verify(t)).toBeNull();
    const [h, b, sig] = t.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', sessionId: 's1', iat: 0, exp: 9e9 })).toString('base64url');
    expect(s.verify(`${h}.${forged}.${sig}`)).toBeNull();
    expect(s.verify(`${h}.${b}`)).toBeNull();
    clock.advance(59_000);
    expect(s.verify(t)).not.toBeNull();
    clock.advance(1_000);
    expect(s.verify(t)).toBeNull();
  });

  it('bearerOf takes the scheme in any case and nothing else', () => {
    expect(bearerOf('Bearer abc')).toBe('abc');
    expect(bearerOf('bearer abc')).toBe('abc');
    expect(bearerOf('Basic abc')).toBeNull();
    expect(bearerOf('Bearer')).toBeNull();
    expect(bearerOf(undefined)).toBeNull();
  });
});

describe('fault rules', () => {
  it('match METHOD-path globs or bare path globs; times runs out; unknown fields are refused', () => {
    const f = new FaultInjector([{ route: 'POST /atlas/item/*', status: 500, times: 1 }, { route: '/atlas/me', delayMs: 5 }]);
    expect(f.forRequest('GET', '/atlas/item/gs3d', false, () => false).status).toBeNull();
    expect(f.forRequest('POST', '/atlas/item/gs3d', true, () => false).status).toBe(500);
    expect(f.forRequest('POST', '/atlas/item/gs3d', true, () => false).status).toBeNull();
    expect(f.forRequest('GET', '/atlas/me', false, () => false).delayMs).toBe(5);
    expect(() => validateFaultRule({ stauts: 500 })).toThrow(/Unknown fault rule field/);
    expect(() => validateFaultRule({ rate: 2, status: 500 })).toThrow(/rate/);
    expect(() => validateFaultRule({ status: 200 })).toThrow(/status/);
  });

  it('upload and download cuts only fire (and only count) on requests that upload or download', () => {
    const f = new FaultInjector([{ cutUploadAfterBytes: 10, times: 1 }, { cutDownloadAfterBytes: 20, times: 1 }]);
    expect(f.forRequest('GET', '/x', false, () => false)).toMatchObject({ cutUploadAfterBytes: null, cutDownloadAfterBytes: null });
    expect(f.forRequest('POST', '/x', true, () => false).cutUploadAfterBytes).toBe(10);
    expect(f.forRequest('GET', '/x', false, () => true).cutDownloadAfterBytes).toBe(20);
    expect(f.list()).toEqual([]);
  });
});

describe('paths and routes', () => {
  it('normalisePath collapses slashes and drops a trailing one, keeping case', () => {
    expect(normalisePath('//atlas//auth/sign-In/')).toBe('/atlas/auth/sign-In');
    expect(normalisePath('atlas/me')).toBe('/atlas/me');
    expect(normalisePath('/')).toBe('/');
  });

  it('the router matches in order, decodes params, and tells a wrong method from a missing path', () => {
    const r = new Router();
    const h = () => {};
    r.on('GET', '/a/detail/:id', h).on('GET', '/a/:type/:id', h);
    expect(r.match('GET', '/a/detail/x%20y')).toMatchObject({ params: { id: 'x y' } });
    expect(r.match('GET', '/a/log/1')).toMatchObject({ params: { type: 'log', id: '1' } });
    expect(r.match('HEAD', '/a/log/1')).toMatchObject({ params: { type: 'log' } });
    expect(r.match('POST', '/a/log/1')).toEqual({ allowed: ['GET', 'HEAD'] });
    expect(r.match('GET', '/b')).toBeNull();
  });
});

describe('tar', () => {
  it('a ustar header has the magic and a checksum that sums right', () => {
    const h = tarHeader('a.txt', 5, 0);
    expect(h.subarray(257, 262).toString()).toBe('ustar');
    const stored = parseInt(h.subarray(148, 154).toString(), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    expect(stored).toBe(sum);
    expect(() => tarHeader('x'.repeat(101), 1, 0)).toThrow(/100 bytes/);
    expect(readTarGz).toBeTypeOf('function');
  });

  it('fitTarName keeps folder and extension and cuts the stem of a long (Korean) name to 100 bytes', () => {
    expect(fitTarName('short.glb')).toBe('short.glb');
    const long = `Payload/${'가'.repeat(60)}.tar.gz`;
    const fitted = fitTarName(long);
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(100);
    expect(fitted.startsWith('Payload/가')).toBe(true);
    expect(fitted.endsWith('.tar.gz')).toBe(true);
  });
});
