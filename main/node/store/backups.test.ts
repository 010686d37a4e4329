import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { backupName, listBackups, parseBackupName, pruneBackups, restoreDatabaseFile, rotatingBackups, writeBackup } from './backups';
import { openDatabase } from './database';
import { LATEST_VERSION } from './migrations';

const dirs: string[] = [];
function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-backups-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const at = (iso: string) => () => new Date(iso);

function libraryWith(file: string, names: string[]): void {
  const db = openDatabase(file, { backups: false });
  const now = new Date().toISOString();
  for (const n of names) db.prepare(`INSERT INTO projects (name, created_at, updated_at) VALUES (?, ?, ?)`).run(n, now, now);
  db.close();
}

function projectNames(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT name FROM projects ORDER BY id').all() as { name: string }[];
  db.close();
  return rows.map((r) => r.name);
}

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('did not throw');
}

describe('backup names', () => {
  it('round-trip the time, kind and schema, with no colon in the file name', () => {
    const t = new Date('2026-12-02T13:28:16.123Z');
    expect(backupName('backup', t, 3)).toBe('studio-2026-12-02T13-28-16.123Z-v3.db');
    expect(parseBackupName('studio-2026-12-02T13-28-16.123Z-v3.db')).toEqual({ kind: 'backup', createdAt: t.toISOString(), schemaVersion: 3 });
    expect(parseBackupName(backupName('before-restore', t, 2))).toEqual({ kind: 'before-restore', createdAt: t.toISOString(), schemaVersion: 2 });
    expect(parseBackupName(backupName('damaged', t, null))).toEqual({ kind: 'damaged', createdAt: t.toISOString(), schemaVersion: null });
  });

  it('ignore anything else in the folder', () => {
    for (const n of ['studio.db', 'studio-2026-12-02T13-28-16.123Z.db', 'studio-damaged-2026-12-02T13-28-16.123Z-v3.db', '.studio-2026-12-02T13-28-16.123Z-v3.db.1-ab.tmp', 'studio-2026-13-45T99-99-99.000Z-v1.db', '../studio-2026-12-02T13-28-16.123Z-v3.db'])
      expect(parseBackupName(n), n).toBeNull();
  });
});

describe('writeBackup (online backup API)', () => {
  it('writes a consistent, checked, self-contained copy while the database stays open', async () => {
    const dir = dataDir();
    const file = path.join(dir, 'studio.db');
    libraryWith(file, ['a', 'b']);
    const db = openDatabase(file, { backups: false });
    const entry = await writeBackup(db, path.join(dir, 'backups'), { now: at('2026-01-01T00:00:00.000Z') });
    db.prepare(`UPDATE projects SET name = 'changed after'`).run();
    db.close();
    expect(entry).toMatchObject({ name: `studio-2026-01-01T00-00-00.000Z-v${LATEST_VERSION}.db`, kind: 'backup', schemaVersion: LATEST_VERSION });
    expect(projectNames(entry.file)).toEqual(['a', 'b']);
    expect(fs.existsSync(`${entry.file}-wal`)).toBe(false);
    // Only the backup: no temp file left beside it.
    expect(fs.readdirSync(path.join(dir, 'backups'))).toEqual([entry.name]);
  });

  it('prunes to the newest few rotating backups and never the copies a restore kept', async () => {
    const dir = dataDir();
    const file = path.join(dir, 'studio.db');
    libraryWith(file, ['a']);
    const backups = path.join(dir, 'backups');
    fs.mkdirSync(backups);
    const kept = path.join(backups, backupName('damaged', new Date('2025-01-01T00:00:00.000Z'), null));
    fs.writeFileSync(kept, 'old damaged copy');
    const db = openDatabase(file, { backups: false });
    for (const day of ['01', '02', '03', '04']) await writeBackup(db, backups, { keep: 3, now: at(`2026-02-${day}T00:00:00.000Z`) });
    db.close();
    expect(rotatingBackups(backups).map((b) => b.createdAt)).toEqual(['2026-02-04T00:00:00.000Z', '2026-02-03T00:00:00.000Z', '2026-02-02T00:00:00.000Z']);
    expect(fs.existsSync(kept)).toBe(true);
    expect(listBackups(backups)).toHaveLength(4);
  });

  it('clears temp files a crash left behind once they are a day old', () => {
    const backups = dataDir();
    const stale = path.join(backups, '.studio-2026-02-01T00-00-00.000Z-v3.db.123-abcd.tmp');
    const fresh = path.join(backups, '.studio-2026-02-02T00-00-00.000Z-v3.db.124-abcd.tmp');
    fs.writeFileSync(stale, '');
    fs.writeFileSync(fresh, '');
    const old = new Date('2026-02-01T00:00:00.000Z');
    fs.utimesSync(stale, old, old);
    pruneBackups(backups, 5, at('2026-02-02T12:00:00.000Z'));
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
  });
});

