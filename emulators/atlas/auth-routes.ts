/** Seed 000 §2 (authorization), §5 (role) and §6 (version). */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { HttpError, readJson, type Router, sendEmpty, sendJson, sendText, str } from '../base/http';
import { authenticate, EMAIL_RE, issueTokens, passwordProblem, sendConfirmation, type AtlasService } from './service';
import { checkPassword, hashPassword } from './store';

const ROLES = [
  { id: '6a1f2a52-3b8e-4c1e-9a53-000000000001', name: 'SUPER_ADMIN', description: 'Every permission; includes ADMIN.' },
  { id: '6a1f2a52-3b8e-4c1e-9a53-000000000002', name: 'ADMIN', description: 'Manages groups and members; includes USER.' },
  { id: '6a1f2a52-3b8e-4c1e-9a53-000000000003', name: 'USER', description: 'Creates and manages their own items.' },
];
const ROLES_AT = '2024-10-01T00:00:00.000Z';

/** A temporary password that passes the seed's own rule. */
function temporaryPassword(): string {
  return `Tmp-${randomBytes(6).toString('hex')}-Aa1!`;
}

export function authRoutes(r: Router, svc: AtlasService): void {
  const { store, clock } = svc;

  r.on('POST', '/atlas/auth/sign-up', async (ctx) => {
    const body = await readJson(ctx);
    const email = str(body, 'email')?.trim() ?? '';
    const nickname = str(body, 'nickname')?.trim() ?? '';
    if (!EMAIL_RE.test(email)) throw new HttpError(400, 'email must be an e-mail address.');
    if (!nickname) throw new HttpError(400, 'nickname is required.');
    const pwProblem = passwordProblem(body.password);
    if (pwProblem) throw new HttpError(400, pwProblem);
    if (store.userByEmail(email)) throw new HttpError(409, 'This e-mail is already registered.');
    const user = store.createUser({ email, nickname, passwordHash: await hashPassword(body.password as string), provider: 'email', confirmed: svc.settings.autoConfirmEmail, now: clock.now() });
    if (!svc.settings.autoConfirmEmail) sendConfirmation(svc, user);
    sendEmpty(ctx, 201);
  });

  r.on('POST', '/atlas/auth/sign-In', async (ctx) => {
    const body = await readJson(ctx);
    const id = str(body, 'id');
    const password = str(body, 'password');
    if (id === null || password === null) throw new HttpError(400, 'The body needs "id" (the e-mail) and "password".');
    const user = store.userByEmail(id);
    if (!user) throw new HttpError(401, 'The e-mail or the password is incorrect.');
    if (user.provider === 'google') throw new HttpError(409, 'This account signs in with Google.');
    if (!(await checkPassword(password, user.password_hash))) throw new HttpError(401, 'The e-mail or the password is incorrect.');
    if (!user.confirmed) throw new HttpError(403, 'The e-mail address has not been confirmed yet.');
    sendJson(ctx, 201, issueTokens(svc, user));
  });

  r.on('POST', '/atlas/auth/sign-out', (ctx) => {
    ctx.req.resume();
    const { claims } = authenticate(svc, ctx, { signer: 'either' });
    store.endSession(claims.sessionId as string, clock.now());
    sendEmpty(ctx, 200);
  });

  r.on('POST', '/atlas/auth/confirmation-emails/resend', async (ctx) => {
    const body = await readJson(ctx);
    const user = store.userByEmail(str(body, 'email') ?? '');
    if (!user) throw new HttpError(404, 'There is no member with this e-mail.');
    if (!user.confirmed) sendConfirmation(svc, user);
    sendEmpty(ctx, 201);
  });

  r.on('GET', '/atlas/auth/confirm-email', (ctx) => {
    const user = store.userByEmail(ctx.query.get('email') ?? '');
    if (!user || user.id !== ctx.query.get('userId')) throw new HttpError(400, 'The e-mail confirmation failed: the link does not match an account.');
    store.confirmUser(user.id);
    sendEmpty(ctx, 200);
  });

  r.on('GET', '/atlas/auth/confirm-invite-email', (ctx) => {
    const email = ctx.query.get('email') ?? '';
    const user = store.userByEmail(email);
    const groupId = ctx.query.get('groupId') ?? '';
    if (!user || user.id !== ctx.query.get('userId') || !groupId || !store.acceptInvite(groupId, user.email, clock.now())) {
      throw new HttpError(401, 'The invitation is not valid.');
    }
    sendJson(ctx, 200, { email: user.email });
  });

  r.on('POST', '/atlas/auth/reset-password', async (ctx) => {
    const body = await readJson(ctx);
    const user = store.userByEmail(str(body, 'email') ?? '');
    if (!user || user.provider !== 'email') throw new HttpError(404, 'There is no e-mail account with this address.');
    const temp = temporaryPassword();
    store.setPassword(user.id, await hashPassword(temp));
    svc.mailbox.send({ to: user.email, kind: 'reset-password', subject: 'Your temporary Kraken Atlas password', at: clock.now(), data: { email: user.email, temporaryPassword: temp } });
    sendEmpty(ctx, 201);
  });

  // the seed's heading says PATCH and its table says POST: both are served
  r.on(['PATCH', 'POST'], '/atlas/auth/password', async (ctx) => {
    const { user } = authenticate(svc, ctx, { missingUser: 404 });
    const body = await readJson(ctx);
    const problem = passwordProblem(body.password);
    if (problem) throw new HttpError(400, problem);
    store.setPassword(user.id, await hashPassword(body.password as string));
    sendEmpty(ctx, 200);
  });

  r.on('DELETE', '/atlas/auth/user', (ctx) => {
    ctx.req.resume();
    const { user } = authenticate(svc, ctx);
    for (const item of store.itemsOf(user.id)) fs.rmSync(svc.itemDir(item.request_id), { recursive: true, force: true });
    store.deleteUser(user.id);
    sendEmpty(ctx, 200);
  });

  r.on('POST', '/atlas/auth/google', async (ctx) => {
    const body = await readJson(ctx);
    const claims = svc.google.verify(str(body, 'idToken') ?? '');
    const email = typeof claims?.email === 'string' ? claims.email : null;
    if (!claims || !email || claims.aud !== 'atlas-emulator') throw new HttpError(401, 'The Google sign-in information is not valid.');
    let user = store.userByEmail(email);
    if (user && user.provider !== 'google') throw new HttpError(409, 'This e-mail is already registered with a password.');
    if (!user) {
      const nickname = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : email.split('@')[0]!;
      user = store.createUser({ email, nickname, passwordHash: null, provider: 'google', confirmed: true, now: clock.now() });
    }
    sendJson(ctx, 201, issueTokens(svc, user));
  });

  r.on('POST', '/atlas/refresh/accessToken', (ctx) => {
    ctx.req.resume();
    const { user, claims } = authenticate(svc, ctx, { signer: 'refresh' });
    sendJson(ctx, 200, { accessToken: svc.access.sign({ sub: user.id, role: user.role, sessionId: claims.sessionId }, svc.settings.accessTokenTtlSec) });
  });

  r.on('GET', '/atlas/me', (ctx) => {
    const { user } = authenticate(svc, ctx, { missingUser: 404 });
    sendJson(ctx, 200, { nickname: user.nickname, email: user.email });
  });

  // §5.1 answers 201 to a GET; kept as written
  r.on('GET', '/atlas/role', (ctx) => sendJson(ctx, 201, ROLES.map((x) => ({ ...x, createdAt: ROLES_AT, updatedAt: ROLES_AT }))));

  // §6.1: the body is the version string itself
  r.on('GET', '/atlas/version', (ctx) => sendText(ctx, 200, svc.settings.version));
}
