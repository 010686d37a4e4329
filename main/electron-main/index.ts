/**
 * The Electron shell: one instance, one core, one hardened window on `kraken://app`. Everything the app does
 * lives in the core (main/node); this file wires it to the OS — protocol, IPC, dialogs, menu, opened files,
 * window state, quitting cleanly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, protocol, safeStorage, screen, session, shell } from 'electron';
import { AppError } from '../common/app-error';
import { APP_NAME } from '../node/app-paths';
import { createCore, type Core } from '../node/core';
import { configureTool } from '../node/settings/tool-settings';
import { restoreLatestBackup } from '../node/store/backups';
import { LATEST_VERSION } from '../node/store/migrations';
import { buildMenuTemplate } from './app-menu';
import { registerIpc, type IpcRegistration } from './ipc';
import { filesFromArgv, IMAGE_EXTENSIONS, importOpenedFiles, VIDEO_EXTENSIONS } from './open-files';
import { handleKrakenProtocol, registerKrakenScheme } from './protocol';
import { PRELOAD_BUNDLE_MARKER } from './preload-marker';
import { SecretStore } from './secret-store';
import { powerMonitor, nativeImage, Tray } from 'electron';
import { ShellSignals } from '../node/contributor/sources/shell-signals';
import { wireContributorTray, wirePowerMonitor } from './contributor-shell';
import { hardenApp, hardenSession, isAllowedComputeUrl, isAllowedExternalUrl, openExternalSafely, secureWebPreferences, START_URL } from './security';
import { clampWindowState, loadWindowState, MIN_SIZE, trackWindowState } from './window-state';

// --- Before ready: name, folders, scheme, sandbox -------------------------------------------------------------

// userData is derived from the name; set it first so every path below agrees with app-paths.ts.
app.setName(APP_NAME);
// Tests and portable setups point the whole app at another data folder.
if (process.env.KRAKEN_DATA_DIR) app.setPath('userData', path.resolve(process.env.KRAKEN_DATA_DIR));
// Chromium's own profile (cookies, caches, localStorage) goes to a hidden subfolder: kraken://files serves the
// data folder and refuses hidden entries, so the page can never read the browser profile through it.
app.setPath('sessionData', path.join(app.getPath('userData'), '.session'));

registerKrakenScheme(protocol);
hardenApp(app, shell);

// A second launch (double-clicked file, `kraken-studio clip.mp4`) hands its arguments to us and exits.
const isPrimary = app.requestSingleInstanceLock();

let core: Core | null = null;
let ipc: IpcRegistration | null = null;
let mainWindow: BrowserWindow | null = null;
let windowReady = false;
let preload = '';
// Kept referenced: a collected Tray disappears from the menu bar.
let contributorTray: Tray | null = null;
/** Files the OS handed over before the window could take them. */
const pendingFiles: string[] = [];
/** Secrets for later features (account tokens, wallet keys): encrypted by the OS keychain, see secret-store.ts. */
export let secrets: SecretStore | null = null;

if (!isPrimary) {
  app.quit();
} else {
  pendingFiles.push(...filesFromArgv(process.argv.slice(1), process.cwd()));

  app.on('second-instance', (_event, argv, workingDirectory) => {
    focusMainWindow();
    queueFiles(filesFromArgv(argv.slice(1), workingDirectory));
  });

  // macOS delivers double-clicked files this way, possibly before `ready`.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    queueFiles([file]);
  });

  // kraken:// links from a browser (registered in electron-builder.yml) bring the app forward. They are never
  // loaded: no deep-link action exists yet, and a link must not be able to steer the app.
  app.on('open-url', (event) => {
    event.preventDefault();
    if (core) focusMainWindow();
  });

  app.on('window-all-closed', () => {
    // On macOS an app stays active without windows until the user quits it.
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (core && BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow();
  });

  installQuitHandling();

  app
    .whenReady()
    .then(start)
    .catch(async (err: unknown) => {
      let failure = err;
      // A damaged library: offer the newest backup that passes its check, then start on it; or quit.
      if (err instanceof AppError && err.code === 'DATABASE_DAMAGED') {
        if (!(await offerLibraryRestore(err))) return app.exit(1);
        try {
          return start();
        } catch (again) {
          failure = again;
        }
      }
      const message = failure instanceof Error ? failure.message : String(failure);
      dialog.showErrorBox(`${APP_NAME} could not start`, message);
      app.exit(1);
    });
}

// --- Ready ----------------------------------------------------------------------------------------------------

