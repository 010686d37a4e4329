import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { openDatabase, openReport } from './database';
import { LATEST_VERSION, migrations } from './migrations';

const dirs: string[] = [];
function tmpFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-db-'));
  dirs.push(d);
  return path.join(d, 'studio.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates the file in WAL mode with foreign keys on and the latest schema', () => {
    const file = tmpFile();
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    db.close();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('refuses a database from a newer app version without changing it', () => {
    const file = tmpFile();
    const raw = new Database(file);
    raw.exec('CREATE TABLE future (x)');
    raw.pragma(`user_version = ${LATEST_VERSION + 5}`);
    raw.close();
    const before = fs.readFileSync(file);
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('CONFLICT');
    expect((caught as AppError).message).toMatch(/newer Kraken Studio/);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 5);
    again.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('rolls a failing migration back whole and leaves user_version where it was', () => {
    const file = tmpFile();
    const list = [
      { version: 1, name: 'one', up: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, name: 'broken', up: 'CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => openDatabase(file, { migrations: list })).toThrow(/nowhere/);
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    const tables = raw.prepare(`SELECT name FROM sqlite_master WHERE type='table'`).all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(['a']);
    raw.close();
  });

  it('runs only the migrations a database lacks', () => {
    const file = tmpFile();
    openDatabase(file, { migrations: [{ version: 1, name: 'one', up: 'CREATE TABLE a (x INTEGER);' }] }).close();
    const db = openDatabase(file, {
      migrations: [
        { version: 1, name: 'one', up: 'CREATE TABLE a (x INTEGER);' },
        { version: 2, name: 'two', up: 'CREATE TABLE b (y INTEGER);' },
      ],
    });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });
});

/** A library with enough rows to span many pages, closed cleanly (WAL folded into the file). */
function filledDb(file: string): void {
  const db = openDatabase(file);
  const now = new Date().toISOString();
  const add = db.prepare(`INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < 400; i++) add.run(`project ${i}`, 'x'.repeat(200), now, now);
  })();
  db.close();
}

function overwrite(file: string, offset: number, length: number): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(length, 0x5a), 0, length, offset);
  fs.closeSync(fd);
}

function openError(file: string): AppError {
  try {
    openDatabase(file).close();
  } catch (e) {
    return e as AppError;
  }
  throw new Error(`${file} opened`);
}

describe('openDatabase refuses a damaged library', () => {
  const expectRefusal = (file: string) => {
    const before = fs.readFileSync(file);
    const err = openError(file);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('DATABASE_DAMAGED');
    expect(err.message).toContain(`The library ${file} is damaged`);
    expect(err.message).toContain('kraken db restore');
    expect(err.message).toContain(`your project files under ${path.join(path.dirname(file), 'projects')} are untouched`);
    expect(err.message).not.toMatch(/\n/);
    expect(err.details).toMatchObject({ file });
    // Refused before anything is written: not even the switch to WAL.
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    return err;
  };

  it('a page overwritten with garbage (page 3)', () => {
    const file = tmpFile();
    filledDb(file);
    overwrite(file, 4096 * 2, 4096);
    expectRefusal(file);
  });

  it('garbage in the middle of the b-tree (page 20)', () => {
    const file = tmpFile();
    filledDb(file);
    expect(fs.statSync(file).size).toBeGreaterThan(4096 * 21);
    overwrite(file, 4096 * 19, 4096);
    expectRefusal(file);
  });

  it('a truncated file', () => {
    const file = tmpFile();
    filledDb(file);
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    expectRefusal(file);
  });

  it('a file that is not SQLite at all', () => {
    const file = tmpFile();
    fs.writeFileSync(file, 'these are not the pages you are looking for\n'.repeat(200));
    const err = expectRefusal(file);
    expect(err.message).toContain('No backup exists');
  });

  it('names the newest backup when there is one', () => {
    const file = tmpFile();
    filledDb(file);
    const backups = path.join(path.dirname(file), 'backups');
    // The daily backup of the filled library was written at its second open.
    openDatabase(file).close();
    const names = fs.readdirSync(backups).filter((n) => n.endsWith('.db'));
    expect(names).toHaveLength(1);
    overwrite(file, 4096 * 2, 4096);
    const err = expectRefusal(file);
    expect(err.message).toContain(`kraken db restore --latest\` (newest: ${names[0]}`);
    expect(err.details).toMatchObject({ backups: 1, latestBackup: names[0] });
  });

  it('opens a zero-length file as a new library', () => {
    const file = tmpFile();
    fs.writeFileSync(file, '');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    db.close();
  });
});

