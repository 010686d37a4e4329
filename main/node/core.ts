/**
 * The studio's core: plain Node services wired together, and the handlers for every IPC channel.
 * Shells (Electron main, CLI, browser host) create one core and pass its handlers to the dispatcher.
 */
import path from 'node:path';
import { AppError } from '../common/app-error';
import type { AppInfo } from '../common/contract';
import { defaultDataDir } from './app-paths';
import { EventBus } from './event-bus';
import type { Handlers, HandlerGroup } from './ipc/dispatch';
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
export type ShellChannel = 'dialog.openMedia' | 'shell.openExternal';

export interface CoreOptions {
  dataDir?: string;
  shell: AppInfo['shell'];
  version?: string;
  shellHandlers?: Partial<HandlerGroup<ShellChannel>>;
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
  const settings = new SettingsService(db);
  const tools = new ToolBox(() => settings.get());
  const projects = new ProjectService(db, dataDir);
  const media = new MediaService(db, dataDir, tools);
  const frames = new FrameService(db, dataDir, tools, jobs, media, projects);
  const preflight = new PreflightService(dataDir, tools, jobs, media);
  const inference = new InferenceService(db, dataDir, jobs);
  jobs.recoverInterrupted();

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
      samplePath: samplePath(),
    };
  };

  const unsupported = (what: string) => () => {
    throw new AppError('UNSUPPORTED', `${what} is only available in the desktop app`);
  };

  const handlers: Handlers = {
    'app.info': () => info(),
    'settings.get': () => settings.get(),
    'settings.update': (req) => {
      const next = settings.update(req);
      if (req.ffmpegPath !== undefined || req.ffprobePath !== undefined) tools.invalidate();
      return next;
    },
    'dialog.openMedia': options.shellHandlers?.['dialog.openMedia'] ?? unsupported('The native file dialog'),
    'shell.openExternal': options.shellHandlers?.['shell.openExternal'] ?? unsupported('Opening external links'),
    'projects.list': () => projects.list(),
    'projects.get': (req) => projects.get(req.id),
    'projects.create': (req) => projects.create(req),
    'projects.update': (req) => projects.update(req),
    'projects.delete': async (req) => {
      await frames.cancelProjectJobs(req.id);
      await inference.cancelProjectJobs(req.id);
      return { deleted: projects.delete(req.id) };
    },
    'media.import': (req) => media.importPaths(req.projectId, req.paths),
    'media.importSample': (req) => media.importSample(req.projectId),
    'media.list': (req) => media.list(req.projectId),
    'media.remove': (req) => ({ removed: media.remove(req.id) }),
    'frames.extract': (req) => frames.startExtraction(req.projectId, req.mediaId, req.params),
    'frames.listSets': (req) => frames.listSets(req.projectId),
    'frames.listImages': (req) => frames.listImages(req),
    'frames.deleteSet': async (req) => ({ deleted: await frames.deleteSet(req.id) }),
    'frames.deleteImages': (req) => frames.deleteImages(req.frameSetId, req.imageIds),
    'frames.keepImages': (req) => frames.keepImages(req.frameSetId, req.imageIds),
    'frames.export': (req) => frames.startExport(req.frameSetId, { format: req.format, dest: req.format === 'zip' ? req.destFile : req.destDir }),
    'frames.contactSheet': (req) => frames.contactSheet(req.frameSetId, req),
    'media.preflight': (req) => preflight.preflight(req),
    'media.fix': (req) => preflight.startFix(req),
    'jobs.list': (req) => jobs.list(req),
    'jobs.get': (req) => jobs.get(req.id),
    'jobs.cancel': (req) => jobs.cancel(req.id),
    'jobs.resume': (req) => jobs.resume(req.id),
    'models.list': () => inference.listModels(),
    'models.get': (req) => inference.getModel(req.id),
    'models.import': (req) => inference.importModel(req),
    'models.remove': (req) => ({ removed: inference.removeModel(req.id) }),
    'models.catalogue': () => inference.catalogue(),
    'models.download': (req) => inference.startDownload(req.id),
    'models.providers': (req) => inference.providers(req.refresh),
    'models.preferences': () => inference.prefs(),
    'models.setPreferences': (req) => inference.setPrefs(req),
    'models.installCuda': () => inference.startCudaInstall(),
    'inference.run': (req) => inference.startRun(req),
    'inference.plan': (req) => inference.planRun(req),
    'inference.runs': (req) => inference.listRuns(req.projectId),
    'inference.results': (req) => inference.results(req),
    'inference.summary': (req) => inference.summary(req.runId),
    'inference.export': (req) => inference.exportRun(req.runId, req.format),
    'inference.deleteRun': async (req) => ({ deleted: await inference.deleteRun(req.runId) }),
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
    handlers,
    info,
    async close() {
      await jobs.shutdown();
      db.close();
    },
  };
}
