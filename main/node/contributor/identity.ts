/**
 * The node's identity: an ed25519 key pair (the Solana key type), its id the base58 public key (a Solana address).
 * The secret rests only in the vault (OS keychain / safeStorage / the 0600 fallback file, see cloud/secrets.ts),
 * as the 64-byte Solana secret key (seed ‖ public key) in base64; SQLite keeps the id only.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { PublicKey } from '@solana/web3.js';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';

/** The vault entry of the node's secret key. */
export const NODE_KEY_SECRET = 'contributor.node-key';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface NodeIdentity {
  /** base58 public key. */
  readonly nodeId: string;
  readonly publicKey: KeyObject;
  /** Raw 32-byte public key. */
  readonly publicKeyBytes: Buffer;
  /** base64 ed25519 signature of the UTF-8 bytes of `message`. */
  sign(message: string | Uint8Array): string;
}

/** base58 of a 32-byte public key (a Solana address). */
export function nodeIdOf(publicKeyBytes: Uint8Array): string {
  return new PublicKey(publicKeyBytes).toBase58();
}

/** The public key an id names (for verifying; tests and the emulator's reading of it). */
export function publicKeyOfNodeId(nodeId: string): KeyObject {
  const raw = Buffer.from(new PublicKey(nodeId).toBytes());
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Checks a base64 signature of `message` by the node `nodeId`. */
export function verifyNodeSignature(nodeId: string, message: string | Uint8Array, signatureB64: string): boolean {
  return edVerify(null, typeof message === 'string' ? Buffer.from(message, 'utf8') : message, publicKeyOfNodeId(nodeId), Buffer.from(signatureB64, 'base64'));
}

function fromSeed(seed: Buffer): NodeIdentity {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const publicKeyBytes = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
  return {
    nodeId: nodeIdOf(publicKeyBytes),
    publicKey,
    publicKeyBytes: Buffer.from(publicKeyBytes),
    sign: (message) => edSign(null, typeof message === 'string' ? Buffer.from(message, 'utf8') : message, privateKey).toString('base64'),
  };
}

/** Reads the 64-byte Solana secret key (base64) back into an identity; INTERNAL when the vault holds something else. */
export function identityFromSecret(secretB64: string): NodeIdentity {
  const bytes = Buffer.from(secretB64, 'base64');
  if (bytes.length !== 64) throw new AppError('INTERNAL', say('contributor.key_damaged_length', {}));
  const id = fromSeed(bytes.subarray(0, 32));
  if (!id.publicKeyBytes.equals(bytes.subarray(32))) throw new AppError('INTERNAL', say('contributor.key_damaged_half', {}));
  return id;
}

/** A fresh key pair and its 64-byte secret (base64) for the vault. */
export function newIdentity(): { identity: NodeIdentity; secret: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  const identity = fromSeed(Buffer.from(seed));
  return { identity, secret: Buffer.concat([seed, identity.publicKeyBytes]).toString('base64') };
}

type IdentityVault = { get(name: string): Promise<string | null> | string | null; set(name: string, value: string): Promise<void> | void };

/** Loads in progress per vault: two services asking at once on a fresh vault (the agent earning, the network client spending) must get one key, not two. */
const loading = new WeakMap<IdentityVault, Promise<NodeIdentity>>();

/** The node's identity from the vault, made (and stored there) on first use. */
export function loadOrCreateIdentity(vault: IdentityVault): Promise<NodeIdentity> {
  const inFlight = loading.get(vault);
  if (inFlight) return inFlight;
  const p = (async () => {
    const saved = await vault.get(NODE_KEY_SECRET);
    if (saved) return identityFromSecret(saved);
    const { identity, secret } = newIdentity();
    await vault.set(NODE_KEY_SECRET, secret);
    return identity;
  })().finally(() => loading.delete(vault));
  loading.set(vault, p);
  return p;
}
