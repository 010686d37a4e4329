/**
 * The vision domain (the vision training platform, seed 001) wired from the core's parts. core.ts calls
 * `createVision` once (before the job runner recovers interrupted jobs, so its job kinds are known), then `start()`
 * to follow again every workflow a previous run left unfinished.
 */
import type { EventBus } from '../../event-bus';
import type { JobRunner } from '../../jobs/job-runner';
import type { Db } from '../../store/database';
import type { SessionVault } from '../atlas/session';
import type { HttpClientOptions } from '../http-client';
import { VisionService, type VisionConnectionLike, type VisionModelLibrary, type VisionRunStore } from './vision-service';

export { visionHandlers } from './handlers';
export { VisionService, workflowState, cloudModelId, imageDataUrl } from './vision-service';
export { VisionSession, visionScope } from './session';
export { RateGate, createVisionClient, visionHttpError } from './vision-http';

export interface VisionDeps {
  db: Db;
  dataDir: string;
  bus: EventBus;
  jobs: JobRunner;
  vault: SessionVault;
  connection: VisionConnectionLike;
  library: VisionModelLibrary;
  runs: VisionRunStore;
  client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
  liveBackoff?: { first: number; max: number };
  pollMs?: { first: number; max: number };
}

export interface Vision {
  service: VisionService;
  start(): void;
  close(): void;
}

export function createVision(d: VisionDeps): Vision {
  const service = new VisionService(d);
  return { service, start: () => void service.start().catch(() => undefined), close: () => service.close() };
}
