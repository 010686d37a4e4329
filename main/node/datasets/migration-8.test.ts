/** Migration 8 (datasets, dataset_items): an upgrade keeps the library, the tables start empty, hold a dataset, check their values. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { migrations } from '../store/migrations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-mig8-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const now = '2026-12-02T00:00:00.000Z';

describe('migration 8', () => {
  it('is the eighth, in order', () => {
    expect(migrations[7]!.version).toBe(8);
    expect(migrations.map((m) => m.version).slice(0, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('upgrades a version-7 library: projects kept, datasets empty, then a dataset with items is stored and its values checked', () => {
    const file = path.join(dir, 'studio.db');
    const v7 = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 7) });
    v7.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    v7.close();

    const db = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 8) });
    expect(db.pragma('user_version', { simple: true })).toBe(8);
    expect(db.prepare('SELECT name FROM projects WHERE id = 1').get()).toEqual({ name: 'p' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM datasets').get()).toEqual({ n: 0 });
    db.prepare(`INSERT INTO datasets (project_id, name, task, format, classes_json, split_json, created_at, updated_at) VALUES (1, 'cats', 'classification', 'imagefolder', '["a"]', '{}', ?, ?)`).run(now, now);
    const item = db.prepare(`INSERT INTO dataset_items (dataset_id, image_id, file, class_name, split) VALUES (1, NULL, 'x.jpg', 'a', ?)`);
    item.run('train');
    expect(() => item.run('holdout')).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE datasets SET task = 'regression'`).run()).toThrow(/CHECK/);
    expect(db.prepare('SELECT remote_id, report_json, package_file FROM datasets').get()).toEqual({ remote_id: null, report_json: null, package_file: null });
    // A deleted project keeps its datasets (their lineage outlives it); a deleted dataset takes its items.
    db.prepare('DELETE FROM projects WHERE id = 1').run();
    expect(db.prepare('SELECT project_id FROM datasets').get()).toEqual({ project_id: null });
    db.prepare('DELETE FROM datasets').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM dataset_items').get()).toEqual({ n: 0 });
    db.close();
  });
});
