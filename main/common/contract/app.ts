import { z } from 'zod';
import { channel, Empty } from './define';

export const ToolInfo = z.object({
  path: z.string(),
  version: z.string(),
  /** Where it was found: user setting, environment variable, npm package or PATH. */
  source: z.enum(['setting', 'env', 'bundled', 'path']),
});
export type ToolInfo = z.infer<typeof ToolInfo>;

export const AppInfo = z.object({
  version: z.string(),
  shell: z.enum(['electron', 'browser', 'cli']),
  platform: z.string(),
  dataDir: z.string(),
  locale: z.string(),
  /** Native file dialogs exist only in the Electron shell; the browser host uploads instead. */
  nativeDialogs: z.boolean(),
  ffmpeg: ToolInfo.nullable(),
  ffprobe: ToolInfo.nullable(),
  /** Why ffmpeg is missing, when it is. */
  ffmpegProblem: z.string().nullable(),
  /** Configured tools that were refused (not ffmpeg, a script…), also when others were found instead. */
  toolNotes: z.array(z.string()),
  samplePath: z.string().nullable(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/**
 * What the page may change. No executable paths: a page that could name a program for the studio to run could run
 * anything. Tools are chosen with the desktop app's native file picker (`settings.chooseTool`), `kraken config set
 * ffmpeg-path <file>` or KRAKEN_FFMPEG / KRAKEN_FFPROBE, and checked to be ffmpeg before they run.
 */
export const Settings = z.object({
  locale: z.enum(['en', 'ko']),
});
export type Settings = z.infer<typeof Settings>;

/** Events of the app itself. */
export const appEvents = {
  /** The user settings after a change (the tray follows the language with it). */
  'settings.changed': Settings,
} as const;

export const ToolName = z.enum(['ffmpeg', 'ffprobe']);
export type ToolName = z.infer<typeof ToolName>;

export const appChannels = {
  'app.info': channel('Versions, shell, data folder and the ffmpeg in use.', Empty, AppInfo),
  'settings.get': channel('Read the user settings.', Empty, Settings),
  'settings.update': channel('Change some user settings; returns all of them.', Settings.partial().strict(), Settings),
  'settings.chooseTool': channel(
    'Pick the ffmpeg or ffprobe program in the native file dialog (Electron only); it is checked to be that tool before it is kept.',
    z.object({ tool: ToolName }).strict(),
    z.object({ chosen: z.boolean(), tool: ToolInfo.nullable() }),
  ),
  'settings.resetTools': channel('Forget chosen tool paths: find ffmpeg and ffprobe automatically again.', Empty, z.object({ cleared: z.boolean() })),
  'dialog.openMedia': channel(
    'Native file dialog for videos and images (Electron only).',
    z.object({ multiple: z.boolean().default(true) }).strict(),
    z.object({ paths: z.array(z.string()) }),
  ),
  'shell.openExternal': channel(
    'Open an allow-listed https link in the system browser.',
    z.object({ url: z.url() }).strict(),
    z.object({ opened: z.boolean() }),
  ),
};
