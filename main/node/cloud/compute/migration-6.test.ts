/** Migration 6 (compute_sessions): an upgrade keeps the library, the table starts empty, holds a session, checks its values. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/database';
import { migrations } from '../../store/migrations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-mig6-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const now = '2026-12-02T00:00:00.000Z';

describe('migration 6', () => {
  it('is the sixth, in order', () => {
    expect(migrations[5]!.version).toBe(6);
    expect(migrations.map((m) => m.version).slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('upgrades a version-5 library: projects kept, compute_sessions empty, then a session is stored and its values checked', () => {
    const file = path.join(dir, 'studio.db');
    const v5 = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 5) });
    v5.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    v5.close();

    const db = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 6) });
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    expect(db.prepare('SELECT name FROM projects WHERE id = 1').get()).toEqual({ name: 'p' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM compute_sessions').get()).toEqual({ n: 0 });
    const insert = db.prepare(
      `INSERT INTO compute_sessions (base_url, user_id, container_id, project_id, started_here, cluster_id, state, updated_at) VALUES (?, 'u1', ?, 1, 1, 'gpu', 'creating', ?)`,
    );
    insert.run('http://127.0.0.1:1', 'c1', now);
    expect(db.prepare(`SELECT id, project_id, state, creation_status, ended_at FROM compute_sessions`).get()).toEqual({
      id: 1,
      project_id: 1,
      state: 'creating',
      creation_status: null,
      ended_at: null,
    });
    // One row per container and server; the same id on another server is another session.
    expect(() => insert.run('http://127.0.0.1:1', 'c1', now)).toThrow(/UNIQUE/);
    insert.run('http://127.0.0.1:2', 'c1', now);
    expect(() => db.prepare(`UPDATE compute_sessions SET state = 'lost' WHERE id = 1`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE compute_sessions SET cluster_id = 'tpu' WHERE id = 1`).run()).toThrow(/CHECK/);
    // A deleted project leaves its sessions (they may still be running and billing), without the project.
    db.prepare('DELETE FROM projects WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM compute_sessions WHERE project_id IS NULL').get()).toEqual({ n: 2 });
    db.close();
  });
});
