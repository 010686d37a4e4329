/**
 * Backups of the library in `<dataDir>/backups/`: consistent snapshots taken while the database is open, each
 * written to a hidden temp name, checked with quick_check and renamed into place, so a half-written backup never
 * looks like one; the last few are kept. Restoring puts a checked copy in place of `studio.db` atomically and keeps
 * what it replaces.
 *
 * File names carry the time and the schema: `studio-2026-12-02T13-28-16.123Z-v3.db` (an ISO time with `-` for `:`,
 * which Windows file names cannot hold). Copies kept by a restore are `studio-before-restore-<time>-v<n>.db` (a
 * healthy library that was replaced) and `studio-damaged-<time>.db` (a damaged one, with its -wal if it had one);
 * they are never pruned.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { damagedError, isDamageError, quickCheck } from './integrity';
import { ensurePrivateDir, ensurePrivateFile, tightenFiles } from './private-files';

export type BackupKind = 'backup' | 'before-restore' | 'damaged';

export interface BackupEntry {
  name: string;
  file: string;
  kind: BackupKind;
  createdAt: string;
  /** The schema (user_version) it holds; null for a damaged copy. */
  schemaVersion: number | null;
  sizeBytes: number;
}

/** How many rotating backups are kept. */
export const DEFAULT_KEEP = 5;
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface BackupOptions {
  now?: () => Date;
  keep?: number;
}

const NAME = /^studio-(?:(before-restore|damaged)-)?(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z)(?:-v(\d+))?\.db$/;

/** The backups folder of a database file: `<dataDir>/backups`. */
export function backupsDirFor(dbFile: string): string {
  return path.join(path.dirname(dbFile), 'backups');
}

const stamp = (d: Date): string => d.toISOString().replace(/:/g, '-');

export function backupName(kind: BackupKind, at: Date, schemaVersion: number | null): string {
  if (kind === 'damaged') return `studio-damaged-${stamp(at)}.db`;
  return `studio-${kind === 'before-restore' ? 'before-restore-' : ''}${stamp(at)}-v${schemaVersion ?? 0}.db`;
}

/** Reads a backup's kind, time and schema from its name; null when the name is not one of ours. */
export function parseBackupName(name: string): Pick<BackupEntry, 'kind' | 'createdAt' | 'schemaVersion'> | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const kind = (m[1] ?? 'backup') as BackupKind;
  if ((kind === 'damaged') !== (m[3] === undefined)) return null;
  const createdAt = m[2]!.replace(/T(\d{2})-(\d{2})-(\d{2})/, 'T$1:$2:$3');
  if (Number.isNaN(Date.parse(createdAt))) return null;
  return { kind, createdAt, schemaVersion: m[3] === undefined ? null : Number(m[3]) };
}

/** Every backup and kept copy in `dir`, newest first. */
export function listBackups(dir: string): BackupEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
  const out: BackupEntry[] = [];
  for (const name of names) {
    const parsed = parseBackupName(name);
    if (!parsed) continue;
    const file = path.join(dir, name);
    try {
      const st = fs.statSync(file);
      if (st.isFile()) out.push({ name, file, ...parsed, sizeBytes: st.size });
    } catch {
      // Removed while we listed: not a backup any more.
    }
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.name < b.name ? 1 : -1));
}

/** The rotating backups only (what `--latest` and the daily rule look at), newest first. */
export function rotatingBackups(dir: string): BackupEntry[] {
  return listBackups(dir).filter((b) => b.kind === 'backup');
}

type WriteOptions = BackupOptions & { kind?: 'backup' | 'before-restore' };

/**
 * Synchronous snapshot with `VACUUM INTO` — for the backup taken inside `openDatabase` (before a migration, or the
 * daily one), which is synchronous like the core's start-up: better-sqlite3's online backup is async only.
 * VACUUM INTO is SQLite's other consistent-snapshot primitive (one read transaction, compacted output).
 */
export function writeBackupSync(db: Database.Database, dir: string, options: WriteOptions = {}): BackupEntry {
  const target = beginBackup(db, dir, options);
  try {
    db.prepare('VACUUM INTO ?').run(target.tmp);
    return finishBackup(dir, target, options);
  } catch (err) {
    removeQuietly(target.tmp, `${target.tmp}-journal`);
    throw err;
  }
}

/** Snapshot with SQLite's online backup API (page by page, other work goes on): "Back up now", `kraken db backup`. */
export async function writeBackup(db: Database.Database, dir: string, options: WriteOptions = {}): Promise<BackupEntry> {
  const target = beginBackup(db, dir, options);
  try {
    await db.backup(target.tmp);
    return finishBackup(dir, target, options);
  } catch (err) {
    removeQuietly(target.tmp, `${target.tmp}-journal`);
    throw err;
  }
}

interface Target {
  name: string;
  tmp: string;
  schemaVersion: number;
}

