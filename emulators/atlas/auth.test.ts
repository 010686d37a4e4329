/** Seed 000 §2, §5, §6 against a started emulator, with plain fetch. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAtlasEmulator, type AtlasEmulator } from './index';
import { api, PASSWORD, signedInUser, type Api } from './test-kit';

let em: AtlasEmulator;
let a: Api;

beforeAll(async () => {
  em = await startAtlasEmulator({ processingMs: 0, quiet: true });
  a = api(em.url);
});
afterAll(() => em.close());
beforeEach(() => em.reset());

const signUp = (body: Record<string, unknown>) => a.json('POST', '/atlas/auth/sign-up', body);
const signIn = (id: string, password: string) => a.json('POST', '/atlas/auth/sign-In', { id, password });

describe('POST atlas/auth/sign-up', () => {
  it('201 with no body, and an unconfirmed account gets a confirmation mail with email and userId', async () => {
    const r = await signUp({ email: 'Ann@Example.com', password: PASSWORD, nickname: 'ann' });
    expect(r.status).toBe(201);
    expect(r.text).toBe('');
    const [mail] = em.sentMails({ to: 'ann@example.com' });
    expect(mail!.kind).toBe('confirm-email');
    const link = new URL(mail!.data.link!);
    expect(link.pathname).toBe('/atlas/auth/confirm-email');
    expect(link.searchParams.get('email')).toBe('ann@example.com');
    expect(link.searchParams.get('userId')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['shorter than 10', 'Abcdef1!x'],
    ['no upper-case letter', 'abcdefgh1!'],
    ['no lower-case letter', 'ABCDEFGH1!'],
    ['no digit', 'Abcdefghi!'],
    ['no special character', 'Abcdefghi1'],
  ])('400 when the password has %s, with a {message}', async (_why, password) => {
    const r = await signUp({ email: 'a@example.com', password, nickname: 'a' });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body)).toEqual(['message']);
    expect(typeof r.body.message).toBe('string');
  });

  it('400 for a bad e-mail, a missing nickname or a body that is not JSON', async () => {
    expect((await signUp({ email: 'not-an-email', password: PASSWORD, nickname: 'a' })).status).toBe(400);
    expect((await signUp({ email: 'a@example.com', password: PASSWORD })).status).toBe(400);
    const raw = await fetch(`${em.url}/atlas/auth/sign-up`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ message: expect.any(String) });
  });

  it('409 for an e-mail already registered (any case)', async () => {
    expect((await signUp({ email: 'dup@example.com', password: PASSWORD, nickname: 'a' })).status).toBe(201);
    const r = await signUp({ email: 'DUP@example.com', password: PASSWORD, nickname: 'b' });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ message: expect.any(String) });
  });

  it('500 from fault injection ("email external module error")', async () => {
    em.setFaults({ route: 'POST /atlas/auth/sign-up', status: 500, times: 1 });
    const r = await signUp({ email: 'f@example.com', password: PASSWORD, nickname: 'f' });
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ message: expect.any(String) });
    expect((await signUp({ email: 'f@example.com', password: PASSWORD, nickname: 'f' })).status).toBe(201);
  });
});

describe('e-mail confirmation', () => {
  it('sign-In is 403 until confirm-email, which is 400 for a wrong userId and 200 for the link', async () => {
    await signUp({ email: 'c@example.com', password: PASSWORD, nickname: 'c' });
    expect((await signIn('c@example.com', PASSWORD)).status).toBe(403);
    const bad = await a.json('GET', '/atlas/auth/confirm-email?email=c@example.com&userId=00000000-0000-4000-8000-000000000000');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: expect.any(String) });
    const link = em.sentMails({ to: 'c@example.com' })[0]!.data.link!;
    const ok = await fetch(link);
    expect(ok.status).toBe(200);
    expect((await signIn('c@example.com', PASSWORD)).status).toBe(201);
  });

  it('resend: 201 and a new mail; 404 for an unknown e-mail', async () => {
    await signUp({ email: 'r@example.com', password: PASSWORD, nickname: 'r' });
    const r = await a.json('POST', '/atlas/auth/confirmation-emails/resend', { email: 'r@example.com' });
    expect(r.status).toBe(201);
    expect(em.sentMails({ to: 'r@example.com', kind: 'confirm-email' })).toHaveLength(2);
    const missing = await a.json('POST', '/atlas/auth/confirmation-emails/resend', { email: 'nobody@example.com' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: expect.any(String) });
  });

  it('autoConfirmEmail and the admin confirm let a new account sign in at once', async () => {
    await signUp({ email: 'adm@example.com', password: PASSWORD, nickname: 'adm' });
    const r = await a.json('POST', '/__emulator/confirm-email', { email: 'adm@example.com' });
    expect(r.status).toBe(200);
    expect((await signIn('adm@example.com', PASSWORD)).status).toBe(201);
    const auto = await startAtlasEmulator({ autoConfirmEmail: true, quiet: true });
    try {
      const b = api(auto.url);
      await b.json('POST', '/atlas/auth/sign-up', { email: 'x@example.com', password: PASSWORD, nickname: 'x' });
      expect((await b.json('POST', '/atlas/auth/sign-In', { id: 'x@example.com', password: PASSWORD })).status).toBe(201);
      expect(auto.sentMails()).toHaveLength(0);
    } finally {
      await auto.close();
    }
  });
});

describe('POST atlas/auth/sign-In', () => {
  it('201 {accessToken, refreshToken}: JWTs whose claims carry sub, sessionId and 1 h / 14 d lifetimes', async () => {
    const t = await signedInUser(a, 's@example.com');
    expect(Object.keys(t).sort()).toEqual(['accessToken', 'refreshToken']);
    const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
    const ac = claims(t.accessToken);
    const rc = claims(t.refreshToken);
    expect(ac.exp - ac.iat).toBe(3600);
    expect(rc.exp - rc.iat).toBe(14 * 24 * 3600);
    expect(ac.sessionId).toBe(rc.sessionId);
    expect(ac.role).toBe('USER');
  });

  it('401 for a wrong password or an unknown e-mail; 400 when "id" is missing (an "email" key is not the seed\'s)', async () => {
    await signedInUser(a, 'w@example.com');
    expect((await signIn('w@example.com', 'Wrong-Pass-99')).status).toBe(401);
    expect((await signIn('nobody@example.com', PASSWORD)).status).toBe(401);
    expect((await a.json('POST', '/atlas/auth/sign-In', { email: 'w@example.com', password: PASSWORD })).status).toBe(400);
  });

  it('the path is sign-In with a capital I: sign-in is 404; a trailing slash and a double slash are accepted', async () => {
    await signedInUser(a, 'p@example.com');
    expect((await a.json('POST', '/atlas/auth/sign-in', { id: 'p@example.com', password: PASSWORD })).status).toBe(404);
    expect((await a.json('POST', '/atlas/auth/sign-In/', { id: 'p@example.com', password: PASSWORD })).status).toBe(201);
    expect((await a.json('POST', '//atlas/auth/sign-In', { id: 'p@example.com', password: PASSWORD })).status).toBe(201);
  });

  it('409 for an account made with Google sign-in', async () => {
    const g = await a.json('POST', '/atlas/auth/google', { idToken: em.googleIdToken('g@example.com', 'Gee') });
    expect(g.status).toBe(201);
    expect((await signIn('g@example.com', PASSWORD)).status).toBe(409);
  });
});

describe('tokens: me, refresh, sign-out, lifetimes', () => {
  it('GET atlas/me → {nickname, email}; 401 without or with a bad token', async () => {
    const t = await signedInUser(a, 'me@example.com', 'Mee');
    const r = await a.json('GET', '/atlas/me', undefined, t.accessToken);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ nickname: 'Mee', email: 'me@example.com' });
    expect((await a.json('GET', '/atlas/me')).status).toBe(401);
    expect((await a.json('GET', '/atlas/me', undefined, t.accessToken + 'x')).status).toBe(401);
    // a refresh token is not an access token
    expect((await a.json('GET', '/atlas/me', undefined, t.refreshToken)).status).toBe(401);
  });

  it('refresh with Authorization: Bearer <refreshToken> → 200 {accessToken}; an access token there is 401', async () => {
    const t = await signedInUser(a, 'rf@example.com');
    const r = await a.json('POST', '/atlas/refresh/accessToken', undefined, t.refreshToken);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['accessToken']);
    expect((await a.json('GET', '/atlas/me', undefined, r.body.accessToken)).status).toBe(200);
    expect((await a.json('POST', '/atlas/refresh/accessToken', undefined, t.accessToken)).status).toBe(401);
    expect((await a.json('POST', '/atlas/refresh/accessToken')).status).toBe(401);
  });

  it('the access token expires after 1 h on the emulator clock, the refresh token after 14 d', async () => {
    const t = await signedInUser(a, 'ttl@example.com');
    em.advanceClock(3601 * 1000);
    expect((await a.json('GET', '/atlas/me', undefined, t.accessToken)).status).toBe(401);
    const fresh = await a.json('POST', '/atlas/refresh/accessToken', undefined, t.refreshToken);
    expect(fresh.status).toBe(200);
    expect((await a.json('GET', '/atlas/me', undefined, fresh.body.accessToken)).status).toBe(200);
    em.advanceClock(14 * 24 * 3600 * 1000);
    expect((await a.json('POST', '/atlas/refresh/accessToken', undefined, t.refreshToken)).status).toBe(401);
  });

  it('token lifetimes are options', async () => {
    const short = await startAtlasEmulator({ accessTokenTtlSec: 5, refreshTokenTtlSec: 60, autoConfirmEmail: true, quiet: true });
    try {
      const b = api(short.url);
      await b.json('POST', '/atlas/auth/sign-up', { email: 'o@example.com', password: PASSWORD, nickname: 'o' });
      const t = (await b.json('POST', '/atlas/auth/sign-In', { id: 'o@example.com', password: PASSWORD })).body;
      short.advanceClock(6000);
      expect((await b.json('GET', '/atlas/me', undefined, t.accessToken)).status).toBe(401);
      expect((await b.json('POST', '/atlas/refresh/accessToken', undefined, t.refreshToken)).status).toBe(200);
      short.advanceClock(60_000);
      expect((await b.json('POST', '/atlas/refresh/accessToken', undefined, t.refreshToken)).status).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('sign-out → 200 and ends the session: both tokens are then 401; another session lives on', async () => {
    const t = await signedInUser(a, 'out@example.com');
    const other = (await signIn('out@example.com', PASSWORD)).body;
    const r = await a.json('POST', '/atlas/auth/sign-out', undefined, t.accessToken);
    expect(r.status).toBe(200);
    expect((await a.json('GET', '/atlas/me', undefined, t.accessToken)).status).toBe(401);
    expect((await a.json('POST', '/atlas/refresh/accessToken', undefined, t.refreshToken)).status).toBe(401);
    expect((await a.json('POST', '/atlas/auth/sign-out', undefined, t.accessToken)).status).toBe(401);
    expect((await a.json('GET', '/atlas/me', undefined, other.accessToken)).status).toBe(200);
  });
});

describe('passwords and the account', () => {
  it('reset-password: 201, the mailed temporary password signs in and the old one does not; 404 unknown', async () => {
    await signedInUser(a, 'rp@example.com');
    const r = await a.json('POST', '/atlas/auth/reset-password', { email: 'rp@example.com' });
    expect(r.status).toBe(201);
    const temp = em.sentMails({ to: 'rp@example.com', kind: 'reset-password' })[0]!.data.temporaryPassword!;
    expect((await signIn('rp@example.com', PASSWORD)).status).toBe(401);
    expect((await signIn('rp@example.com', temp)).status).toBe(201);
    expect((await a.json('POST', '/atlas/auth/reset-password', { email: 'none@example.com' })).status).toBe(404);
  });

  it('PATCH atlas/auth/password {password}: 200, 400 for a weak one, 401 without a token; POST is accepted too', async () => {
    const t = await signedInUser(a, 'pw@example.com');
    expect((await a.json('PATCH', '/atlas/auth/password', { password: 'weak' }, t.accessToken)).status).toBe(400);
    expect((await a.json('PATCH', '/atlas/auth/password', { password: 'New-Password-1' })).status).toBe(401);
    const r = await a.json('PATCH', '/atlas/auth/password', { password: 'New-Password-1' }, t.accessToken);
    expect(r.status).toBe(200);
    expect((await signIn('pw@example.com', 'New-Password-1')).status).toBe(201);
    expect((await a.json('POST', '/atlas/auth/password', { password: 'Newer-Password-2' }, t.accessToken)).status).toBe(200);
    expect((await signIn('pw@example.com', 'Newer-Password-2')).status).toBe(201);
  });

  it('DELETE atlas/auth/user: 200; then sign-In is 401, the old token 404 on me; 401 without a token', async () => {
    const t = await signedInUser(a, 'del@example.com');
    expect((await a.json('DELETE', '/atlas/auth/user')).status).toBe(401);
    expect((await a.json('DELETE', '/atlas/auth/user', undefined, t.accessToken)).status).toBe(200);
    expect((await signIn('del@example.com', PASSWORD)).status).toBe(401);
    expect((await a.json('GET', '/atlas/me', undefined, t.accessToken)).status).toBe(404);
    // the address is free again
    expect((await signUp({ email: 'del@example.com', password: PASSWORD, nickname: 'again' })).status).toBe(201);
  });

  it('google: 201 tokens for a new Google account (signs in again the same way), 401 for a bad idToken, 409 for an e-mail account', async () => {
    const first = await a.json('POST', '/atlas/auth/google', { idToken: em.googleIdToken('gg@example.com', 'Gigi') });
    expect(first.status).toBe(201);
    expect(Object.keys(first.body).sort()).toEqual(['accessToken', 'refreshToken']);
    expect((await a.json('GET', '/atlas/me', undefined, first.body.accessToken)).body).toEqual({ nickname: 'Gigi', email: 'gg@example.com' });
    expect((await a.json('POST', '/atlas/auth/google', { idToken: em.googleIdToken('gg@example.com') })).status).toBe(201);
    expect((await a.json('POST', '/atlas/auth/google', { idToken: 'not-a-google-token' })).status).toBe(401);
    await signedInUser(a, 'mail@example.com');
    expect((await a.json('POST', '/atlas/auth/google', { idToken: em.googleIdToken('mail@example.com') })).status).toBe(409);
    const viaAdmin = await a.json('POST', '/__emulator/google/id-token', { email: 'adm-g@example.com' });
    expect((await a.json('POST', '/atlas/auth/google', { idToken: viaAdmin.body.idToken })).status).toBe(201);
  });

  it('confirm-invite-email: 200 {email} for the invitation link, 401 for a wrong groupId or userId', async () => {
    await signedInUser(a, 'inv@example.com');
    const inv = await a.json('POST', '/__emulator/invites', { email: 'inv@example.com' });
    expect(inv.status).toBe(201);
    const link = new URL(em.sentMails({ to: 'inv@example.com', kind: 'invite' })[0]!.data.link!);
    expect(link.pathname).toBe('/atlas/auth/confirm-invite-email');
    const ok = await a.json('GET', link.pathname + link.search);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ email: 'inv@example.com' });
    const wrongGroup = new URL(link);
    wrongGroup.searchParams.set('groupId', '00000000-0000-4000-8000-000000000000');
    expect((await a.json('GET', wrongGroup.pathname + wrongGroup.search)).status).toBe(401);
    const wrongUser = new URL(link);
    wrongUser.searchParams.set('userId', '00000000-0000-4000-8000-000000000000');
    expect((await a.json('GET', wrongUser.pathname + wrongUser.search)).status).toBe(401);
  });
});

describe('role and version', () => {
  it('GET atlas/role → 201 (as the seed writes it) with roles {id, name, description, createdAt, updatedAt}', async () => {
    const r = await a.json('GET', '/atlas/role');
    expect(r.status).toBe(201);
    expect(r.body.length).toBeGreaterThan(0);
    for (const role of r.body) expect(Object.keys(role).sort()).toEqual(['createdAt', 'description', 'id', 'name', 'updatedAt']);
  });

  it('GET atlas/version → 200 and the version string as the body; 500 under fault injection', async () => {
    const r = await a.json('GET', '/atlas/version');
    expect(r.status).toBe(200);
    expect(r.text).toBe('2.4.0');
    em.setFaults({ route: '/atlas/version', status: 500 });
    const f = await a.json('GET', '/atlas/version');
    expect(f.status).toBe(500);
    expect(f.body).toEqual({ message: expect.any(String) });
  });

  it('unknown paths are 404 and a wrong method 405, both with {message}', async () => {
    const r = await a.json('GET', '/atlas/nothing');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ message: expect.any(String) });
    const m = await a.json('GET', '/atlas/auth/sign-up');
    expect(m.status).toBe(405);
    expect(m.body).toEqual({ message: expect.any(String) });
  });
});
