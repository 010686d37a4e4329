import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { contract } from '../../common/contract';
import { openDatabase, type Db } from './database';
import { storeHandlers } from './handlers';
import { LibraryService } from './library-service';
import { LATEST_VERSION } from './migrations';

const dirs: string[] = [];
const open: Db[] = [];
function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-library-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const at = (iso: string) => () => new Date(iso);

function setup(options: { busy?: () => string | null; afterRestore?: () => void } = {}) {
  const dir = dataDir();
  const file = path.join(dir, 'studio.db');
  const db = openDatabase(file, { backups: false });
  open.push(db);
  let clock = new Date('2026-07-01T00:00:00.000Z').getTime();
  const now = () => new Date((clock += 1000));
  const library = new LibraryService({ db, file, now, ...options });
  const add = (name: string) => {
    const t = new Date().toISOString();
    db.prepare(`INSERT INTO projects (name, created_at, updated_at) VALUES (?, ?, ?)`).run(name, t, t);
  };
  const names = (conn: Database.Database = db) => (conn.prepare('SELECT name FROM projects ORDER BY id').all() as { name: string }[]).map((r) => r.name);
  return { dir, file, db, library, add, names };
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error('did not reject');
}

describe('LibraryService.status', () => {
  it('reports a healthy library, its schema and the newest backup', async () => {
    const { library, file, dir } = setup();
    expect(library.status()).toMatchObject({ file, backupsDir: path.join(dir, 'backups'), schemaVersion: LATEST_VERSION, healthy: true, problems: [], libraryWarning: null, latestBackup: null, backupError: null });
    const b = await library.backup();
    expect(library.status().latestBackup).toEqual(b);
    expect(contract['db.status'].response.safeParse(library.status()).success).toBe(true);
  });

  it('runs quick_check again only when asked, and then sees damage done since the open', async () => {
    const { library, add, db, file } = setup();
    for (let i = 0; i < 200; i++) add(`p${i} ${'x'.repeat(200)}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    // The next reads go to the file, not to pages this connection still holds.
    db.pragma('shrink_memory');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * 2);
    fs.closeSync(fd);
    const before = library.status();
    expect(before).toMatchObject({ healthy: true, problems: [] });
    const checked = library.status({ check: true });
    expect(checked.healthy).toBe(false);
    expect(checked.problems.length).toBeGreaterThan(0);
    expect(Date.parse(checked.checkedAt)).toBeGreaterThan(Date.parse(before.checkedAt));
    // A damaged library is not backed up (the copy would rotate a good backup out).
    expect((await rejection(library.backup())).code).toBe('DATABASE_DAMAGED');
    expect(library.backups()).toEqual([]);
  });

  it('warns about an empty library next to project folders, with a backup to restore when there is one', async () => {
    const { library, dir, add, db } = setup();
    fs.mkdirSync(path.join(dir, 'projects', '3', 'frames'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'projects', '8'), { recursive: true });
    const first = library.status().libraryWarning;
    expect(first).toMatchObject({ kind: 'empty-library', projectFolders: 2, backupAvailable: false });
    expect(first!.message).toContain('holds 2 project folders');
    add('one');
    const b = await library.backup();
    db.prepare('DELETE FROM projects').run();
    const second = library.status().libraryWarning;
    expect(second).toMatchObject({ projectFolders: 2, backupAvailable: true });
    expect(second!.message).toContain(b.name);
    add('back');
    expect(library.status().libraryWarning).toBeNull();
  });
});

describe('LibraryService.restore (the database stays open)', () => {
  it('swaps the rows under the open connection, keeps the replaced library, and tells the services', async () => {
    let told = 0;
    const { library, add, names, db, dir } = setup({ afterRestore: () => told++ });
    add('a');
    add('b');
    const backup = await library.backup();
    add('c');
    db.prepare(`DELETE FROM projects WHERE name = 'a'`).run();
    // A statement a service prepared before the restore.
    const prepared = db.prepare('SELECT name FROM projects ORDER BY id');
    const result = await library.restore(backup.name);
    expect(result).toMatchObject({ restored: backup.name, schemaVersion: LATEST_VERSION });
    expect(result.keptCopy).toMatch(/^studio-before-restore-.*-v\d+\.db$/);
    expect(names()).toEqual(['a', 'b']);
    expect((prepared.all() as { name: string }[]).map((r) => r.name)).toEqual(['a', 'b']);
    expect(told).toBe(1);
    const kept = new Database(path.join(dir, 'backups', result.keptCopy!), { readonly: true });
    expect(names(kept)).toEqual(['b', 'c']);
    kept.close();
    expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    // What another process opening the file now sees.
    const other = new Database(path.join(dir, 'studio.db'), { readonly: true });
    expect(names(other)).toEqual(['a', 'b']);
    other.close();
    expect(library.backups().map((b) => b.kind).sort()).toEqual(['backup', 'before-restore']);
  });

  it('brings a backup of an older schema up to date', async () => {
    const dir = dataDir();
    const file = path.join(dir, 'studio.db');
    const v1 = [{ version: 1, name: 'one', up: 'CREATE TABLE a (x INTEGER);' }];
    const v2 = [...v1, { version: 2, name: 'two', up: 'CREATE TABLE b (y INTEGER);' }];
    const old = openDatabase(file, { migrations: v1, backups: { now: at('2026-07-01T00:00:00.000Z') } });
    old.prepare('INSERT INTO a (x) VALUES (7)').run();
    old.close();
    // The pre-migration backup holds schema 1.
    const db = openDatabase(file, { migrations: v2, backups: { now: at('2026-07-01T01:00:00.000Z') } });
    open.push(db);
    db.prepare('INSERT INTO a (x) VALUES (8)').run();
    const library = new LibraryService({ db, file, migrations: v2, now: at('2026-07-02T00:00:00.000Z') });
    const [backup] = library.backups();
    expect(backup).toMatchObject({ schemaVersion: 1, kind: 'backup' });
    const result = await library.restore(backup!.name);
    expect(result.schemaVersion).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare('SELECT x FROM a').all()).toEqual([{ x: 7 }]);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'b'`).get()).toEqual({ name: 'b' });
  });

  it('is refused while jobs run, and leaves the library as it was', async () => {
    const { library, add, names } = setup({ busy: () => 'jobs are running.' });
    add('a');
    const backup = await library.backup();
    add('b');
    const err = await rejection(library.restore(backup.name));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/jobs are running/);
    expect(names()).toEqual(['a', 'b']);
    expect(library.backups().map((b) => b.kind)).toEqual(['backup']);
  });

  it('refuses a name that is not a restorable backup, and a backup that fails its check', async () => {
    const { library, add, names, dir } = setup();
    add('a');
    const backup = await library.backup();
    expect((await rejection(library.restore('studio-2020-01-01T00-00-00.000Z-v1.db'))).code).toBe('NOT_FOUND');
    const damagedName = 'studio-damaged-2026-01-01T00-00-00.000Z.db';
    fs.copyFileSync(path.join(dir, 'backups', backup.name), path.join(dir, 'backups', damagedName));
    expect((await rejection(library.restore(damagedName))).code).toBe('NOT_FOUND');
    const fd = fs.openSync(path.join(dir, 'backups', backup.name), 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096);
    fs.closeSync(fd);
    add('b');
    const err = await rejection(library.restore(backup.name));
    expect(err.code).toBe('DATABASE_DAMAGED');
    expect(names()).toEqual(['a', 'b']);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('storeHandlers and the contract', () => {
  it('answers every db.* channel, and the contract refuses a path as a backup name', async () => {
    const { library } = setup();
    const h = storeHandlers(library);
    const caller = { origin: 'kraken://app', isMainFrame: true };
    expect(Object.keys(h).sort()).toEqual(['db.backup', 'db.backups', 'db.restore', 'db.status']);
    const b = await h['db.backup']({}, caller);
    expect(contract['db.backup'].response.parse(b)).toEqual(b);
    expect((await h['db.backups']({}, caller)).map((x) => x.name)).toEqual([b.name]);
    const parse = (name: string) => contract['db.restore'].request.safeParse({ name }).success;
    expect(parse(b.name)).toBe(true);
    for (const bad of ['../studio.db', '/etc/passwd', `backups/${b.name}`, 'studio-damaged-2026-01-01T00-00-00.000Z.db', `${b.name}\u0000`]) expect(parse(bad), bad).toBe(false);
  });
});