/** Names the backup and creates its empty owner-only temp file (SQLite keeps the mode of a file it finds). */
function beginBackup(db: Database.Database, dir: string, options: WriteOptions): Target {
  const schemaVersion = db.pragma('user_version', { simple: true }) as number;
  const name = backupName(options.kind ?? 'backup', (options.now ?? (() => new Date()))(), schemaVersion);
  ensurePrivateDir(dir);
  const tmp = path.join(dir, `.${name}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  ensurePrivateFile(tmp);
  return { name, tmp, schemaVersion };
}

function finishBackup(dir: string, { name, tmp, schemaVersion }: Target, options: BackupOptions): BackupEntry {
  const checked = verifyCopy(tmp, Number.MAX_SAFE_INTEGER, tmp);
  if (checked !== schemaVersion) throw new AppError('INTERNAL', `The backup ${name} holds schema ${checked}, expected ${schemaVersion}; it was not kept.`);
  const file = path.join(dir, name);
  syncFile(tmp);
  fs.renameSync(tmp, file);
  syncDir(dir);
  tightenFiles(file);
  pruneBackups(dir, options.keep ?? DEFAULT_KEEP, options.now);
  return { name, file, ...parseBackupName(name)!, sizeBytes: fs.statSync(file).size };
}

/**
 * Checks a copy that is ours to change (a temp file): one self-contained file (rollback journal; the online backup
 * API copies the source's WAL flag into the header, and an applied -wal next to the copy is folded in), quick_check
 * clean, schema not newer than `maxVersion`. Returns its schema version; throws DATABASE_DAMAGED or CONFLICT.
 */
export function verifyCopy(copy: string, maxVersion: number, shownAs: string): number {
  let db: Database.Database | null = null;
  try {
    db = new Database(copy, { fileMustExist: true });
    db.pragma('journal_mode = DELETE');
    const problems = quickCheck(db);
    if (problems.length > 0) throw damagedError(shownAs, problems, { backups: [], backupsDir: path.dirname(shownAs) });
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > maxVersion) {
      throw new AppError('CONFLICT', `${shownAs} was saved by a newer Kraken Studio (schema ${version}, this app knows ${maxVersion}); it was not restored.`, {
        schemaVersion: version,
        supportedVersion: maxVersion,
      });
    }
    return version;
  } catch (err) {
    if (isDamageError(err)) throw damagedError(shownAs, [(err as Error).message], { backups: [], backupsDir: path.dirname(shownAs) });
    throw err;
  } finally {
    db?.close();
  }
}

/** Keeps the newest `keep` rotating backups; also clears temp files a crash left (older than a day). */
export function pruneBackups(dir: string, keep: number, now: () => Date = () => new Date()): string[] {
  const removed: string[] = [];
  for (const b of rotatingBackups(dir).slice(Math.max(1, keep))) {
    removeQuietly(b.file);
    removed.push(b.name);
  }
  const cutoff = now().getTime() - DAY_MS;
  for (const name of fs.readdirSync(dir)) {
    if (!/^\..*\.tmp(-journal)?$/.test(name)) continue;
    const file = path.join(dir, name);
    try {
      if (fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { force: true });
    } catch {
      // Gone already.
    }
  }
  return removed;
}

export interface RestoreResult {
  /** The file that was restored. */
  from: string;
  schemaVersion: number;
  /** Name (in the backups folder) of the copy kept of what was replaced; null when there was nothing to keep. */
  keptCopy: string | null;
}

export interface RestoreOptions {
  now?: () => Date;
  /** The newest schema this app can open. */
  latest: number;
}

/**
 * Copies `source` to a temp name beside `dbFile` and checks that copy (the source itself is never changed, even
 * one in WAL mode). Returns the temp file and its schema; the caller renames or removes it.
 */
export function stageRestore(dbFile: string, source: string, latest: number): { staged: string; schemaVersion: number } {
  if (!fs.existsSync(source) || !fs.statSync(source).isFile()) throw new AppError('NOT_FOUND', `No backup at ${source}.`, { path: source });
  // Hidden, so neither shell's file server would ever hand it out.
  const staged = path.join(path.dirname(dbFile), `.${path.basename(dbFile)}.restore-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    ensurePrivateFile(staged);
    fs.copyFileSync(source, staged);
    if (fs.existsSync(`${source}-wal`)) fs.copyFileSync(`${source}-wal`, `${staged}-wal`);
    const schemaVersion = verifyCopy(staged, latest, source);
    removeQuietly(`${staged}-wal`, `${staged}-shm`, `${staged}-journal`);
    tightenFiles(staged);
    return { staged, schemaVersion };
  } catch (err) {
    removeQuietly(staged, `${staged}-wal`, `${staged}-shm`, `${staged}-journal`);
    throw err;
  }
}

/**
 * Restores `source` over a database file that no process has open (the CLI, or the desktop app before its core
 * starts): check the backup, keep a copy of the current file (damaged or not), drop its -wal/-shm (they belong to
 * the old file and would be replayed into the new one), rename the checked copy into place.
 */
