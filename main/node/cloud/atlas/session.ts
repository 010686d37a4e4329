/**
 * The Atlas account session: sign-up/in/out, profile, password and account calls, and the tokens. Tokens live
 * only in the SecretVault (keychain, safeStorage or the 0600 fallback file) — never in SQLite, logs, argv or a
 * reply. The access token is refreshed shortly before it expires (JWT `exp`, else the seed's 1 h) and once on
 * a 401 (through the HTTP client's auth layer); a refused refresh signs out cleanly into an `expired` state
 * ("sign in again") — jobs, files and the outbox are untouched.
 */
import { AppError } from '../../../common/app-error';
import { MESSAGES, say, type Said } from '../../../common/messages';
import { passwordProblems, PASSWORD_RULE, type AtlasAuthProblem, type CloudAccount } from '../../../common/contract';
import type { CloudErrorDetails } from '../errors';
import type { AuthProvider } from '../http-client';
import type { AtlasAuthApi } from './auth-api';

/** What the session needs of the SecretVault (main/node/cloud/secrets.ts): named strings, kept out of SQLite. */
export interface SessionVault {
  readonly backend: unknown;
  get(name: string): Promise<string | null> | string | null;
  set(name: string, value: string): Promise<void> | void;
  delete(name: string): Promise<unknown> | unknown;
}

/** Vault entry name (suffixed with the session's scope: one per data folder and Atlas address). */
export const SESSION_SECRET = 'atlas.session';

/** The seed's access token lifetime when the token carries no `exp`. */
const DEFAULT_ACCESS_TTL_MS = 60 * 60 * 1000;
/** Refresh this long before the access token expires (a tenth of its life for short test lifetimes). */
const REFRESH_LEAD_MS = 60_000;


interface Stored {
  accessToken: string;
  refreshToken: string;
  /** ms since epoch */
  accessExpiresAt: number;
  email: string;
  nickname: string | null;
}

interface StoredState {
  session: Stored | null;
  /** Set when the session ended without the user asking (refresh refused). */
  expired: { email: string; reason: string } | null;
}

export interface AtlasSessionOptions {
  vault: SessionVault;
  /** The auth API for the current connection (the base URL may change between calls). */
  api: () => AtlasAuthApi;
  now?: () => number;
  /** Told when the account changes without the page asking (a refused refresh). */
  onChange?: (account: CloudAccount) => void;
  /**
   * Keeps sessions apart in the one OS keychain: tokens of one data folder or Atlas address are never read
   * for another (and never sent to another server). Default: one unscoped entry.
   */
  scope?: () => string;
}

