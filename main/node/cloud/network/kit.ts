/**
 * The network client as the CLI uses it: the data folder's library (so jobs submitted from `kraken network` show
 * in the studio too, and their outputs land in the same project), its saved address (or `--api`, or
 * KRAKEN_NETWORK_URL), the studio's identity from the same vault, the same NetworkService without background work.
 */
import path from 'node:path';
import { ModelLibrary } from '../../inference/model-library';
import { RunStore } from '../../inference/run-store';
import { openDatabase, type Db } from '../../store/database';
import { openVault } from '../secrets';
import { requireServiceAddress } from '../service-address';
import type { ClientOptions } from './network-api';
import { NetworkService } from './network-service';

export interface NetworkKit {
  baseUrl: string;
  emulator: boolean;
  db: Db;
  service: NetworkService;
  close(): Promise<void>;
}

export interface NetworkKitOptions {
  dataDir: string;
  api?: string;
  env?: NodeJS.ProcessEnv;
  client?: ClientOptions;
  pollMs?: number;
}

export function openNetworkKit(o: NetworkKitOptions): NetworkKit {
  const db: Db = openDatabase(path.join(o.dataDir, 'studio.db'));
  try {
    const c = requireServiceAddress(db, 'network', { api: o.api, env: o.env, label: 'Kraken network', page: 'the Cloud page' });
    // the same vault the studio uses (KRAKEN_KEYCHAIN=off: the data folder's 0600 file), opened only when signing
    const keychain = (o.env ?? process.env).KRAKEN_KEYCHAIN === 'off' ? false : undefined;
    let vault: ReturnType<typeof openVault> | null = null;
    const open = () => (vault ??= openVault(o.dataDir, { keychain }));
    const lazy = {
      get: async (name: string) => (await open()).get(name),
      set: async (name: string, value: string) => (await open()).set(name, value),
    };
    const service = new NetworkService({
      db,
      dataDir: o.dataDir,
      connection: c.settings,
      vault: lazy,
      library: new ModelLibrary(db, o.dataDir),
      runs: new RunStore(db),
      client: o.client,
      pollMs: o.pollMs,
      background: false,
    });
    return {
      baseUrl: c.baseUrl,
      emulator: c.emulator,
      db,
      service,
      close: async () => {
        await service.close();
        db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
