/** Where the studio keeps its data, the same folder Electron's `userData` points to. */
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Kraken Studio';

/** KRAKEN_DATA_DIR wins; otherwise the platform's per-user application-data folder. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.KRAKEN_DATA_DIR) return path.resolve(env.KRAKEN_DATA_DIR);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
}

/** The repository / app root (two levels above this file, compiled or not). */
export function appRoot(): string {
  // main/node/app-paths.ts -> root; dist/main/node/app-paths.js -> dist/.. (root)
  const up = path.resolve(__dirname, '..', '..');
  return path.basename(up) === 'dist' ? path.dirname(up) : up;
}
