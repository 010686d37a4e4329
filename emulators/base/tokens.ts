/**
 * HS256 JSON Web Tokens with node:crypto: the seed's tokens are JWTs (`eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…`),
 * so the emulator issues real ones a client may decode, signed with a per-data-folder key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock';

export interface TokenClaims {
  sub: string;
  iat: number;
  exp: number;
  [claim: string]: unknown;
}

const b64url = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export class TokenSigner {
  constructor(
    private readonly key: Buffer,
    private readonly clock: Clock,
  ) {}

  /** Signs `claims` with iat = now and exp = now + ttlSec (seconds, as JWTs count). */
  sign(claims: Record<string, unknown> & { sub: string }, ttlSec: number): string {
    const iat = Math.floor(this.clock.now() / 1000);
    const body = b64url(JSON.stringify({ ...claims, iat, exp: iat + Math.max(1, Math.round(ttlSec)) }));
    return `${HEADER}.${body}.${this.mac(`${HEADER}.${body}`)}`;
  }

  /** The claims of a well-signed, unexpired token, else null (never throws on bad input). */
  verify(token: string): TokenClaims | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [h, b, s] = parts as [string, string, string];
    const expected = Buffer.from(this.mac(`${h}.${b}`));
    const given = Buffer.from(s);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(b, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return null;
    }
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
    if (claims.exp * 1000 <= this.clock.now()) return null;
    return claims;
  }

  private mac(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else null. */
export function bearerOf(header: string | string[] | undefined): string | null {
  const h = Array.isArray(header) ? header[0] : header;
  if (!h) return null;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}