describe('restoreDatabaseFile', () => {
  async function withBackup(): Promise<{ dir: string; file: string; backup: string }> {
    const dir = dataDir();
    const file = path.join(dir, 'studio.db');
    libraryWith(file, ['first', 'second']);
    const db = openDatabase(file, { backups: false });
    const entry = await writeBackup(db, path.join(dir, 'backups'), { now: at('2026-03-01T00:00:00.000Z') });
    db.close();
    return { dir, file, backup: entry.file };
  }

  it('replaces a damaged library, keeps the damaged file with its -wal, and drops the stale -wal/-shm', async () => {
    const { file, backup, dir } = await withBackup();
    fs.writeFileSync(file, 'garbage where the library was');
    fs.writeFileSync(`${file}-wal`, 'a wal of the old file');
    fs.writeFileSync(`${file}-shm`, 'shm');
    const result = restoreDatabaseFile(file, backup, { latest: LATEST_VERSION, now: at('2026-03-05T00:00:00.000Z') });
    expect(result).toEqual({ from: backup, schemaVersion: LATEST_VERSION, keptCopy: 'studio-damaged-2026-03-05T00-00-00.000Z.db' });
    expect(fs.readFileSync(path.join(dir, 'backups', result.keptCopy!), 'utf8')).toBe('garbage where the library was');
    expect(fs.readFileSync(path.join(dir, 'backups', `${result.keptCopy!}-wal`), 'utf8')).toBe('a wal of the old file');
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(fs.existsSync(`${file}-shm`)).toBe(false);
    const db = openDatabase(file, { backups: false });
    expect(db.prepare('SELECT name FROM projects ORDER BY id').all()).toEqual([{ name: 'first' }, { name: 'second' }]);
    db.close();
    // Nothing hidden left in the data folder.
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('keeps a healthy library it replaces as a restorable before-restore copy', async () => {
    const { file, backup, dir } = await withBackup();
    libraryWith(file, ['third']);
    const result = restoreDatabaseFile(file, backup, { latest: LATEST_VERSION, now: at('2026-03-06T00:00:00.000Z') });
    expect(result.keptCopy).toBe(`studio-before-restore-2026-03-06T00-00-00.000Z-v${LATEST_VERSION}.db`);
    expect(projectNames(path.join(dir, 'backups', result.keptCopy!))).toEqual(['first', 'second', 'third']);
    expect(projectNames(file)).toEqual(['first', 'second']);
  });

  it('refuses a damaged backup and leaves the library as it was', async () => {
    const { file, backup } = await withBackup();
    const fd = fs.openSync(backup, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096);
    fs.closeSync(fd);
    const before = fs.readFileSync(file);
    const err = caught(() => restoreDatabaseFile(file, backup, { latest: LATEST_VERSION }));
    expect(err.code).toBe('DATABASE_DAMAGED');
    expect(err.message).toContain(backup);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(listBackups(path.dirname(backup)).filter((b) => b.kind !== 'backup')).toEqual([]);
  });

  it('refuses a backup from a newer schema, and a file that is not a database', async () => {
    const { file, dir } = await withBackup();
    const newer = path.join(dir, 'newer.db');
    const raw = new Database(newer);
    raw.pragma(`user_version = ${LATEST_VERSION + 1}`);
    raw.close();
    expect(caught(() => restoreDatabaseFile(file, newer, { latest: LATEST_VERSION })).code).toBe('CONFLICT');
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'not a database at all, just some words'.repeat(50));
    expect(caught(() => restoreDatabaseFile(file, text, { latest: LATEST_VERSION })).code).toBe('DATABASE_DAMAGED');
    expect(caught(() => restoreDatabaseFile(file, path.join(dir, 'missing.db'), { latest: LATEST_VERSION })).code).toBe('NOT_FOUND');
    expect(projectNames(file)).toEqual(['first', 'second']);
  });

  it('never changes the file it restores from, even one in WAL mode with a -wal beside it', async () => {
    const dir = dataDir();
    const source = path.join(dir, 'copy.db');
    const src = new Database(source);
    src.pragma('journal_mode = WAL');
    src.pragma('wal_autocheckpoint = 0');
    src.exec(`CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO projects (name) VALUES ('from the wal');`);
    // Copy the pair while the connection is open, as a user would copy them out of a data folder.
    fs.copyFileSync(source, path.join(dir, 'pair.db'));
    fs.copyFileSync(`${source}-wal`, path.join(dir, 'pair.db-wal'));
    src.close();
    const pair = path.join(dir, 'pair.db');
    const before = fs.readFileSync(pair);
    const file = path.join(dir, 'studio.db');
    restoreDatabaseFile(file, pair, { latest: LATEST_VERSION });
    expect(fs.readFileSync(pair).equals(before)).toBe(true);
    expect(fs.existsSync(`${pair}-wal`)).toBe(true);
    expect(projectNames(file)).toEqual(['from the wal']);
  });

  it('refuses while another connection has the library open', async () => {
    const { file, backup } = await withBackup();
    const live = openDatabase(file, { backups: false });
    try {
      const err = caught(() => restoreDatabaseFile(file, backup, { latest: LATEST_VERSION }));
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toMatch(/open in a running Kraken Studio/);
      expect(listBackups(path.dirname(backup)).filter((b) => b.kind !== 'backup')).toEqual([]);
    } finally {
      live.close();
    }
  });
});
