import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { openDatabase } from './database';
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
