/**
 * The Atlas client (auth-api, items-api, session) against the local emulator over real HTTP on 127.0.0.1:
 * every endpoint of SPEC §2.1 and each error case (400/401/403/404/409/500), token refresh and expiry,
 * downloads compared byte for byte with the emulator's files, a download cut halfway resumed with Range.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAtlasEmulator, type AtlasEmulator } from '../../../../emulators/atlas';
import { fixtures } from '../../../../test-support/media-fixtures';
import { AppError } from '../../../common/app-error';
import { ATLAS_FORMATS, ATLAS_MODEL_IDS, type CloudAccount } from '../../../common/contract';
import { HttpClient } from '../http-client';
import { AtlasAuthApi } from './auth-api';
import { AtlasItemsApi } from './items-api';
import { AtlasSession, SESSION_SECRET, type SessionVault } from './session';

const PASSWORD = 'Correct-horse1';

/** A vault in memory: what it holds is inspected by the tests. */
function memoryVault(): SessionVault & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    backend: 'memory',
    data,
    get: async (n: string) => data.get(n) ?? null,
    set: async (n: string, v: string) => void data.set(n, v),
    delete: async (n: string) => void data.delete(n),
  };
}

let emu: AtlasEmulator;
let work: string;
let http: HttpClient;
let auth: AtlasAuthApi;
let items: AtlasItemsApi;

function newSession(vault = memoryVault(), onChange?: (a: CloudAccount) => void) {
  return { vault, session: new AtlasSession({ vault, api: () => auth, onChange }) };
}

async function signedIn(email: string) {
  await emu.createUser({ email, password: PASSWORD, nickname: email.split('@')[0] });
  const s = newSession();
  await s.session.signIn({ email, password: PASSWORD });
  return s;
}

async function code(p: Promise<unknown>): Promise<{ code: string; status?: number; problem?: unknown; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = AppError.from(err);
    const d = e.details as { status?: number; atlasProblem?: unknown } | undefined;
    return { code: e.code, status: d?.status, problem: d?.atlasProblem, message: e.message };
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-atlas-client-'));
  emu = await startAtlasEmulator({ processingMs: 200, quiet: true });
  http = new HttpClient({ service: 'atlas', baseUrl: emu.url, baseDelayMs: 5, maxDelayMs: 20 });
  auth = new AtlasAuthApi(http);
  items = new AtlasItemsApi(http);
  fixtures.h264();
  fixtures.png();
}, 240_000);

afterAll(async () => {
  await emu?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  emu.clearFaults();
  emu.clearRequests();
});

