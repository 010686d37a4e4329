/**
 * Opens the studio's SQLite database: WAL, foreign keys, ordered migrations each in its own
 * transaction with user_version, and a clear refusal of a database written by a newer app.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { LATEST_VERSION, migrations as defaultMigrations, type Migration } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** Only for tests of the migration machinery. */
  migrations?: readonly Migration[];
}

/** Opens (creating if needed) and migrates the database at `file`. */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const list = options.migrations ?? defaultMigrations;
  const latest = options.migrations ? (list.at(-1)?.version ?? 0) : LATEST_VERSION;
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    // Read the version before anything that writes (switching to WAL rewrites the header).
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest) {
      throw new AppError(
        'CONFLICT',
        `This library was saved by a newer Kraken Studio (schema ${current}, this app knows ${latest}). Update the app to open it; nothing was changed.`,
        { schemaVersion: current, supportedVersion: latest, file },
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db, list, current);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Db, list: readonly Migration[], from: number): void {
  for (const m of list) {
    if (m.version <= from) continue;
    const step = db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    });
    step();
  }
}

export const nowIso = (): string => new Date().toISOString();
