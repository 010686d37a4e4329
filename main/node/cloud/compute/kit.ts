/**
 * The compute client as the CLI uses it: the data folder's library (so sessions started from `kraken gpu` are
 * remembered by the studio too), its saved address (or `--api`, or KRAKEN_COMPUTE_URL), the same ComputeService.
 * No background work: the CLI follows a creation only when asked (`--wait`).
 */
import path from 'node:path';
import { openDatabase, type Db } from '../../store/database';
import type { HttpClientOptions } from '../http-client';
import { requireServiceAddress } from '../service-address';
import { ComputeService } from './compute-service';

export interface ComputeKit {
  baseUrl: string;
  emulator: boolean;
  service: ComputeService;
  close(): void;
}

export interface ComputeKitOptions {
  dataDir: string;
  /** `--api`: wins over the setting and the environment, never saved. */
  api?: string;
  env?: NodeJS.ProcessEnv;
  client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
  pollMs?: { first: number; max: number };
}

export function openComputeKit(o: ComputeKitOptions): ComputeKit {
  const db: Db = openDatabase(path.join(o.dataDir, 'studio.db'));
  try {
    const c = requireServiceAddress(db, 'compute', { api: o.api, env: o.env, label: 'compute service', page: 'the GPU sessions page' });
    const service = new ComputeService({ db, bus: { emit: () => undefined }, connection: c.settings, client: o.client, pollMs: o.pollMs });
    return {
      baseUrl: c.baseUrl,
      emulator: c.emulator,
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
