/** Migration 5 (cloud_jobs): an upgrade keeps the library, the table starts empty and holds a job. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/database';
import { migrations } from '../../store/migrations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-mig5-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const now = '2026-12-02T00:00:00.000Z';

describe('migration 5', () => {
  it('is the fifth, in order', () => {
    expect(migrations.map((m) => m.version).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it('upgrades a version-4 library: projects kept, cloud_jobs empty, then a job with its state is stored', () => {
    const file = path.join(dir, 'studio.db');
    const v4 = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 4) });
    v4.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    v4.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(5);
    expect(db.prepare('SELECT name FROM projects WHERE id = 1').get()).toEqual({ name: 'p' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM cloud_jobs').get()).toEqual({ n: 0 });
    db.prepare(
      `INSERT INTO cloud_jobs (id, project_id, model, media_id, fields_json, state, created_at, updated_at) VALUES ('j', 1, 'gs3d', 3, '{}', 'uploading', ?, ?)`,
    ).run(now, now);
    db.prepare(`UPDATE cloud_jobs SET request_id = 'r1', state = 'processing', cloud_status = 'PROGRESS' WHERE id = 'j'`).run();
    expect(db.prepare(`SELECT state, request_id, cloud_status, results_json FROM cloud_jobs WHERE id = 'j'`).get()).toEqual({
      state: 'processing',
      request_id: 'r1',
      cloud_status: 'PROGRESS',
      results_json: '[]',
    });
    expect(() => db.prepare(`UPDATE cloud_jobs SET state = 'weird' WHERE id = 'j'`).run()).toThrow(/CHECK/);
    // Deleting the project takes its cloud jobs with it.
    db.prepare('DELETE FROM projects WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM cloud_jobs').get()).toEqual({ n: 0 });
    db.close();
  });
});
