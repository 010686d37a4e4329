/**
 * The studio's core: plain Node services wired together. A wiring file only: each domain exports its
 * handler group from its own folder (`<domain>/handlers.ts`) and this file joins them. Shells (Electron
 * main, CLI, browser host) create one core and pass its handlers to the dispatcher.
 */
import path from 'node:path';
import { AppError } from '../common/app-error';
import type { AppInfo } from '../common/contract';
import { defaultDataDir } from './app-paths';
import { EventBus } from './event-bus';
import type { Handlers, HandlerGroup } from './ipc/dispatch';
import { atlasHandlers, createAtlas, lazyVault, type Atlas } from './cloud/atlas';
import { ConnectionSettings } from './cloud/connection';
import { computeHandlers, createCompute, type Compute } from './cloud/compute';
import { networkHandlers, NetworkService } from './cloud/network';
import { contributorHandlers } from './contributor/handlers';
import { ContributorService, type ContributorServiceOptions } from './contributor/service';
import { createVision, visionHandlers, type Vision } from './cloud/vision';
import { createSolana, creditFromNetwork, solanaHandlers, type Solana } from './cloud/solana';
import { DatasetService } from './datasets/dataset-service';
import { datasetHandlers } from './datasets/handlers';
import type { HttpClientOptions } from './cloud/http-client';
import { Outbox } from './cloud/outbox';
import { openVault, type SecretStoreLike } from './cloud/secrets';
import { inferenceHandlers } from './inference/handlers';
import { jobHandlers } from './jobs/handlers';
import { mediaHandlers } from './media/handlers';
import { projectHandlers } from './projects/handlers';
import { settingsHandlers } from './settings/handlers';
import { storeHandlers } from './store/handlers';
import { LibraryService } from './store/library-service';
import { JobRunner } from './jobs/job-runner';
import { FrameService } from './media/frame-service';
import { PreflightService } from './media/preflight-service';
import { InferenceService } from './inference/inference-service';
import { MediaService } from './media/media-service';
import { ToolBox } from './media/tool-box';
import { ProjectService } from './projects/project-service';
import { SettingsService } from './settings/settings-service';
import { openDatabase, type Db } from './store/database';
import { samplePath } from './media/sample';

/** Channels whose behaviour depends on the shell (dialogs, OS integration). */
export type ShellChannel = 'dialog.openMedia' | 'shell.openExternal' | 'settings.chooseTool';

export interface CoreOptions {
  dataDir?: string;
  /** The contributor agent: the Electron shell's powerMonitor signals, test sources and timings. */
  contributor?: Partial<Pick<ContributorServiceOptions, 'shellSignals' | 'sources' | 'agent' | 'now'>>;
  shell: AppInfo['shell'];
  version?: string;
  shellHandlers?: Partial<HandlerGroup<ShellChannel>>;
  /** Cloud: Electron's safeStorage store (else the OS keychain, else a 0600 file), test knobs, and the notice when tokens go to the file. */
  cloud?: {
    secretStore?: SecretStoreLike;
    /** false: skip the OS keychain (tests, headless rigs). */
    keychain?: false;
    onVaultFallback?: (message: string) => void;
    client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
    pollMs?: { first: number; max: number };
    queuedCheckMs?: number;
    /** How often the outbox tries again (ms); default 15 s. */
    outboxIntervalMs?: number;
    /** GPU sessions: getContainerStatus back-off, the watch loop and the list refresh (ms); tests make them short. */
    compute?: { pollMs?: { first: number; max: number }; watchMs?: number; refreshMs?: number };
    network?: { pollMs?: number };
    /** Vision training: WebSocket reconnect back-off and batch-inference polling (ms); tests make them short. */
    vision?: { liveBackoff?: { first: number; max: number }; pollMs?: { first: number; max: number } };
    /** Wallet and royalties: confirmation polling and the 404 retries (ms); tests make them short. */
    solana?: { confirmTimeoutMs?: number; pollMs?: number; notFound?: { retries?: number; firstDelayMs?: number } };
  };
}

