/**
 * Request and result signatures of contributor protocol v1, checked with node:crypto (ed25519), and the
 * canonical JSON a result hash is taken over. Written from docs/contributor-protocol.md, not from the
 * studio's client.
 */
import crypto from 'node:crypto';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

/** base58 (Bitcoin alphabet, as Solana addresses) → bytes; null for a character outside the alphabet. */
export function base58Decode(s: string): Buffer | null {
  if (!s) return null;
  let n = 0n;
  for (const c of s) {
    const v = INDEX.get(c);
    if (v === undefined) return null;
    n = n * 58n + BigInt(v);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  for (const c of s) {
    if (c !== '1') break;
    bytes.unshift(0);
  }
  return Buffer.from(bytes);
}

export function base58Encode(buf: Uint8Array): string {
  let n = 0n;
  for (const b of buf) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of buf) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

/** The ed25519 public key of a base58 node id, or null when the id is not 32 bytes of base58. */
export function publicKeyOf(nodeId: string): crypto.KeyObject | null {
  const raw = base58Decode(nodeId);
  if (!raw || raw.length !== 32) return null;
  try {
    return crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  } catch {
    return null;
  }
}

export function sha256Hex(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** The string a request signature covers. */
export function requestMessage(method: string, pathWithQuery: string, timestamp: string, bodySha256: string): string {
  return `kraken-net-v1\n${method}\n${pathWithQuery}\n${timestamp}\n${bodySha256}`;
}

/** The string a result signature covers. */
export function resultMessage(jobId: string, replica: number, resultSha256: string): string {
  return `kraken-result-v1\n${jobId}\n${replica}\n${resultSha256}`;
}

export function verify(key: crypto.KeyObject, message: string, signatureB64: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64)) return false;
  const sig = Buffer.from(signatureB64, 'base64');
  if (sig.length !== 64) return false;
  try {
    return crypto.verify(null, Buffer.from(message, 'utf8'), key, sig);
  } catch {
    return false;
  }
}

/** Keys sorted at every level, no spaces, numbers as JavaScript prints them (JSON.stringify's). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map((v) => canonicalJson(v === undefined ? null : v)).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}
