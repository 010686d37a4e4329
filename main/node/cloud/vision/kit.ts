/**
 * The vision client as the CLI uses it (`kraken train …`, `kraken dataset upload|list|show|validate`): the data
 * folder's library (so workflows started from the CLI are followed by the studio too), its saved address (or `--api`,
 * or KRAKEN_VISION_URL; the base includes /api/v1), the vault the studio uses, the same VisionService. No background
 * work: the CLI follows a workflow only when asked (`watch`).
 */
import path from 'node:path';
import { ModelLibrary } from '../../inference/model-library';
import { RunStore } from '../../inference/run-store';
import { openDatabase, type Db } from '../../store/database';
import { lazyVault } from '../atlas';
import type { SessionVault } from '../atlas/session';
import type { HttpClientOptions } from '../http-client';
import { openVault } from '../secrets';
import { requireServiceAddress } from '../service-address';
import { VisionService } from './vision-service';
import type { EventName, EventPayload } from '../../../common/contract';

export interface VisionKit {
  baseUrl: string;
  emulator: boolean;
  db: Db;
  service: VisionService;
  close(): void;
}

export interface VisionKitOptions {
  dataDir: string;
  api?: string;
  env?: NodeJS.ProcessEnv;
  client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
  /** Default: the studio's vault of this data folder (keychain, else the 0600 file). */
  vault?: SessionVault;
  /** false: skip the OS keychain (tests). */
  keychain?: false;
  liveBackoff?: { first: number; max: number };
  /** Events the service emits (watch prints them). */
  onEvent?: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  /** Told once when tokens go to the fallback file. */
  onVaultFallback?: (message: string) => void;
}

export function openVisionKit(o: VisionKitOptions): VisionKit {
  const db: Db = openDatabase(path.join(o.dataDir, 'studio.db'));
  try {
    const c = requireServiceAddress(db, 'vision', { api: o.api, env: o.env, label: 'vision training platform', page: 'the Training page' });
    // KRAKEN_KEYCHAIN=off: straight to the 0600 file (headless rigs, tests), as `kraken cloud` does.
    const keychain = o.keychain ?? ((o.env ?? process.env).KRAKEN_KEYCHAIN === 'off' ? false : undefined);
    const vault = o.vault ?? lazyVault(() => openVault(o.dataDir, { keychain, onFallback: o.onVaultFallback }));
    const service = new VisionService({
      db,
      dataDir: o.dataDir,
      bus: { emit: (name, payload) => o.onEvent?.(name, payload) },
      connection: { get: () => c.settings.get('vision'), set: (_s, url) => c.settings.set('vision', url) },
      vault,
      library: new ModelLibrary(db, o.dataDir),
      runs: new RunStore(db),
      client: o.client,
      liveBackoff: o.liveBackoff,
      followOnSignIn: false,
    });
    return {
      baseUrl: c.baseUrl,
      emulator: c.emulator,
      db,
      service,
      close: () => {
        service.close();
        db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
