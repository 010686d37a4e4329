/** IPC handlers of the settings domain (settings.chooseTool is a shell channel: see core.ts). */
import type { ChannelsOf, HandlerGroup } from '../ipc/dispatch';
import type { ToolBox } from '../media/tool-box';
import type { SettingsService } from './settings-service';
import { resetTools } from './tool-settings';

export function settingsHandlers(settings: SettingsService, tools: ToolBox): HandlerGroup<Exclude<ChannelsOf<'settings'>, 'settings.chooseTool'>> {
  return {
    'settings.get': () => settings.get(),
    'settings.update': (req) => settings.update(req),
    'settings.resetTools': () => ({ cleared: resetTools(settings, tools) }),
  };
}