describe('automatic backups', () => {
  const v1 = [{ version: 1, name: 'one', up: 'CREATE TABLE a (x INTEGER);' }];
  const v2 = [...v1, { version: 2, name: 'two', up: 'CREATE TABLE b (y INTEGER); ALTER TABLE a ADD COLUMN z TEXT;' }];
  const at = (iso: string) => () => new Date(iso);
  const backupsOf = (file: string) => {
    const dir = path.join(path.dirname(file), 'backups');
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  };

  it('writes a checked backup holding the old schema before a migration runs', () => {
    const file = tmpFile();
    const first = openDatabase(file, { migrations: v1, backups: { now: at('2026-03-01T10:00:00.000Z') } });
    first.prepare('INSERT INTO a (x) VALUES (42)').run();
    first.close();
    // Same day: the daily rule alone would not write one.
    const second = openDatabase(file, { migrations: v2, backups: { now: at('2026-03-01T11:00:00.000Z') } });
    expect(second.pragma('user_version', { simple: true })).toBe(2);
    expect(openReport(second)?.backup?.name).toBe('studio-2026-03-01T11-00-00.000Z-v1.db');
    second.close();
    expect(backupsOf(file)).toEqual(['studio-2026-03-01T11-00-00.000Z-v1.db']);
    const copy = new Database(path.join(path.dirname(file), 'backups', 'studio-2026-03-01T11-00-00.000Z-v1.db'), { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(1);
    expect(copy.prepare('SELECT x FROM a').all()).toEqual([{ x: 42 }]);
    expect(copy.prepare(`SELECT name FROM sqlite_master WHERE name = 'b'`).get()).toBeUndefined();
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    copy.close();
  });

  it('keeps the backup when the migration then fails', () => {
    const file = tmpFile();
    openDatabase(file, { migrations: v1 }).close();
    const broken = [...v1, { version: 2, name: 'broken', up: 'INSERT INTO nowhere VALUES (1);' }];
    expect(() => openDatabase(file, { migrations: broken, backups: { now: at('2026-03-02T00:00:00.000Z') } })).toThrow(/nowhere/);
    expect(backupsOf(file)).toEqual(['studio-2026-03-02T00-00-00.000Z-v1.db']);
  });

  it('backs up a library with data once a day at open and keeps the newest few', () => {
    const file = tmpFile();
    const open = (iso: string) => openDatabase(file, { migrations: v1, backups: { keep: 2, now: at(iso) } }).close();
    const db = openDatabase(file, { migrations: v1, backups: { keep: 2, now: at('2026-04-01T08:00:00.000Z') } });
    db.prepare('INSERT INTO a (x) VALUES (1)').run();
    db.close();
    open('2026-04-01T09:00:00.000Z'); // no backup yet: the first one
    open('2026-04-01T20:00:00.000Z'); // 11 h later: none
    open('2026-04-02T09:00:01.000Z'); // a day later
    open('2026-04-03T10:00:00.000Z');
    expect(backupsOf(file)).toEqual(['studio-2026-04-02T09-00-01.000Z-v1.db', 'studio-2026-04-03T10-00-00.000Z-v1.db']);
  });

  it('writes no automatic backup of a new or empty database', () => {
    const file = tmpFile();
    openDatabase(file, { migrations: v1, backups: { now: at('2026-05-01T00:00:00.000Z') } }).close();
    openDatabase(file, { migrations: v1, backups: { now: at('2026-05-03T00:00:00.000Z') } }).close();
    expect(backupsOf(file)).toEqual([]);
  });

  it('does not back up an empty library while project folders are on disk (the good backups stay)', () => {
    const file = tmpFile();
    const dir = path.dirname(file);
    const db = openDatabase(file, { backups: { keep: 1, now: at('2026-06-01T00:00:00.000Z') } });
    db.prepare(`INSERT INTO settings (key, value_json) VALUES ('locale', '"ko"')`).run();
    db.close();
    openDatabase(file, { backups: { keep: 1, now: at('2026-06-01T01:00:00.000Z') } }).close();
    expect(backupsOf(file)).toEqual(['studio-2026-06-01T01-00-00.000Z-v' + LATEST_VERSION + '.db']);
    fs.mkdirSync(path.join(dir, 'projects', '7', 'media'), { recursive: true });
    openDatabase(file, { backups: { keep: 1, now: at('2026-06-05T00:00:00.000Z') } }).close();
    expect(backupsOf(file)).toEqual(['studio-2026-06-01T01-00-00.000Z-v' + LATEST_VERSION + '.db']);
  });

  it('opens anyway when the daily backup cannot be written, and says why', () => {
    const file = tmpFile();
    const db = openDatabase(file, { migrations: v1 });
    db.prepare('INSERT INTO a (x) VALUES (1)').run();
    db.close();
    fs.writeFileSync(path.join(path.dirname(file), 'backups'), 'a file where the folder should be');
    const again = openDatabase(file, { migrations: v1 });
    expect(openReport(again)?.backup).toBeNull();
    expect(openReport(again)?.backupError).toBeTruthy();
    again.close();
  });
});

describe.skipIf(process.platform === 'win32')('owner-only modes (POSIX)', () => {
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  let oldMask = 0;
  beforeEach(() => {
    // A permissive umask: the modes must come from chmod, not from whatever umask the app was started with.
    oldMask = process.umask(0);
  });
  afterEach(() => {
    process.umask(oldMask);
  });

  it('creates the data folder 0700 and the database, its -wal/-shm and backups 0600', () => {
    const root = path.dirname(tmpFile());
    const dataDir = path.join(root, 'data');
    const file = path.join(dataDir, 'studio.db');
    const v1 = [{ version: 1, name: 'one', up: 'CREATE TABLE a (x INTEGER);' }];
    const db = openDatabase(file, { migrations: v1 });
    db.prepare('INSERT INTO a (x) VALUES (1)').run();
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    expect(mode(`${file}-shm`)).toBe(0o600);
    db.close();
    openDatabase(file, { migrations: [...v1, { version: 2, name: 'two', up: 'CREATE TABLE b (y);' }] }).close();
    const backups = path.join(dataDir, 'backups');
    expect(mode(backups)).toBe(0o700);
    const names = fs.readdirSync(backups);
    expect(names).toHaveLength(1);
    expect(mode(path.join(backups, names[0]!))).toBe(0o600);
  });

  it('tightens an existing data folder and database left readable by others', () => {
    const file = tmpFile();
    const dataDir = path.dirname(file);
    fs.chmodSync(dataDir, 0o755);
    new Database(file).close();
    fs.chmodSync(file, 0o644);
    openDatabase(file).close();
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
  });
});

describe('migration 1: projects, media, frame sets, images, jobs', () => {
  it('versions are ordered and unique', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('cascades a project delete to its media, frame sets and images, and enforces status values', () => {
    const db = openDatabase(tmpFile(), { migrations: migrations.slice(0, 1) });
    const now = new Date().toISOString();
    db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    db.prepare(`INSERT INTO media_sources (id, project_id, kind, name, path, size_bytes, sha256, probe_json, created_at) VALUES (1, 1, 'video', 'v', '/v', 1, 'h', '{}', ?)`).run(now);
    db.prepare(`INSERT INTO frame_sets (id, project_id, media_id, params_json, status, dir, created_at, updated_at) VALUES (1, 1, 1, '{}', 'running', 'd', ?, ?)`).run(now, now);
    db.prepare(`INSERT INTO images (project_id, frame_set_id, media_id, kind, file, created_at, updated_at) VALUES (1, 1, 1, 'frame', 'f', ?, ?)`).run(now, now);
    expect(() => db.prepare(`UPDATE frame_sets SET status='done?' WHERE id=1`).run()).toThrow(/CHECK/);
    expect(() =>
      db.prepare(`INSERT INTO media_sources (project_id, kind, name, path, size_bytes, sha256, probe_json, created_at) VALUES (1, 'video', 'v2', '/v', 1, 'h', '{}', ?)`).run(now),
    ).toThrow(/UNIQUE/);
    db.prepare(`DELETE FROM projects WHERE id=1`).run();
    for (const t of ['media_sources', 'frame_sets', 'images']) expect((db.prepare(`SELECT COUNT(*) n FROM ${t}`).get() as { n: number }).n).toBe(0);
    db.close();
  });
});
