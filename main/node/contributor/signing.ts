/**
 * Request and result signatures exactly as docs/contributor-protocol.md writes them, and its canonical JSON.
 */
import { createHash } from 'node:crypto';
import type { NodeIdentity } from './identity';

export const PROTOCOL_VERSION = '1';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).digest('hex');
}

/** `"kraken-net-v1\n" + METHOD + "\n" + PATH_WITH_QUERY + "\n" + TIMESTAMP + "\n" + hex(sha256(body))`. */
export function requestSigningString(method: string, pathWithQuery: string, timestamp: string, body: string | Uint8Array | undefined): string {
  return `kraken-net-v1\n${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${sha256Hex(body ?? '')}`;
}

/** The four headers every request carries. */
export function signedHeaders(identity: NodeIdentity, method: string, pathWithQuery: string, body: string | Uint8Array | undefined, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  return {
    'x-kraken-protocol': PROTOCOL_VERSION,
    'x-node-id': identity.nodeId,
    'x-node-timestamp': timestamp,
    'x-node-signature': identity.sign(requestSigningString(method, pathWithQuery, timestamp, body)),
  };
}

/** Keys sorted, no spaces, numbers as JavaScript prints them (JSON.stringify), arrays in order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonical JSON has no NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** `'kraken-result-v1\n' + jobId + '\n' + replica + '\n' + resultSha256`. */
export function resultSigningString(jobId: string, replica: number, resultSha256: string): string {
  return `kraken-result-v1\n${jobId}\n${replica}\n${resultSha256}`;
}

export interface SignedResult<O> {
  outputs: O[];
  resultSha256: string;
  signature: string;
}

/** The outputs with their hash (sha256 of their canonical JSON) and the node's signature. */
export function signResult<O>(identity: NodeIdentity, jobId: string, replica: number, outputs: O[]): SignedResult<O> {
  const resultSha256 = sha256Hex(canonicalJson(outputs));
  return { outputs, resultSha256, signature: identity.sign(resultSigningString(jobId, replica, resultSha256)) };
}
