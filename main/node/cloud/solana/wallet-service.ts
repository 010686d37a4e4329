/**
 * The studio's Solana wallet: one key, created here or imported, whose secret rests only in the vault (OS keychain,
 * safeStorage, or the owner-only file where no keychain answers) — never in SQLite, logs, errors or `--json`. SQLite
 * keeps the public address and the chosen cluster. The cluster's RPC URL: `--rpc` (CLI), else the saved choice,
 * else KRAKEN_SOLANA_RPC, else the local emulator's (KRAKEN_EMULATOR_SOLANA_RPC).
 */
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from '@solana/web3.js';
import { z } from 'zod';
import { AppError } from '../../../common/app-error';
import { say } from '../../../common/messages';
import { airdropAllowed, base58Decode, base58Encode, CLUSTER_RPC, type ClusterSetting, type SolanaCluster, type WalletBalance, type WalletInfo, type WalletTransaction } from '../../../common/contract';
import type { Db } from '../../store/database';
import { SolanaRpc } from './rpc';

/** The vault entry holding the secret key (base58 of the 64-byte secret key). */
export const WALLET_SECRET = 'solana.wallet';
const WALLET_SETTING = 'wallet.solana';
const CLUSTER_SETTING = 'wallet.cluster';

export interface WalletVault {
  readonly backend: unknown;
  get(name: string): Promise<string | null> | string | null;
  set(name: string, value: string): Promise<void> | void;
  delete(name: string): Promise<unknown> | unknown;
}

const SavedWallet = z.object({ address: z.string(), origin: z.enum(['created', 'imported']), createdAt: z.string() });
const SavedCluster = z.object({ cluster: z.enum(['emulator', 'devnet', 'mainnet-beta', 'custom']), rpcUrl: z.string().optional() });

export interface WalletServiceOptions {
  db: Db;
  vault: WalletVault;
  env?: NodeJS.ProcessEnv;
  /** The CLI's --rpc: wins over everything, never saved. */
  rpcOverride?: string;
  /** Test knobs for confirmation polling. */
  confirmTimeoutMs?: number;
  pollMs?: number;
}

function cleanUrl(u: string | undefined | null): string | null {
  const t = u?.trim();
  return t ? t.replace(/\/+$/, '') : null;
}

/** Checks an RPC URL: http(s), no credentials in it. */
export function checkRpcUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new AppError('INVALID_INPUT', say('solana.rpc_not_url', { url: url.slice(0, 100) }));
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AppError('INVALID_INPUT', say('solana.rpc_protocol', {}));
  if (u.username || u.password) throw new AppError('INVALID_INPUT', say('solana.rpc_credentials', {}));
  return u.toString().replace(/\/+$/, '');
}

