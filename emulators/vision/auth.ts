/**
 * Accounts and seed 001's JWT bearer auth: scrypt password hashes, HS256 access and refresh tokens from the
 * shared TokenSigner (expiry on the emulator clock), and the 401 the seed shows for an expired token
 * (`Access token has expired`, `details.expired_at`).
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { Clock } from '../base/clock';
import { bearerOf, TokenSigner, type TokenClaims } from '../base/tokens';
import { VisionError } from './errors';

export function hashPassword(password: string, salt = randomBytes(16).toString('hex')): { salt: string; hash: string } {
  return { salt, hash: scryptSync(password, salt, 32).toString('hex') };
}

export function passwordMatches(password: string, salt: string, hash: string): boolean {
  const given = scryptSync(password, salt, 32);
  const want = Buffer.from(hash, 'hex');
  return given.length === want.length && timingSafeEqual(given, want);
}

/** A clock at the epoch: verifies signatures while ignoring expiry, so an expired token can be told from a forged one. */
class EpochClock extends Clock {
  override now(): number {
    return 0;
  }
}

export interface TokenLifetimes {
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
}

export class Tokens {
  private readonly signer: TokenSigner;
  private readonly anyTime: TokenSigner;

  constructor(
    key: Buffer,
    private readonly clock: Clock,
    readonly lifetimes: TokenLifetimes,
  ) {
    this.signer = new TokenSigner(key, clock);
    this.anyTime = new TokenSigner(key, new EpochClock());
  }

  access(userId: string): string {
    return this.signer.sign({ sub: userId, typ: 'access', jti: randomBytes(6).toString('hex') }, this.lifetimes.accessTokenSeconds);
  }

  refresh(userId: string): string {
    return this.signer.sign({ sub: userId, typ: 'refresh', jti: randomBytes(6).toString('hex') }, this.lifetimes.refreshTokenSeconds);
  }

  /** The claims of a valid token of this kind; 401 (the seed's shapes) otherwise. */
  check(token: string | null, typ: 'access' | 'refresh'): TokenClaims {
    const what = typ === 'access' ? 'Access token' : 'Refresh token';
    if (!token) throw new VisionError(401, typ === 'access' ? 'Missing bearer token' : 'Missing refresh token', { reason: typ === 'access' ? 'An Authorization: Bearer <access_token> header is required.' : 'refresh_token is required.' });
    const claims = this.anyTime.verify(token);
    if (!claims || claims.typ !== typ) throw new VisionError(401, `${what} is invalid`, { reason: 'The token was not issued by this server or is of the wrong kind.' });
    if (claims.exp * 1000 <= this.clock.now()) throw new VisionError(401, `${what} has expired`, { expired_at: new Date(claims.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    return claims;
  }

  /** The user id behind a request's bearer access token, or null (never throws): for the rate limiter. */
  peek(header: string | string[] | undefined): string | null {
    const t = bearerOf(header);
    if (!t) return null;
    const c = this.signer.verify(t);
    return c && c.typ === 'access' ? c.sub : null;
  }
}

export { bearerOf };
