/**
 * The address a command-line tool uses for a cloud service: `--api` (never saved), else the data folder's saved
 * setting, else the environment (`KRAKEN_<SERVICE>_URL`), else the local emulator's — the studio's own order
 * (ConnectionSettings). Shared by `kraken cloud` (Atlas) and `kraken gpu` (compute).
 */
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import type { Db } from '../store/database';
import { ConnectionSettings, envName, type ServiceConnection } from './connection';
import { serviceParams, type CloudServiceName } from './errors';

export interface ServiceAddressOptions {
  /** `--api`: wins over the setting and the environment, never saved. */
  api?: string;
  env?: NodeJS.ProcessEnv;
  /** How the service is named in the refusal ("Atlas", "compute service"). */
  label: string;
  /** Where the studio saves it ("the Cloud page"). */
  page: keyof typeof NO_ADDRESS;
}

/** The refusal for each page the studio saves an address on (a code of main/common/messages.ts). */
const NO_ADDRESS = {
  'the Cloud page': 'cloud.no_address_cloud_page',
  'the Training page': 'cloud.no_address_training_page',
  'the GPU sessions page': 'cloud.no_address_gpu_page',
} as const;

/**
 * The service's connection with a base URL, or INVALID_INPUT saying the three ways to give one; `settings` is the
 * ConnectionSettings carrying the `--api` override, for a service that reads its address itself.
 */
export function requireServiceAddress<S extends CloudServiceName>(
  db: Db,
  service: S,
  o: ServiceAddressOptions,
): ServiceConnection<S> & { baseUrl: string; settings: ConnectionSettings } {
  const connection = new ConnectionSettings({ db, env: o.env ?? process.env, overrides: o.api ? { [service]: o.api } : {} });
  const c = connection.get(service);
  if (!c.baseUrl) throw new AppError('INVALID_INPUT', say(NO_ADDRESS[o.page], { ...serviceParams(service), name: o.label, env: envName(service) }), { service });
  return { ...c, baseUrl: c.baseUrl, settings: connection };
}
