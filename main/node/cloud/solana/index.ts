/**
 * The Solana domain (seed 002) wired from the core's parts: the wallet over the vault, the registry and royalties
 * over the backend, payouts over the contributor network. core.ts calls `createSolana` once and spreads
 * `solanaHandlers(solana.handlerDeps)`; the CLI opens the same services through `openSolanaKit`.
 */
import { z } from 'zod';
import { AppError } from '../../../common/app-error';
import { say } from '../../../common/messages';
import { isSolanaAddress, type ModelManifest } from '../../../common/contract';
import type { Db } from '../../store/database';
import { ConnectionSettings } from '../connection';
import { HttpClient, type HttpClientOptions } from '../http-client';
import type { SolanaHandlerDeps } from './handlers';
import { PayoutService, type NodeCreditSource } from './payouts';
import { RegistryService } from './registry-service';
import { RoyaltyService } from './royalty-service';
import { WalletService, type WalletVault } from './wallet-service';

export { solanaHandlers } from './handlers';
export { WalletService, WALLET_SECRET, parseSecretKey } from './wallet-service';
export { RegistryService } from './registry-service';
export { RoyaltyService, compareWithPreview } from './royalty-service';
export { creditFromNetwork, type NodeCreditSource } from './payouts';

/** Where a subscription payment is sent, saved as a setting (a public address, not a secret). */
export const PLATFORM_WALLET_SETTING = 'solana.platformWallet';

export interface SolanaDeps {
  db: Db;
  vault: WalletVault;
  getModel: (id: string) => Promise<ModelManifest>;
  env?: NodeJS.ProcessEnv;
  /** CLI: `--api` and `--rpc`, never saved. */
  apiOverride?: string;
  rpcOverride?: string;
  client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
  /** The contributor network client, when this studio is a node. */
  network?: () => NodeCreditSource | null;
  confirmTimeoutMs?: number;
  pollMs?: number;
  notFound?: { retries?: number; firstDelayMs?: number };
}

export interface Solana {
  wallet: WalletService;
  registry: RegistryService;
  royalty: RoyaltyService;
  payouts: PayoutService;
  connection: ConnectionSettings;
  handlerDeps: SolanaHandlerDeps;
}

/** The backend address's environment: KRAKEN_SOLANA_API (the brief's name) before KRAKEN_SOLANA_URL (the studio's pattern). */
function backendEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const api = env.KRAKEN_SOLANA_API?.trim();
  return api ? { ...env, KRAKEN_SOLANA_URL: api } : env;
}

const PlatformInfo = z.looseObject({ platformWallet: z.string().optional(), treasury: z.string().optional() });

export function createSolana(d: SolanaDeps): Solana {
  const env = d.env ?? process.env;
  const connection = new ConnectionSettings({ db: d.db, env: backendEnv(env), overrides: d.apiOverride ? { solana: d.apiOverride } : {} });
  const wallet = new WalletService({ db: d.db, vault: d.vault, env, rpcOverride: d.rpcOverride, confirmTimeoutMs: d.confirmTimeoutMs, pollMs: d.pollMs });
  const registry = new RegistryService({ db: d.db, connection, getModel: d.getModel, client: d.client });

  /** The platform wallet: the saved setting, else KRAKEN_SOLANA_PLATFORM_WALLET, else what the backend's root says. */
  const platformWallet = async (): Promise<string> => {
    const row = d.db.prepare(`SELECT value_json FROM settings WHERE key = ?`).get(PLATFORM_WALLET_SETTING) as { value_json: string } | undefined;
    const saved = row ? (JSON.parse(row.value_json) as unknown) : null;
    if (isSolanaAddress(saved)) return saved;
    const fromEnv = env.KRAKEN_SOLANA_PLATFORM_WALLET?.trim();
    if (fromEnv) {
      if (!isSolanaAddress(fromEnv)) throw new AppError('INVALID_INPUT', say('solana.bad_platform_wallet_env', {}));
      return fromEnv;
    }
    // The local emulator names its treasury on its admin route (emulators/solana/CONTRACT.md); a real backend is asked at its root.
    const base = registry.baseUrl();
    const origin = new URL(base).origin;
    for (const [root, path] of [[origin, '/__emulator/solana'], [base, '/']] as const) {
      const http = new HttpClient({ ...d.client, service: 'solana', baseUrl: root, maxRetries: 1 });
      const info = await http.request({ path, schema: PlatformInfo.optional().catch(undefined), auth: false }).catch(() => undefined);
      const found = info?.platformWallet ?? info?.treasury;
      if (isSolanaAddress(found)) return found;
    }
    throw new AppError('INVALID_INPUT', say('solana.platform_wallet_unknown', {}));
  };

  const royalty = new RoyaltyService({ db: d.db, wallet, registry, platformWallet, notFound: d.notFound });
  const payouts = new PayoutService(d.network ?? (() => null), () => wallet.address().toBase58());
  const backend = () => {
    const c = connection.get('solana');
    return { baseUrl: c.baseUrl, emulator: c.emulator, source: c.source };
  };

  const handlerDeps: SolanaHandlerDeps = {
    'wallet.info': () => wallet.info(),
    'wallet.create': () => wallet.create(),
    'wallet.import': (req) => wallet.import(req),
    'wallet.export': (req) => wallet.export(req),
    'wallet.forget': (req) => wallet.forget(req),
    'wallet.setCluster': (req) => wallet.setCluster(req),
    'wallet.balance': () => wallet.balance(),
    'wallet.transactions': (req) => wallet.transactions(req),
    'wallet.airdrop': (req) => wallet.airdrop(req),
    'wallet.credit': () => payouts.credit(),
    'wallet.payout': (req) => payouts.payout(req),
    'registry.connection': () => backend(),
    'registry.setConnection': (req) => {
      connection.set('solana', req.baseUrl);
      return backend();
    },
    'registry.draft': async (req) => {
      let address: string | null = null;
      try {
        address = wallet.address().toBase58();
      } catch {
        address = null;
      }
      return registry.draft(req.localModelId, { walletAddress: address });
    },
    'registry.check': (req) => registry.check(req.body),
    'registry.register': (req) => registry.register(req),
    'registry.list': () => registry.list(),
    'registry.show': (req) => registry.show(req.modelPda),
    'registry.tree': () => registry.tree(),
    'royalty.preview': (req) => royalty.preview(req),
    'royalty.pay': (req) => royalty.pay(req),
    'royalty.processSignature': (req) => royalty.process(req),
    'royalty.payments': (req) => royalty.payments(req),
  };
  return { wallet, registry, royalty, payouts, connection, handlerDeps };
}
