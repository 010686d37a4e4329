/**
 * The compute domain (GPU sessions, seed 003) wired from the core's parts. core.ts calls `createCompute` once,
 * then `start()` to pick up the sessions a previous run left (sessions survive the studio).
 */
import type { EventBus } from '../../event-bus';
import type { Db } from '../../store/database';
import type { ConnectionSettings } from '../connection';
import type { HttpClientOptions } from '../http-client';
import { ComputeService } from './compute-service';
import type { ComputeHandlerDeps } from './handlers';

export { computeHandlers } from './handlers';
export { ComputeApi, ComputeOperatorApi, checkUserId } from './compute-api';
export { ComputeService, COMPUTE_USER_SETTING, WARN_MINUTES } from './compute-service';

export interface ComputeDeps {
  db: Db;
  bus: EventBus;
  connection: ConnectionSettings;
  client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
  /** Test knobs: getContainerStatus back-off, the watch loop, how often the list is read again (ms). */
  pollMs?: { first: number; max: number };
  watchMs?: number;
  refreshMs?: number;
}

export interface Compute {
  service: ComputeService;
  handlerDeps: ComputeHandlerDeps;
  start(): void;
  close(): void;
}

export function createCompute(d: ComputeDeps): Compute {
  const service = new ComputeService({ db: d.db, bus: d.bus, connection: d.connection, client: d.client, pollMs: d.pollMs, watchMs: d.watchMs, refreshMs: d.refreshMs });
  return { service, handlerDeps: service, start: () => service.start(), close: () => service.close() };
}
