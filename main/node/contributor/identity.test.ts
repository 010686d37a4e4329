/** The node identity lives in the vault only; request and result signatures match the protocol (checked with node:crypto). */
import { createHash, verify } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileVault } from '../cloud/secrets';
import { openDatabase } from '../store/database';
import { identityFromSecret, loadOrCreateIdentity, NODE_KEY_SECRET, publicKeyOfNodeId, verifyNodeSignature } from './identity';
import { canonicalJson, requestSigningString, resultSigningString, signedHeaders, signResult } from './signing';
import { ContributorStore } from './store';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-node-id-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function memoryVault() {
  const m = new Map<string, string>();
  return { m, get: async (k: string) => m.get(k) ?? null, set: async (k: string, v: string) => void m.set(k, v) };
}

describe('node identity', () => {
  it('is made once, kept in the vault (64-byte Solana secret key), the same on the next load; the id is the base58 public key', async () => {
    const vault = memoryVault();
    const a = await loadOrCreateIdentity(vault);
    expect(a.nodeId).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    expect(Buffer.from(vault.m.get(NODE_KEY_SECRET)!, 'base64')).toHaveLength(64);
    const b = await loadOrCreateIdentity(vault);
    expect(b.nodeId).toBe(a.nodeId);
    expect(publicKeyOfNodeId(a.nodeId).export({ format: 'der', type: 'spki' }).subarray(12)).toEqual(a.publicKeyBytes);
  });

  it('two services asking at once on a fresh vault get one key: one write, the same id', async () => {
    const vault = memoryVault();
    let writes = 0;
    const set = vault.set;
    const slow = { get: async (k: string) => (await new Promise((r) => setTimeout(r, 5)), vault.get(k)), set: async (k: string, v: string) => (writes++, await new Promise((r) => setTimeout(r, 5)), set(k, v)) };
    const [a, b] = await Promise.all([loadOrCreateIdentity(slow), loadOrCreateIdentity(slow)]);
    expect(b.nodeId).toBe(a.nodeId);
    expect(writes).toBe(1);
  });

  it('a damaged secret in the vault is refused with a plain sentence, not used', () => {
    expect(() => identityFromSecret(Buffer.alloc(10).toString('base64'))).toThrow(/damaged/);
    const half = Buffer.alloc(64, 1).toString('base64');
    expect(() => identityFromSecret(half)).toThrow(/public half does not match/);
  });

  it('never reaches SQLite: the library holds the id only (file vault: the key is in the 0600 credentials file)', async () => {
    const db = openDatabase(path.join(dir, 'studio.db'));
    const store = new ContributorStore(db);
    const vault = new FileVault(dir);
    const id = await loadOrCreateIdentity(vault);
    store.setNodeId(id.nodeId);
    const secret = (await vault.get(NODE_KEY_SECRET))!;
    db.close();
    const bytes = fs.readFileSync(path.join(dir, 'studio.db'));
    const wal = fs.existsSync(path.join(dir, 'studio.db-wal')) ? fs.readFileSync(path.join(dir, 'studio.db-wal')) : Buffer.alloc(0);
    const rawSeed = Buffer.from(secret, 'base64').subarray(0, 32);
    for (const haystack of [bytes, wal]) {
      expect(haystack.includes(Buffer.from(secret))).toBe(false);
      expect(haystack.includes(rawSeed)).toBe(false);
    }
    expect(Buffer.concat([bytes, wal]).includes(Buffer.from(id.nodeId))).toBe(true);
  });
});

describe('signatures, as docs/contributor-protocol.md writes them', () => {
  it('request: ed25519 over kraken-net-v1, METHOD, PATH_WITH_QUERY, TIMESTAMP, hex sha256(body); verified with node:crypto', async () => {
    const id = await loadOrCreateIdentity(memoryVault());
    const body = JSON.stringify({ state: 'idle' });
    const h = signedHeaders(id, 'post', '/v1/nodes/heartbeat?x=1', body, 1764684000000);
    expect(h['x-kraken-protocol']).toBe('1');
    expect(h['x-node-id']).toBe(id.nodeId);
    expect(h['x-node-timestamp']).toBe('1764684000000');
    const expected = `kraken-net-v1\nPOST\n/v1/nodes/heartbeat?x=1\n1764684000000\n${createHash('sha256').update(body).digest('hex')}`;
    expect(requestSigningString('post', '/v1/nodes/heartbeat?x=1', '1764684000000', body)).toBe(expected);
    expect(verify(null, Buffer.from(expected), publicKeyOfNodeId(id.nodeId), Buffer.from(h['x-node-signature']!, 'base64'))).toBe(true);
    // An empty body signs the sha256 of zero bytes.
    expect(requestSigningString('GET', '/v1/nodes/me', '1', undefined).endsWith('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBe(true);
    // Another path, body or time does not verify.
    expect(verifyNodeSignature(id.nodeId, expected.replace('heartbeat', 'register'), h['x-node-signature']!)).toBe(false);
  });

  it('result: canonical JSON (keys sorted, no spaces, JS numbers), its sha256, ed25519 over kraken-result-v1, jobId, replica, hash', async () => {
    const id = await loadOrCreateIdentity(memoryVault());
    const outputs = [{ output: { top: [{ score: 0.5, label: 'cat', index: 1 }] }, input: 'a'.repeat(64) }];
    expect(canonicalJson(outputs)).toBe(`[{"input":"${'a'.repeat(64)}","output":{"top":[{"index":1,"label":"cat","score":0.5}]}}]`);
    expect(canonicalJson({ b: 1e21, a: [1.5, -0, 'x'] })).toBe('{"a":[1.5,0,"x"],"b":1e+21}');
    expect(() => canonicalJson({ a: NaN })).toThrow();
    const r = signResult(id, 'j_1', 2, outputs);
    expect(r.resultSha256).toBe(createHash('sha256').update(canonicalJson(outputs)).digest('hex'));
    expect(resultSigningString('j_1', 2, r.resultSha256)).toBe(`kraken-result-v1\nj_1\n2\n${r.resultSha256}`);
    expect(verify(null, Buffer.from(`kraken-result-v1\nj_1\n2\n${r.resultSha256}`), publicKeyOfNodeId(id.nodeId), Buffer.from(r.signature, 'base64'))).toBe(true);
  });
});
