/**
 * Seed 000 §2 (auth) and §6 (version) as typed calls over the one HTTP client. Paths exactly as the seed
 * writes them, from the server root (`/atlas/auth/sign-In` with its capital I).
 */
import { AppError } from '../../../common/app-error';
import type { CloudErrorDetails } from '../errors';
import type { AuthProvider, HttpClient } from '../http-client';
import { MeReply, NoBody, RefreshReply, TokenPair, VersionReply } from './schemas';

/** A fixed Bearer token (the refresh call sends the refresh token, not the access token). */
function bearer(token: string): AuthProvider {
  return { header: async () => `Bearer ${token}`, refresh: async () => false };
}

export class AtlasAuthApi {
  constructor(private readonly http: HttpClient) {}

  /** §2.1 — 201, no body; 400 invalid, 409 duplicate e-mail. */
  async signUp(body: { email: string; password: string; nickname: string }): Promise<void> {
    await this.http.request({ method: 'POST', path: '/atlas/auth/sign-up', json: body, schema: NoBody, auth: false, retry: false });
  }

  /** §2.2 — `{id, password}` → tokens; 401 wrong credentials, 403 not confirmed, 409 Google account. */
  signIn(body: { id: string; password: string }): Promise<TokenPair> {
    return this.http.request({ method: 'POST', path: '/atlas/auth/sign-In', json: body, schema: TokenPair, auth: false, retry: false });
  }

  /** §2.3 — ends the session at Atlas (200). */
  async signOut(auth: AuthProvider): Promise<void> {
    await this.http.request({ method: 'POST', path: '/atlas/auth/sign-out', json: {}, schema: NoBody, auth });
  }

  /** §2.4 — 201; 404 no such member. */
  async resendConfirmation(email: string): Promise<void> {
    await this.http.request({ method: 'POST', path: '/atlas/auth/confirmation-emails/resend', json: { email }, schema: NoBody, auth: false, retry: false });
  }

  /** §2.7 — 201 temporary password e-mailed; 404 unknown e-mail. */
  async resetPassword(email: string): Promise<void> {
    await this.http.request({ method: 'POST', path: '/atlas/auth/reset-password', json: { email }, schema: NoBody, auth: false, retry: false });
  }

  /**
   * §2.8 — the heading says PATCH, its table says POST: PATCH is sent; a server that answers 404/405 to it
   * gets the same body once more as POST (CONTRACT-NOTES.md).
   */
  async changePassword(auth: AuthProvider, password: string): Promise<void> {
    try {
      await this.http.request({ method: 'PATCH', path: '/atlas/auth/password', json: { password }, schema: NoBody, auth, retry: false });
    } catch (err) {
      if (!routeMissing(err)) throw err;
      await this.http.request({ method: 'POST', path: '/atlas/auth/password', json: { password }, schema: NoBody, auth, retry: false });
    }
  }

  /** §2.9 DELETE /atlas/auth/user — 200; 401 bad token. */
  async deleteAccount(auth: AuthProvider): Promise<void> {
    await this.http.request({ method: 'DELETE', path: '/atlas/auth/user', schema: NoBody, auth, retry: false });
  }

  /** §2.11 — `Authorization: Bearer <refreshToken>` → a new access token; 401 refused. */
  refresh(refreshToken: string): Promise<{ accessToken: string; refreshToken?: string }> {
    return this.http.request({ method: 'POST', path: '/atlas/refresh/accessToken', json: {}, schema: RefreshReply, auth: bearer(refreshToken) });
  }

  /** §2.12 — {nickname, email}. */
  me(auth: AuthProvider): Promise<{ nickname: string | null; email: string | null }> {
    return this.http.request({ method: 'GET', path: '/atlas/me', schema: MeReply, auth });
  }

  /** §6.1 — the server's version string (used by the reachability check). */
  version(): Promise<string> {
    return this.http.request({ method: 'GET', path: '/atlas/version', schema: VersionReply, auth: false, retry: false });
  }
}

/** 405, or a 404 that is the router's ("Cannot PATCH …", no message) rather than the seed's "user not found". */
function routeMissing(err: unknown): boolean {
  if (!(err instanceof AppError)) return false;
  const d = err.details as CloudErrorDetails | undefined;
  if (d?.status === 405) return true;
  return d?.status === 404 && (!d.serviceMessage || /cannot patch|no route|not found: patch/i.test(d.serviceMessage));
}
