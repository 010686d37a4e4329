/**
 * The library database as the running app sees it: its health, its backups, "Back up now", and restoring a backup
 * while the database is open.
 *
 * Restore in the running app does not close and reopen the connection: every service holds that one connection,
 * and swapping it under them would leave some on a closed handle. Instead the checked backup is written INTO the
 * open database with SQLite's online backup API (a second connection, the same locks as any writer, one atomic
 * commit), so every service simply reads the restored rows on its next statement (SQLite re-prepares statements
 * when the schema changed). Then the schema is brought up to date and the services are told (jobs that were running
 * when the backup was taken become interrupted). A copy of the replaced library is kept first. Restoring while jobs
 * run is refused: they would write into the restored rows.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import type { Backup, DbStatus, RestoreResult } from '../../common/contract';
import { backupsDirFor, DEFAULT_KEEP, listBackups, removeQuietly, rotatingBackups, stageRestore, writeBackup, type BackupEntry } from './backups';
import { migrateToLatest, openReport, type Db } from './database';
import { damagedError, quickCheck } from './integrity';
import { libraryWarning } from './library-warning';
import { LATEST_VERSION, migrations as defaultMigrations, type Migration } from './migrations';

export interface LibraryServiceOptions {
  db: Db;
  file: string;
  /** Why the library cannot be replaced right now (running jobs), or null. */
  busy?: () => string | null;
  /** Called after a restore so services drop what they derived from the old rows. */
  afterRestore?: () => void;
  now?: () => Date;
  keep?: number;
  /** Only for tests of the migration machinery. */
  migrations?: readonly Migration[];
}

const toBackup = ({ name, kind, createdAt, schemaVersion, sizeBytes }: BackupEntry): Backup => ({ name, kind, createdAt, schemaVersion, sizeBytes });

export class LibraryService {
  readonly backupsDir: string;
  private restoring = false;
  private lastBackupError: string | null = null;
  /** openDatabase refuses a library that fails quick_check, so an open one passed it just now. */
  private lastCheck: { problems: string[]; at: Date };

  constructor(private readonly options: LibraryServiceOptions) {
    this.backupsDir = backupsDirFor(options.file);
    this.lastBackupError = openReport(options.db)?.backupError ?? null;
    this.lastCheck = { problems: [], at: this.clock() };
  }

  private get db(): Db {
    return this.options.db;
  }

  private clock(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  /** Runs quick_check now (it reads every page: the Library panel asks for it, the app-wide banner does not). */
  check(): string[] {
    this.lastCheck = { problems: quickCheck(this.db), at: this.clock() };
    return this.lastCheck.problems;
  }

  /** Health (the last check, or a new one with `check`), schema, newest backup and the empty-library warning. */
  status(options: { check?: boolean } = {}): DbStatus {
    const problems = options.check ? this.check() : this.lastCheck.problems;
    const latest = rotatingBackups(this.backupsDir)[0] ?? null;
    // The file and its WAL: recent commits live in the -wal until a checkpoint folds them in.
    let sizeBytes = 0;
    for (const f of [this.options.file, `${this.options.file}-wal`]) {
      try {
        sizeBytes += fs.statSync(f).size;
      } catch {
        // No -wal right now (or an in-memory database).
      }
    }
    return {
      file: this.options.file,
      backupsDir: this.backupsDir,
      schemaVersion: this.db.pragma('user_version', { simple: true }) as number,
      sizeBytes,
      healthy: problems.length === 0,
      problems,
      checkedAt: this.lastCheck.at.toISOString(),
      libraryWarning: libraryWarning(this.db, path.dirname(this.options.file), latest?.name ?? null),
      latestBackup: latest ? toBackup(latest) : null,
      backupError: this.lastBackupError,
    };
  }

  /** Backups and kept copies, newest first. */
  backups(): Backup[] {
    return listBackups(this.backupsDir).map(toBackup);
  }

  /** Backs up now; a library that fails its check is not backed up (it would rotate a good backup out). */
  async backup(): Promise<Backup> {
    this.assertHealthy();
    try {
      const entry = await writeBackup(this.db, this.backupsDir, { now: this.options.now, keep: this.options.keep ?? DEFAULT_KEEP });
      this.lastBackupError = null;
      return toBackup(entry);
    } catch (err) {
      this.lastBackupError = AppError.from(err).message;
      throw err;
    }
  }

  /** Replaces the open library with the backup `name` (see the file comment). */
  async restore(name: string): Promise<RestoreResult> {
    if (this.restoring) throw new AppError('CONFLICT', 'A restore is already running.');
    this.assertIdle();
    const entry = listBackups(this.backupsDir).find((b) => b.name === name && b.kind !== 'damaged');
    if (!entry) throw new AppError('NOT_FOUND', `No backup named ${name} in ${this.backupsDir}.`, { name });
    const list = this.options.migrations ?? defaultMigrations;
    const latest = this.options.migrations ? (list.at(-1)?.version ?? 0) : LATEST_VERSION;
    this.restoring = true;
    let staged: string | null = null;
    try {
      const stage = stageRestore(this.options.file, entry.file, latest);
      staged = stage.staged;
      const kept = await writeBackup(this.db, this.backupsDir, { kind: 'before-restore', now: this.options.now });
      // A job may have started while the copy was written.
      this.assertIdle();
      const source = new Database(staged, { readonly: true, fileMustExist: true });
      let expected: string;
      try {
        expected = fingerprint(source);
        await source.backup(this.options.file);
      } finally {
        source.close();
      }
      if (fingerprint(this.db) !== expected) {
        throw new AppError('INTERNAL', `The restore of ${name} did not complete (the library was busy). Try again; the library before it is kept as ${kept.name}.`);
      }
      migrateToLatest(this.db, list);
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.options.afterRestore?.();
      return { restored: name, schemaVersion: stage.schemaVersion, keptCopy: kept.name };
    } finally {
      this.restoring = false;
      if (staged) removeQuietly(staged, `${staged}-journal`);
    }
  }

  private assertIdle(): void {
    const reason = this.options.busy?.();
    if (reason) throw new AppError('CONFLICT', `The library cannot be restored now: ${reason}`);
  }

  private assertHealthy(): void {
    const problems = this.check();
    if (problems.length > 0) {
      throw damagedError(this.options.file, problems, { backups: rotatingBackups(this.backupsDir).map((b) => b.name), backupsDir: this.backupsDir });
    }
  }
}

/** The schema version, and every table with its row count: enough to tell a completed copy from one that was not. */
function fingerprint(db: Database.Database): string {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[];
  const counts = tables.map((t) => `${t.name}:${(db.prepare(`SELECT COUNT(*) AS n FROM "${t.name.replace(/"/g, '""')}"`).get() as { n: number }).n}`);
  return [db.pragma('user_version', { simple: true }), ...counts].join('|');
}
