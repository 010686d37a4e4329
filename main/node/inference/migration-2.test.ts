/** Migration 2 (model library, model runs, per-image results): upgrade path and constraints. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { migrations } from '../store/migrations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-mig2-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const now = '2026-11-23T00:00:00.000Z';

describe('migration 2', () => {
  it('upgrades a version-1 library with data in it, keeping the data', () => {
    const file = path.join(dir, 'studio.db');
    const v1 = openDatabase(file, { migrations: migrations.filter((m) => m.version === 1) });
    v1.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    v1.prepare(`INSERT INTO images (id, project_id, kind, file, created_at, updated_at) VALUES (7, 1, 'imported', 'a.jpg', ?, ?)`).run(now, now);
    expect(v1.pragma('user_version', { simple: true })).toBe(1);
    v1.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(2);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type='table'`).all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['models', 'model_runs', 'inference_results']));
    expect(db.prepare('SELECT file FROM images WHERE id = 7').get()).toEqual({ file: 'a.jpg' });
    db.close();
  });

  it('cascades: deleting an image drops its results, deleting a project drops its runs', () => {
    const db = openDatabase(path.join(dir, 'c.db'));
    db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    for (const id of [1, 2]) db.prepare(`INSERT INTO images (id, project_id, kind, file, created_at, updated_at) VALUES (?, 1, 'imported', 'x', ?, ?)`).run(id, now, now);
    db.prepare(
      `INSERT INTO model_runs (id, project_id, model_id, model_name, task, mode, status, batch_size, created_at, updated_at) VALUES (1, 1, 'm', 'M', 'detection', 'all', 'running', 4, ?, ?)`,
    ).run(now, now);
    const put = db.prepare(`INSERT INTO inference_results (run_id, image_id, model_id, ok, output_json, created_at) VALUES (1, ?, 'm', 1, '{}', ?)`);
    put.run(1, now);
    put.run(2, now);
    expect(() => put.run(2, now)).toThrow(/UNIQUE/);
    db.prepare('DELETE FROM images WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM inference_results').get()).toEqual({ n: 1 });
    db.prepare('DELETE FROM projects WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM model_runs').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM inference_results').get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses bad enum values', () => {
    const db = openDatabase(path.join(dir, 'e.db'));
    db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    expect(() =>
      db.prepare(`INSERT INTO model_runs (project_id, model_id, model_name, task, mode, status, batch_size, created_at, updated_at) VALUES (1, 'm', 'M', 't', 'some', 'running', 1, ?, ?)`).run(now, now),
    ).toThrow(/CHECK/);
    expect(() => db.prepare(`INSERT INTO models (id, source, manifest_json, dir, created_at) VALUES ('x', 'bundled', '{}', 'd', ?)`).run(now)).toThrow(/CHECK/);
    db.close();
  });
});