/** Reads `exp` (seconds) from a JWT's payload; null when it is not a JWT or has none. */
export function jwtExpiresAt(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const payload = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

function atlasError(err: unknown): { status?: number; message?: string } {
  if (!(err instanceof AppError)) return {};
  const d = err.details as CloudErrorDetails | undefined;
  return { status: d?.status, message: d?.serviceMessage };
}

function problem(code: AppError['code'], message: Said, reason: AtlasAuthProblem, cause?: unknown, extra: Record<string, unknown> = {}): AppError {
  const d = cause instanceof AppError ? (cause.details as CloudErrorDetails | undefined) : undefined;
  return new AppError(code, message, { service: 'atlas', ...(d?.status ? { status: d.status } : {}), ...(d?.serviceMessage ? { serviceMessage: d.serviceMessage } : {}), atlasProblem: reason, ...extra });
}

export class AtlasSession implements AuthProvider {
  private state: StoredState | null = null;
  private stateName: string | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: AtlasSessionOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Where the tokens rest (for the account panel). */
  get vaultBackend(): string {
    return String(this.opts.vault.backend);
  }

  /** The vault entry of the current scope. */
  secretName(): string {
    const scope = this.opts.scope?.();
    return scope ? `${SESSION_SECRET}.${scope}` : SESSION_SECRET;
  }

  private async load(): Promise<StoredState> {
    const name = this.secretName();
    if (this.state && this.stateName === name) return this.state;
    const raw = await this.opts.vault.get(name);
    let state: StoredState = { session: null, expired: null };
    if (raw) {
      try {
        const parsed = JSON.parse(raw) as Partial<StoredState>;
        state = { session: parsed.session ?? null, expired: parsed.expired ?? null };
      } catch {
        // An unreadable entry is a signed-out state, not an error.
      }
    }
    this.state = state;
    this.stateName = name;
    return state;
  }

  private async save(state: StoredState): Promise<void> {
    const name = this.secretName();
    this.state = state;
    this.stateName = name;
    if (!state.session && !state.expired) await this.opts.vault.delete(name);
    else await this.opts.vault.set(name, JSON.stringify(state));
  }

  private accountOf(state: StoredState): CloudAccount {
    const vault = this.vaultBackend;
    if (state.session) return { state: 'signedIn', email: state.session.email, nickname: state.session.nickname, reason: null, vault };
    if (state.expired) return { state: 'expired', email: state.expired.email, nickname: null, reason: state.expired.reason, vault };
    return { state: 'signedOut', email: null, nickname: null, reason: null, vault };
  }

  /** The account as stored; `refresh` also reads the profile from Atlas (`/atlas/me`). */
  async account(refresh = false): Promise<CloudAccount> {
    const state = await this.load();
    if (refresh && state.session) {
      const me = await this.opts.api().me(this);
      const current = (await this.load()).session;
      if (current) await this.save({ session: { ...current, nickname: me.nickname ?? current.nickname, email: me.email ?? current.email }, expired: null });
    }
    return this.accountOf(await this.load());
  }

  async isSignedIn(): Promise<boolean> {
    return (await this.load()).session !== null;
  }

  /** Sign-up (§2.1): the password rule is checked here first, so a weak one never leaves the machine. */
  async signUp(x: { email: string; nickname: string; password: string }): Promise<{ email: string; confirmationSent: boolean }> {
    const missing = passwordProblems(x.password);
    if (missing.length) {
      throw new AppError('INVALID_INPUT', say('atlas.weak_password', { missing: missing.join(', '), rule: PASSWORD_RULE }), { atlasProblem: 'WEAK_PASSWORD', missing });
    }
    try {
      await this.opts.api().signUp({ email: x.email, password: x.password, nickname: x.nickname });
    } catch (err) {
      const { status } = atlasError(err);
      if (status === 409) throw problem('CONFLICT', say('atlas.email_taken', {}), 'EMAIL_TAKEN', err);
      throw err;
    }
    return { email: x.email, confirmationSent: true };
  }

  /** Sign-in (§2.2, `{id, password}`); 401/403/409 each get their own sentence. */
  async signIn(x: { email: string; password: string }): Promise<CloudAccount> {
    let tokens;
    try {
      tokens = await this.opts.api().signIn({ id: x.email, password: x.password });
    } catch (err) {
      const { status } = atlasError(err);
      if (status === 401) throw problem('UNAUTHORIZED', say('atlas.wrong_credentials', {}), 'WRONG_CREDENTIALS', err);
      if (status === 403)
        throw problem('FORBIDDEN', say('atlas.email_not_confirmed', {}), 'EMAIL_NOT_CONFIRMED', err, {
          offer: 'resendConfirmation',
          email: x.email,
        });
      if (status === 409) throw problem('CONFLICT', say('atlas.google_account', {}), 'GOOGLE_ACCOUNT', err);
      throw err;
    }
    const session: Stored = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      accessExpiresAt: jwtExpiresAt(tokens.accessToken) ?? this.now() + DEFAULT_ACCESS_TTL_MS,
      email: x.email,
      nickname: null,
    };
    await this.save({ session, expired: null });
    try {
      await this.account(true);
    } catch {
      // The profile is a nicety; the sign-in stands without it.
    }
    return this.accountOf(await this.load());
  }

  /** Sign-out (§2.3): ends the session at Atlas when it answers; the local tokens go either way. */
  async signOut(): Promise<CloudAccount> {
    const state = await this.load();
    if (state.session) {
      try {
        await this.opts.api().signOut({ header: async () => `Bearer ${state.session!.accessToken}`, refresh: async () => false });
      } catch {
        // Unreachable or already expired at Atlas: signing out here is what the user asked for.
      }
    }
    await this.save({ session: null, expired: null });
    return this.accountOf(await this.load());
  }

  async resendConfirmation(email: string): Promise<{ sent: boolean }> {
    try {
      await this.opts.api().resendConfirmation(email);
    } catch (err) {
      if (atlasError(err).status === 404) throw new AppError('NOT_FOUND', say('atlas.no_account', {}), { service: 'atlas', status: 404 });
      throw err;
    }
    return { sent: true };
  }

  async resetPassword(email: string): Promise<{ sent: boolean }> {
    try {
      await this.opts.api().resetPassword(email);
    } catch (err) {
      if (atlasError(err).status === 404) throw new AppError('NOT_FOUND', say('atlas.no_account', {}), { service: 'atlas', status: 404 });
      throw err;
    }
    return { sent: true };
  }

  async changePassword(password: string): Promise<{ changed: boolean }> {
    const missing = passwordProblems(password);
    if (missing.length) throw new AppError('INVALID_INPUT', say('atlas.weak_new_password', { missing: missing.join(', '), rule: PASSWORD_RULE }), { atlasProblem: 'WEAK_PASSWORD', missing });
    await this.requireSignedIn();
    await this.opts.api().changePassword(this, password);
    return { changed: true };
  }

  /** Deletes the account (§2.9) after `confirmEmail` repeats the signed-in address; signs out here. */
  async deleteAccount(confirmEmail: string): Promise<CloudAccount> {
    const s = await this.requireSignedIn();
    if (confirmEmail.trim().toLowerCase() !== s.email.trim().toLowerCase()) {
      throw new AppError('INVALID_INPUT', say('atlas.confirm_delete', { email: s.email }));
    }
    await this.opts.api().deleteAccount(this);
    await this.save({ session: null, expired: null });
    return this.accountOf(await this.load());
  }

  /** Throws the "sign in" error when there is no session. */
  async requireSignedIn(): Promise<Stored> {
    const state = await this.load();
    if (state.session) return state.session;
    if (state.expired) {
      // The stored reason is the registry's sentence (written by expire()); another one is shown as it is.
      const reason = state.expired.reason === MESSAGES['atlas.session_expired'].en({}) ? say('atlas.session_expired', {}) : state.expired.reason;
      throw new AppError('UNAUTHORIZED', reason, { service: 'atlas', atlasProblem: 'SESSION_EXPIRED' });
    }
    throw new AppError('UNAUTHORIZED', say('atlas.not_signed_in', {}), { service: 'atlas', atlasProblem: 'NOT_SIGNED_IN' });
  }

  // ---- AuthProvider ------------------------------------------------------------------------------------

  /** `Bearer <accessToken>`, refreshed first when it is about to expire. */
  async header(): Promise<string | null> {
    let s = (await this.load()).session;
    if (!s) return null;
    const life = Math.max(0, s.accessExpiresAt - this.now());
    if (life < REFRESH_LEAD_MS) {
      // Best effort: a network failure here keeps the old token; a 401 then refreshes through the client.
      await this.refresh().catch(() => false);
      s = (await this.load()).session;
      if (!s) return null;
    }
    return `Bearer ${s.accessToken}`;
  }

  private refreshing: Promise<boolean> | null = null;

  /** §2.11 with `Bearer <refreshToken>`; a refusal (401/403) signs out into `expired`. Network trouble: false, tokens kept. */
  refresh(): Promise<boolean> {
    if (!this.refreshing) this.refreshing = this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const s = (await this.load()).session;
    if (!s) return false;
    try {
      const r = await this.opts.api().refresh(s.refreshToken);
      const current = (await this.load()).session;
      if (!current || current.refreshToken !== s.refreshToken) return current !== null;
      await this.save({
        session: { ...current, accessToken: r.accessToken, refreshToken: r.refreshToken ?? current.refreshToken, accessExpiresAt: jwtExpiresAt(r.accessToken) ?? this.now() + DEFAULT_ACCESS_TTL_MS },
        expired: null,
      });
      return true;
    } catch (err) {
      const { status } = atlasError(err);
      if (status === 401 || status === 403) {
        await this.expire(s.email);
        return false;
      }
      if (err instanceof AppError && err.code === 'NETWORK') return false;
      throw err;
    }
  }

  private async expire(email: string): Promise<void> {
    const reason = MESSAGES['atlas.session_expired'].en({});
    await this.save({ session: null, expired: { email, reason } });
    this.opts.onChange?.(this.accountOf(await this.load()));
  }
}