function start(): void {
  // Fail before opening anything when the preload is not the bundled one.
  preload = preloadPath();
  hardenSession(session.defaultSession);
  const dataDir = app.getPath('userData');
  // Cloud tokens (and later wallet keys) rest only in this safeStorage-encrypted store in the desktop app.
  secrets = new SecretStore(path.join(dataDir, '.secrets.json'), safeStorage);
  const contributorSignals = new ShellSignals();
  core = createCore({
    contributor: { shellSignals: contributorSignals },
    dataDir,
    shell: 'electron',
    version: app.getVersion(),
    cloud: { secretStore: secrets },
    shellHandlers: {
      'dialog.openMedia': async (req) => ({ paths: await chooseMediaFiles(req.multiple) }),
      // The only way the page gets a program run: the user picks it in the OS dialog, and it is checked to be that tool.
      'settings.chooseTool': async (req) => {
        const file = await chooseToolFile(req.tool);
        if (!file || !core) return { chosen: false, tool: null };
        return { chosen: true, tool: await configureTool(core.settings, core.tools, req.tool, file) };
      },
      'shell.openExternal': async (req) => {
        // The fixed list, and the compute service the creator configured (a GPU session's Jupyter page).
        const allowed = (url: string) => isAllowedExternalUrl(url) || isAllowedComputeUrl(url, core?.connection.get('compute').baseUrl);
        if (!allowed(req.url)) throw new AppError('FORBIDDEN', 'Only https links to the Kraken website, its docs and GitHub, and pages of the configured compute service, are opened.');
        return { opened: await openExternalSafely(shell, req.url, allowed) };
      },
    },
  });
  handleKrakenProtocol(protocol, { rendererDir: path.join(app.getAppPath(), 'dist', 'renderer'), dataDir });
  ipc = registerIpc(core, { ipcMain, windows: () => BrowserWindow.getAllWindows(), log: (m) => console.error(m) });
  notifyFinishedCloudJobs(core);
  notifyEndingComputeSessions(core);
  notifyFinishedTrainings(core);
  // Donating idle time: powerMonitor feeds the policy (idle, battery, suspend, lock); the tray keeps "Pause now" one click away.
  wirePowerMonitor(powerMonitor, contributorSignals);
  contributorTray = new Tray(nativeImage.createFromPath(path.join(app.getAppPath(), 'build', 'icon.png')).resize({ width: 16, height: 16 }));
  const c = core;
  wireContributorTray(contributorTray, (items) => Menu.buildFromTemplate(items), c.contributor, (l) => c.bus.on('contributor.state', l), () => navigate('contribute'), {
    locale: () => c.settings.get().locale,
    onChange: (l) => c.bus.on('settings.changed', () => l()),
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate(
        { appName: APP_NAME, platform: process.platform, isDev: !app.isPackaged },
        {
          navigate: (page) => navigate(page),
          importMedia: () => void chooseMediaFiles(true).then(queueFiles),
          openLink: (url) => void openExternalSafely(shell, url),
        },
      ),
    ),
  );
  mainWindow = createMainWindow();
}

/** The damaged-library dialog (before any window): restore the newest good backup, keeping the damaged file, or quit. */
async function offerLibraryRestore(err: AppError): Promise<boolean> {
  const file = typeof err.details?.file === 'string' ? err.details.file : path.join(app.getPath('userData'), 'studio.db');
  const latest = typeof err.details?.latestBackup === 'string' ? err.details.latestBackup : null;
  const buttons = latest ? ['Restore the latest backup', 'Quit'] : ['Quit'];
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: APP_NAME,
    message: 'The library database is damaged',
    detail: latest ? `${err.message}\n\nRestore puts the newest backup that passes its check (${latest} or older) in its place; the damaged file is kept in the backups folder.` : err.message,
    buttons,
    defaultId: 0,
    cancelId: buttons.length - 1,
    noLink: true,
  });
  if (!latest || response !== 0) return false;
  try {
    restoreLatestBackup(file, { latest: LATEST_VERSION });
    return true;
  } catch (e) {
    dialog.showErrorBox(`${APP_NAME}: the backup could not be restored`, AppError.from(e).message);
    return false;
  }
}

function preloadPath(): string {
  const file = path.join(app.getAppPath(), 'dist', 'preload', 'index.js');
  // tsc also emits dist/preload/index.js (unbundled, it requires local files): a sandboxed preload cannot load
  // that one, and the page would silently have no API. Say so instead.
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // handled below
  }
  if (!text.includes(PRELOAD_BUNDLE_MARKER)) {
    throw new Error(`${file} is missing or not the bundled preload. Run \`node scripts/bundle-preload.mjs\` (part of \`npm run build\`).`);
  }
  return file;
}

