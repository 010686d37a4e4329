import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { libraryWarning, projectFolderCount } from './library-warning';

const dirs: string[] = [];
function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-warning-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('libraryWarning', () => {
  it('warns when a zero-length studio.db opens as an empty library while project folders are on disk', () => {
    const dir = dataDir();
    for (const id of ['1', '2', '5']) fs.mkdirSync(path.join(dir, 'projects', id, 'frames'), { recursive: true });
    // Not project folders: a stray file and a non-numeric folder.
    fs.writeFileSync(path.join(dir, 'projects', 'notes.txt'), 'x');
    fs.mkdirSync(path.join(dir, 'projects', 'tmp'));
    fs.writeFileSync(path.join(dir, 'studio.db'), '');
    const db = openDatabase(path.join(dir, 'studio.db'));
    const w = libraryWarning(db, dir, null);
    db.close();
    expect(w).toMatchObject({ kind: 'empty-library', projectFolders: 3, backupAvailable: false });
    expect(w!.message).toContain(`The library ${path.join(dir, 'studio.db')} is empty, but ${path.join(dir, 'projects')} holds 3 project folders`);
    expect(w!.message).toContain('No backup exists');
  });

  it('is quiet for a new data folder, and for a library that has its projects', () => {
    const dir = dataDir();
    const db = openDatabase(path.join(dir, 'studio.db'));
    expect(libraryWarning(db, dir, null)).toBeNull();
    fs.mkdirSync(path.join(dir, 'projects', '1'), { recursive: true });
    const t = new Date().toISOString();
    db.prepare(`INSERT INTO projects (name, created_at, updated_at) VALUES ('p', ?, ?)`).run(t, t);
    expect(libraryWarning(db, dir, 'studio-x.db')).toBeNull();
    db.close();
  });

  it('counts nothing when projects/ is missing or is a file', () => {
    const dir = dataDir();
    expect(projectFolderCount(dir)).toBe(0);
    fs.writeFileSync(path.join(dir, 'projects'), '');
    expect(projectFolderCount(dir)).toBe(0);
  });
});
