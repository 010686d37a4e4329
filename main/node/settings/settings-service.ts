/** User settings, stored as JSON values in the settings table. Secrets never go here. */
import { Settings } from '../../common/contract';
import type { Db } from '../store/database';

const DEFAULTS: Settings = { locale: 'en', ffmpegPath: null, ffprobePath: null };

export class SettingsService {
  constructor(
    private readonly db: Db,
    private readonly defaults: Partial<Settings> = {},
  ) {}

  /** All settings with defaults filled in. */
  get(): Settings {
    const rows = this.db.prepare(`SELECT key, value_json FROM settings`).all() as { key: string; value_json: string }[];
    const stored: Record<string, unknown> = {};
    for (const r of rows) stored[r.key] = JSON.parse(r.value_json);
    const merged = { ...DEFAULTS, ...this.defaults, ...stored };
    const parsed = Settings.safeParse(merged);
    return parsed.success ? parsed.data : { ...DEFAULTS, ...this.defaults };
  }

  /** Saves the given keys; returns all settings. */
  update(patch: Partial<Settings>): Settings {
    const put = this.db.prepare(`INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json`);
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) put.run(k, JSON.stringify(v));
    })();
    return this.get();
  }
}
