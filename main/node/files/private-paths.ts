/**
 * Data-folder entries the page never reads, whichever shell serves the data folder (Electron's `kraken://files/`
 * or the browser host's `/files/`): hidden entries (Chromium's session data in `.session/`, secrets, window
 * state, `.partial` files still being written) and the database itself. Everything the services hand to the
 * renderer (projects/…, models/…, results/…, exports/…, uploads/…) stays readable.
 */
import path from 'node:path';

export function isPrivateDataPath(segments: readonly string[]): boolean {
  if (segments.some((s) => s.startsWith('.'))) return true;
  return segments.length === 1 && /^studio\.db(-wal|-shm|-journal)?$/i.test(segments[0]!);
}

/** The same rule for an absolute path already resolved inside `dataDir` (both real paths). */
export function isPrivateDataFile(realDataDir: string, file: string): boolean {
  const rel = path.relative(realDataDir, file);
  return rel === '' || isPrivateDataPath(rel.split(path.sep));
}