function createMainWindow(): BrowserWindow {
  const stateFile = path.join(app.getPath('userData'), '.window-state.json');
  const primary = screen.getPrimaryDisplay();
  const areas = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
  const state = clampWindowState(loadWindowState(stateFile), areas);
  const win = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: Math.min(MIN_SIZE.width, state.width),
    minHeight: Math.min(MIN_SIZE.height, state.height),
    title: APP_NAME,
    // The renderer's --bg, so the window does not flash white before the first paint.
    backgroundColor: '#0d0f14',
    show: false,
    webPreferences: secureWebPreferences(preload),
  });
  if (state.maximized) win.maximize();
  trackWindowState(win, stateFile);
  windowReady = false;
  win.once('ready-to-show', () => win.show());
  win.webContents.on('did-finish-load', () => {
    windowReady = true;
    void flushPendingFiles();
  });
  let lastReload = 0;
  win.webContents.on('render-process-gone', (_event, details) => {
    console.error(`[window] renderer gone: ${details.reason} (exit ${details.exitCode})`);
    windowReady = false;
    // A crashed renderer leaves a blank window; the core (and its jobs) are untouched, so load it again —
    // but not in a loop if it crashes while loading.
    if (details.reason === 'clean-exit' || win.isDestroyed() || Date.now() - lastReload < 10_000) return;
    lastReload = Date.now();
    void win.loadURL(START_URL);
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(START_URL);
  return win;
}

function focusMainWindow(): void {
  const win = mainWindow;
  if (!win || win.isDestroyed()) {
    if (core) mainWindow = createMainWindow();
    return;
  }
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

/** Page navigation from the menu: the renderer keeps the page in the hash (`#/media`). */
function navigate(page: string): void {
  const win = mainWindow;
  if (!win || win.isDestroyed() || !/^[a-z0-9-]+$/.test(page)) return;
  void win.webContents.executeJavaScript(`location.hash = ${JSON.stringify(`#/${page}`)}`).catch(() => undefined);
}

// --- Dialogs and opened files -----------------------------------------------------------------------------------

async function chooseMediaFiles(multiple: boolean): Promise<string[]> {
  const strip = (exts: readonly string[]) => exts.map((e) => e.slice(1));
  const options: Electron.OpenDialogOptions = {
    title: 'Import media',
    properties: multiple ? ['openFile', 'multiSelections'] : ['openFile'],
    filters: [
      { name: 'Videos and images', extensions: [...strip(VIDEO_EXTENSIONS), ...strip(IMAGE_EXTENSIONS)] },
      { name: 'Videos', extensions: strip(VIDEO_EXTENSIONS) },
      { name: 'Images', extensions: strip(IMAGE_EXTENSIONS) },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const win = mainWindow && !mainWindow.isDestroyed() ? mainWindow : null;
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return result.canceled ? [] : result.filePaths;
}

async function chooseToolFile(tool: 'ffmpeg' | 'ffprobe'): Promise<string | null> {
  const options: Electron.OpenDialogOptions = {
    title: `Choose ${tool}`,
    properties: ['openFile', 'dontAddToRecent'],
    filters: process.platform === 'win32' ? [{ name: tool, extensions: ['exe'] }] : [],
  };
  const win = mainWindow && !mainWindow.isDestroyed() ? mainWindow : null;
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

function queueFiles(files: string[]): void {
  if (files.length === 0) return;
  pendingFiles.push(...files);
  void flushPendingFiles();
}

let flushing = false;
async function flushPendingFiles(): Promise<void> {
  const win = mainWindow;
  if (flushing || !core || !win || win.isDestroyed() || !windowReady || pendingFiles.length === 0) return;
  flushing = true;
  try {
    while (pendingFiles.length > 0) {
      const files = pendingFiles.splice(0);
      const result = await importOpenedFiles(core, files, await currentProjectOf(win));
      if (result.projectId !== null && result.imported > 0) await showProjectMedia(win, result.projectId);
      const problems = [
        ...result.failed.map((f) => `${path.basename(f.path)}: ${f.message}`),
        ...result.deferred.map((f) => `${path.basename(f)}: opening 3D files from the system is not available yet; open it in the Viewer.`),
      ];
      if (problems.length > 0) void dialog.showMessageBox(win, { type: 'warning', message: 'Some files were not imported', detail: problems.join('\n') });
    }
  } catch (err) {
    dialog.showErrorBox('Import failed', AppError.from(err).message);
  } finally {
    flushing = false;
  }
}

/** The project the window has open (the renderer keeps it in localStorage under `kraken.currentProject`). */
async function currentProjectOf(win: BrowserWindow): Promise<number | null> {
  try {
    const v = Number(await win.webContents.executeJavaScript(`localStorage.getItem('kraken.currentProject')`));
    return Number.isInteger(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

/**
 * The contract has no "files were opened" event yet, so the renderer learns of the import by being reloaded
 * on that project's media page (its state is all in the core and localStorage, so nothing is lost).
 */
async function showProjectMedia(win: BrowserWindow, projectId: number): Promise<void> {
  const script = `localStorage.setItem('kraken.currentProject', ${JSON.stringify(String(projectId))}); location.hash = '#/media'; location.reload();`;
  await win.webContents.executeJavaScript(script).catch(() => undefined);
  focusMainWindow();
}

// --- Cloud jobs ----------------------------------------------------------------------------------------------

/**
 * An OS notification when a cloud job finishes (the page shows a toast too), once per final state it reaches;
 * a click brings the window back on the Cloud page.
 */
function notifyFinishedCloudJobs(c: Core): void {
  const last = new Map<string, string>();
  c.bus.on('cloud.jobUpdated', (job) => {
    const prev = last.get(job.id);
    last.set(job.id, job.state);
    if ((job.state !== 'done' && job.state !== 'failed') || prev === job.state || !Notification.isSupported()) return;
    const name = job.fields.itemName || job.requestId || job.id;
    const n = new Notification({
      title: job.state === 'done' ? `${name} is ready` : `${name} failed in the cloud`,
      body: job.state === 'done' ? 'Open it from the Cloud page.' : (job.error?.message ?? job.note ?? 'The cloud could not make this item.'),
    });
    n.on('click', () => {
      focusMainWindow();
      navigate('cloud');
    });
    n.show();
  });
}

/** An OS notification when a GPU session is about to end (the core warns once per session and end time, 10 minutes before). */
function notifyEndingComputeSessions(c: Core): void {
  c.bus.on('compute.sessionEnding', ({ session, minutesLeft }) => {
    if (!Notification.isSupported()) return;
    const minutes = Math.max(0, Math.ceil(minutesLeft));
    const n = new Notification({
      title: `${session.clusterId.toUpperCase()} session ends in ${minutes} min`,
      body: `Container ${session.containerId} stops when its time runs out. Extend it from the Cloud page's GPU sessions tab.`,
    });
    n.on('click', () => {
      focusMainWindow();
      navigate('cloud');
    });
    n.show();
  });
}

/**
 * An OS notification when a cloud training ends (the Training page shows a toast too); the core emits
 * `vision.workflowFinished` once per final state. A click brings the window back on the Training page.
 */
function notifyFinishedTrainings(c: Core): void {
  c.bus.on('vision.workflowFinished', ({ workflow, outcome }) => {
    if (!Notification.isSupported()) return;
    const title = outcome === 'completed' ? `${workflow.name} finished training` : outcome === 'failed' ? `${workflow.name} failed to train` : `${workflow.name} was cancelled`;
    const accuracy = workflow.metrics.val_accuracy ?? workflow.metrics.accuracy;
    const body =
      outcome === 'completed'
        ? `${accuracy !== undefined ? `Accuracy ${(accuracy * 100).toFixed(1)} %. ` : ''}Bring the model home from the Training page.`
        : (workflow.error ?? 'Open the Training page for its logs.');
    const n = new Notification({ title, body });
    n.on('click', () => {
      focusMainWindow();
      navigate('training');
    });
    n.show();
  });
}

// --- Quitting ---------------------------------------------------------------------------------------------------

function installQuitHandling(): void {
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed || !core) return;
    // Running jobs are cancelled and marked, and SQLite is closed, before the process exits.
    event.preventDefault();
    const c = core;
    core = null;
    ipc?.dispose();
    ipc = null;
    const force = setTimeout(() => app.exit(0), 10_000);
    void c
      .close()
      .catch((err: unknown) => console.error('[quit] closing the core failed:', err))
      .finally(() => {
        clearTimeout(force);
        closed = true;
        app.quit();
      });
  });
  // Ctrl+C in the terminal (npm start) or a service manager's TERM: quit the same clean way.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}