export interface Core {
  dataDir: string;
  db: Db;
  bus: EventBus;
  jobs: JobRunner;
  tools: ToolBox;
  settings: SettingsService;
  projects: ProjectService;
  media: MediaService;
  frames: FrameService;
  preflight: PreflightService;
  inference: InferenceService;
  /** The library database itself: health, backups, restore. */
  library: LibraryService;
  /** Where each cloud service is reached (saved setting, environment, local emulator). */
  connection: ConnectionSettings;
  /** Cloud work waiting for a service to come back. */
  outbox: Outbox;
  atlas: Atlas;
  /** GPU sessions (seed 003). */
  compute: Compute;
  /** The creator's side of the Kraken network: a frame set run on other studios' idle machines, paid with credit. */
  network: NetworkService;
  /** Donating idle GPU/CPU time to the network (off until the creator opts in). */
  contributor: ContributorService;
  /** Vision training platform (seed 001): chat, datasets, workflows followed live, models brought home. */
  vision: Vision;
  /** Wallet, on-chain registry and royalties (seed 002). */
  solana: Solana;
  /** Training datasets built from the project's frames and images (labelled, split, checked, packaged). */
  datasets: DatasetService;
  handlers: Handlers;
  info(): Promise<AppInfo>;
  /** Cancels running jobs and closes the database. */
  close(): Promise<void>;
}

