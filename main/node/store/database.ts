/**
 * Opens the studio's SQLite database: WAL, foreign keys, ordered migrations each in its own
 * transaction with user_version, and a clear refusal of a database written by a newer app.
 *
 * Before anything is written the file is checked with quick_check, and a damaged one is refused
 * (DATABASE_DAMAGED, naming the file and what to do) instead of failing later with SQLITE_CORRUPT.
 * A database that already holds a schema is backed up (backups.ts) before a migration runs and once a
 * day. The data folder is made owner-only (0700) and the database file 0600 on POSIX.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { backupsDirFor, DAY_MS, DEFAULT_KEEP, rotatingBackups, writeBackupSync, type BackupEntry } from './backups';
import { damagedError, isDamageError, quickCheck } from './integrity';
import { libraryWarning } from './library-warning';
import { LATEST_VERSION, migrations as defaultMigrations, type Migration } from './migrations';
import { ensurePrivateDir, ensurePrivateFile, tightenFiles } from './private-files';
import { hasLibraryWarningListener, reportLibraryWarning } from './warnings';

export type Db = Database.Database;

export interface OpenOptions {
  /** Only for tests of the migration machinery. */
  migrations?: readonly Migration[];
  /** Automatic backups (before a migration, daily); `false` turns them off. Never for ':memory:'. */
  backups?: false | { keep?: number; now?: () => Date };
}

/** What happened while a database was opened, for `db.status`. */
export interface OpenReport {
  /** The automatic backup written at this open, if any. */
  backup: BackupEntry | null;
  /** Why the daily backup could not be written (the library opened anyway). */
  backupError: string | null;
}

const reports = new WeakMap<Db, OpenReport>();

/** The report of the open that produced `db` (undefined for a connection openDatabase did not make). */
export function openReport(db: Db): OpenReport | undefined {
  return reports.get(db);
}

/** Opens (creating if needed), checks, backs up and migrates the database at `file`. */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const list = options.migrations ?? defaultMigrations;
  const latest = options.migrations ? (list.at(-1)?.version ?? 0) : LATEST_VERSION;
  const onDisk = file !== ':memory:';
  if (onDisk) {
    ensurePrivateDir(path.dirname(file));
    // Created here (not by SQLite) so that it, and the -wal/-shm SQLite derives from it, are 0600 whatever the umask.
    ensurePrivateFile(file);
  }
  const db = new Database(file);
  const report: OpenReport = { backup: null, backupError: null };
  try {
    db.pragma('busy_timeout = 5000');
    // Read the version and check the pages before anything that writes (switching to WAL rewrites the header).
    let current = 0;
    let problems: string[];
    try {
      current = db.pragma('user_version', { simple: true }) as number;
      problems = quickCheck(db);
    } catch (err) {
      if (!isDamageError(err)) throw err;
      problems = [(err as Error).message];
    }
    if (problems.length > 0) {
      const dir = backupsDirFor(file);
      throw damagedError(file, problems, { backups: rotatingBackups(dir).map((b) => b.name), backupsDir: dir });
    }
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
    if (onDisk) tightenFiles(file, `${file}-wal`, `${file}-shm`);
    if (onDisk && options.backups !== false) autoBackup(db, file, list, current, options.backups ?? {}, report);
    migrate(db, list, current);
    if (onDisk && hasLibraryWarningListener()) {
      const warning = libraryWarning(db, path.dirname(file), rotatingBackups(backupsDirFor(file))[0]?.name ?? null);
      if (warning) reportLibraryWarning(warning);
    }
    reports.set(db, report);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * The automatic backups. Before a migration: always (a failure stops the open — a migration without a way back is
 * what the backup is for). Daily: when the newest backup is a day old, and only when there is something worth
 * keeping; an empty library next to project folders (library-warning.ts) is not backed up, so that ignoring the
 * warning for a few days cannot rotate the last good backups out. A failed daily backup does not stop the app.
 */
function autoBackup(db: Db, file: string, list: readonly Migration[], current: number, policy: { keep?: number; now?: () => Date }, report: OpenReport): void {
  if (current === 0) return; // a new database: nothing to keep yet
  const dir = backupsDirFor(file);
  const options = { keep: policy.keep ?? DEFAULT_KEEP, now: policy.now };
  if (list.some((m) => m.version > current)) {
    report.backup = writeBackupSync(db, dir, options);
    return;
  }
  try {
    const newest = rotatingBackups(dir)[0];
    const now = (policy.now ?? (() => new Date()))().getTime();
    if (newest && now - Date.parse(newest.createdAt) < DAY_MS) return;
    if (!holdsRows(db) || libraryWarning(db, path.dirname(file), newest?.name ?? null)) return;
    report.backup = writeBackupSync(db, dir, options);
  } catch (err) {
    report.backupError = AppError.from(err).message;
  }
}

/** True when any table holds a row. */
function holdsRows(db: Db): boolean {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[];
  return tables.some((t) => db.prepare(`SELECT 1 FROM "${t.name.replace(/"/g, '""')}" LIMIT 1`).get() !== undefined);
}

/** Brings an open database up to the newest schema (after a restore of an older backup). */
export function migrateToLatest(db: Db, list: readonly Migration[] = defaultMigrations): void {
  migrate(db, list, db.pragma('user_version', { simple: true }) as number);
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