export function restoreDatabaseFile(dbFile: string, source: string, options: RestoreOptions): RestoreResult {
  const now = options.now ?? (() => new Date());
  const { staged, schemaVersion } = stageRestore(dbFile, source, options.latest);
  let keptCopy: string | null = null;
  try {
    keptCopy = keepCurrent(dbFile, now());
    assertNotInUse(dbFile);
  } catch (err) {
    removeQuietly(staged);
    if (keptCopy) removeQuietly(path.join(backupsDirFor(dbFile), keptCopy), path.join(backupsDirFor(dbFile), `${keptCopy}-wal`));
    throw err;
  }
  syncFile(staged);
  removeQuietly(`${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`);
  fs.renameSync(staged, dbFile);
  syncDir(path.dirname(dbFile));
  tightenFiles(dbFile);
  return { from: source, schemaVersion, keptCopy };
}

export interface LatestRestoreResult extends RestoreResult {
  /** Newer backups that failed their check (or need a newer app), with why. */
  skipped: { file: string; reason: string }[];
}

/**
 * Restores the newest rotating backup that passes its check (`kraken db restore --latest`, the desktop app's
 * "Restore the latest backup"), skipping damaged ones and ones from a newer app; `onSkip` hears each skip.
 */
export function restoreLatestBackup(dbFile: string, options: RestoreOptions & { onSkip?: (file: string, reason: string) => void }): LatestRestoreResult {
  const dir = backupsDirFor(dbFile);
  // First: a running studio is the one refusal that no other backup can get round.
  assertNotInUse(dbFile);
  const candidates = rotatingBackups(dir);
  if (candidates.length === 0) throw new AppError('NOT_FOUND', `No backup in ${dir} to restore. Give one with --from <file>.`, { backupsDir: dir });
  const skipped: { file: string; reason: string }[] = [];
  for (const b of candidates) {
    try {
      return { ...restoreDatabaseFile(dbFile, b.file, options), skipped };
    } catch (err) {
      const e = AppError.from(err);
      if (e.code !== 'DATABASE_DAMAGED' && !(e.code === 'CONFLICT' && e.details?.schemaVersion !== undefined)) throw e;
      skipped.push({ file: b.file, reason: e.message });
      options.onSkip?.(b.file, e.message);
    }
  }
  throw new AppError('DATABASE_DAMAGED', `None of the ${candidates.length} backups in ${dir} passed the check; nothing was restored.`, { skipped });
}

/** Copies the current file (and its -wal) into the backups folder; named by whether it is damaged. */
function keepCurrent(dbFile: string, at: Date): string | null {
  if (!fs.existsSync(dbFile) || fs.statSync(dbFile).size === 0) return null;
  let health: { ok: boolean; schemaVersion: number | null };
  try {
    health = readHealth(dbFile);
  } catch {
    health = { ok: false, schemaVersion: null };
  }
  const name = health.ok ? backupName('before-restore', at, health.schemaVersion) : backupName('damaged', at, null);
  const dir = backupsDirFor(dbFile);
  ensurePrivateDir(dir);
  const target = path.join(dir, name);
  fs.copyFileSync(dbFile, target);
  tightenFiles(target);
  if (fs.existsSync(`${dbFile}-wal`)) {
    fs.copyFileSync(`${dbFile}-wal`, `${target}-wal`);
    tightenFiles(`${target}-wal`);
  }
  return name;
}

/** quick_check through a read-only connection (nothing is written, not even a WAL recovery). */
export function readHealth(dbFile: string): { ok: boolean; problems: string[]; schemaVersion: number | null } {
  let db: Database.Database | null = null;
  try {
    db = new Database(dbFile, { readonly: true, fileMustExist: true });
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const problems = quickCheck(db);
    return { ok: problems.length === 0, problems, schemaVersion };
  } catch (err) {
    if (isDamageError(err)) return { ok: false, problems: [(err as Error).message], schemaVersion: null };
    throw err;
  } finally {
    db?.close();
  }
}

/**
 * Refuses to replace a library another process has open (the studio running while `kraken db restore` runs):
 * an exclusive lock is only granted when no other connection holds the file.
 */
export function assertNotInUse(dbFile: string): void {
  if (!fs.existsSync(dbFile)) return;
  let db: Database.Database | null = null;
  try {
    db = new Database(dbFile, { fileMustExist: true });
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
      throw new AppError('CONFLICT', `${dbFile} is open in a running Kraken Studio. Quit it first, or restore from Settings → Library in the app.`, { file: dbFile });
    }
    // A damaged file cannot be read, but it was lockable: nothing else has it open.
  } finally {
    try {
      db?.close();
    } catch {
      // Closing a damaged file may fail; the lock goes with the handle.
    }
  }
}

/** On disk before the rename that makes it the real thing: a crash then leaves the old file or the whole new one. */
function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The rename itself made durable (POSIX; Windows cannot open a folder for fsync, and NTFS journals renames). */
function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function removeQuietly(...files: string[]): void {
  for (const f of files) fs.rmSync(f, { force: true });
}