/** Opens the data folder and wires every service. */
export function createCore(options: CoreOptions): Core {
  const dataDir = options.dataDir ?? defaultDataDir();
  const db = openDatabase(path.join(dataDir, 'studio.db'));
  const bus = new EventBus();
  const jobs = new JobRunner(db, bus);
  const settings = new SettingsService(db, {}, (s) => bus.emit('settings.changed', s));
  // Tool paths come from the studio's store (file picker, `kraken config`), never from the page's settings.
  const tools = new ToolBox(() => settings.toolPaths());
  const projects = new ProjectService(db, dataDir);
  const media = new MediaService(db, dataDir, tools);
  const frames = new FrameService(db, dataDir, tools, jobs, media, projects);
  const preflight = new PreflightService(dataDir, tools, jobs, media);
  const inference = new InferenceService(db, dataDir, jobs);
  const datasets = new DatasetService(db, dataDir, jobs);
  const connection = new ConnectionSettings({ db });
  const outbox = new Outbox({ db, reachable: async (service) => (await connection.check(service)).reachable });
  const vault = lazyVault(() => openVault(dataDir, { electron: options.cloud?.secretStore, keychain: options.cloud?.keychain, onFallback: options.cloud?.onVaultFallback }));
  const atlas = createAtlas({
    db,
    dataDir,
    bus,
    jobs,
    media,
    preflight,
    vault,
    connection,
    outbox: {
      enqueue: (x) => outbox.enqueue({ ...x, service: x.service as 'atlas' }),
      register: (kind, sender) => outbox.register(kind, sender),
      flush: () => outbox.flush(),
      cancel: (id) => outbox.cancel(id),
      list: () => outbox.list().map((e) => ({ id: e.id, service: e.service, kind: e.kind, ref: e.ref, state: e.state, attempts: e.attempts, lastError: e.lastError, createdAt: e.createdAt })),
    },
    client: options.cloud?.client,
    pollMs: options.cloud?.pollMs,
    queuedCheckMs: options.cloud?.queuedCheckMs,
  });
  const compute = createCompute({
    db,
    bus,
    connection,
    client: options.cloud?.client,
    pollMs: options.cloud?.compute?.pollMs,
    watchMs: options.cloud?.compute?.watchMs,
    refreshMs: options.cloud?.compute?.refreshMs,
  });
  const network = new NetworkService({ db, dataDir, connection, vault, library: inference.library, runs: inference.runs, client: options.cloud?.client, pollMs: options.cloud?.network?.pollMs });
  const solana = createSolana({ db, vault, getModel: (id) => inference.library.get(id), client: options.cloud?.client, network: () => creditFromNetwork(network), ...options.cloud?.solana });
  const vision = createVision({
    db,
    dataDir,
    bus,
    jobs,
    vault: atlas.vault,
    connection,
    library: inference.library,
    runs: inference.runs,
    client: options.cloud?.client,
    liveBackoff: options.cloud?.vision?.liveBackoff,
    pollMs: options.cloud?.vision?.pollMs,
  });
  const contributor = new ContributorService({
    db,
    dataDir,
    bus,
    jobs,
    // The same vault as the network client: one node identity earns and spends.
    vault,
    defaultNetworkUrl: () => connection.get('network').baseUrl,
    ...options.contributor,
  });
  jobs.recoverInterrupted();
  atlas.start();
  contributor.start();
  compute.start();
  network.start();
  vision.start();
  outbox.start(options.cloud?.outboxIntervalMs);
  const library = new LibraryService({
    db,
    file: path.join(dataDir, 'studio.db'),
    busy: () => (jobs.list({ status: ['running', 'queued'], limit: 1 }).length > 0 ? 'jobs are running; wait for them or cancel them first.' : null),
    afterRestore: () => {
      // Jobs the backup recorded as running are not running now; tool paths may differ in the restored settings.
      jobs.recoverInterrupted();
      tools.invalidate();
    },
  });

  const info = async (): Promise<AppInfo> => {
    const located = await tools.locate();
    return {
      version: options.version ?? '0.0.0',
      shell: options.shell,
      platform: `${process.platform}-${process.arch}`,
      dataDir,
      locale: settings.get().locale,
      nativeDialogs: options.shell === 'electron',
      ffmpeg: located.tools?.ffmpeg ?? null,
      ffprobe: located.tools?.ffprobe ?? null,
      ffmpegProblem: located.problem,
      toolNotes: located.notes,
      samplePath: samplePath(),
    };
  };

  const unsupported = (what: string) => () => {
    throw new AppError('UNSUPPORTED', `${what} is only available in the desktop app`);
  };

  const handlers: Handlers = {
    'app.info': () => info(),
    'dialog.openMedia': options.shellHandlers?.['dialog.openMedia'] ?? unsupported('The native file dialog'),
    'shell.openExternal': options.shellHandlers?.['shell.openExternal'] ?? unsupported('Opening external links'),
    // Only a native file dialog may name a program; the page cannot (see settings/tool-settings.ts).
    'settings.chooseTool': options.shellHandlers?.['settings.chooseTool'] ?? unsupported('Choosing a program for the studio to run'),
    ...settingsHandlers(settings, tools),
    ...projectHandlers({
      projects,
      cancelProjectJobs: async (projectId) => {
        await frames.cancelProjectJobs(projectId);
        await inference.cancelProjectJobs(projectId);
        await atlas.service.cancelProjectJobs(projectId);
      },
    }),
    ...mediaHandlers({ media, frames, preflight }),
    ...jobHandlers(jobs),
    ...inferenceHandlers(inference),
    ...storeHandlers(library),
    ...atlasHandlers(atlas.handlerDeps),
    ...computeHandlers(compute.handlerDeps),
    ...networkHandlers(network),
    ...contributorHandlers(contributor),
    ...visionHandlers(vision.service),
    ...solanaHandlers(solana.handlerDeps),
    ...datasetHandlers(datasets),
  };

  return {
    dataDir,
    db,
    bus,
    jobs,
    tools,
    settings,
    projects,
    media,
    frames,
    preflight,
    inference,
    library,
    connection,
    outbox,
    atlas,
    compute,
    network,
    contributor,
    vision,
    datasets,
    solana,
    handlers,
    info,
    async close() {
      outbox.stop();
      await contributor.close();
      atlas.close();
      compute.close();
      await network.close();
      vision.close();
      await jobs.shutdown();
      db.close();
    },
  };
}
