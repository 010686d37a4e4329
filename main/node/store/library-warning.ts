/**
 * An empty library next to a full data folder: `studio.db` was emptied, truncated to zero bytes or replaced by a
 * fresh one, while `<dataDir>/projects/<id>/` still holds the work it described. SQLite opens such a file happily
 * as a new database, so this is the one check that notices. It is read from the state (no project rows, project
 * folders on disk), so it keeps warning on every start until the library is restored or the folders are removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';

export interface LibraryWarning {
  kind: 'empty-library';
  /** How many project folders are on disk. */
  projectFolders: number;
  /** Whether a backup exists to restore. */
  backupAvailable: boolean;
  message: string;
}

/** Project folders (`projects/<id>`) on disk. */
export function projectFolderCount(dataDir: string): number {
  try {
    return fs.readdirSync(path.join(dataDir, 'projects'), { withFileTypes: true }).filter((e) => e.isDirectory() && /^\d+$/.test(e.name)).length;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT' || (err as { code?: string }).code === 'ENOTDIR') return 0;
    throw err;
  }
}

function projectRows(db: Database.Database): number {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'projects'`).get();
  return table ? (db.prepare(`SELECT COUNT(*) AS n FROM projects`).get() as { n: number }).n : 0;
}

/** The warning, or null when the library has projects or the data folder has no project folders. */
export function libraryWarning(db: Database.Database, dataDir: string, latestBackup: string | null): LibraryWarning | null {
  if (projectRows(db) > 0) return null;
  const folders = projectFolderCount(dataDir);
  if (folders === 0) return null;
  const restore = latestBackup
    ? `Restore a backup (newest: ${latestBackup}) from Settings → Library or with \`kraken db restore --latest\`.`
    : 'No backup exists to restore; the folders are kept as they are.';
  return {
    kind: 'empty-library',
    projectFolders: folders,
    backupAvailable: latestBackup !== null,
    message: `The library ${path.join(dataDir, 'studio.db')} is empty, but ${path.join(dataDir, 'projects')} holds ${folders} project folder${folders === 1 ? '' : 's'}: the database may have been emptied or replaced. ${restore} Nothing was deleted.`,
  };
}