/** The cluster a URL stands for: the public devnet/mainnet URLs, a loopback address (a local emulator), else custom. */
export function clusterOfUrl(url: string): SolanaCluster {
  const clean = url.replace(/\/+$/, '');
  if (clean === CLUSTER_RPC.devnet) return 'devnet';
  if (clean === CLUSTER_RPC['mainnet-beta']) return 'mainnet-beta';
  try {
    const host = new URL(clean).hostname;
    if (host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1') return 'emulator';
  } catch {
    // not a URL: custom
  }
  return 'custom';
}

/** A secret key as the user gives it: base58 (wallet apps) or the JSON byte array solana-keygen writes. */
export function parseSecretKey(text: string): Keypair {
  const t = text.trim();
  let bytes: Uint8Array | null = null;
  if (t.startsWith('[')) {
    try {
      const arr = JSON.parse(t) as unknown;
      if (Array.isArray(arr) && arr.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) bytes = Uint8Array.from(arr as number[]);
    } catch {
      bytes = null;
    }
  } else bytes = base58Decode(t);
  // Never the text itself in the message: it is (or is close to) a secret.
  if (!bytes) throw new AppError('INVALID_INPUT', say('solana.key_unreadable', {}));
  if (bytes.length !== 64) throw new AppError('INVALID_INPUT', say('solana.key_length', { length: bytes.length }));
  try {
    return Keypair.fromSecretKey(bytes);
  } catch {
    throw new AppError('INVALID_INPUT', say('solana.key_mismatch', {}));
  }
}

export class WalletService {
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly o: WalletServiceOptions) {
    this.env = o.env ?? process.env;
  }

  private setting<T>(key: string, schema: z.ZodType<T>): T | null {
    const row = this.o.db.prepare(`SELECT value_json FROM settings WHERE key = ?`).get(key) as { value_json: string } | undefined;
    if (!row) return null;
    try {
      const p = schema.safeParse(JSON.parse(row.value_json));
      return p.success ? p.data : null;
    } catch {
      return null;
    }
  }

  private save(key: string, value: unknown | null): void {
    if (value === null) this.o.db.prepare(`DELETE FROM settings WHERE key = ?`).run(key);
    else this.o.db.prepare(`INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json`).run(key, JSON.stringify(value));
  }

  /** The cluster and RPC URL used now, and why. */
  cluster(): ClusterSetting {
    const emulatorRpc = cleanUrl(this.env.KRAKEN_EMULATOR_SOLANA_RPC);
    const make = (cluster: SolanaCluster, rpcUrl: string | null, source: ClusterSetting['source']): ClusterSetting => ({ cluster, rpcUrl, source, airdrop: airdropAllowed(cluster) });
    if (this.o.rpcOverride) {
      const url = checkRpcUrl(this.o.rpcOverride);
      return make(url === emulatorRpc ? 'emulator' : clusterOfUrl(url), url, 'override');
    }
    const saved = this.setting(CLUSTER_SETTING, SavedCluster);
    if (saved) {
      if (saved.cluster === 'devnet' || saved.cluster === 'mainnet-beta') return make(saved.cluster, CLUSTER_RPC[saved.cluster], 'cluster');
      if (saved.cluster === 'custom' && saved.rpcUrl) return make('custom', saved.rpcUrl, 'setting');
      if (saved.cluster === 'emulator') {
        const env = cleanUrl(this.env.KRAKEN_SOLANA_RPC);
        if (emulatorRpc) return make('emulator', emulatorRpc, 'emulator');
        if (env && clusterOfUrl(env) === 'emulator') return make('emulator', env, 'env');
        return make('emulator', null, 'none');
      }
    }
    const env = cleanUrl(this.env.KRAKEN_SOLANA_RPC);
    if (env) return make(env === emulatorRpc ? 'emulator' : clusterOfUrl(env), env, 'env');
    if (emulatorRpc) return make('emulator', emulatorRpc, 'emulator');
    return make('emulator', null, 'none');
  }

  /** Saves the cluster choice; a custom one needs its RPC URL. */
  setCluster(req: { cluster: SolanaCluster; rpcUrl?: string }): ClusterSetting {
    if (req.cluster === 'custom') {
      if (!req.rpcUrl) throw new AppError('INVALID_INPUT', say('solana.custom_needs_rpc', {}), { field: 'rpcUrl' });
      this.save(CLUSTER_SETTING, { cluster: 'custom', rpcUrl: checkRpcUrl(req.rpcUrl) });
    } else this.save(CLUSTER_SETTING, { cluster: req.cluster });
    return this.cluster();
  }

  /** The RPC client for the cluster now; INVALID_INPUT saying how to give one when none is known. */
  rpc(): SolanaRpc {
    const c = this.cluster();
    if (!c.rpcUrl) throw new AppError('INVALID_INPUT', say('solana.no_cluster_address', {}), { service: 'solana' });
    return new SolanaRpc({ rpcUrl: c.rpcUrl, confirmTimeoutMs: this.o.confirmTimeoutMs, pollMs: this.o.pollMs });
  }

  async info(): Promise<WalletInfo> {
    const w = this.setting(WALLET_SETTING, SavedWallet);
    return { address: w?.address ?? null, origin: w?.origin ?? null, createdAt: w?.createdAt ?? null, vault: String(this.o.vault.backend ?? 'pending'), cluster: this.cluster() };
  }

  /** The public address, or NOT_FOUND saying how to make one. */
  address(): PublicKey {
    const w = this.setting(WALLET_SETTING, SavedWallet);
    if (!w) throw new AppError('NOT_FOUND', say('solana.no_wallet', {}));
    return new PublicKey(w.address);
  }

  private async keep(kp: Keypair, origin: 'created' | 'imported', replace: boolean): Promise<WalletInfo> {
    const existing = this.setting(WALLET_SETTING, SavedWallet);
    if (existing && !replace && existing.address !== kp.publicKey.toBase58()) {
      throw new AppError('CONFLICT', say('solana.wallet_exists', { address: existing.address }), { address: existing.address });
    }
    await this.o.vault.set(WALLET_SECRET, base58Encode(kp.secretKey));
    this.save(WALLET_SETTING, { address: kp.publicKey.toBase58(), origin, createdAt: new Date().toISOString() });
    return this.info();
  }

  async create(): Promise<WalletInfo> {
    return this.keep(Keypair.generate(), 'created', false);
  }

  async import(req: { secretKey: string; replace?: boolean }): Promise<WalletInfo> {
    return this.keep(parseSecretKey(req.secretKey), 'imported', req.replace ?? false);
  }

  /** The key pair from the vault; the secret stays in memory only for the signature. */
  async keypair(): Promise<Keypair> {
    const address = this.address();
    const secret = await this.o.vault.get(WALLET_SECRET);
    if (!secret) throw new AppError('NOT_FOUND', say('solana.key_not_in_keychain', { address: address.toBase58() }));
    const kp = parseSecretKey(secret);
    if (!kp.publicKey.equals(address)) throw new AppError('CONFLICT', say('solana.keychain_other_key', {}));
    return kp;
  }

  /** The secret key, only when the request says confirm: true (checked by the contract and again here). */
  async export(req: { confirm: true }): Promise<{ address: string; secretKey: string; secretKeyJson: string }> {
    if (req.confirm !== true) throw new AppError('INVALID_INPUT', say('solana.confirm_export', {}));
    const kp = await this.keypair();
    return { address: kp.publicKey.toBase58(), secretKey: base58Encode(kp.secretKey), secretKeyJson: JSON.stringify(Array.from(kp.secretKey)) };
  }

  async forget(req: { confirm: true }): Promise<{ removed: boolean }> {
    if (req.confirm !== true) throw new AppError('INVALID_INPUT', say('solana.confirm_remove', {}));
    const had = this.setting(WALLET_SETTING, SavedWallet) !== null;
    await this.o.vault.delete(WALLET_SECRET);
    this.save(WALLET_SETTING, null);
    return { removed: had };
  }

  async balance(): Promise<WalletBalance> {
    const address = this.address();
    const rpc = this.rpc();
    const lamports = await rpc.balance(address);
    return { address: address.toBase58(), lamports, sol: lamports / LAMPORTS_PER_SOL, rpcUrl: rpc.rpcUrl };
  }

  transactions(req: { limit: number }): Promise<WalletTransaction[]> {
    return this.rpc().recent(this.address(), req.limit);
  }

  /** An airdrop on the emulator or devnet (refused elsewhere), confirmed before it answers. */
  async airdrop(req: { sol: number }, signal?: AbortSignal): Promise<{ signature: string; balance: WalletBalance }> {
    const c = this.cluster();
    if (!c.airdrop) throw new AppError('UNSUPPORTED', c.cluster === 'custom' ? say('solana.airdrop_not_here_custom', { rpcUrl: String(c.rpcUrl) }) : say('solana.airdrop_not_here', { cluster: c.cluster }));
    const lamports = Math.round(req.sol * LAMPORTS_PER_SOL);
    if (!Number.isSafeInteger(lamports) || lamports < 1) throw new AppError('INVALID_INPUT', say('solana.airdrop_amount', { sol: req.sol }));
    const signature = await this.rpc().airdrop(this.address(), lamports, signal);
    return { signature, balance: await this.balance() };
  }
}