describe('account (seed 000 §2)', () => {
  it('sign-up: a weak password is refused before anything is sent; then 201, and 409 for the same e-mail', async () => {
    const { session } = newSession();
    const weak = await code(session.signUp({ email: 'weak@example.com', nickname: 'w', password: 'short' }));
    expect(weak).toMatchObject({ code: 'INVALID_INPUT', problem: 'WEAK_PASSWORD' });
    expect(emu.requests().filter((r) => r.path.includes('sign-up'))).toEqual([]);

    await expect(session.signUp({ email: 'new@example.com', nickname: 'newbie', password: PASSWORD })).resolves.toEqual({ email: 'new@example.com', confirmationSent: true });
    const req = emu.requests().find((r) => r.path === '/atlas/auth/sign-up');
    expect(req).toMatchObject({ method: 'POST', status: 201 });
    expect(req?.jsonKeys?.sort()).toEqual(['email', 'nickname', 'password']);
    expect(emu.sentMails({ to: 'new@example.com' }).length).toBeGreaterThan(0);

    expect(await code(session.signUp({ email: 'new@example.com', nickname: 'again', password: PASSWORD }))).toMatchObject({ code: 'CONFLICT', status: 409, problem: 'EMAIL_TAKEN' });
  });

  it('sign-up: 400 for input the server finds invalid, 500 shown as a plain sentence', async () => {
    expect(await code(auth.signUp({ email: 'not-an-email', password: PASSWORD, nickname: 'x' }))).toMatchObject({ code: 'INVALID_INPUT', status: 400 });
    emu.setFaults({ route: 'POST /atlas/auth/sign-up', status: 500 });
    const e = await code(auth.signUp({ email: 'five@example.com', password: PASSWORD, nickname: 'x' }));
    expect(e).toMatchObject({ code: 'REMOTE', status: 500 });
    expect(e.message).not.toMatch(/<|at \S+:\d+/);
  });

  it('sign-In with {id, password}: 403 until confirmed (resend offered), 401 wrong password, then tokens in the vault only', async () => {
    const { session, vault } = newSession();
    await session.signUp({ email: 'conf@example.com', nickname: 'conf', password: PASSWORD });
    const unconfirmed = await code(session.signIn({ email: 'conf@example.com', password: PASSWORD }));
    expect(unconfirmed).toMatchObject({ code: 'FORBIDDEN', status: 403, problem: 'EMAIL_NOT_CONFIRMED' });
    expect(unconfirmed.message).toMatch(/not confirmed/);
    const signIn = emu.requests().find((r) => r.path === '/atlas/auth/sign-In');
    expect(signIn?.jsonKeys?.sort()).toEqual(['id', 'password']);

    const before = emu.sentMails({ to: 'conf@example.com' }).length;
    await expect(session.resendConfirmation('conf@example.com')).resolves.toEqual({ sent: true });
    expect(emu.sentMails({ to: 'conf@example.com' }).length).toBe(before + 1);
    expect(await code(session.resendConfirmation('nobody@example.com'))).toMatchObject({ code: 'NOT_FOUND', status: 404 });

    emu.confirmEmail('conf@example.com');
    const wrong = await code(session.signIn({ email: 'conf@example.com', password: 'Wrong-pass12' }));
    expect(wrong).toMatchObject({ code: 'UNAUTHORIZED', status: 401, problem: 'WRONG_CREDENTIALS' });
    expect(wrong.message).toBe('Wrong e-mail address or password.');
    expect(await code(session.signIn({ email: 'unknown@example.com', password: PASSWORD }))).toMatchObject({ status: 401, problem: 'WRONG_CREDENTIALS' });

    const account = await session.signIn({ email: 'conf@example.com', password: PASSWORD });
    expect(account).toMatchObject({ state: 'signedIn', email: 'conf@example.com', nickname: 'conf' });
    expect(JSON.stringify(account)).not.toMatch(/eyJ/);
    const stored = JSON.parse(vault.data.get(SESSION_SECRET)!) as { session: { accessToken: string; refreshToken: string } };
    expect(stored.session.accessToken).toBeTruthy();
    expect(stored.session.refreshToken).toBeTruthy();
  });

  it('sign-In: 409 for a Google account', async () => {
    await emu.createUser({ email: 'g@example.com', provider: 'google' });
    const { session } = newSession();
    expect(await code(session.signIn({ email: 'g@example.com', password: PASSWORD }))).toMatchObject({ code: 'CONFLICT', status: 409, problem: 'GOOGLE_ACCOUNT' });
  });

  it('me, change password (PATCH), reset password (201, 404)', async () => {
    const { session } = await signedIn('me@example.com');
    await expect(session.account(true)).resolves.toMatchObject({ state: 'signedIn', email: 'me@example.com', nickname: 'me' });
    expect(emu.requests().some((r) => r.method === 'GET' && r.path === '/atlas/me' && r.bearer && r.status === 200)).toBe(true);

    expect(await code(session.changePassword('weak'))).toMatchObject({ code: 'INVALID_INPUT', problem: 'WEAK_PASSWORD' });
    await expect(session.changePassword('Another-pass2')).resolves.toEqual({ changed: true });
    expect(emu.requests().some((r) => r.path === '/atlas/auth/password' && r.status < 300)).toBe(true);
    const other = newSession().session;
    expect(await code(other.signIn({ email: 'me@example.com', password: PASSWORD }))).toMatchObject({ status: 401 });
    await expect(other.signIn({ email: 'me@example.com', password: 'Another-pass2' })).resolves.toMatchObject({ state: 'signedIn' });

    await expect(session.resetPassword('me@example.com')).resolves.toEqual({ sent: true });
    expect(emu.sentMails({ to: 'me@example.com' }).length).toBeGreaterThan(0);
    expect(await code(session.resetPassword('ghost@example.com'))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('an expired access token is refreshed with the refresh token, the caller sees nothing', async () => {
    const { session, vault } = await signedIn('refresh@example.com');
    const first = JSON.parse(vault.data.get(SESSION_SECRET)!).session.accessToken as string;
    emu.clearRequests();
    // Past the access token's hour at the emulator, not yet at the studio: the 401 path refreshes once.
    emu.advanceClock(61 * 60 * 1000);
    await expect(session.account(true)).resolves.toMatchObject({ state: 'signedIn', email: 'refresh@example.com' });
    const log = emu.requests().map((r) => `${r.method} ${r.path} ${r.status}${r.path.includes('refresh') ? (r.bearer ? ' bearer' : ' none') : ''}`);
    expect(log).toEqual(['GET /atlas/me 401', 'POST /atlas/refresh/accessToken 200 bearer', 'GET /atlas/me 200']);
    expect(JSON.parse(vault.data.get(SESSION_SECRET)!).session.accessToken).not.toBe(first);
  });

  it('an access token about to expire is refreshed before the request goes out', async () => {
    const short = await startAtlasEmulator({ accessTokenTtlSec: 30, quiet: true });
    try {
      const a = new AtlasAuthApi(new HttpClient({ service: 'atlas', baseUrl: short.url, baseDelayMs: 5 }));
      await short.createUser({ email: 'soon@example.com', password: PASSWORD });
      const vault = memoryVault();
      const session = new AtlasSession({ vault, api: () => a });
      await session.signIn({ email: 'soon@example.com', password: PASSWORD });
      short.clearRequests();
      await session.account(true);
      expect(short.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /atlas/refresh/accessToken 200', 'GET /atlas/me 200']);
    } finally {
      await short.close();
    }
  });

  it('a refused refresh token signs out cleanly into "sign in again"', async () => {
    const changes: CloudAccount[] = [];
    const vault = memoryVault();
    const session = new AtlasSession({ vault, api: () => auth, onChange: (a) => changes.push(a) });
    await emu.createUser({ email: 'old@example.com', password: PASSWORD });
    await session.signIn({ email: 'old@example.com', password: PASSWORD });
    emu.advanceClock(15 * 24 * 3600 * 1000);
    const e = await code(session.account(true));
    expect(e).toMatchObject({ code: 'UNAUTHORIZED' });
    const account = await session.account();
    expect(account).toMatchObject({ state: 'expired', email: 'old@example.com' });
    expect(account.reason).toMatch(/sign in again/i);
    expect(changes.map((c) => c.state)).toEqual(['expired']);
    expect(vault.data.get(SESSION_SECRET)).not.toMatch(/eyJ|accessToken|refreshToken/);
    expect(await code(session.requireSignedIn())).toMatchObject({ code: 'UNAUTHORIZED', problem: 'SESSION_EXPIRED' });
    // Signing in again clears the state.
    await expect(session.signIn({ email: 'old@example.com', password: PASSWORD })).resolves.toMatchObject({ state: 'signedIn' });
  });

  it('sign-out ends the session at Atlas (the old token is refused) and removes the tokens here', async () => {
    const { session, vault } = await signedIn('out@example.com');
    const token = JSON.parse(vault.data.get(SESSION_SECRET)!).session.accessToken as string;
    await expect(session.signOut()).resolves.toMatchObject({ state: 'signedOut' });
    expect(vault.data.has(SESSION_SECRET)).toBe(false);
    expect(emu.requests().some((r) => r.method === 'POST' && r.path === '/atlas/auth/sign-out' && r.status === 200)).toBe(true);
    const fixed = { header: async () => `Bearer ${token}`, refresh: async () => false };
    expect(await code(auth.me(fixed))).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    // Signing out while Atlas answers 500 still signs out here.
    const again = await signedIn('out2@example.com');
    emu.setFaults({ route: '/atlas/auth/sign-out', status: 500 });
    await expect(again.session.signOut()).resolves.toMatchObject({ state: 'signedOut' });
  });

  it('delete account: the e-mail must be repeated; then the account is gone (401 at sign-in)', async () => {
    const { session } = await signedIn('gone@example.com');
    expect(await code(session.deleteAccount('other@example.com'))).toMatchObject({ code: 'INVALID_INPUT' });
    await expect(session.deleteAccount('gone@example.com')).resolves.toMatchObject({ state: 'signedOut' });
    expect(emu.requests().some((r) => r.method === 'DELETE' && r.path === '/atlas/auth/user' && r.status === 200)).toBe(true);
    expect(await code(newSession().session.signIn({ email: 'gone@example.com', password: PASSWORD }))).toMatchObject({ status: 401 });
  });

  it('GET /atlas/version answers', async () => {
    await expect(auth.version()).resolves.toMatch(/\d/);
  });
});

describe('items (seed 000 §3, §4)', () => {
  it('gs3d: upload with progress → PROGRESS → OK; the .ply downloaded is the emulator\'s, byte for byte', async () => {
    const { session } = await signedIn('gs@example.com');
    const progress: number[] = [];
    const requestId = await items.create(session, { model: 'gs3d', video: fixtures.h264(), itemName: 'chair', epoch: 3 }, { onProgress: (p) => progress.push(p.sentBytes) });
    expect(requestId).toBeTruthy();
    expect(progress.at(-1)).toBeGreaterThan(fs.statSync(fixtures.h264()).size);
    const created = emu.requests().find((r) => r.path === '/atlas/item/gs3d');
    expect(created).toMatchObject({ method: 'POST', status: 201, bearer: true });

    const first = await items.detail(session, requestId);
    expect(first).toMatchObject({ requestId, status: 'PROGRESS', modelId: 2 });
    await emu.waitGenerated(requestId, 60_000);
    emu.finishItem(requestId);
    const done = await items.detail(session, requestId);
    expect(done.status).toBe('OK');
    expect(done.modelName?.toLowerCase()).toBe('gaussian-splatting');

    const mine = await items.detailMy(session, requestId);
    expect(mine).toMatchObject({ requestId, status: 'OK', itemName: 'chair' });

    const dest = path.join(work, 'gs', 'chair.ply');
    const r = await items.download(session, { requestId, code: 1, dest, expect: 'ply' });
    expect(r.kind).toBe('ply');
    expect(fs.readFileSync(dest).equals(fs.readFileSync(emu.resultFile(requestId, 1)!))).toBe(true);
  }, 120_000);

  it('a download cut halfway is resumed with Range; the file is identical', async () => {
    const { session } = await signedIn('cut@example.com');
    const requestId = await items.create(session, { model: 'instant-mesh', image: fixtures.png(), itemName: 'cube', epoch: 1 });
    await emu.waitGenerated(requestId, 60_000);
    emu.finishItem(requestId);
    const src = emu.resultFile(requestId, 1)!;
    const size = fs.statSync(src).size;
    expect(size).toBeGreaterThan(100);
    emu.setFaults({ route: 'GET /atlas/item/download/*', cutDownloadAfterBytes: Math.floor(size / 2), times: 1 });
    const dest = path.join(work, 'cut', 'cube.glb');
    const r = await items.download(session, { requestId, code: 1, dest, expect: 'glb' });
    expect(r.resumes).toBe(1);
    expect(fs.readFileSync(dest).equals(fs.readFileSync(src))).toBe(true);
    const downloads = emu.requests().filter((r2) => r2.path.startsWith('/atlas/item/download/'));
    expect(downloads.length).toBe(2);
    expect(downloads.map((d) => d.query.code)).toEqual(['1', '1']);

    // Every code instant-mesh offers: 2 = .obj.
    const obj = path.join(work, 'cut', 'cube.obj');
    await items.download(session, { requestId, code: 2, dest: obj, expect: 'obj' });
    expect(fs.readFileSync(obj).equals(fs.readFileSync(emu.resultFile(requestId, 2)!))).toBe(true);
    expect(ATLAS_FORMATS['instant-mesh'].map((f) => f.code)).toEqual([1, 2]);
  }, 120_000);

  it('a download whose bytes are not the format claimed is refused and nothing is kept', async () => {
    const { session } = await signedIn('fmt@example.com');
    const requestId = await items.create(session, { model: 'instant-mesh', image: fixtures.png(), itemName: 'fmt', epoch: 1 });
    await emu.waitGenerated(requestId, 60_000);
    emu.finishItem(requestId);
    const dir = path.join(work, 'fmt');
    // The .obj (code 2) claimed as a GLB.
    const e = await code(items.download(session, { requestId, code: 2, dest: path.join(dir, 'fmt.glb'), expect: 'glb' }));
    expect(e.message).toMatch(/GLB|glb/);
    expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
  }, 120_000);

  it('my items: newest first by cursor, limit, hasNextItem/nextCursor; detail/my 404; the ${type} files', async () => {
    const { session } = await signedIn('list@example.com');
    const ids: string[] = [];
    for (const n of ['a', 'b', 'c']) {
      ids.push(await items.create(session, { model: 'instant-mesh', image: fixtures.png(), itemName: n, epoch: 1 }));
      emu.advanceClock(1000);
    }
    const p1 = await items.my(session, { modelId: ATLAS_MODEL_IDS['instant-mesh'], limit: 2 });
    const q = emu.requests().find((r) => r.path === `/atlas/item/my/${ATLAS_MODEL_IDS['instant-mesh']}`);
    expect(q?.query).toMatchObject({ orderBy: 'createdAt', limit: '2' });
    expect(p1.items.map((i) => i.itemName)).toEqual(['c', 'b']);
    expect(p1.hasNextItem).toBe(true);
    expect(p1.nextCursor).toBeTruthy();
    const p2 = await items.my(session, { modelId: ATLAS_MODEL_IDS['instant-mesh'], limit: 2, cursor: p1.nextCursor });
    expect(p2.items.map((i) => i.itemName)).toEqual(['a']);
    expect(p2.hasNextItem).toBe(false);
    expect((await items.my(session, { modelId: ATLAS_MODEL_IDS.gs3d })).items).toEqual([]);

    expect(await code(items.detailMy(session, 'no-such-item'))).toMatchObject({ code: 'NOT_FOUND', status: 404 });

    await emu.waitGenerated(ids[0]!, 60_000);
    emu.finishItem(ids[0]!);
    for (const type of ['thumbnail', 'request', 'reply', 'output', 'log'] as const) {
      const r = await items.file(session, { requestId: ids[0]!, type, dest: path.join(work, 'files', type) });
      expect(r.bytes).toBeGreaterThan(0);
    }
    expect(await code(items.file(session, { requestId: 'no-such-item', type: 'log', dest: path.join(work, 'files', 'x') }))).toMatchObject({ status: 404 });
  }, 120_000);

  it('delete: 403 for another user\'s item, 404 for an unknown one, 200 for mine', async () => {
    const owner = await signedIn('owner@example.com');
    const other = await signedIn('other@example.com');
    const requestId = await items.create(owner.session, { model: 'instant-mesh', image: fixtures.png(), itemName: 'mine', epoch: 1 });
    expect(await code(items.remove(other.session, requestId))).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(await code(items.remove(owner.session, 'no-such-item'))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    await expect(items.remove(owner.session, requestId)).resolves.toBe(requestId);
    expect(await code(items.detailMy(owner.session, requestId))).toMatchObject({ status: 404 });
  }, 120_000);

  it('401 without a valid token; 500 from the server after the retries', async () => {
    const none = { header: async () => 'Bearer not-a-token', refresh: async () => false };
    expect(await code(items.detail(none, 'x'))).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect(await code(items.create(none, { model: 'instant-mesh', image: fixtures.png(), itemName: 'x', epoch: 1 }))).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    const { session } = await signedIn('five@example.com');
    emu.clearRequests();
    emu.setFaults({ route: 'GET /atlas/item/detail/*', status: 500 });
    expect(await code(items.detail(session, 'x'))).toMatchObject({ code: 'REMOTE', status: 500 });
    expect(emu.requests().filter((r) => r.path.startsWith('/atlas/item/detail/')).length).toBe(4);
  });

  it('every model\'s creation call is accepted with its seed field names (limits off)', async () => {
    const lax = await startAtlasEmulator({ enforceInputLimits: false, processingMs: 100, quiet: true });
    try {
      const client = new HttpClient({ service: 'atlas', baseUrl: lax.url, baseDelayMs: 5 });
      const a = new AtlasAuthApi(client);
      const it2 = new AtlasItemsApi(client);
      await lax.createUser({ email: 'all@example.com', password: PASSWORD });
      const session = new AtlasSession({ vault: memoryVault(), api: () => a });
      await session.signIn({ email: 'all@example.com', password: PASSWORD });
      const video = fixtures.h264();
      const image = fixtures.png();
      const made = {
        nerf2mesh: await it2.create(session, { model: 'nerf2mesh', video, itemName: 'n', epoch: 2, resize: true }),
        gs3d: await it2.create(session, { model: 'gs3d', video, itemName: 'g', epoch: 2 }),
        'instant-mesh': await it2.create(session, { model: 'instant-mesh', image, itemName: 'i', epoch: 2 }),
        musepose: await it2.create(session, { model: 'musepose', video, image, itemName: 'm', epoch: 2 }),
        decal: await it2.create(session, { model: 'decal', video, itemName: 'd', deviceType: 'android' }),
      };
      for (const [model, requestId] of Object.entries(made)) {
        const d = await it2.detail(session, requestId);
        expect(d.modelId, model).toBe(ATLAS_MODEL_IDS[model as keyof typeof ATLAS_MODEL_IDS]);
      }
      // Every download code of every model (MusePose: the seed has no code table, so none is sent).
      const kinds = { ply: 'ply', glb: 'glb', obj: 'obj', gif: 'gif', 'tar.gz': 'gzip', other: undefined } as const;
      for (const [model, requestId] of Object.entries(made) as [keyof typeof made, string][]) {
        await lax.waitGenerated(requestId, 120_000);
        lax.finishItem(requestId);
        for (const f of ATLAS_FORMATS[model]) {
          const dest = path.join(work, 'all', model, `${f.code}${f.suffix || '.bin'}`);
          const r = await it2.download(session, { requestId, code: model === 'musepose' ? null : f.code, dest, expect: kinds[f.kind] });
          expect(fs.readFileSync(r.path).equals(fs.readFileSync(lax.resultFile(requestId, f.code)!)), `${model} code ${f.code}`).toBe(true);
        }
      }
      const musepose = lax.requests().filter((r) => r.path === `/atlas/item/download/${made.musepose}`);
      expect(musepose.map((r) => r.query.code)).toEqual([undefined]);
      const parts = Object.fromEntries(
        lax
          .requests()
          .filter((r) => r.method === 'POST' && r.path.startsWith('/atlas/item/'))
          .map((r) => [r.path, (r.parts ?? []).map((p) => `${p.kind}:${p.name}`)]),
      );
      expect(parts).toEqual({
        '/atlas/item/nerf2mesh': ['field:resize', 'field:itemName', 'field:Epoch', 'file:payLoad'],
        '/atlas/item/gs3d': ['field:itemName', 'field:Epoch', 'file:Payload'],
        '/atlas/item/instant-mesh': ['field:itemName', 'field:Epoch', 'file:Image'],
        '/atlas/item/musepose': ['field:itemName', 'field:Epoch', 'file:Image', 'file:payLoad'],
        '/atlas/item/decal': ['field:itemName', 'field:deviceType', 'field:fileName', 'file:payLoad'],
      });
    } finally {
      await lax.close();
    }
  }, 180_000);
});
