/**
 * The Solana services as the CLI uses them: the data folder's library (registrations and payments made from
 * `kraken registry` / `kraken royalty` are the studio's too), its vault (OS keychain, else the 0600 file), `--api`
 * (else the setting, else KRAKEN_SOLANA_API) and `--rpc` (else the setting, else KRAKEN_SOLANA_RPC).
 */
import path from 'node:path';
import { ModelLibrary } from '../../inference/model-library';
import { openDatabase, type Db } from '../../store/database';
import type { HttpClientOptions } from '../http-client';
import { openVault } from '../secrets';
import { createSolana, type Solana } from '.';

export interface SolanaKitOptions {
  dataDir: string;
  api?: string;
  rpc?: string;
  env?: NodeJS.ProcessEnv;
  onFallback?: (message: string) => void;
  client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
}

export interface SolanaKit extends Solana {
  db: Db;
  close(): void;
}

export async function openSolanaKit(o: SolanaKitOptions): Promise<SolanaKit> {
  const env = o.env ?? process.env;
  const db = openDatabase(path.join(o.dataDir, 'studio.db'));
  try {
    const vault = await openVault(o.dataDir, { keychain: env.KRAKEN_KEYCHAIN === 'off' ? false : undefined, onFallback: o.onFallback });
    const library = new ModelLibrary(db, o.dataDir);
    const s = createSolana({ db, vault, env, apiOverride: o.api, rpcOverride: o.rpc, getModel: (id) => library.get(id), client: o.client });
    return { ...s, db, close: () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}
