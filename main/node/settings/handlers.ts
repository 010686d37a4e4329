/** IPC handlers of the settings domain. */
import type { ChannelsOf, HandlerGroup } from '../ipc/dispatch';
import type { ToolBox } from '../media/tool-box';
import type { SettingsService } from './settings-service';

export function settingsHandlers(settings: SettingsService, tools: ToolBox): HandlerGroup<ChannelsOf<'settings'>> {
  return {
    'settings.get': () => settings.get(),
    'settings.update': (req) => {
      const next = settings.update(req);
      if (req.ffmpegPath !== undefined || req.ffprobePath !== undefined) tools.invalidate();
      return next;
    },
  };
}
