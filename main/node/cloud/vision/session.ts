/**
 * The vision platform session: POST /auth/token (e-mail, password) and POST /auth/refresh ({refresh_token}). Tokens
 * live only in the SecretVault (keychain, safeStorage or the 0600 fallback file), one entry per data folder and
 * platform address — never in SQLite, logs, argv or a reply. The access token is refreshed shortly before it expires
 * (`expires_in`, else the JWT's `exp`, else the seed's 3600 s) and once on a 401 (the shared auth layer); a refused
 * refresh ends the session into `expired` ("sign in again"), the studio's records stay.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { AppError } from '../../../common/app-error';
import { MESSAGES, say } from '../../../common/messages';
import type { VisionAccount } from '../../../common/contract/vision';
import type { CloudErrorDetails } from '../errors';
import type { AuthProvider, HttpClient } from '../http-client';
import { jwtExpiresAt, type SessionVault } from '../atlas/session';
import { RefreshReply, TokenReply } from './schemas';

export const VISION_SECRET = 'vision.session';
const DEFAULT_TTL_MS = 3600_000;
const REFRESH_LEAD_MS = 30_000;

interface Stored {
  accessToken: string;
  refreshToken: string | null;
  accessExpiresAt: number;
  email: string;
}
interface StoredState {
  session: Stored | null;
  expired: { email: string; reason: string } | null;
}

/** One vault entry per data folder and address (the studio and the CLI on the same data folder share it). */
export function visionScope(dataDir: string, baseUrl: string | null): string {
  return createHash('sha256').update(`vision\n${path.resolve(dataDir)}\n${baseUrl ?? ''}`).digest('hex').slice(0, 16);
}

export interface VisionSessionOptions {
  vault: SessionVault;
  /** The client for the current address (auth calls go without credentials). */
  client: () => HttpClient;
  scope: () => string;
  now?: () => number;
  onChange?: (a: VisionAccount) => void;
}

export class VisionSession implements AuthProvider {
  private cache: { name: string; state: StoredState } | null = null;
  private readonly now: () => number;
  private refreshing: Promise<boolean> | null = null;

  constructor(private readonly opts: VisionSessionOptions) {
    this.now = opts.now ?? Date.now;
  }

  private name(): string {
    return `${VISION_SECRET}.${this.opts.scope()}`;
  }

  private async load(): Promise<StoredState> {
    const name = this.name();
    if (this.cache?.name === name) return this.cache.state;
    let state: StoredState = { session: null, expired: null };
    const raw = await this.opts.vault.get(name);
    if (raw) {
      try {
        const p = JSON.parse(raw) as Partial<StoredState>;
        state = { session: p.session ?? null, expired: p.expired ?? null };
      } catch {
        // unreadable: signed out
      }
    }
    this.cache = { name, state };
    return state;
  }

  private async save(state: StoredState): Promise<void> {
    const name = this.name();
    this.cache = { name, state };
    if (!state.session && !state.expired) await this.opts.vault.delete(name);
    else await this.opts.vault.set(name, JSON.stringify(state));
  }

  private accountOf(s: StoredState): VisionAccount {
    const vault = String(this.opts.vault.backend);
    if (s.session) return { state: 'signedIn', email: s.session.email, reason: null, vault };
    if (s.expired) return { state: 'expired', email: s.expired.email, reason: s.expired.reason, vault };
    return { state: 'signedOut', email: null, reason: null, vault };
  }

  async account(): Promise<VisionAccount> {
    return this.accountOf(await this.load());
  }

  private expiresAt(token: string, expiresIn: number | null): number {
    if (expiresIn !== null && expiresIn > 0) return this.now() + expiresIn * 1000;
    return jwtExpiresAt(token) ?? this.now() + DEFAULT_TTL_MS;
  }

  /** POST /auth/token; 401 is "wrong e-mail or password". */
  async signIn(email: string, password: string): Promise<VisionAccount> {
    let r: TokenReply;
    try {
      r = await this.opts.client().request({ method: 'POST', path: '/auth/token', json: { email, password }, auth: false, retry: false, schema: TokenReply });
    } catch (err) {
      const status = err instanceof AppError ? (err.details as CloudErrorDetails | undefined)?.status : undefined;
      if (status === 401 && err instanceof AppError) {
        throw new AppError('UNAUTHORIZED', say('vision.wrong_credentials', {}), { ...err.details, visionProblem: 'WRONG_CREDENTIALS' });
      }
      throw err;
    }
    await this.save({ session: { accessToken: r.access_token, refreshToken: r.refresh_token ?? null, accessExpiresAt: this.expiresAt(r.access_token, r.expires_in), email }, expired: null });
    return this.account();
  }

  async signOut(): Promise<VisionAccount> {
    await this.save({ session: null, expired: null });
    return this.account();
  }

  /** The session or the "sign in" error. */
  async require(): Promise<void> {
    const s = await this.load();
    if (s.session) return;
    if (s.expired) {
      // The stored reason is the registry's sentence (written on expiry); another one is shown as it is.
      const reason = s.expired.reason === MESSAGES['vision.session_expired'].en({}) ? say('vision.session_expired', {}) : s.expired.reason;
      throw new AppError('UNAUTHORIZED', reason, { service: 'vision', visionProblem: 'SESSION_EXPIRED' });
    }
    throw new AppError('UNAUTHORIZED', say('vision.not_signed_in', {}), { service: 'vision', visionProblem: 'NOT_SIGNED_IN' });
  }

  /** The access token for the WebSocket's `?token=` (refreshed first when about to expire). */
  async accessToken(): Promise<string | null> {
    const h = await this.header();
    return h ? h.slice('Bearer '.length) : null;
  }

  async header(): Promise<string | null> {
    let s = (await this.load()).session;
    if (!s) return null;
    if (s.accessExpiresAt - this.now() < REFRESH_LEAD_MS && s.refreshToken) {
      await this.refresh().catch(() => false);
      s = (await this.load()).session;
      if (!s) return null;
    }
    return `Bearer ${s.accessToken}`;
  }

  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const s = (await this.load()).session;
    if (!s) return false;
    if (!s.refreshToken) {
      await this.expire(s.email);
      return false;
    }
    try {
      const r = await this.opts.client().request({ method: 'POST', path: '/auth/refresh', json: { refresh_token: s.refreshToken }, auth: false, schema: RefreshReply });
      const cur = (await this.load()).session;
      if (!cur || cur.refreshToken !== s.refreshToken) return cur !== null;
      await this.save({ session: { ...cur, accessToken: r.access_token, refreshToken: r.refresh_token ?? cur.refreshToken, accessExpiresAt: this.expiresAt(r.access_token, r.expires_in) }, expired: null });
      return true;
    } catch (err) {
      const status = err instanceof AppError ? (err.details as CloudErrorDetails | undefined)?.status : undefined;
      if (status === 401 || status === 403) {
        await this.expire(s.email);
        return false;
      }
      if (err instanceof AppError && (err.code === 'NETWORK' || err.code === 'RATE_LIMITED' || err.code === 'REMOTE')) return false;
      throw err;
    }
  }

  private async expire(email: string): Promise<void> {
    await this.save({ session: null, expired: { email, reason: MESSAGES['vision.session_expired'].en({}) } });
    this.opts.onChange?.(await this.account());
  }
}
