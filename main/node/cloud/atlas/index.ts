/**
 * The Atlas domain wired from the core's parts: one HTTP client per base URL, the account session over the
 * vault, the 3D job service, and the inputs of its IPC handler group. core.ts calls `createAtlas` once.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { AppError } from '../../../common/app-error';
import { say } from '../../../common/messages';
import type { CloudConnection, CloudOutboxEntry, CloudReachability, CloudService } from '../../../common/contract';
import type { EventBus } from '../../event-bus';
import type { JobRunner } from '../../jobs/job-runner';
import type { MediaService } from '../../media/media-service';
import type { PreflightService } from '../../media/preflight-service';
import type { Db } from '../../store/database';
import { HttpClient, type HttpClientOptions } from '../http-client';
import { AtlasService, type AtlasOutbox } from './atlas-service';
import { AtlasAuthApi } from './auth-api';
import type { AtlasHandlerDeps } from './handlers';
import { AtlasSession, type SessionVault } from './session';

export { atlasHandlers } from './handlers';

/** The session's vault scope: one per data folder and Atlas address (the studio and the CLI share it). */
export function sessionScope(dataDir: string, baseUrl: string | null): string {
  return createHash('sha256').update(`${path.resolve(dataDir)}\n${baseUrl ?? ''}`).digest('hex').slice(0, 16);
}

/**
 * A vault opened on first use: createCore is synchronous and the keychain probe is not. The backend reads
 * `pending` until the first secret call.
 */
export function lazyVault(open: () => Promise<SessionVault>): SessionVault {
  let opened: SessionVault | null = null;
  let opening: Promise<SessionVault> | null = null;
  const vault = async () => {
    if (opened) return opened;
    opening ??= open().then((v) => (opened = v));
    return opening;
  };
  return {
    get backend() {
      return opened?.backend ?? 'pending';
    },
    get: async (name) => (await vault()).get(name),
    set: async (name, value) => (await vault()).set(name, value),
    delete: async (name) => (await vault()).delete(name),
  };
}

/** Connection settings as Atlas needs them (main/node/cloud/connection.ts provides them). */
export interface AtlasConnection {
  get(service: CloudService): CloudConnection;
  set(service: CloudService, baseUrl: string | null): CloudConnection;
  check(service: CloudService): Promise<CloudReachability>;
}

export interface AtlasDeps {
  db: Db;
  dataDir: string;
  bus: EventBus;
  jobs: JobRunner;
  media: MediaService;
  preflight: PreflightService;
  vault: SessionVault;
  connection: AtlasConnection;
  outbox?: AtlasOutbox & { list(): Promise<CloudOutboxEntry[]> | CloudOutboxEntry[] };
  /** Test knobs for the HTTP client (fast back-off) and the job (poll waits). */
  client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
  pollMs?: { first: number; max: number };
  queuedCheckMs?: number;
}

export interface Atlas {
  session: AtlasSession;
  vault: SessionVault;
  service: AtlasService;
  /** An HTTP client for the current address (INVALID_INPUT when none is set). */
  client(): HttpClient;
  handlerDeps: AtlasHandlerDeps;
  /** After the runner recovered interrupted jobs: follow every unfinished job again. */
  start(): void;
  close(): void;
}

export function createAtlas(d: AtlasDeps): Atlas {
  const clients = new Map<string, HttpClient>();
  const client = (): HttpClient => {
    const { baseUrl } = d.connection.get('atlas');
    if (!baseUrl) throw new AppError('INVALID_INPUT', say('atlas.no_address', {}), { service: 'atlas' });
    let c = clients.get(baseUrl);
    if (!c) {
      c = new HttpClient({ ...d.client, service: 'atlas', baseUrl });
      clients.set(baseUrl, c);
    }
    return c;
  };
  const session = new AtlasSession({
    vault: d.vault,
    api: () => new AtlasAuthApi(client()),
    onChange: (a) => d.bus.emit('cloud.accountChanged', a),
    scope: () => sessionScope(d.dataDir, d.connection.get('atlas').baseUrl),
  });
  const service = new AtlasService({
    db: d.db,
    dataDir: d.dataDir,
    jobs: d.jobs,
    bus: d.bus,
    media: d.media,
    preflight: d.preflight,
    session,
    client,
    reachable: async () => (await d.connection.check('atlas')).reachable,
    outbox: d.outbox,
    pollMs: d.pollMs,
    queuedCheckMs: d.queuedCheckMs,
  });
  return {
    session,
    vault: d.vault,
    service,
    client,
    handlerDeps: {
      atlas: service,
      session,
      connection: d.connection,
      outbox: async () => ((await d.outbox?.list()) ?? []).filter((e) => e.service === 'atlas'),
      onSignedIn: () => service.reattach({ afterSignIn: true }),
    },
    start: () => void service.reattach(),
    close: () => service.close(),
  };
}
