/** User settings, stored as JSON values in the settings table. Secrets never go here. */
import { Settings, type ToolName } from '../../common/contract';
import type { ToolPaths } from '../media/tool-box';
import type { Db } from '../store/database';

const DEFAULTS: Settings = { locale: 'en' };
/** Where the configured tool paths are kept: the same keys the page could once write (still honoured, if they pass the check). */
const TOOL_KEYS: Record<ToolName, 'ffmpegPath' | 'ffprobePath'> = { ffmpeg: 'ffmpegPath', ffprobe: 'ffprobePath' };
const SETTING_KEYS = new Set(Object.keys(Settings.shape));

export class SettingsService {
  constructor(
    private readonly db: Db,
    private readonly defaults: Partial<Settings> = {},
    /** Told the settings after every change (core.ts: the `settings.changed` event). */
    private readonly onChange?: (s: Settings) => void,
  ) {}

  private stored(): Record<string, unknown> {
    const rows = this.db.prepare(`SELECT key, value_json FROM settings`).all() as { key: string; value_json: string }[];
    const stored: Record<string, unknown> = {};
    for (const r of rows) {
      try {
        stored[r.key] = JSON.parse(r.value_json);
      } catch {
        // A damaged value reads as unset.
      }
    }
    return stored;
  }

  /** All settings with defaults filled in (what the page sees: no tool paths). */
  get(): Settings {
    const merged = { ...DEFAULTS, ...this.defaults, ...this.stored() };
    const parsed = Settings.safeParse(merged);
    return parsed.success ? parsed.data : { ...DEFAULTS, ...this.defaults };
  }

  /** Saves the given page settings; returns all settings. Keys outside the page's contract are ignored. */
  update(patch: Partial<Settings>): Settings {
    const put = this.db.prepare(`INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json`);
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(patch)) if (v !== undefined && SETTING_KEYS.has(k)) put.run(k, JSON.stringify(v));
    })();
    const now = this.get();
    this.onChange?.(now);
    return now;
  }

  /** The configured tool paths, for the ToolBox (never sent to the page as settings). */
  toolPaths(): ToolPaths {
    const s = this.stored();
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    return { ffmpegPath: str(s[TOOL_KEYS.ffmpeg]), ffprobePath: str(s[TOOL_KEYS.ffprobe]) };
  }

  /** Keeps (or, with null, forgets) a tool path. Callers check the file first (main/node/settings/tool-settings.ts). */
  setToolPath(tool: ToolName, file: string | null): void {
    if (file === null) this.db.prepare(`DELETE FROM settings WHERE key = ?`).run(TOOL_KEYS[tool]);
    else this.db.prepare(`INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json`).run(TOOL_KEYS[tool], JSON.stringify(file));
  }
}
