/**
 * `kraken config get|set|unset` — the studio's settings that a page may not change: which ffmpeg and ffprobe
 * programs the studio runs. A path is kept only when it is that tool (a compiled program that says
 * `ffmpeg version …`; a script is refused without being run). The desktop app's Settings page picks them with
 * the native file dialog instead; KRAKEN_FFMPEG / KRAKEN_FFPROBE override both for one run.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ToolName } from '../../common/contract';
import { defaultDataDir } from '../../node/app-paths';
import { ToolBox } from '../../node/media/tool-box';
import { SettingsService } from '../../node/settings/settings-service';
import { configureTool } from '../../node/settings/tool-settings';
import { openDatabase } from '../../node/store/database';
import { UsageError, wantsHelp, type CliIo } from '../cli-io';

const USAGE = 'usage: kraken config get [--json] | set <ffmpeg-path|ffprobe-path> <file> | unset <ffmpeg-path|ffprobe-path> [--data-dir <dir>]';
const HELP = `${USAGE}

The studio's tool settings (used by the desktop app and the browser host of this data folder):
  get                        what is configured and what the studio would use
  set ffmpeg-path <file>     use this ffmpeg (checked to be ffmpeg first; a script is refused, not run)
  set ffprobe-path <file>    use this ffprobe
  unset ffmpeg-path|ffprobe-path  back to finding it automatically
  --json                     get as JSON
  --data-dir <dir>           the studio's data folder (default: KRAKEN_DATA_DIR or the app's data folder)
KRAKEN_FFMPEG / KRAKEN_FFPROBE, when set, are used instead (and checked the same way).`;

const KEYS: Record<string, ToolName> = { 'ffmpeg-path': 'ffmpeg', 'ffprobe-path': 'ffprobe' };

/** Runs `kraken config`; returns the exit code. */
export async function runConfig(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(HELP);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } },
  });
  const [action, key, file, ...extra] = positionals;
  if (extra.length > 0 || !action) throw new UsageError(USAGE);
  const tool = key === undefined ? undefined : KEYS[key];
  if (action !== 'get' && !tool) throw new UsageError(`${key === undefined ? 'a setting is needed' : `unknown setting "${key}"`}. ${USAGE}`);
  if (action === 'set' && !file) throw new UsageError(`set ${key} needs a file. ${USAGE}`);
  if ((action === 'get' && key !== undefined) || (action === 'unset' && file !== undefined) || !['get', 'set', 'unset'].includes(action)) throw new UsageError(USAGE);

  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataDir(io.env);
  const db = openDatabase(path.join(dataDir, 'studio.db'));
  try {
    const settings = new SettingsService(db);
    const tools = new ToolBox(() => settings.toolPaths(), { env: io.env });
    if (action === 'set') {
      const info = await configureTool(settings, tools, tool!, path.resolve(file!));
      io.out(`${tool} ${info.version}: ${info.path}`);
      return 0;
    }
    if (action === 'unset') {
      settings.setToolPath(tool!, null);
      io.out(`${tool}: found automatically`);
      return 0;
    }
    const configured = settings.toolPaths();
    const located = await tools.locate();
    if (values.json) {
      io.out(JSON.stringify({ ffmpegPath: configured.ffmpegPath ?? null, ffprobePath: configured.ffprobePath ?? null, ffmpeg: located.tools?.ffmpeg ?? null, ffprobe: located.tools?.ffprobe ?? null, problem: located.problem, notes: located.notes }, null, 2));
      return 0;
    }
    io.out(`ffmpeg-path   ${configured.ffmpegPath ?? '(automatic)'}`);
    io.out(`ffprobe-path  ${configured.ffprobePath ?? '(automatic)'}`);
    for (const [name, t] of [['ffmpeg', located.tools?.ffmpeg], ['ffprobe', located.tools?.ffprobe]] as const) {
      if (t) io.out(`in use: ${name} ${t.version} (${t.source}) ${t.path}`);
    }
    for (const n of located.notes) io.err(`kraken config: ${n}`);
    if (located.problem) io.err(`kraken config: ${located.problem}`);
    return 0;
  } finally {
    db.close();
  }
}
