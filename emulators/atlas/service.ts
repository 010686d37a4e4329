/** What the Atlas routes share: state, clock, mailbox, token signers, settings, and the few rules used everywhere. */
import { createHmac } from 'node:crypto';
import type { Clock } from '../base/clock';
import { HttpError, type Ctx } from '../base/http';
import type { Mailbox } from '../base/mailbox';
import { bearerOf, TokenSigner, type TokenClaims } from '../base/tokens';
import type { Tools } from './media';
import type { AtlasStore, ItemRow, UserRow } from './store';

export interface AtlasSettings {
  processingMs: number;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  autoConfirmEmail: boolean;
  /** Refuse uploads outside the seed's §3 limits with 400 (default true). */
  enforceInputLimits: boolean;
  version: string;
}

export interface AtlasService {
  store: AtlasStore;
  clock: Clock;
  mailbox: Mailbox;
  settings: AtlasSettings;
  access: TokenSigner;
  refresh: TokenSigner;
  google: TokenSigner;
  tools: Tools;
  dataDir: string;
  /** The server root, known once listening (used in e-mailed links). */
  url: () => string;
  itemDir: (requestId: string) => string;
  /** Queues the generator for an item. */
  process: (requestId: string) => void;
}

export function makeSigners(master: Buffer, clock: Clock) {
  const derive = (label: string) => createHmac('sha256', master).update(label).digest();
  return { access: new TokenSigner(derive('access'), clock), refresh: new TokenSigner(derive('refresh'), clock), google: new TokenSigner(derive('google'), clock) };
}

/** Seed §2.1: at least 10 characters with an upper-case and a lower-case letter, a digit and a special character. */
export function passwordProblem(pw: unknown): string | null {
  if (typeof pw !== 'string' || !pw) return 'password is required.';
  const missing: string[] = [];
  if ([...pw].length < 10) missing.push('at least 10 characters');
  if (!/\p{Lu}/u.test(pw)) missing.push('an upper-case letter');
  if (!/\p{Ll}/u.test(pw)) missing.push('a lower-case letter');
  if (!/\p{Nd}/u.test(pw)) missing.push('a digit');
  if (!/[^\p{L}\p{Nd}]/u.test(pw)) missing.push('a special character');
  return missing.length ? `The password needs ${missing.join(', ')}.` : null;
}

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface Authed {
  user: UserRow;
  claims: TokenClaims;
}

/**
 * The user behind `Authorization: Bearer <accessToken>`. `missingUser` is the status when the token is good
 * but the account is gone (seed: `me` and `password` say 404, the others 401).
 */
export function authenticate(svc: AtlasService, ctx: Ctx, opts: { missingUser?: number; signer?: 'access' | 'refresh' | 'either' } = {}): Authed {
  const token = bearerOf(ctx.req.headers.authorization);
  if (!token) throw new HttpError(401, 'Missing "Authorization: Bearer <accessToken>" header.');
  const which = opts.signer ?? 'access';
  const claims = (which !== 'refresh' ? svc.access.verify(token) : null) ?? (which !== 'access' ? svc.refresh.verify(token) : null);
  if (!claims) throw new HttpError(401, which === 'refresh' ? 'The refresh token is invalid or expired.' : 'The access token is invalid or expired.');
  const user = svc.store.userById(claims.sub);
  if (!user) throw new HttpError(opts.missingUser ?? 401, 'There is no member for this token.');
  if (typeof claims.sessionId !== 'string' || !svc.store.sessionActive(claims.sessionId, user.id)) throw new HttpError(401, 'The session has ended; sign in again.');
  return { user, claims };
}

export function issueTokens(svc: AtlasService, user: UserRow): { accessToken: string; refreshToken: string } {
  const sessionId = svc.store.createSession(user.id, svc.clock.now());
  return {
    accessToken: svc.access.sign({ sub: user.id, role: user.role, sessionId }, svc.settings.accessTokenTtlSec),
    refreshToken: svc.refresh.sign({ sub: user.id, sessionId }, svc.settings.refreshTokenTtlSec),
  };
}

/** PROGRESS until the generator has finished and the processing time has passed; then OK or NG. */
export function statusOf(svc: AtlasService, row: ItemRow): 'PROGRESS' | 'OK' | 'NG' {
  return row.outcome && svc.clock.now() >= row.ready_at ? row.outcome : 'PROGRESS';
}

/** Sends the confirmation mail of seed §2.4/§2.5 (the link carries email and userId). */
export function sendConfirmation(svc: AtlasService, user: UserRow): void {
  const q = new URLSearchParams({ email: user.email, userId: user.id });
  svc.mailbox.send({
    to: user.email,
    kind: 'confirm-email',
    subject: 'Confirm your Kraken Atlas e-mail',
    at: svc.clock.now(),
    data: { email: user.email, userId: user.id, link: `${svc.url()}/atlas/auth/confirm-email?${q}` },
  });
}
