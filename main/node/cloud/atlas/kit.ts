/**
 * The Atlas client as the CLI uses it: the data folder's saved address (or `--api`, or KRAKEN_ATLAS_URL), the same
 * vault and session scope as the studio, the typed APIs. No job runner: `kraken cloud` calls Atlas directly.
 */
import path from 'node:path';
import { openDatabase, type Db } from '../../store/database';
import { HttpClient } from '../http-client';
import { openVault } from '../secrets';
import { requireServiceAddress } from '../service-address';
import { AtlasAuthApi } from './auth-api';
import { sessionScope } from './index';
import { AtlasItemsApi } from './items-api';
import { AtlasSession } from './session';

export interface AtlasKit {
  baseUrl: string;
  emulator: boolean;
  http: HttpClient;
  auth: AtlasAuthApi;
  items: AtlasItemsApi;
  session: AtlasSession;
  close(): void;
}

export interface AtlasKitOptions {
  dataDir: string;
  /** `--api`: wins over the setting and the environment, never saved. */
  api?: string;
  env?: NodeJS.ProcessEnv;
  /** Told once when tokens go to the 0600 file because no keychain answers. */
  onFallback?: (message: string) => void;
}

export async function openAtlasKit(o: AtlasKitOptions): Promise<AtlasKit> {
  const env = o.env ?? process.env;
  let db: Db | null = openDatabase(path.join(o.dataDir, 'studio.db'));
  try {
    const c = requireServiceAddress(db, 'atlas', { api: o.api, env, label: 'Atlas', page: 'the Cloud page' });
    const baseUrl = c.baseUrl;
    db.close();
    db = null;
    // KRAKEN_KEYCHAIN=off: straight to the 0600 file (headless rigs, tests).
    const vault = await openVault(o.dataDir, { keychain: env.KRAKEN_KEYCHAIN === 'off' ? false : undefined, onFallback: o.onFallback });
    const http = new HttpClient({ service: 'atlas', baseUrl });
    const auth = new AtlasAuthApi(http);
    const session = new AtlasSession({ vault, api: () => auth, scope: () => sessionScope(o.dataDir, baseUrl) });
    return { baseUrl, emulator: c.emulator, http, auth, items: new AtlasItemsApi(http), session, close: () => undefined };
  } finally {
    db?.close();
  }
}
