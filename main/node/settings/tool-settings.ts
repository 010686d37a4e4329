/**
 * Choosing ffmpeg/ffprobe, for the shells that may: the Electron file picker and `kraken config`. The page itself
 * never names a program (main/common/contract/app.ts). A file is kept only when checkToolBinary says it is the tool.
 */
import path from 'node:path';
import { AppError } from '../../common/app-error';
import type { ToolInfo, ToolName } from '../../common/contract';
import { checkToolBinary } from '../media/ffmpeg-locator';
import type { ToolBox } from '../media/tool-box';
import type { SettingsService } from './settings-service';

/** Checks `file` is `tool`, keeps it and re-locates the tools; INVALID_INPUT (nothing kept) when it is not. */
export async function configureTool(settings: SettingsService, tools: ToolBox, tool: ToolName, file: string): Promise<ToolInfo> {
  const abs = path.resolve(file);
  const check = await checkToolBinary(abs, tool);
  if (!check.ok) throw new AppError('INVALID_INPUT', `Not used: ${check.reason}.`, { tool });
  settings.setToolPath(tool, abs);
  tools.invalidate();
  return { path: abs, version: check.version, source: 'setting' };
}

/** Forgets both configured paths; true when there was one. */
export function resetTools(settings: SettingsService, tools: ToolBox): boolean {
  const before = settings.toolPaths();
  settings.setToolPath('ffmpeg', null);
  settings.setToolPath('ffprobe', null);
  tools.invalidate();
  return Boolean(before.ffmpegPath || before.ffprobePath);
}
